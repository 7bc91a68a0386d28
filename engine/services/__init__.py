"""Use cases: the loop of DESIGN.md §1 (perceive, decide, render, record) and its setup."""
