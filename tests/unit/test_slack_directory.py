"""The Slack directory asks users.info again once a member's entry is older than its TTL, so an
admin's change of someone's rights takes effect; an API error keeps what was known."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bots.slack.directory import Directory


class _Client:
    def __init__(self) -> None:
        self.admin = True
        self.calls = 0
        self.fail = False

    def users_info(self, user: str) -> dict[str, Any]:
        self.calls += 1
        if self.fail:
            response = SlackResponse(client=None, http_verb="POST", api_url="users.info",
                                     req_args={}, data={"ok": False, "error": "ratelimited"},
                                     headers={}, status_code=429)
            raise SlackApiError("ratelimited", response)
        return {"user": {"id": user, "name": "mary", "is_admin": self.admin}}


def test_a_members_rights_are_asked_again_after_the_ttl() -> None:
    client = _Client()
    cached = Directory(member_ttl_s=3600)
    assert cached.member(client, "U1").is_admin  # type: ignore[arg-type]
    client.admin = False
    assert cached.member(client, "U1").is_admin and client.calls == 1  # type: ignore[arg-type]

    fresh = Directory(member_ttl_s=0)
    assert fresh.member(client, "U1").is_admin is False  # type: ignore[arg-type]
    client.admin = True
    assert fresh.member(client, "U1").is_admin  # type: ignore[arg-type]
    client.fail = True
    assert fresh.member(client, "U1").is_admin  # type: ignore[arg-type]  # kept on error
