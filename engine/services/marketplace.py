"""The marketplace's use cases: publish, view, search, install, uninstall, update, rate,
report, take down, creator stats (rules in ``engine.marketplace``).

Packages are referred to by ``ref``: a share code (``ABCD-EFGH``), a slug, or a numeric id.
Members are named by ``Member`` (``member_key(platform, user_id)`` and a display name).

For billing: ``Listing.premium`` and ``Listing.price_cents`` say what a package costs;
``install(..., entitled=...)`` refuses a premium package (``PaymentRequired``) unless the
callback says the ecosystem owns it. ``get_listing`` resolves a ref for a checkout.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.adapters.sql.uow import UnitOfWork
from engine.cards import export_card
from engine.errors import InvalidInput, NotFound, UserFacingError
from engine.marketplace.format import (
    REL_FIELDS,
    Manifest,
    Package,
    PackagedCharacter,
    PackagedRelationship,
    build_package,
    parse_package,
)
from engine.marketplace.limits import GENRES
from engine.marketplace.media import media_name_in, media_url
from engine.marketplace.model import (
    VISIBILITIES,
    CreatorStats,
    Installation,
    Listing,
    Report,
    Review,
)
from engine.marketplace.search import SearchQuery, search_words
from engine.marketplace.versioning import next_version, parse_version
from engine.personas import Character
from engine.relationships import Relationship
from engine.scenarios.model import (
    CastRole,
    ScenarioStatus,
    from_definition,
    new_share_code,
    slugify,
    to_definition,
)
from engine.services import media
from engine.services.deps import Deps
from engine.services.quotas import check_in

__all__ = [
    "Member", "PaymentRequired", "Published", "InstallResult", "ListingView", "Page",
    "CARD_FIELDS", "ACTIVE_WINDOW",
    "package_from_ecosystem", "publish", "publish_package", "get_listing", "view", "search",
    "preview_png", "export_package", "install", "uninstall", "update", "installed",
    "rate", "report", "open_reports", "take_down", "restore", "creator_stats",
]

logger = logging.getLogger(__name__)

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


# -- building a package from an ecosystem -------------------------------------------------------
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


# -- publishing ----------------------------------------------------------------------------------
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
    rels = [_relationship(ids[r.source], ids[r.target], 0, r, None)
            for r in package.relationships]
    return render_graph_png(rels, nodes, title=package.manifest.name, size_px=800)


# -- finding and viewing -------------------------------------------------------------------------
def _find(uow: UnitOfWork, ref: str, viewer: Member | None) -> Listing:
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


def get_listing(deps: Deps, ref: str, viewer: Member | None = None) -> Listing:
    """The listing a ref names (what billing needs to sell a premium package)."""
    with deps.uow() as uow:
        return _find(uow, ref, viewer)


def view(deps: Deps, ref: str, viewer: Member | None = None, reviews: int = 5) -> ListingView:
    """A listing with its cast, relationships, scenarios, versions and latest reviews."""
    with deps.uow() as uow:
        listing = _find(uow, ref, viewer)
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
        listing = _find(uow, ref, viewer)
        return uow.marketplace.preview(listing.id, listing.latest_version)


def export_package(deps: Deps, ref: str, version: str | None = None,
                   viewer: Member | None = None) -> dict[str, Any]:
    """The package document of a version (the latest by default), as published."""
    with deps.uow() as uow:
        listing = _find(uow, ref, viewer)
        content = uow.marketplace.content(listing.id, version or listing.latest_version)
    if content is None:
        raise NotFound(f"'{listing.name}' has no version {version}.")
    return content


# -- installing ----------------------------------------------------------------------------------
def install(deps: Deps, ecosystem_id: int, ref: str, *, by: Member | None = None,
            channel_ids: Sequence[int] = (),
            entitled: Callable[[Listing], bool] | None = None) -> InstallResult:
    """Install a package's latest version into an ecosystem, all at once or not at all.

    Characters are created (a name already taken gets a suffix: "Jane (2)"; nothing is
    overwritten) and join ``channel_ids``; the package's relationships among them are set;
    its scenarios are created as drafts. What was added is recorded for uninstall and update.

    Raises:
        NotFound: No such package, or it was taken down.
        PaymentRequired: A premium package the ecosystem has not bought (``entitled``, by
            default its recorded entitlements: ``engine.services.billing``).
        QuotaExceeded: More characters or tracked relationships than the tier allows.
        InvalidInput: Already installed here, or a scenario names a missing character.
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        listing = _find(uow, ref, by)
        if listing.status != "active":
            raise NotFound(f"'{listing.name}' was taken down and cannot be installed.")
        owned = (entitled(listing) if entitled is not None
                 else uow.billing.has_entitlement(ecosystem_id, listing.id))
        if listing.premium and not owned:
            raise PaymentRequired(listing)
        if uow.marketplace.installation(ecosystem_id, listing.id) is not None:
            raise InvalidInput(f"'{listing.name}' is already installed here; update it instead.")
        content = uow.marketplace.content(listing.id, listing.latest_version)
        assert content is not None
        package = parse_package(content)
        created: dict[str, Any] = {"characters": {}, "names": {}, "scenarios": [],
                                   "relationships": [], "avatars": {}, "images": {}}
        _add_characters(uow, ecosystem_id, package, list(package.characters), channel_ids,
                        created, now, deps.settings.public_base_url)
        count = _add_relationships(uow, ecosystem_id, package, created, None, now)
        titles = _add_scenarios(uow, ecosystem_id, package, created, channel_ids, None, now)
        installation_id = uow.marketplace.add_installation(
            listing.id, listing.latest_version, ecosystem_id, by.key if by else None, created,
            now)
        uow.social.bump_version(ecosystem_id)
        installation = uow.marketplace.installation(ecosystem_id, listing.id)
        listing = uow.marketplace.get(listing.id) or listing
        uow.commit()
    assert installation is not None and installation.id == installation_id
    names = {package.characters[i].character.name: created["names"][c.key]
             for i, c in enumerate(package.characters)}
    avatars, notes = _avatar_report(package, created, set(created["images"]),
                                    deps.settings.public_base_url)
    return InstallResult(installation, listing, names, titles, count, avatars=avatars,
                         notes=notes)


def _avatar_report(package: Package, created: dict[str, Any], keys: set[str],
                   base_url: str | None) -> tuple[dict[str, str], list[str]]:
    """Installed name -> avatar URL of the characters (among ``keys``) whose image became
    their avatar, and the note when images were kept without a public URL."""
    avatars = {created["names"][k]: created["avatars"][k] for k in keys
               if k in created["names"] and created["avatars"].get(k)
               and media_name_in(created["avatars"][k], base_url) is not None}
    kept = [c for c in package.characters if c.key in keys]
    notes = [f"{len(kept)} {'image' if len(kept) == 1 else 'images'}: "
             f"{media.NO_BASE_URL_NOTE}."] if kept and not base_url else []
    return avatars, notes


def _add_characters(uow: UnitOfWork, ecosystem_id: int, package: Package,
                    which: list[Any], channel_ids: Sequence[int], created: dict[str, Any],
                    now: datetime, base_url: str | None) -> list[str]:
    if which:  # the tier's character limit bites here too (QuotaExceeded: nothing stored)
        check_in(uow, ecosystem_id, "characters", len(which), now)
    taken = {c.name.lower() for c in uow.participants.list_characters(ecosystem_id)}
    added = []
    for packaged in which:
        character = dataclasses.replace(packaged.character, id=None, ecosystem_id=None)
        avatar = _package_avatar(uow, package, packaged, created, now, base_url)
        character.persona = dataclasses.replace(character.persona, avatar_url=avatar)
        created["avatars"][packaged.key] = avatar
        character.name = _free_name(character.name, taken)
        taken.add(character.name.lower())
        cid = uow.participants.add_character(ecosystem_id, character, now)
        for channel_id in channel_ids:
            uow.participants.join(channel_id, cid, now)
        created["characters"][packaged.key] = cid
        created["names"][packaged.key] = character.name
        added.append(character.name)
    return added


def _package_avatar(uow: UnitOfWork, package: Package, packaged: PackagedCharacter,
                    created: dict[str, Any], now: datetime, base_url: str | None
                    ) -> str | None:
    """The avatar a packaged character gets: its image (kept in the media store, once per
    content) at our public URL; without an image, or while no public URL is configured, the
    card's own avatar URL (or none)."""
    data = package.images.get(packaged.image) if packaged.image else None
    if data is None:
        created["images"].pop(packaged.key, None)
        return packaged.character.persona.avatar_url
    name = media.keep_image(uow, data, now)
    created["images"][packaged.key] = name.filename
    url = media_url(base_url, name) if base_url else None
    return url or packaged.character.persona.avatar_url


def _relationship(source: int, target: int, ecosystem_id: int, r: PackagedRelationship,
                  now: datetime | None) -> Relationship:
    v = r.values
    return Relationship(source, target, ecosystem_id, affinity=v["affinity"], trust=v["trust"],
                        familiarity=v["familiarity"], romance=v["romance"],
                        rivalry=v["rivalry"], respect=v["respect"], grudge=v["grudge"],
                        label=r.label, updated_at=now)


def _free_name(name: str, taken: set[str]) -> str:
    if name.lower() not in taken:
        return name
    n = 2
    while f"{name} ({n})".lower() in taken:
        n += 1
    return f"{name} ({n})"


def _add_relationships(uow: UnitOfWork, ecosystem_id: int, package: Package,
                       created: dict[str, Any], only_with: set[str] | None, now: datetime) -> int:
    ids = created["characters"]
    pairs = {frozenset((r.source, r.target)) for r in package.relationships
             if r.source in ids and r.target in ids
             and (only_with is None or {r.source, r.target} & only_with)}
    if pairs:  # tracked relationships count by pair, as everywhere (QuotaExceeded)
        check_in(uow, ecosystem_id, "relationships", len(pairs), now)
    count = 0
    for r in package.relationships:
        if r.source not in ids or r.target not in ids:
            continue
        if only_with is not None and not ({r.source, r.target} & only_with):
            continue
        rel = _relationship(int(ids[r.source]), int(ids[r.target]), ecosystem_id, r, now)
        uow.relationships.upsert(rel, baseline=dict(r.values))
        created["relationships"].append([rel.source_id, rel.target_id])
        count += 1
    return count


def _add_scenarios(uow: UnitOfWork, ecosystem_id: int, package: Package,
                   created: dict[str, Any], channel_ids: Sequence[int],
                   keep_slugs: set[str] | None, now: datetime) -> list[str]:
    renamed = {c.character.name: created["names"][c.key] for c in package.characters
               if c.key in created["names"]}
    known = {c.name for c in uow.participants.list_characters(ecosystem_id)}
    titles = []
    for i, definition in enumerate(package.scenarios):
        scenario = from_definition(definition)
        if keep_slugs is not None and scenario.slug in keep_slugs:
            continue
        scenario.cast = [CastRole(renamed.get(r.name, r.name), r.role, r.goals)
                         for r in scenario.cast]
        missing = [r.name for r in scenario.cast if r.name not in known]
        if missing:
            raise InvalidInput(f"Scenario '{scenario.title}' (scenarios[{i}]) needs characters "
                               f"this community lacks: {', '.join(missing)}.")
        scenario.ecosystem_id = ecosystem_id
        scenario.channel_id = _scenario_channel(uow, ecosystem_id, channel_ids)
        uow.scenarios.save(scenario, now)
        created["scenarios"].append(scenario.id)
        titles.append(scenario.title)
    return titles


def _scenario_channel(uow: UnitOfWork, ecosystem_id: int, channel_ids: Sequence[int]
                      ) -> int | None:
    if channel_ids:
        return channel_ids[0]
    with_cast = [c.id for c in uow.spaces.list_channels(ecosystem_id)
                 if uow.participants.cast_of(c.id)]
    return with_cast[0] if with_cast else None


def installed(deps: Deps, ecosystem_id: int) -> list[tuple[Installation, Listing]]:
    """The packages installed in an ecosystem."""
    with deps.uow() as uow:
        out = []
        for inst in uow.marketplace.installations_in(ecosystem_id):
            listing = uow.marketplace.get(inst.package_id)
            if listing is not None:
                out.append((inst, listing))
        return out


def _installation_of(uow: UnitOfWork, ecosystem_id: int, ref: str, by: Member | None
                     ) -> tuple[Installation, Listing]:
    text = ref.strip()
    for inst in uow.marketplace.installations_in(ecosystem_id):
        listing = uow.marketplace.get(inst.package_id)
        if listing is None:
            continue
        if text.upper() in (listing.share_code, str(listing.id)) or \
                slugify(text) == listing.slug:
            return inst, listing
    raise NotFound(f"No installed package {ref!r} here.")


def uninstall(deps: Deps, ecosystem_id: int, ref: str, *, by: Member | None = None
              ) -> list[str]:
    """Remove exactly what an install added (its characters, with their memories and
    relationships, and its scenarios); returns the removed characters' names."""
    now = deps.clock.now()
    with deps.uow() as uow:
        inst, _ = _installation_of(uow, ecosystem_id, ref, by)
        removed = []
        for cid in inst.character_ids:
            character = uow.participants.get_character(cid)
            if character is not None and character.ecosystem_id == ecosystem_id:
                removed.append(character.name)
                uow.participants.delete_character(cid)
        uow.marketplace.remove_scenarios([int(i) for i in inst.created.get("scenarios", [])])
        uow.marketplace.update_installation(inst.id, status="uninstalled", now=now)
        uow.social.bump_version(ecosystem_id)
        uow.commit()
    return removed


def update(deps: Deps, ecosystem_id: int, ref: str, *, by: Member | None = None,
           channel_ids: Sequence[int] = ()) -> InstallResult:
    """Move an installed package to its latest version. Installed characters keep their
    names, memories, moods and relationships; their card fields (description, personality,
    persona, greetings ...) are updated in place. New characters, relationships among new
    characters, and new scenarios are added; draft scenarios from the old version are
    replaced. Characters a newer version dropped stay (with what they lived).

    An avatar the community changed since the install stays; one it left as installed
    becomes the new version's (its image, as on install)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        inst, listing = _installation_of(uow, ecosystem_id, ref, by)
        if listing.status != "active":
            raise NotFound(f"'{listing.name}' was taken down; it can no longer be updated.")
        if parse_version(listing.latest_version) <= parse_version(inst.version):
            raise InvalidInput(f"'{listing.name}' is already at its latest version "
                               f"({inst.version}).")
        content = uow.marketplace.content(listing.id, listing.latest_version)
        assert content is not None
        package = parse_package(content)
        created: dict[str, Any] = {"characters": dict(inst.created.get("characters", {})),
                   "names": dict(inst.created.get("names", {})),
                   "scenarios": list(inst.created.get("scenarios", [])),
                   "relationships": list(inst.created.get("relationships", [])),
                   "avatars": dict(inst.created.get("avatars", {})),
                   "images": dict(inst.created.get("images", {}))}
        # Installed before avatars were recorded: the install set the old cards' avatars.
        installed_avatars = created["avatars"] if "avatars" in inst.created else \
            _card_avatars(uow, listing.id, inst.version)
        base_url = deps.settings.public_base_url
        updated, fresh, imaged = [], [], set()
        for packaged in package.characters:
            cid = created["characters"].get(packaged.key)
            current = uow.participants.get_character(int(cid)) if cid is not None else None
            if current is None:
                fresh.append(packaged)
                continue
            changed = dataclasses.replace(
                current, **{f: getattr(packaged.character, f) for f in CARD_FIELDS})
            ours = installed_avatars.get(packaged.key)
            avatar = _package_avatar(uow, package, packaged, created, now, base_url)
            if current.persona.avatar_url == ours:  # as installed: the new version's
                created["avatars"][packaged.key] = avatar
                if packaged.key in created["images"]:
                    imaged.add(packaged.key)
            else:  # the community chose its own: kept
                avatar = current.persona.avatar_url
                created["avatars"][packaged.key] = ours
            changed.persona = dataclasses.replace(changed.persona, avatar_url=avatar)
            uow.participants.update_character(changed)
            updated.append(current.name)
        added = _add_characters(uow, ecosystem_id, package, fresh, channel_ids, created, now,
                                base_url)
        imaged |= {p.key for p in fresh if p.key in created["images"]}
        count = _add_relationships(uow, ecosystem_id, package, created,
                                   {p.key for p in fresh}, now)
        kept: set[str] = set()
        drafts = []
        for sid in created["scenarios"]:
            s = uow.scenarios.get(int(sid))
            if s is None:
                continue
            if s.status == ScenarioStatus.DRAFT:
                drafts.append(int(sid))
            else:
                kept.add(s.slug)
        uow.marketplace.remove_scenarios(drafts)
        created["scenarios"] = [s for s in created["scenarios"] if int(s) not in drafts]
        titles = _add_scenarios(uow, ecosystem_id, package, created, channel_ids, kept, now)
        uow.marketplace.update_installation(inst.id, version=listing.latest_version,
                                            created=created, now=now)
        uow.social.bump_version(ecosystem_id)
        fresh_inst = uow.marketplace.installation(ecosystem_id, listing.id)
        uow.commit()
    assert fresh_inst is not None
    names = {c.character.name: created["names"][c.key] for c in package.characters
             if c.key in created["names"]}
    avatars, notes = _avatar_report(package, created, imaged, base_url)
    return InstallResult(fresh_inst, listing, names, titles, count, [*updated, *added],
                         avatars, notes)


def _card_avatars(uow: UnitOfWork, package_id: int, version: str) -> dict[str, str | None]:
    """Package key -> the avatar URL of its card in a stored version."""
    content = uow.marketplace.content(package_id, version)
    if content is None:
        return {}
    return {c.key: c.character.persona.avatar_url
            for c in parse_package(content).characters}


# -- ratings, reports, moderation ----------------------------------------------------------------
def rate(deps: Deps, ref: str, member: Member, stars: int, review: str = "") -> Review:
    """Rate a package 1-5 stars with an optional review; rating again edits the member's."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidInput("A rating is 1 to 5 stars.")
    review = review.strip()
    if len(review) > 2000:
        raise InvalidInput("A review is at most 2,000 characters.")
    from engine.marketplace.content import problem_with

    problem = problem_with(review)
    if problem:
        raise InvalidInput(f"That review {problem}.")
    now = deps.clock.now()
    with deps.uow() as uow:
        listing = _find(uow, ref, member)
        if listing.creator_key == member.key:
            raise InvalidInput("Creators cannot rate their own packages.")
        uow.marketplace.rate(listing.id, member.key, member.name, stars, review, now)
        out = uow.marketplace.rating_of(listing.id, member.key)
        uow.commit()
    assert out is not None
    return out


def report(deps: Deps, ref: str, member: Member, reason: str) -> int:
    """Report a package to the moderators; returns the report's number."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say what is wrong with the package.")
    with deps.uow() as uow:
        listing = _find(uow, ref, member)
        number = uow.marketplace.add_report(listing.id, member.key, reason[:2000],
                                            deps.clock.now())
        uow.commit()
    return number


def open_reports(deps: Deps, moderator: Member) -> list[tuple[Report, Listing]]:
    _check_moderator(moderator)
    with deps.uow() as uow:
        out = []
        for r in uow.marketplace.reports("open"):
            listing = uow.marketplace.get(r.package_id)
            if listing is not None:
                out.append((r, listing))
        return out


def _check_moderator(member: Member) -> None:
    if not member.moderator:
        raise InvalidInput("Only marketplace moderators can do that.")


def take_down(deps: Deps, ref: str, moderator: Member, reason: str) -> Listing:
    """Hide a package from the marketplace and stop new installs (installed copies stay);
    its open reports are resolved."""
    _check_moderator(moderator)
    now = deps.clock.now()
    with deps.uow() as uow:
        listing = _find(uow, ref, moderator)
        uow.marketplace.set_status(listing.id, "taken_down", reason.strip(), now)
        uow.marketplace.resolve_reports(listing.id, "actioned", reason.strip(), now)
        out = uow.marketplace.get(listing.id)
        uow.commit()
    assert out is not None
    return out


def restore(deps: Deps, ref: str, moderator: Member) -> Listing:
    _check_moderator(moderator)
    now = deps.clock.now()
    with deps.uow() as uow:
        listing = _find(uow, ref, moderator)
        uow.marketplace.set_status(listing.id, "active", "", now)
        uow.marketplace.resolve_reports(listing.id, "dismissed", "restored", now)
        out = uow.marketplace.get(listing.id)
        uow.commit()
    assert out is not None
    return out


def creator_stats(deps: Deps, creator_key: str, window: timedelta = ACTIVE_WINDOW
                  ) -> CreatorStats:
    """A creator's packages with installs, active installs and active use (installed
    characters that spoke within ``window``)."""
    since = deps.clock.now() - window
    with deps.uow() as uow:
        return CreatorStats(creator_key, [uow.marketplace.stats(p, since)
                                          for p in uow.marketplace.of_creator(creator_key)])

