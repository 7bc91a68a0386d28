"""Setting a community up: spaces, channels, characters and who lives where."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.adapters.sql.spaces import Channel, Ecosystem
from engine.cards import export_card
from engine.errors import NotFound
from engine.memory import RetrievalWeights
from engine.personas import Character
from engine.services.deps import Deps
from engine.services.quotas import check_in

__all__ = [
    "open_space",
    "add_character",
    "import_characters",
    "add_to_cast",
    "set_announcements",
    "remove_from_cast",
    "export_character",
    "find_character",
    "list_characters",
    "retrieval_weights",
    "set_retrieval_weights",
]


def open_space(
    deps: Deps, platform: str, space_id: str, channel_ids: Iterable[str], name: str = ""
) -> tuple[Ecosystem, list[Channel]]:
    """Get or create an ecosystem and some of its channels."""
    now = deps.clock.now()
    with deps.uow() as uow:
        ecosystem = uow.spaces.ensure_ecosystem(platform, space_id, name or space_id, now)
        chans = [uow.spaces.ensure_channel(ecosystem.id, c, c, now) for c in channel_ids]
        uow.commit()
    return ecosystem, chans


def add_character(deps: Deps, ecosystem_id: int, character: Character) -> int:
    """Store a new character (names are unique per ecosystem: a clash is refused; so is one
    over the tier's character limit)."""
    with deps.uow() as uow:
        check_in(uow, ecosystem_id, "characters", 1, deps.clock.now())
        character_id = uow.participants.add_character(ecosystem_id, character, deps.clock.now())
        uow.commit()
    return character_id


def import_characters(
    deps: Deps, ecosystem_id: int, characters: list[Character], channel_ids: Iterable[int] = ()
) -> list[int]:
    """Store several characters (and move them into channels) all at once, or none of them."""
    now = deps.clock.now()
    channels = list(channel_ids)
    with deps.uow() as uow:
        check_in(uow, ecosystem_id, "characters", len(characters), now)
        ids = []
        for character in characters:
            cid = uow.participants.add_character(ecosystem_id, character, now)
            for channel_id in channels:
                uow.participants.join(channel_id, cid, now)
            ids.append(cid)
        uow.commit()
    return ids


def set_announcements(deps: Deps, channel_id: int, on: bool) -> None:
    """Switch the channel's relationship-change announcements on or off."""
    with deps.uow() as uow:
        uow.spaces.update_channel_settings(channel_id, {"announce_changes": on})
        uow.commit()


def add_to_cast(deps: Deps, channel_id: int, character_id: int) -> None:
    with deps.uow() as uow:
        uow.participants.join(channel_id, character_id, deps.clock.now())
        uow.commit()


def remove_from_cast(deps: Deps, channel_id: int, character_id: int) -> None:
    with deps.uow() as uow:
        uow.participants.leave(channel_id, character_id)
        uow.commit()


def find_character(deps: Deps, ecosystem_id: int, name: str) -> Character:
    with deps.uow() as uow:
        character = uow.participants.find_character(ecosystem_id, name)
        if character is None:
            known = ", ".join(c.name for c in uow.participants.list_characters(ecosystem_id))
            raise NotFound(f"No character named '{name}'. Known: {known or 'none yet'}.")
    return character


def list_characters(deps: Deps, ecosystem_id: int) -> list[Character]:
    with deps.uow() as uow:
        return uow.participants.list_characters(ecosystem_id)


def export_character(deps: Deps, ecosystem_id: int, name: str) -> dict[str, Any]:
    """The character as a Character Card V2 (unknown imported fields kept)."""
    return export_card(find_character(deps, ecosystem_id, name))


def retrieval_weights(deps: Deps, ecosystem_id: int) -> RetrievalWeights:
    """The weights recall uses in this ecosystem (its own, else the documented defaults)."""
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        if ecosystem is None:
            raise NotFound(f"No ecosystem {ecosystem_id}.")
        return RetrievalWeights.of_ecosystem(ecosystem.settings)


def set_retrieval_weights(
    deps: Deps, ecosystem_id: int, changes: dict[str, float], *, reset: bool = False
) -> RetrievalWeights:
    """Change some of an ecosystem's retrieval weights (``reset``: back to the defaults first).

    Raises:
        InvalidInput: An unknown weight or a negative or non-finite value (nothing changes).
    """
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        if ecosystem is None:
            raise NotFound(f"No ecosystem {ecosystem_id}.")
        base = RetrievalWeights() if reset else RetrievalWeights.of_ecosystem(ecosystem.settings)
        weights = RetrievalWeights.from_mapping({**base.as_dict(), **changes})
        uow.spaces.update_ecosystem_settings(
            ecosystem_id, {RetrievalWeights.SETTINGS_KEY: weights.as_dict()})
        uow.commit()
    return weights
