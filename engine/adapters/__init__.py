"""Adapters: implementations of the engine's ports that talk to libraries and services."""
