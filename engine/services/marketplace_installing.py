"""Installing packages into an ecosystem: install (all or nothing, within the tier; images
become avatars), uninstall exactly what was added, update to the latest version keeping what
the characters lived and avatars the community chose, and the list of installed packages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.marketplace.format import Package, PackagedCharacter, parse_package
from engine.marketplace.media import media_name_in, media_url, parse_media_name
from engine.marketplace.model import Installation, Listing
from engine.marketplace.versioning import parse_version
from engine.scenarios.model import CastRole, ScenarioStatus, from_definition, slugify
from engine.services import media
from engine.services.deps import Deps
from engine.services.marketplace_common import (
    CARD_FIELDS,
    InstallResult,
    Member,
    PaymentRequired,
    find_listing,
    relationship_of,
)
from engine.services.quotas import check_in

__all__ = ["install", "installed", "refresh_avatars", "uninstall", "update"]


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
        listing = find_listing(uow, ref, by)
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


def refresh_avatars(deps: Deps, ecosystem_ids: Sequence[int] | None = None) -> list[str]:
    """Make installed packages' kept images the avatars of their characters, now that
    ``PERSONAE_PUBLIC_BASE_URL`` gives them an address (an install made without it kept the
    images and left the card's own avatar). In ``ecosystem_ids`` (every community by default);
    a character whose avatar the community changed since the install keeps it, and one that
    already shows its image is left alone. Returns the names of the characters changed.

    Raises:
        InvalidInput: ``PERSONAE_PUBLIC_BASE_URL`` is not set (nothing changed).
    """
    base_url = deps.settings.public_base_url
    if not base_url:
        raise InvalidInput("PERSONAE_PUBLIC_BASE_URL is not set: the kept images have no "
                           "address the platforms could show. Set it (the public address of "
                           "`personae billing serve`), then run this again. Nothing was "
                           "changed.")
    now = deps.clock.now()
    changed: list[str] = []
    with deps.uow() as uow:
        for ecosystem_id in ecosystem_ids if ecosystem_ids is not None else \
                uow.spaces.ecosystem_ids():
            for inst in uow.marketplace.installations_in(ecosystem_id):
                avatars = dict(inst.created.get("avatars", {}))
                touched = False
                for key, filename in inst.created.get("images", {}).items():
                    name = parse_media_name(str(filename))
                    character_id = inst.created.get("characters", {}).get(key)
                    character = (uow.participants.get_character(character_id)
                                 if name is not None and character_id is not None else None)
                    if character is None or name is None:
                        continue  # removed since, or not an image of ours
                    url = media_url(base_url, name)
                    current = character.persona.avatar_url
                    if current == url or current != avatars.get(key):
                        continue  # shows it already, or the community chose another
                    character.persona = dataclasses.replace(character.persona, avatar_url=url)
                    uow.participants.update_character(character)
                    avatars[key] = url
                    touched = True
                    changed.append(character.name)
                if touched:
                    uow.marketplace.update_installation(
                        inst.id, created={**inst.created, "avatars": avatars}, now=now)
        uow.commit()
    return changed


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
        rel = relationship_of(int(ids[r.source]), int(ids[r.target]), ecosystem_id, r, now)
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


def installation_of(deps: Deps, ecosystem_id: int, ref: str) -> tuple[Installation, Listing]:
    """The installation a ref (share code, listing number, name or slug) names here.

    Raises:
        NotFound: Nothing installed here by that ref.
    """
    with deps.uow() as uow:
        return _installation_of(uow, ecosystem_id, ref, None)


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
