"""Running a community: its setup (cast channels, director role, admin channel), who may
direct, and what members may browse.

The settings written here, and who reads them:

* ecosystem ``director_role_id`` — the platform role whose members may direct (besides
  administrators); unset: the role named ``PERSONAE_DISCORD_DIRECTOR_ROLE``.
* ecosystem ``admin_channel_id`` — the channel (platform id) where delivery problems are
  reported to the admins; read by the delivery workers.
* channel ``cast_channel`` — True for the channels picked at setup (the cast lives there).
* channel ``delivery_blocked`` — written by the delivery workers when the platform refuses
  them (missing permissions); dropped on every channel when setup is run again, which is how an
  admin says "fixed, try again".

Rules here are platform-free: a front door passes what it knows about the member (administrator
or not, their role ids and names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.adapters.sql.community_store import CommunityStore
from engine.adapters.sql.spaces import Channel, Ecosystem
from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.pacing import PACE_KEY, QUIET_HOURS_KEY
from engine.services.deps import Deps
from engine.services.memory_browser import MemoryPage, resolve_character, search

__all__ = [
    "DIRECTOR_ROLE_KEY",
    "ADMIN_CHANNEL_KEY",
    "CAST_CHANNEL_KEY",
    "DELIVERY_BLOCKED_KEY",
    "COMMUNITY_DEFAULTS",
    "ANNOUNCE_KEY",
    "ChannelRef",
    "CommunitySettings",
    "SetupReport",
    "configure",
    "community_settings",
    "may_direct",
    "memory_channel_filter",
    "search_memories",
    "register_channel",
    "find_channel",
]

DIRECTOR_ROLE_KEY = "director_role_id"
ADMIN_CHANNEL_KEY = "admin_channel_id"
CAST_CHANNEL_KEY = "cast_channel"
DELIVERY_BLOCKED_KEY = "delivery_blocked"
#: Ecosystem settings a channel takes when it is first registered (set "everywhere").
#: A channel setting: whether notable relationship changes and alliances are announced there
#: (and, on Discord and Slack, posted in the bot's name). On unless switched off.
ANNOUNCE_KEY = "announce_changes"
COMMUNITY_DEFAULTS: tuple[str, ...] = (QUIET_HOURS_KEY, PACE_KEY, ANNOUNCE_KEY)
#: Keep the current value (``configure``'s options are "leave as it is" unless given).
_KEEP: Any = object()


@dataclass(frozen=True)
class ChannelRef:
    """A platform channel as a front door knows it: its id and (optional) display name."""

    external_id: str
    name: str = ""


@dataclass(frozen=True)
class CommunitySettings:
    ecosystem_id: int
    director_role_id: str | None
    admin_channel_id: str | None
    cast_channels: list[Channel] = field(default_factory=list)


@dataclass(frozen=True)
class SetupReport:
    settings: CommunitySettings
    #: Channels that stopped being cast channels (characters living there stay until removed).
    dropped: list[Channel] = field(default_factory=list)
    #: Channels whose blocked delivery was lifted.
    unblocked: list[Channel] = field(default_factory=list)


def register_channel(uow: UnitOfWork, ecosystem: Ecosystem, ref: ChannelRef,
                     now: datetime) -> Channel:
    """The channel's row (created if new, with the community's defaults; renamed if its
    display name changed)."""
    existing = uow.spaces.find_channel(ecosystem.id, ref.external_id)
    if existing is None:
        channel = uow.spaces.ensure_channel(ecosystem.id, ref.external_id,
                                            ref.name or ref.external_id, now)
        defaults = {k: ecosystem.settings[k] for k in COMMUNITY_DEFAULTS
                    if ecosystem.settings.get(k) is not None}
        if defaults:
            uow.spaces.update_channel_settings(channel.id, defaults)
        return uow.spaces.get_channel(channel.id) or channel
    if ref.name and ref.name != existing.name:
        CommunityStore(uow.spaces.conn).rename_channel(existing.id, ref.name)
        return uow.spaces.get_channel(existing.id) or existing
    return existing


def find_channel(uow: UnitOfWork, ecosystem_id: int, external_id: str) -> Channel | None:
    return uow.spaces.find_channel(ecosystem_id, external_id)


def _ecosystem(uow: UnitOfWork, ecosystem_id: int) -> Ecosystem:
    ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
    if ecosystem is None:
        raise NotFound("This community is not set up yet.")
    return ecosystem


def _settings(uow: UnitOfWork, ecosystem: Ecosystem) -> CommunitySettings:
    cast = [c for c in uow.spaces.list_channels(ecosystem.id)
            if c.settings.get(CAST_CHANNEL_KEY)]
    role = ecosystem.settings.get(DIRECTOR_ROLE_KEY)
    admin = ecosystem.settings.get(ADMIN_CHANNEL_KEY)
    return CommunitySettings(ecosystem.id, str(role) if role else None,
                             str(admin) if admin else None, cast)


def community_settings(deps: Deps, ecosystem_id: int) -> CommunitySettings:
    """The community's director role, admin channel and cast channels."""
    with deps.uow() as uow:
        return _settings(uow, _ecosystem(uow, ecosystem_id))


def configure(
    deps: Deps,
    ecosystem_id: int,
    *,
    cast_channels: Sequence[ChannelRef] | None = None,
    director_role_id: str | None = _KEEP,
    admin_channel: ChannelRef | None = _KEEP,
) -> SetupReport:
    """Set a community up, or again. Options left out keep their current value.

    Args:
        cast_channels: The channels the cast lives in (all of them: the ones not listed stop
            being cast channels). None: unchanged.
        director_role_id: The role whose members may direct; None clears it (the default role
            name applies again).
        admin_channel: Where delivery problems are reported; None clears it.

    Every channel's ``delivery_blocked`` is lifted: running setup again is how an admin says
    the permissions were fixed.
    """
    if cast_channels is not None and not cast_channels:
        raise InvalidInput("Pick at least one channel for the cast to live in.")
    now = deps.clock.now()
    with deps.uow() as uow:
        ecosystem = _ecosystem(uow, ecosystem_id)
        changes: dict[str, Any] = {}
        if director_role_id is not _KEEP:
            changes[DIRECTOR_ROLE_KEY] = str(director_role_id) if director_role_id else None
        if admin_channel is not _KEEP:
            if admin_channel is not None:
                register_channel(uow, ecosystem, admin_channel, now)
            changes[ADMIN_CHANNEL_KEY] = admin_channel.external_id if admin_channel else None
        if changes:
            uow.spaces.update_ecosystem_settings(ecosystem.id, changes)
            ecosystem = _ecosystem(uow, ecosystem.id)
        dropped: list[Channel] = []
        if cast_channels is not None:
            chosen = {register_channel(uow, ecosystem, ref, now).id for ref in cast_channels}
            for channel in uow.spaces.list_channels(ecosystem.id):
                picked = channel.id in chosen
                if picked != bool(channel.settings.get(CAST_CHANNEL_KEY)):
                    uow.spaces.update_channel_settings(channel.id, {CAST_CHANNEL_KEY: picked})
                    if not picked:
                        dropped.append(channel)
        store = CommunityStore(uow.spaces.conn)
        unblocked = [c for c in uow.spaces.list_channels(ecosystem.id)
                     if store.drop_channel_settings(c.id, (DELIVERY_BLOCKED_KEY,))]
        report = SetupReport(_settings(uow, ecosystem), dropped, unblocked)
        uow.commit()
    return report


def may_direct(
    *,
    is_admin: bool,
    role_ids: Iterable[str],
    role_names: Iterable[str],
    director_role_id: str | None,
    default_role_name: str,
) -> bool:
    """Whether a member may direct: administrators always; otherwise members of the
    configured director role, or (none configured) of the role named ``default_role_name``."""
    if is_admin:
        return True
    if director_role_id:
        return str(director_role_id) in {str(r) for r in role_ids}
    wanted = default_role_name.strip().casefold()
    return bool(wanted) and any(n.strip().casefold() == wanted for n in role_names)


def memory_channel_filter(*, is_director: bool, everywhere: bool, here: str) -> str | None:
    """Which channel's memories a member may browse: members, only what was witnessed in the
    channel they ask from (everyone there saw it); directors, every channel if they ask.

    Returns:
        The channel's platform id to filter on, or None for every channel.

    Raises:
        InvalidInput: A member asked for every channel.
    """
    if everywhere:
        if not is_director:
            raise InvalidInput("Only directors can browse memories from every channel; "
                               "you can search what was witnessed in this one.")
        return None
    return here


def search_memories(
    deps: Deps,
    ecosystem_id: int,
    character: str,
    query: str,
    *,
    is_director: bool,
    everywhere: bool,
    here: str,
    semantic: bool = False,
    limit: int = 10,
    offset: int = 0,
) -> tuple[MemoryPage, str | None]:
    """A member's search of a character's memories, within what they may see
    (``memory_channel_filter``).

    Returns:
        The page, and the channel it was limited to (None: every channel). A channel the
        community does not know yet gives an empty page (nothing was witnessed there).
    """
    channel = memory_channel_filter(is_director=is_director, everywhere=everywhere, here=here)
    if channel is not None:
        with deps.uow() as uow:
            known = uow.spaces.find_channel(ecosystem_id, channel) is not None
        if not known:
            ref = resolve_character(deps, ecosystem_id, character)
            return MemoryPage(ref, "semantic" if semantic else "text", query, [], None if
                              semantic else 0, offset, limit), channel
    page = search(deps, ecosystem_id, character, query, semantic=semantic, channel=channel,
                  limit=limit, offset=offset)
    return page, channel
