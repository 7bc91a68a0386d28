"""Publishing to the marketplace: a package built from an ecosystem's characters, cast or
scenarios (``package_from_ecosystem``, with the images of avatars in our own media store),
validated and stored as a new package or a new version (``publish``, ``publish_package``),
with its relationship-graph preview."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from typing import Any

from engine.adapters.sql.uow import UnitOfWork
from engine.cards import export_card
from engine.errors import InvalidInput, NotFound
from engine.marketplace.format import (
    REL_FIELDS,
    Manifest,
    Package,
    PackagedRelationship,
    build_package,
    parse_package,
)
from engine.marketplace.media import media_name_in
from engine.marketplace.model import VISIBILITIES, Listing
from engine.marketplace.search import search_words
from engine.marketplace.versioning import next_version, parse_version
from engine.personas import Character
from engine.scenarios.model import new_share_code, slugify, to_definition
from engine.services import media
from engine.services.deps import Deps
from engine.services.marketplace_common import Member, Published, relationship_of

__all__ = ["package_from_ecosystem", "publish", "publish_package"]

logger = logging.getLogger(__name__)


def package_from_ecosystem(deps: Deps, ecosystem_id: int, kind: str, *, name: str,
                           version: str = "1.0.0", characters: Sequence[str] = (),
                           scenarios: Sequence[str] = (), description: str = "",
                           tags: Sequence[str] = (), genre: str = "other", creator: str = ""
                           ) -> dict[str, Any]:
    """The package document of some of an ecosystem's characters (a character: one; a cast:
    the named ones, or all, with the relationships among them) or scenarios (with the
    characters their casts name).

    A character whose avatar is an image in our own media store
    (``{PERSONAE_PUBLIC_BASE_URL}/media/...``) takes that image along; other avatar URLs stay
    in the card as they are and are never fetched."""
    with deps.uow() as uow:
        every = uow.participants.list_characters(ecosystem_id)
        by_name = {c.name.lower(): c for c in every}
        chosen: list[Character] = []
        for wanted in characters:
            found = by_name.get(wanted.strip().lower())
            if found is None:
                raise NotFound(f"No character named {wanted!r} here.")
            chosen.append(found)
        definitions = []
        for ref in scenarios:
            s = next((s for s in uow.scenarios.of_ecosystem(ecosystem_id)
                      if str(s.id) == ref or s.slug == ref or s.title.lower() == ref.lower()),
                     None)
            if s is None:
                raise NotFound(f"No scenario {ref!r} here.")
            definitions.append(to_definition(s))
            for role in s.cast:
                c = by_name.get(role.name.lower())
                if c is not None and c not in chosen:
                    chosen.append(c)
        if kind == "cast" and not characters:
            chosen = list(every)
        if kind == "character" and len(chosen) != 1:
            raise InvalidInput("A character package holds exactly one character: name it.")
        if kind == "scenario" and not definitions:
            raise InvalidInput("A scenario package needs a scenario: name it.")
        ids = {c.id: _key(c.name) for c in chosen if c.id is not None}
        rels = [] if kind == "character" else [
            PackagedRelationship(ids[r.source_id], ids[r.target_id],
                                 {f: _clamped(getattr(r, f), *REL_FIELDS[f]) for f in REL_FIELDS},
                                 r.label)
            for r in uow.relationships.among(list(ids))]
        images, character_images = _own_images(uow, deps.settings.public_base_url, chosen)
    manifest = Manifest(kind, name, version, description, tuple(tags), genre, creator)
    return build_package(manifest, [(_key(c.name), export_card(c)) for c in chosen], rels,
                         definitions, images, character_images)


def _own_images(uow: UnitOfWork, base_url: str | None, chosen: Sequence[Character]
                ) -> tuple[dict[str, str], dict[str, str]]:
    """The images (base64 by file name) of the characters whose avatars are in our media
    store, and which file each character's is."""
    images: dict[str, str] = {}
    character_images: dict[str, str] = {}
    for c in chosen:
        name = media_name_in(c.persona.avatar_url, base_url)
        data = media.stored_image(uow, name) if name is not None else None
        if name is None or data is None:
            continue
        images[name.filename] = base64.b64encode(data).decode("ascii")
        character_images[_key(c.name)] = name.filename
    return images, character_images


def _key(name: str) -> str:
    return slugify(name)[:80]


def _clamped(value: float, low: float, high: float) -> float:
    return round(min(high, max(low, float(value))), 4)


def publish(deps: Deps, ecosystem_id: int, kind: str, *, name: str, creator: Member,
            characters: Sequence[str] = (), scenarios: Sequence[str] = (),
            description: str = "", tags: Sequence[str] = (), genre: str = "other",
            visibility: str = "public", version: str | None = None, premium: bool = False,
            price_cents: int = 0) -> Published:
    """Publish characters, a cast or scenarios of an ecosystem as a package (or a new version
    of the creator's package of the same name)."""
    with deps.uow() as uow:
        existing = _own_package(uow, creator, slugify(name))
    if version is None:
        version = str(next_version(parse_version(existing.latest_version))) if existing \
            else "1.0.0"
    doc = package_from_ecosystem(deps, ecosystem_id, kind, name=name, version=version,
                                 characters=characters, scenarios=scenarios,
                                 description=description, tags=tags, genre=genre,
                                 creator=creator.name)
    return publish_package(deps, doc, creator=creator, visibility=visibility, premium=premium,
                           price_cents=price_cents, ecosystem_id=ecosystem_id)


def publish_package(deps: Deps, raw: bytes | str | dict[str, Any], *, creator: Member,
                    visibility: str = "public", premium: bool = False, price_cents: int = 0,
                    ecosystem_id: int | None = None) -> Published:
    """Validate and store a package document; the creator's package of the same name gets it
    as a new version (its version must be greater than the latest).

    Raises:
        InvalidPackage: The package does not validate (nothing is stored).
        InvalidInput: A bad visibility or price, or a version not above the latest.
    """
    package = parse_package(raw)
    if visibility not in VISIBILITIES:
        raise InvalidInput(f"Visibility is one of {', '.join(VISIBILITIES)}.")
    if premium and price_cents <= 0:
        raise InvalidInput("A premium package needs a price (in cents) above 0.")
    if price_cents < 0 or price_cents > 100_000:
        raise InvalidInput("A price is 0 to 100000 cents.")
    m = package.manifest
    preview = _render_preview(package)
    now = deps.clock.now()
    values: dict[str, Any] = {
        "kind": m.kind, "name": m.name, "slug": slugify(m.name), "description": m.description,
        "tags": list(m.tags), "genre": m.genre, "visibility": visibility,
        "premium": premium, "price_cents": price_cents if premium else 0,
        "creator_name": creator.name or m.creator, "latest_version": m.version,
        "search_text": " ".join(search_words(m.name, m.description, " ".join(m.tags))),
    }
    with deps.uow() as uow:
        existing = _own_package(uow, creator, values["slug"])
        if existing is None:
            code = new_share_code()
            while uow.marketplace.code_taken(code):
                code = new_share_code()
            package_id = uow.marketplace.add_package(
                {**values, "share_code": code, "creator_key": creator.key,
                 "creator_ecosystem_id": ecosystem_id}, m.tags, now)
        else:
            if existing.status != "active":
                raise InvalidInput(f"'{existing.name}' was taken down: "
                                   f"{existing.takedown_reason or 'see the moderators'}.")
            if parse_version(m.version) <= parse_version(existing.latest_version):
                raise InvalidInput(f"Version {m.version} is not above the latest "
                                   f"({existing.latest_version}); raise manifest.version.")
            package_id = existing.id
            uow.marketplace.update_package(package_id, values, m.tags, now)
        uow.marketplace.add_version(package_id, m.version, package.doc, package.size_bytes,
                                    preview, now)
        listing = uow.marketplace.get(package_id)
        uow.commit()
    assert listing is not None
    logger.info("published %s %s (%s)", listing.share_code, m.version, m.kind)
    return Published(listing, m.version, existing is None)


def _own_package(uow: UnitOfWork, creator: Member, slug: str) -> Listing | None:
    return next((p for p in uow.marketplace.by_slug(slug) if p.creator_key == creator.key),
                None)


def _render_preview(package: Package) -> bytes | None:
    """The relationship graph of the package's cast as PNG (None for a scenario alone)."""
    if not package.characters:
        return None
    # matplotlib costs a long-running bot ~70 MB: loaded only when a preview is drawn.
    from engine.social.graph_image import NodeInfo, render_graph_png

    ids = {c.key: n for n, c in enumerate(package.characters, start=1)}
    nodes = []
    for c in package.characters:
        image = package.images.get(c.image) if c.image else None
        png = image if image is not None and image.startswith(b"\x89PNG") else None
        nodes.append(NodeInfo(ids[c.key], c.character.name, png))
    rels = [relationship_of(ids[r.source], ids[r.target], 0, r, None)
            for r in package.relationships]
    return render_graph_png(rels, nodes, title=package.manifest.name, size_px=800)
