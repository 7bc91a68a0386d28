"""Which message events are not a member speaking: our own characters' posts (posted by our bot
with a character's ``username``: they carry our ``bot_id``), other bots and apps, edits,
deletions, joins and other system subtypes. Slack echoes every post we make as a message
event; ingesting it again would make characters answer themselves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["is_own_post", "is_member_message", "MEMBER_SUBTYPES"]

#: Subtypes that are still a member writing something.
MEMBER_SUBTYPES = frozenset({None, "", "thread_broadcast", "file_share", "me_message"})


def is_own_post(event: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """Posted by this app: our bot id, our bot user, or our app id."""
    ours = {
        "bot_id": context.get("bot_id"),
        "user": context.get("bot_user_id"),
        "app_id": context.get("app_id"),
    }
    if any(value and event.get(key) == value for key, value in ours.items()):
        return True
    profile = event.get("bot_profile") or {}
    return bool(context.get("bot_id") and profile.get("id") == context.get("bot_id"))


def is_member_message(event: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """A member's own words: not ours, not another bot's, not a system subtype, has an author."""
    if event.get("subtype") not in MEMBER_SUBTYPES:
        return False
    if is_own_post(event, context) or event.get("bot_id") or event.get("bot_profile"):
        return False
    return bool(event.get("user")) and bool(event.get("channel")) and bool(event.get("ts"))
