"""How lively the cast is: each character's autonomy level, each channel's pace and quiet hours.

The decision step reads them (``engine.pacing``, ``engine.services.decide``): a channel's pace
spaces character posts there, quiet hours stop initiative and unasked replies, and the
autonomy level says whether a character only answers (0), joins in (1), starts conversations
(2) or does so often (3).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.pacing import MAX_PACE_S, PACE_KEY, QUIET_HOURS_KEY, QuietHours, channel_pace
from engine.personas import AUTONOMY_LEVELS, Character
from engine.services.character_refs import resolve_character
from engine.services.community import ANNOUNCE_KEY, ChannelRef, register_channel
from engine.services.deps import Deps

__all__ = [
    "LEVEL_NAMES",
    "AutonomyOverview",
    "CharacterAutonomy",
    "set_autonomy_level",
    "set_pace",
    "set_quiet_hours",
    "set_announcements",
    "autonomy_overview",
]

#: What each autonomy level means, for members.
LEVEL_NAMES: dict[int, str] = {
    0: "answers only when addressed",
    1: "joins conversations",
    2: "starts conversations",
    3: "restless: starts them often",
}


@dataclass(frozen=True)
class CharacterAutonomy:
    name: str
    level: int
    talkativeness: float


@dataclass(frozen=True)
class AutonomyOverview:
    channel: str
    characters: list[CharacterAutonomy] = field(default_factory=list)
    pace_s: float | None = None  # None: the default
    default_pace_s: float = 0.0
    quiet_hours: QuietHours | None = None
    quiet_now: bool = False
    #: Notable relationship changes and alliances are announced in the channel.
    announces: bool = True


def set_autonomy_level(deps: Deps, ecosystem_id: int, character: str, level: int) -> Character:
    """Set how freely a character speaks (``AUTONOMY_LEVELS``)."""
    if level not in AUTONOMY_LEVELS:
        raise InvalidInput(f"Autonomy levels go from {min(AUTONOMY_LEVELS)} to "
                           f"{max(AUTONOMY_LEVELS)}, not {level}.")
    ref = resolve_character(deps, ecosystem_id, character)
    with deps.uow() as uow:
        found = uow.participants.get_character(ref.id)
        if found is None:
            raise NotFound("That character no longer exists.")
        found.persona = replace(found.persona, autonomy_level=level)
        uow.participants.update_character(found)
        uow.commit()
    return found


def _targets(uow: UnitOfWork, ecosystem_id: int, channel: ChannelRef | None,
             now: datetime) -> list[int]:
    """The channel's id, or (``channel`` None) every channel of the community."""
    ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
    if ecosystem is None:
        raise NotFound("This community is not set up yet.")
    if channel is None:
        return [c.id for c in uow.spaces.list_channels(ecosystem_id)]
    return [register_channel(uow, ecosystem, channel, now).id]


def set_pace(deps: Deps, ecosystem_id: int, channel: ChannelRef | None, seconds: float) -> None:
    """The fewest seconds between character posts in a channel (``None`` channel: in every
    channel, and in those set up later); 0 goes back to the configured default."""
    if not 0 <= seconds <= MAX_PACE_S:
        raise InvalidInput(f"Pace is from 0 (the default) to {MAX_PACE_S} seconds between "
                           f"posts, not {seconds:g}.")
    value = float(seconds) if seconds > 0 else None
    with deps.uow() as uow:
        for channel_id in _targets(uow, ecosystem_id, channel, deps.clock.now()):
            uow.spaces.update_channel_settings(channel_id, {PACE_KEY: value})
        if channel is None:
            uow.spaces.update_ecosystem_settings(ecosystem_id, {PACE_KEY: value})
        uow.commit()


def set_quiet_hours(deps: Deps, ecosystem_id: int, channel: ChannelRef | None,
                    quiet: QuietHours | None) -> None:
    """Quiet hours for a channel (``None`` channel: every channel, and those set up later);
    ``quiet`` None lifts them."""
    value = quiet.as_dict() if quiet is not None else None
    with deps.uow() as uow:
        for channel_id in _targets(uow, ecosystem_id, channel, deps.clock.now()):
            uow.spaces.update_channel_settings(channel_id, {QUIET_HOURS_KEY: value})
        if channel is None:
            uow.spaces.update_ecosystem_settings(ecosystem_id, {QUIET_HOURS_KEY: value})
        uow.commit()


def set_announcements(deps: Deps, ecosystem_id: int, channel: ChannelRef | None,
                      on: bool) -> None:
    """Whether notable relationship changes and alliances are announced in a channel
    (``None`` channel: in every channel, and in those set up later)."""
    with deps.uow() as uow:
        for channel_id in _targets(uow, ecosystem_id, channel, deps.clock.now()):
            uow.spaces.update_channel_settings(channel_id, {ANNOUNCE_KEY: bool(on)})
        if channel is None:
            uow.spaces.update_ecosystem_settings(ecosystem_id, {ANNOUNCE_KEY: bool(on)})
        uow.commit()


def autonomy_overview(deps: Deps, ecosystem_id: int, channel_external_id: str) -> AutonomyOverview:
    """A channel's pace and quiet hours, and the autonomy of the characters living there."""
    now = deps.clock.now()
    default = deps.settings.channel_min_interval_s
    with deps.uow() as uow:
        row = uow.spaces.find_channel(ecosystem_id, channel_external_id)
        if row is None:
            return AutonomyOverview(channel_external_id, default_pace_s=default)
        cast = uow.participants.cast_of(row.id)
    quiet = QuietHours.from_settings(row.settings.get(QUIET_HOURS_KEY))
    return AutonomyOverview(
        row.name,
        [CharacterAutonomy(m.name, m.autonomy_level, m.talkativeness) for m in cast],
        channel_pace(row.settings), default, quiet,
        quiet is not None and quiet.contains(now),
        bool(row.settings.get(ANNOUNCE_KEY, True)),
    )
