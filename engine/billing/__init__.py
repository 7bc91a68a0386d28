"""Billing rules, pure: tiers and their limits, quota messages (``engine.billing.tiers``)."""
