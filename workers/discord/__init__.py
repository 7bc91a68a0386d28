"""Delivery to Discord from workers, over REST only (no gateway connection needed)."""
