"""Who lives in which channel, as directors change it by name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.adapters.sql.spaces import Channel
from engine.adapters.sql.uow import UnitOfWork
from engine.cast import CastMember
from engine.errors import NotFound
from engine.services.character_refs import resolve_character
from engine.services.community import CAST_CHANNEL_KEY, ChannelRef, register_channel
from engine.services.deps import Deps

__all__ = ["CastChange", "add_to_channel", "remove_from_channel", "cast_of_channel",
           "join_channel"]


@dataclass(frozen=True)
class CastChange:
    character: str
    channel: Channel
    changed: bool  # False: it already lived there (add) or did not (remove)
    cast: list[CastMember]


def join_channel(uow: UnitOfWork, ecosystem_id: int, channel: ChannelRef, character_id: int,
                 now: datetime) -> tuple[Channel, bool]:
    """Move a character into a channel (registered, and made a cast channel, if need be).

    Returns:
        The channel, and whether the character was not there before.
    """
    ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
    if ecosystem is None:
        raise NotFound("This community is not set up yet.")
    row = register_channel(uow, ecosystem, channel, now)
    if not row.settings.get(CAST_CHANNEL_KEY):
        uow.spaces.update_channel_settings(row.id, {CAST_CHANNEL_KEY: True})
        row = uow.spaces.get_channel(row.id) or row
    present = any(m.id == character_id for m in uow.participants.cast_of(row.id))
    if not present:
        uow.participants.join(row.id, character_id, now)
    return row, not present


def add_to_channel(deps: Deps, ecosystem_id: int, channel: ChannelRef,
                   character: str) -> CastChange:
    """Move a character (by name, alias or id) into a channel; the channel becomes a cast
    channel if it was not one."""
    ref = resolve_character(deps, ecosystem_id, character)
    with deps.uow() as uow:
        row, changed = join_channel(uow, ecosystem_id, channel, ref.id, deps.clock.now())
        cast = uow.participants.cast_of(row.id)
        uow.commit()
    return CastChange(ref.name, row, changed, cast)


def remove_from_channel(deps: Deps, ecosystem_id: int, channel: ChannelRef,
                        character: str) -> CastChange:
    """Move a character out of a channel (its memories and relationships stay)."""
    ref = resolve_character(deps, ecosystem_id, character)
    with deps.uow() as uow:
        row = uow.spaces.find_channel(ecosystem_id, channel.external_id)
        if row is None:
            raise NotFound(f"{ref.name} does not live in this channel; nobody does yet.")
        present = any(m.id == ref.id for m in uow.participants.cast_of(row.id))
        if present:
            uow.participants.leave(row.id, ref.id)
        cast = uow.participants.cast_of(row.id)
        uow.commit()
    return CastChange(ref.name, row, present, cast)


def cast_of_channel(deps: Deps, ecosystem_id: int, channel_external_id: str) -> list[CastMember]:
    """Who lives in a channel (nobody when the channel is unknown)."""
    with deps.uow() as uow:
        row = uow.spaces.find_channel(ecosystem_id, channel_external_id)
        return uow.participants.cast_of(row.id) if row is not None else []
