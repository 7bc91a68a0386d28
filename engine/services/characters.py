"""Characters as members direct them: create from a form, edit, delete, import a card, set an
avatar, show a profile, and find names for autocompletion.

Everything a member types goes through the card validation (``engine.cards``), so a form and an
imported card are held to the same rules and a refusal names the field.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engine.adapters.sql.community_store import CommunityStore
from engine.adapters.sql.spaces import Channel
from engine.adapters.sql.uow import UnitOfWork
from engine.card_validation import read_url
from engine.cards import MAX_CARD_BYTES, export_card, parse_card
from engine.errors import InvalidCard, InvalidInput, NotFound
from engine.personas import Character
from engine.services.casting import join_channel
from engine.services.character_refs import resolve_character
from engine.services.community import ChannelRef
from engine.services.deps import Deps
from engine.services.quotas import check_in

__all__ = [
    "AI_DISCLOSURE",
    "FORM_FIELDS",
    "FIELD_LABELS",
    "MAX_CARD_BYTES",
    "CharacterProfile",
    "check_card_size",
    "create_character",
    "edit_character",
    "delete_character",
    "import_card",
    "set_avatar",
    "profile",
    "get_character",
    "character_names",
    "match_names",
    "card_fields",
    "canonical_name",
]

log = logging.getLogger(__name__)

#: How every front door labels a character: it is an AI persona, not a member.
AI_DISCLOSURE = "🤖 AI persona — a character played by Personae, not a real person."
#: The card fields a member fills in a form, in order.
FORM_FIELDS: tuple[str, ...] = ("name", "description", "personality", "first_mes", "scenario")
#: What a form calls them.
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "description": "Description",
    "personality": "Personality",
    "first_mes": "Greeting",
    "scenario": "Scenario",
}


@dataclass(frozen=True)
class CharacterProfile:
    character: Character
    channels: list[Channel] = field(default_factory=list)


def check_card_size(size: int) -> None:
    """Refuse a card file larger than ``MAX_CARD_BYTES`` (before anyone downloads it).

    Raises:
        InvalidCard: Naming the file and the limit.
    """
    if size > MAX_CARD_BYTES:
        raise InvalidCard("(file)", f"is {size:,} bytes; cards are at most "
                                    f"{MAX_CARD_BYTES:,} bytes (2 MB)")


def _from_form(fields: Mapping[str, str]) -> Character:
    """A character from form fields, validated as a card; errors name the form's field."""
    unknown = set(fields) - set(FORM_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown character field(s): {', '.join(sorted(unknown))}.")
    card = {key: (fields.get(key) or "").strip() for key in FORM_FIELDS}
    try:
        return parse_card(card)  # a V1-shaped card: fields are named as in the form
    except InvalidCard as exc:
        raise InvalidCard(FIELD_LABELS.get(exc.field, exc.field), exc.problem) from exc


def _get(uow: UnitOfWork, character_id: int) -> Character:
    character = uow.participants.get_character(character_id)
    if character is None:
        raise NotFound("That character no longer exists.")
    return character


def get_character(deps: Deps, ecosystem_id: int, name: str) -> Character:
    """A character by name, alias, a word of its name, or id."""
    ref = resolve_character(deps, ecosystem_id, name)
    with deps.uow() as uow:
        return _get(uow, ref.id)


def create_character(deps: Deps, ecosystem_id: int, fields: Mapping[str, str],
                     channel: ChannelRef | None = None) -> Character:
    """A new character from a form (``FORM_FIELDS``), moved into ``channel`` if given.

    Raises:
        InvalidCard: A field does not validate (named by its form label).
        InvalidInput: The name is taken.
    """
    return _store(deps, ecosystem_id, _from_form(fields), channel)


def _store(deps: Deps, ecosystem_id: int, character: Character,
           channel: ChannelRef | None) -> Character:
    now = deps.clock.now()
    with deps.uow() as uow:
        check_in(uow, ecosystem_id, "characters", 1, now)
        uow.participants.add_character(ecosystem_id, character, now)
        if channel is not None and character.id is not None:
            join_channel(uow, ecosystem_id, channel, character.id, now)
        uow.commit()
    return character


def edit_character(deps: Deps, ecosystem_id: int, name: str,
                   changes: Mapping[str, str]) -> Character:
    """Change some form fields of a character; everything else on its card stays.

    A new name is checked against the others; the aliases derived from the old name are
    derived again from the new one.
    """
    unknown = set(changes) - set(FORM_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown character field(s): {', '.join(sorted(unknown))}.")
    ref = resolve_character(deps, ecosystem_id, name)
    with deps.uow() as uow:
        current = _get(uow, ref.id)
        card = export_card(current)
        data = card["data"]
        cleaned = {k: (v or "").strip() for k, v in changes.items()}
        renamed = "name" in cleaned and cleaned["name"] != current.name
        data.update(cleaned)
        if renamed:
            data["extensions"]["personae"].pop("aliases", None)
        try:
            updated = parse_card(card)
        except InvalidCard as exc:
            field_name = exc.field.removeprefix("data.")
            raise InvalidCard(FIELD_LABELS.get(field_name, exc.field), exc.problem) from exc
        if renamed:
            clash = uow.participants.find_character(ecosystem_id, updated.name)
            if clash is not None and clash.id != current.id:
                raise InvalidInput(f"A character named '{updated.name}' already lives here.")
        updated = replace(updated, id=current.id, ecosystem_id=current.ecosystem_id,
                          memory_summary=current.memory_summary, status=current.status,
                          last_spoke_at=current.last_spoke_at)
        uow.participants.update_character(updated)
        uow.commit()
    return updated


def delete_character(deps: Deps, ecosystem_id: int, name: str) -> str:
    """Delete a character: its card, its lines, memories, relationships and pending replies
    (their queued jobs are cancelled). Returns its name."""
    ref = resolve_character(deps, ecosystem_id, name)
    with deps.uow() as uow:
        pending = [i.id for i in uow.intents.pending(ecosystem_id)
                   if i.character_id == ref.id and i.id is not None]
        uow.participants.delete_character(ref.id)
        uow.commit()
    for intent_id in pending:
        deps.queue.cancel_render(intent_id)
    log.info("deleted character %s (%s) of ecosystem %s", ref.name, ref.id, ecosystem_id)
    return ref.name


def import_card(deps: Deps, ecosystem_id: int, raw: bytes | str,
                channel: ChannelRef | None = None) -> Character:
    """Import a Character Card (V1, V2 or V3 JSON), moved into ``channel`` if given.

    Raises:
        InvalidCard: Too large, not JSON, or a field that does not validate (named).
        InvalidInput: A character of that name already lives here.
    """
    check_card_size(len(raw.encode("utf-8") if isinstance(raw, str) else raw))
    return _store(deps, ecosystem_id, parse_card(raw), channel)


def set_avatar(deps: Deps, ecosystem_id: int, name: str, url: str | None) -> Character:
    """Set (or, with None, clear) a character's avatar: an absolute http(s) image URL."""
    url = (url or "").strip() or None
    checked = read_url({"avatar_url": url}, "avatar_url", "")
    ref = resolve_character(deps, ecosystem_id, name)
    with deps.uow() as uow:
        character = _get(uow, ref.id)
        character.persona = replace(character.persona, avatar_url=checked)
        uow.participants.update_character(character)
        uow.commit()
    return character


def profile(deps: Deps, ecosystem_id: int, name: str) -> CharacterProfile:
    """A character and the channels it lives in."""
    ref = resolve_character(deps, ecosystem_id, name)
    with deps.uow() as uow:
        character = _get(uow, ref.id)
        return CharacterProfile(character, CommunityStore(uow.spaces.conn).channels_of(ref.id))


def canonical_name(deps: Deps, ecosystem_id: int, name: str) -> str:
    """The full name of the character ``name`` designates (alias, a word of its name), or
    ``name`` as given when it designates no character (a member's name, say)."""
    try:
        return resolve_character(deps, ecosystem_id, name).name
    except NotFound:
        return name


def character_names(deps: Deps, ecosystem_id: int) -> list[str]:
    """Every character's name, alphabetically (names only, for autocompletion)."""
    with deps.uow() as uow:
        return CommunityStore(uow.spaces.conn).character_names(ecosystem_id)


def match_names(names: Sequence[str], typed: str, limit: int = 25) -> list[str]:
    """Names for autocompletion: those starting with what was typed first, then those with a
    word starting with it, then those containing it (case-insensitive), each alphabetically."""
    wanted = " ".join(typed.split()).casefold()
    ranked: list[tuple[int, str, str]] = []
    for name in dict.fromkeys(names):
        folded = name.casefold()
        if not wanted or folded.startswith(wanted):
            rank = 0
        elif any(word.startswith(wanted) for word in folded.split()):
            rank = 1
        elif wanted in folded:
            rank = 2
        else:
            continue
        ranked.append((rank, folded, name))
    return [name for _, _, name in sorted(ranked)[:limit]]


def card_fields(character: Character) -> dict[str, Any]:
    """The form fields of a character, as they are now."""
    return {key: getattr(character, key) for key in FORM_FIELDS}
