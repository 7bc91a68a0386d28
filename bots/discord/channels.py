"""Engine channels that Discord makes on its own: threads of cast channels, and DMs with a
character's own bot. Blocking (database): call through ``PersonaeBot.run_engine``.

* **A thread** of a cast channel is its own engine channel (its own transcript, pacing and
  memories' place), named after the thread. On first use it takes the parent's cast and the
  parent's settings (pace, quiet hours...) plus ``parent_external_id``, which the outbox reads
  to post through the parent's webhook with ``thread=``. After that it is a channel like any
  other: ``/cast`` in the thread changes its cast alone, and a thread whose cast was emptied
  stays quiet (it does not take the parent's cast again).
* **A DM** with a character's own bot (dedicated-bot mode) is an engine channel of that
  character's ecosystem whose cast is that character alone; only it witnesses what is said
  there. Its settings say ``dm`` and ``dm_account`` (the bot user that answers there: webhooks
  do not exist in DMs, so the outbox posts with that bot's token), and relationship-change
  announcements are off.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from engine.services.deps import Deps

__all__ = ["open_thread", "open_dm", "NOT_INHERITED", "PLATFORM"]

log = logging.getLogger(__name__)

PLATFORM = "discord"
#: Parent channel settings a thread does not take (whether the parent was picked at setup).
NOT_INHERITED = frozenset({"cast_channel"})


def open_thread(deps: Deps, guild_id: str, thread_id: str, thread_name: str,
                parent_id: str) -> bool:
    """Make the engine channel of a thread of a cast channel (first use only).

    Returns:
        Whether the thread has a cast now (False: its parent has none, or the thread is
        already known and its own cast is empty).
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        found = uow.spaces.find_space_channel(PLATFORM, guild_id, parent_id)
        if found is None:
            return False
        ecosystem, parent = found
        existing = uow.spaces.find_channel(ecosystem.id, thread_id)
        if existing is not None:
            return bool(uow.participants.cast_of(existing.id))
        cast = uow.participants.cast_of(parent.id)
        if not cast:
            return False
        settings = {k: v for k, v in parent.settings.items() if k not in NOT_INHERITED}
        try:
            channel = uow.spaces.ensure_channel(ecosystem.id, thread_id, thread_name, now)
            uow.spaces.update_channel_settings(
                channel.id, {**settings, "parent_external_id": parent.external_id})
            for member in cast:
                uow.participants.join(channel.id, member.id, now)
            uow.commit()
        except IntegrityError:  # another message of the same new thread made it first
            log.debug("thread %s opened concurrently", thread_id)
            return True
    log.info("thread %s (%s) of channel %s opened with %d characters", thread_id, thread_name,
             parent_id, len(cast))
    return True


def open_dm(deps: Deps, character_id: int, dm_channel_id: str, name: str,
            bot_user_id: str) -> str | None:
    """Make (first use) the engine channel of a DM with a character's own bot.

    Returns:
        The ecosystem's platform id (the guild), for the ``IncomingMessage``; None if the
        character no longer exists.
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        character = uow.participants.get_character(character_id)
        if character is None or character.ecosystem_id is None:
            return None
        ecosystem = uow.spaces.get_ecosystem(character.ecosystem_id)
        if ecosystem is None:
            return None
        if uow.spaces.find_channel(ecosystem.id, dm_channel_id) is not None:
            return ecosystem.external_id
        try:
            channel = uow.spaces.ensure_channel(ecosystem.id, dm_channel_id, name, now)
            uow.spaces.update_channel_settings(channel.id, {
                "dm": True, "dm_account": bot_user_id, "announce_changes": False})
            uow.participants.join(channel.id, character_id, now)
            uow.commit()
        except IntegrityError:
            log.debug("DM channel %s opened concurrently", dm_channel_id)
        return ecosystem.external_id
