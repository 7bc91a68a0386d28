"""Rendering: from a decided act to words (offline from the card, or through a model)."""
