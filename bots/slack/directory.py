"""Names of Slack members and channels, asked of the Web API and cached (``users:read``,
``channels:read``); an id stands in when Slack will not say. A member is asked again after
``MEMBER_TTL_S``, so a workspace admin's change of someone's rights takes effect."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

__all__ = ["Directory", "Member"]

log = logging.getLogger(__name__)

#: Entries kept per cache before the oldest half is dropped.
MAX_ENTRIES = 10_000
#: How long a member's name and admin status are trusted before users.info is asked again.
MEMBER_TTL_S = 600.0


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    is_admin: bool = False
    is_bot: bool = False


class Directory:
    def __init__(self, member_ttl_s: float = MEMBER_TTL_S) -> None:
        self._members: dict[str, tuple[Member, float]] = {}
        self._ttl = member_ttl_s
        self._channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def member(self, client: WebClient, user_id: str) -> Member:
        with self._lock:
            cached = self._members.get(user_id)
        if cached is not None and time.monotonic() - cached[1] < self._ttl:
            return cached[0]
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.info("users.info %s: %s", user_id, exc.response.get("error"))
            return cached[0] if cached is not None else Member(user_id, user_id)
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name")
                or user.get("real_name") or user.get("name") or user_id)
        found = Member(user_id, name, bool(user.get("is_admin") or user.get("is_owner")
                                            or user.get("is_primary_owner")),
                       bool(user.get("is_bot")))
        self._keep(self._members, user_id, (found, time.monotonic()))
        return found

    def forget_member(self, user_id: str) -> None:
        with self._lock:
            self._members.pop(user_id, None)

    def channel_name(self, client: WebClient, channel_id: str) -> str:
        with self._lock:
            found = self._channels.get(channel_id)
        if found is not None:
            return found
        try:
            name = str(client.conversations_info(channel=channel_id)["channel"].get("name")
                       or channel_id)
        except SlackApiError as exc:
            log.info("conversations.info %s: %s", channel_id, exc.response.get("error"))
            return channel_id
        self._keep(self._channels, channel_id, name)
        return name

    def _keep(self, cache: dict[str, Any], key: str, value: Any) -> None:
        with self._lock:
            if len(cache) >= MAX_ENTRIES:
                for old in list(cache)[: MAX_ENTRIES // 2]:
                    del cache[old]
            cache[key] = value
