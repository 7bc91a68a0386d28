"""Social dynamics: personality, relationships, trust, alliances, emotions and the social graph.

Deterministic functions of acts (DESIGN.md §1), testable without a language model.
"""
