"""Running the real Slack app (slack-bolt) against the fake Slack Web API in a test.

Requests are signed with a test secret and dispatched through ``App.dispatch`` (listeners run
before the answer: ``process_before_response=True``); render jobs run on the embedded RQ
worker, and waits use ``eventually`` (a deadline, never a fixed sleep).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bots.slack.app import create_app
from engine.cards import load_card_file
from engine.content import bundled_cast
from engine.services import setup
from tests.fakes.slack_api import FakeSlack
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

__all__ = ["SECRET", "TEAM", "CHANNEL", "MEMBER", "ADMIN", "AVATAR", "slack_settings",
           "SlackHarness", "eventually", "signed_headers", "seed_cast"]

SECRET = "test-signing-secret"
TEAM = "T0001"
CHANNEL = "C0001"
MEMBER = "U0001"
ADMIN = "UADMIN"
AVATAR = "https://example.org/avatars/{}.png"


def slack_settings(fake: FakeSlack, **more: Any) -> dict[str, Any]:
    """Container overrides: the fake's API, a token, the test secret, no reply delay."""
    return {"slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET,
            "slack_api_base": fake.base_url, "reply_delay_s": 0.0,
            "channel_min_interval_s": 0.0, **more}


def eventually(check: Callable[[], Any], *, timeout: float = 10.0, what: str = "it",
               between: Callable[[], None] | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        if between is not None:
            between()
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def signed_headers(body: str, content_type: str, *, secret: str = SECRET,
                   timestamp: int | None = None, retry_num: int | None = None
                   ) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"content-type": content_type, "x-slack-request-timestamp": ts,
               "x-slack-signature": SignatureVerifier(secret).generate_signature(
                   timestamp=ts, body=body)}
    if retry_num is not None:
        headers["x-slack-retry-num"] = str(retry_num)
        headers["x-slack-retry-reason"] = "http_timeout"
    return headers


def seed_cast(container: Container, *names: str, channel: str = CHANNEL, team: str = TEAM
              ) -> dict[str, int]:
    """The bundled characters ``names`` (all when none), living in ``channel`` of ``team``,
    each with an avatar URL; their ids by name."""
    deps = container.deps
    cards = [load_card_file(p) for p in bundled_cast()]
    chosen = [replace(c, persona=replace(c.persona, avatar_url=AVATAR.format(
                  c.short_name.lower()))) for c in cards if not names or c.name in names]
    eco, chans = setup.open_space(deps, "slack", team, [channel])
    ids = setup.import_characters(deps, eco.id, chosen, [chans[0].id])
    return {c.name: i for c, i in zip(chosen, ids, strict=True)}


class SlackHarness:
    def __init__(self, container: Container, fake: FakeSlack) -> None:
        self.container, self.fake = container, fake
        self.app: App = create_app(container, process_before_response=True)
        self.worker = EmbeddedWorker(container)
        self._events = 0
        fake.add_user(MEMBER, "Mary King")
        fake.add_user(ADMIN, "Ada Admin", admin=True)
        fake.channels[CHANNEL] = "drawing-room"

    # -- requests ----------------------------------------------------------------------------
    def dispatch(self, body: str, content_type: str, **signing: Any) -> BoltResponse:
        headers = signed_headers(body, content_type, **signing)
        return self.app.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in
                                                                  headers.items()}))

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              retry_num: int | None = None) -> BoltResponse:
        self._events += 1
        payload = {
            "token": "legacy", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
            "event_id": event_id or f"Ev{self._events:06d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
            "event": event,
        }
        return self.dispatch(json.dumps(payload), "application/json", retry_num=retry_num)

    def message(self, text: str, *, ts: str, user: str = MEMBER, channel: str = CHANNEL,
                thread_ts: str | None = None, kind: str = "message", **more: Any
                ) -> BoltResponse:
        event_id = more.pop("event_id", None)
        event = {"type": kind, "channel": channel, "user": user, "text": text, "ts": ts,
                 "channel_type": "channel", **more}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, event_id=event_id)

    def command(self, text: str, *, user: str = MEMBER, channel: str = CHANNEL) -> BoltResponse:
        body = urlencode({"command": "/personae", "text": text, "team_id": TEAM,
                          "team_domain": "fake", "channel_id": channel,
                          "channel_name": self.fake.channels.get(channel, channel),
                          "user_id": user, "trigger_id": f"trig.{time.monotonic_ns()}",
                          "response_url": self.fake.response_url})
        return self.dispatch(body, "application/x-www-form-urlencoded")

    def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str = ADMIN
               ) -> BoltResponse:
        state = {block: {"value": value if isinstance(value, dict) else
                         {"type": "plain_text_input", "value": value}}
                 for block, value in values.items()}
        payload = {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": user},
                   "api_app_id": "A0001", "token": "legacy", "trigger_id": "1.2.3",
                   "view": {**view, "id": "V0001", "team_id": TEAM,
                            "state": {"values": state}}}
        return self.dispatch(urlencode({"payload": json.dumps(payload)}),
                             "application/x-www-form-urlencoded")

    # -- answers -----------------------------------------------------------------------------
    def last_response(self) -> str:
        assert self.fake.state.responses, "no response_url answer"
        return str(self.fake.state.responses[-1].get("text", ""))

    # -- the community -----------------------------------------------------------------------
    def seed_cast(self, *names: str, channel: str = CHANNEL) -> dict[str, int]:
        return seed_cast(self.container, *names, channel=channel)

    def run_jobs(self) -> None:
        self.worker.run_pending()
