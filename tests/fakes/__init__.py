"""Shared fakes for the test suites (fake servers, fake ports)."""
