"""What the marketplace's use cases share: the member acting (``Member``), their results,
``PaymentRequired``, finding a listing by ref (``find_listing``) and a packaged relationship
as a ``Relationship`` (``relationship_of``). The use cases are re-exported by
``engine.services.marketplace``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput, NotFound, UserFacingError
from engine.marketplace.format import PackagedRelationship
from engine.marketplace.model import Installation, Listing, Review
from engine.relationships import Relationship
from engine.scenarios.model import slugify

__all__ = [
    "CARD_FIELDS", "ACTIVE_WINDOW", "Member", "PaymentRequired", "Published", "InstallResult",
    "ListingView", "Page", "find_listing", "relationship_of",
]


#: Card fields an update replaces; the installed name, memories, summary, mood, drift history
#: and relationships stay as lived.
CARD_FIELDS = ("description", "personality", "scenario", "first_mes", "mes_example",
               "alternate_greetings", "system_prompt", "post_history_instructions",
               "creator_notes", "tags", "creator", "character_version", "persona",
               "card_extra")
#: "Active use" of a package: its installed characters that spoke within this window.
ACTIVE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Member:
    """A marketplace member: ``key`` from ``engine.marketplace.member_key``, a display name,
    and whether they moderate the marketplace."""

    key: str
    name: str = ""
    moderator: bool = False


class PaymentRequired(UserFacingError):
    """A premium package the ecosystem has not bought."""

    def __init__(self, listing: Listing) -> None:
        self.listing = listing
        price = f"{listing.price_cents / 100:.2f}"
        super().__init__(f"'{listing.name}' is a premium package ({price}); buy it once for "
                         "this community, then install it again.")


@dataclass(frozen=True)
class Published:
    listing: Listing
    version: str
    new_package: bool


@dataclass(frozen=True)
class InstallResult:
    installation: Installation
    listing: Listing
    #: Installed names by the package's character names (differ where a clash was resolved).
    names: dict[str, str]
    scenarios: list[str] = field(default_factory=list)
    relationships: int = 0
    #: On update: characters updated in place and added.
    updated: list[str] = field(default_factory=list)
    #: Installed names whose avatar became the package's image (a URL to our media store).
    avatars: dict[str, str] = field(default_factory=dict)
    #: Lines to show with the result (e.g. images kept without a public URL to serve them).
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ListingView:
    listing: Listing
    versions: list[str]
    #: Cast list: (name, one-line description) per character of the latest version.
    cast: list[tuple[str, str]]
    relationships: list[tuple[str, str, str]]
    scenarios: list[str]
    reviews: list[Review]
    has_preview: bool


@dataclass(frozen=True)
class Page:
    listings: list[Listing]
    page: int
    has_more: bool


def find_listing(uow: UnitOfWork, ref: str, viewer: Member | None) -> Listing:
    text = ref.strip()
    listing = uow.marketplace.by_code(text)
    if listing is None and text.isdigit():
        listing = uow.marketplace.get(int(text))
    if listing is None:
        matches = [p for p in uow.marketplace.by_slug(slugify(text))
                   if p.visibility == "public" or (viewer and p.creator_key == viewer.key)]
        if len(matches) > 1:
            codes = ", ".join(p.share_code for p in matches)
            raise InvalidInput(f"Several packages are called {text!r}: use a code ({codes}).")
        listing = matches[0] if matches else None
    mine = viewer is not None and listing is not None and listing.creator_key == viewer.key
    moderator = viewer is not None and viewer.moderator
    if listing is None or (listing.visibility == "private" and not (mine or moderator)):
        raise NotFound(f"No package {ref!r} in the marketplace.")
    if listing.status != "active" and not (mine or moderator):
        raise NotFound(f"Package {ref!r} was taken down by the moderators.")
    return listing


def relationship_of(source: int, target: int, ecosystem_id: int, r: PackagedRelationship,
                  now: datetime | None) -> Relationship:
    v = r.values
    return Relationship(source, target, ecosystem_id, affinity=v["affinity"], trust=v["trust"],
                        familiarity=v["familiarity"], romance=v["romance"],
                        rivalry=v["rivalry"], respect=v["respect"], grudge=v["grudge"],
                        label=r.label, updated_at=now)
