"""Finding and viewing packages: a listing by ref, its cast, relationships, scenarios,
versions and reviews, search and browse, the preview image and the stored document."""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidInput, NotFound
from engine.marketplace.limits import GENRES
from engine.marketplace.model import Listing
from engine.marketplace.search import SearchQuery
from engine.services.deps import Deps
from engine.services.marketplace_common import ListingView, Member, Page, find_listing

__all__ = ["get_listing", "view", "search", "preview_png", "export_package"]


def get_listing(deps: Deps, ref: str, viewer: Member | None = None) -> Listing:
    """The listing a ref names (what billing needs to sell a premium package)."""
    with deps.uow() as uow:
        return find_listing(uow, ref, viewer)


def view(deps: Deps, ref: str, viewer: Member | None = None, reviews: int = 5) -> ListingView:
    """A listing with its cast, relationships, scenarios, versions and latest reviews."""
    with deps.uow() as uow:
        listing = find_listing(uow, ref, viewer)
        content = uow.marketplace.content(listing.id, listing.latest_version) or {}
        has_preview = uow.marketplace.preview(listing.id, listing.latest_version) is not None
        out_reviews = uow.marketplace.reviews(listing.id, reviews)
        versions = uow.marketplace.versions(listing.id)
    names = {c.get("key"): _card_name(c.get("card")) for c in content.get("characters", [])}
    cast = [(_card_name(c.get("card")), _card_line(c.get("card")))
            for c in content.get("characters", [])]
    rels = [(names.get(r["source"], "?"), str(r.get("label", "")), names.get(r["target"], "?"))
            for r in content.get("relationships", []) if r.get("label") != "stranger"]
    scenarios = [str(s.get("title", "")) for s in content.get("scenarios", [])]
    return ListingView(listing, versions, cast, rels, scenarios, out_reviews, has_preview)


def _card_data(card: Any) -> dict[str, Any]:
    if not isinstance(card, dict):
        return {}
    data = card.get("data")
    return data if isinstance(data, dict) else card


def _card_name(card: Any) -> str:
    return str(_card_data(card).get("name", "?"))


def _card_line(card: Any) -> str:
    text = str(_card_data(card).get("description", "")).strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= 100 else line[:99] + "…"


def search(deps: Deps, query: SearchQuery) -> Page:
    """One page of public listings (browse: an empty query)."""
    if query.genre and query.genre.lower() not in GENRES:
        raise InvalidInput(f"Genres: {', '.join(GENRES)}.")
    with deps.uow() as uow:
        listings, more = uow.marketplace.search(query)
    return Page(listings, query.page, more)


def preview_png(deps: Deps, ref: str, viewer: Member | None = None) -> bytes | None:
    with deps.uow() as uow:
        listing = find_listing(uow, ref, viewer)
        return uow.marketplace.preview(listing.id, listing.latest_version)


def export_package(deps: Deps, ref: str, version: str | None = None,
                   viewer: Member | None = None) -> dict[str, Any]:
    """The package document of a version (the latest by default), as published."""
    with deps.uow() as uow:
        listing = find_listing(uow, ref, viewer)
        content = uow.marketplace.content(listing.id, version or listing.latest_version)
    if content is None:
        raise NotFound(f"'{listing.name}' has no version {version}.")
    return content
