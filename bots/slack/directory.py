"""Names of Slack members and channels, asked of the Web API once per process and cached
(``users:read``, ``channels:read``); an id stands in when Slack will not say."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

__all__ = ["Directory", "Member"]

log = logging.getLogger(__name__)

#: Entries kept per cache before the oldest half is dropped.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    is_admin: bool = False
    is_bot: bool = False


class Directory:
    def __init__(self) -> None:
        self._members: dict[str, Member] = {}
        self._channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def member(self, client: WebClient, user_id: str) -> Member:
        with self._lock:
            found = self._members.get(user_id)
        if found is not None:
            return found
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.info("users.info %s: %s", user_id, exc.response.get("error"))
            return Member(user_id, user_id)
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name")
                or user.get("real_name") or user.get("name") or user_id)
        found = Member(user_id, name, bool(user.get("is_admin") or user.get("is_owner")
                                            or user.get("is_primary_owner")),
                       bool(user.get("is_bot")))
        self._keep(self._members, user_id, found)
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
