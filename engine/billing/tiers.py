"""Tiers (Free, Pro, Enterprise) and their limits, defined in configuration.

A tier limits four resources: ``characters`` (at once), ``relationships`` (tracked pairs at
once), ``exports`` (story exports a calendar month) and ``model_calls`` (language-model calls a
calendar month). ``None`` is unlimited. Pro and Enterprise also get priority processing (their
render jobs go to a queue served first); Enterprise may use its own model endpoint and key and a
white-label bot name and avatar.

``PERSONAE_TIERS`` (JSON) changes them: ``{"free": {"characters": 8}, "pro": {"price":
"price_123"}}`` merges into the defaults; a new name adds a tier above the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from engine.errors import InvalidInput

__all__ = [
    "RESOURCES", "MONTHLY", "Tier", "Catalog", "DEFAULT_TIERS", "QuotaExceeded", "month_of",
    "limit_message", "FREE",
]

FREE = "free"

#: What each resource is called in messages (monthly ones say so).
RESOURCES = {
    "characters": "characters",
    "relationships": "tracked relationships",
    "exports": "story exports a month",
    "model_calls": "model calls a month",
}
#: Resources counted per calendar month (the others are counted as they stand).
MONTHLY = frozenset({"exports", "model_calls"})


@dataclass(frozen=True)
class Tier:
    name: str
    title: str
    characters: int | None = None
    relationships: int | None = None
    exports: int | None = None
    model_calls: int | None = None
    priority: bool = False
    own_model: bool = False
    white_label: bool = False
    #: The Stripe price id of its monthly subscription (None: not sold through Checkout).
    price: str | None = None

    def limit(self, resource: str) -> int | None:
        if resource not in RESOURCES:
            raise ValueError(f"unknown resource {resource!r}")
        value: int | None = getattr(self, resource)
        return value

    def allows(self, resource: str, used: int, amount: int = 1) -> bool:
        limit = self.limit(resource)
        return limit is None or used + amount <= limit


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(FREE, "Free", characters=5, relationships=10, exports=3, model_calls=1_000),
    Tier("pro", "Pro", characters=50, relationships=200, exports=None, model_calls=50_000,
         priority=True),
    Tier("enterprise", "Enterprise", priority=True, own_model=True, white_label=True),
)

_FIELDS = {f.name for f in fields(Tier)} - {"name"}


@dataclass(frozen=True)
class Catalog:
    """The tiers, cheapest first. ``enforced``: limits apply (billing is on); otherwise every
    community is unlimited whatever its tier (priority processing still follows the tier)."""

    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    enforced: bool = False
    _by_name: dict[str, Tier] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({t.name: t for t in self.tiers})

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Mapping[str, Any]] | None,
                       prices: Mapping[str, str | None] | None = None,
                       enforced: bool = True) -> Catalog:
        """The default tiers changed by ``overrides`` (``PERSONAE_TIERS``) and given price ids.

        Raises:
            InvalidInput: An unknown field or a negative limit.
        """
        tiers = {t.name: t for t in DEFAULT_TIERS}
        for name, values in (overrides or {}).items():
            key = name.strip().lower()
            unknown = set(values) - _FIELDS
            if unknown:
                raise InvalidInput(f"PERSONAE_TIERS: unknown field(s) of tier {key!r}: "
                                   f"{', '.join(sorted(unknown))}.")
            for resource in RESOURCES:
                value = values.get(resource)
                if value is not None and (not isinstance(value, int) or value < 0):
                    raise InvalidInput(f"PERSONAE_TIERS: {key}.{resource} must be a whole "
                                       "number ≥ 0, or null for unlimited.")
            base = tiers.get(key) or Tier(key, key.title())
            tiers[key] = replace(base, **dict(values))
        for name, price in (prices or {}).items():
            if price and name in tiers and not (overrides or {}).get(name, {}).get("price"):
                tiers[name] = replace(tiers[name], price=price)
        return cls(tuple(tiers.values()), enforced)

    def get(self, name: str | None) -> Tier:
        """The tier called ``name``; an unknown name (a tier removed from configuration) is
        the free tier. Unlimited in everything, Enterprise's extras included, when limits
        are not enforced (a self-hosted install that sells nothing)."""
        tier = self._by_name.get(name or FREE) or self._by_name.get(FREE) or self.tiers[0]
        if self.enforced:
            return tier
        return replace(tier, characters=None, relationships=None, exports=None,
                       model_calls=None, own_model=True, white_label=True)

    @property
    def free(self) -> Tier:
        return self.get(FREE)

    def by_price(self, price: str | None) -> Tier | None:
        return next((t for t in self.tiers if price and t.price == price), None)

    def lifting(self, current: Tier, resource: str, needed: int) -> Tier | None:
        """The cheapest tier above ``current`` that allows ``needed`` of ``resource``."""
        names = [t.name for t in self.tiers]
        above = self.tiers[names.index(current.name) + 1:] if current.name in names else ()
        for tier in above:
            limit = tier.limit(resource)
            if limit is None or limit >= needed:
                return tier
        return None


def _amount(limit: int | None) -> str:
    return "unlimited" if limit is None else f"{limit:,}"


def limit_message(catalog: Catalog, tier: Tier, resource: str, needed: int) -> str:
    """``This community is on Free: 5 characters at most. /subscribe for Pro (50).``"""
    limit = tier.limit(resource)
    what = RESOURCES[resource]
    text = f"This community is on {tier.title}: {_amount(limit)} {what} at most."
    better = catalog.lifting(tier, resource, needed)
    if better is not None:
        return f"{text} /subscribe for {better.title} ({_amount(better.limit(resource))})."
    if resource in MONTHLY:
        return f"{text} It starts again next month."
    return f"{text} Remove some first."


class QuotaExceeded(InvalidInput):
    """A tier's limit was reached; the message says what the limit is and how to lift it."""

    def __init__(self, message: str, resource: str, limit: int | None, tier: str) -> None:
        super().__init__(message)
        self.resource = resource
        self.limit = limit
        self.tier = tier


def month_of(when: datetime) -> str:
    """The usage month of a moment: ``YYYY-MM`` (UTC)."""
    return f"{when.year:04d}-{when.month:02d}"


def catalog_from(settings: Any) -> Catalog:
    """The tiers of ``settings`` (an ``engine.settings.Settings``): ``PERSONAE_TIERS``, the
    Stripe price ids, and whether limits apply (``PERSONAE_BILLING_LIMITS``: ``on``, ``off``,
    or ``auto`` = when a Stripe key is configured)."""
    mode = settings.billing_limits
    return Catalog.from_overrides(
        settings.tiers,
        prices={"pro": settings.stripe_price_pro, "enterprise": settings.stripe_price_enterprise},
        enforced=mode == "on" or (mode == "auto" and bool(settings.stripe_api_key)),
    )
