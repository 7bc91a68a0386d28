"""What the marketplace shows: listings, reviews, reports, installations, creator stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["VISIBILITIES", "Listing", "Review", "Report", "Installation", "CreatorStats",
           "PackageStats", "member_key"]

#: public: browsed and searched; unlisted: only by share code; private: only its creator.
VISIBILITIES = ("public", "unlisted", "private")


def member_key(platform: str, user_id: str) -> str:
    """How the marketplace names a member across communities: ``"<platform>:<user id>"``."""
    return f"{platform}:{user_id}"


@dataclass(frozen=True)
class Listing:
    id: int
    share_code: str
    kind: str
    name: str
    slug: str
    description: str
    tags: tuple[str, ...]
    genre: str
    visibility: str
    status: str
    #: A premium package is bought once (``price_cents``) before it installs.
    premium: bool
    price_cents: int
    creator_key: str | None
    creator_name: str
    latest_version: str
    install_count: int
    rating_count: int
    rating_sum: int
    rating_score: float
    created_at: datetime
    updated_at: datetime
    takedown_reason: str = ""

    @property
    def rating(self) -> float | None:
        """Mean stars, or None before the first rating."""
        return self.rating_sum / self.rating_count if self.rating_count else None

    @property
    def stars_text(self) -> str:
        r = self.rating
        return "no ratings yet" if r is None else f"{r:.1f}★ ({self.rating_count})"


@dataclass(frozen=True)
class Review:
    package_id: int
    member_key: str
    member_name: str
    stars: int
    review: str
    updated_at: datetime


@dataclass(frozen=True)
class Report:
    id: int
    package_id: int
    reporter_key: str | None
    reason: str
    status: str
    created_at: datetime
    resolution: str = ""


@dataclass
class Installation:
    id: int
    package_id: int
    version: str
    ecosystem_id: int
    installed_by: str | None
    #: ``characters``: {package key: character id}; ``scenarios``: [ids];
    #: ``relationships``: [[source id, target id], ...].
    created: dict[str, Any] = field(default_factory=dict)
    status: str = "active"
    installed_at: datetime | None = None

    @property
    def character_ids(self) -> list[int]:
        return [int(i) for i in (self.created.get("characters") or {}).values()]


@dataclass(frozen=True)
class PackageStats:
    package_id: int
    name: str
    share_code: str
    status: str
    latest_version: str
    installs: int
    active_installs: int
    #: Installed characters that spoke in the window (default: the last 30 days).
    active_characters: int
    rating: float | None
    rating_count: int


@dataclass(frozen=True)
class CreatorStats:
    creator_key: str
    packages: list[PackageStats]

    @property
    def installs(self) -> int:
        return sum(p.installs for p in self.packages)

    @property
    def active_characters(self) -> int:
        return sum(p.active_characters for p in self.packages)
