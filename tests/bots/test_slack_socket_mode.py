"""Socket Mode with slack_sdk's real ``SocketModeClient`` (bolt's ``SocketModeHandler``, as
``personae slack`` runs it): ``apps.connections.open`` on the fake Web API hands out a ws:// URL
of a fake Socket Mode server on 127.0.0.1; events, the slash command and a modal submission
pushed down the socket go through the same bolt app as HTTP mode, and each envelope is
acknowledged on the socket within 3 s (a modal's field errors in the ack's payload)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bots.slack.app import create_app
from bots.slack.socket_mode import socket_mode_handler
from bots.slack.views import CHARACTER_CALLBACK
from tests.bots.slack_harness import (
    ADMIN,
    CHANNEL,
    MEMBER,
    TEAM,
    eventually,
    seed_cast,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_socket import FakeSocketMode
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

APP_TOKEN = "xapp-1-test"


@dataclass
class Socket:
    container: Container
    fake: FakeSlack
    server: FakeSocketMode
    worker: EmbeddedWorker

    def event(self, event: dict[str, Any], event_id: str, *, retry_attempt: int = 0) -> str:
        payload = {"token": "legacy", "team_id": TEAM, "api_app_id": "A0001",
                   "type": "event_callback", "event_id": event_id,
                   "event_time": int(time.time()), "event": event,
                   "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}]}
        return self.server.send("events_api", payload, retry_attempt=retry_attempt)

    def command(self, text: str, *, user: str = MEMBER) -> str:
        payload = {"command": "/personae", "text": text, "team_id": TEAM,
                   "team_domain": "fake", "channel_id": CHANNEL, "channel_name": "drawing-room",
                   "user_id": user, "trigger_id": f"trig.{time.monotonic_ns()}",
                   "response_url": self.fake.response_url, "api_app_id": "A0001"}
        return self.server.send("slash_commands", payload, accepts_response_payload=True)


@pytest.fixture
def socket(make_container: Callable[..., Container], fake_slack: FakeSlack
           ) -> Iterator[Socket]:
    server = FakeSocketMode().start()
    try:
        fake_slack.socket_url = server.url
        fake_slack.add_workspace(TEAM, APP_TOKEN)
        fake_slack.add_user(MEMBER, "Mary King")
        fake_slack.add_user(ADMIN, "Ada Admin", admin=True)
        container = make_container(**slack_settings(fake_slack, slack_app_token=APP_TOKEN))
        # As `personae slack` builds it: listeners run after the ack, in bolt's thread pool.
        handler = socket_mode_handler(create_app(container), APP_TOKEN)
        handler.connect()
        server.wait_connected()
        yield Socket(container, fake_slack, server, EmbeddedWorker(container))
        # The client's close waits for its receive loop (up to 3 s in recv): the server
        # hanging up ends that at once.
        closing = threading.Thread(target=handler.close, daemon=True)
        closing.start()
    finally:
        server.stop()
    closing.join(timeout=5)
    assert not closing.is_alive()


def test_the_client_connects_with_the_app_token(socket: Socket) -> None:
    (opened,) = socket.fake.called("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert socket.server.connections == 1


def test_an_event_is_acked_and_answered_in_character(socket: Socket) -> None:
    seed_cast(socket.container, "Elizabeth Bennet")
    started = time.monotonic()
    envelope = socket.event({"type": "app_mention", "channel": CHANNEL, "user": MEMBER,
                             "text": "<@UBOT> Elizabeth, shall we walk?", "ts": "1700.0001"},
                            "EvSOCK1")
    ack = socket.server.ack(envelope)
    assert ack["envelope_id"] == envelope and time.monotonic() - started < 3
    post = eventually(lambda: socket.fake.posted(CHANNEL), between=socket.worker.run_pending,
                      what="the reply")[0]
    assert post.username == "Elizabeth Bennet"


def test_a_redelivered_event_is_acked_again_but_handled_once(socket: Socket) -> None:
    seed_cast(socket.container, "Elizabeth Bennet")
    event = {"type": "message", "channel": CHANNEL, "user": MEMBER,
             "text": "Elizabeth, once only please.", "ts": "1700.0002", "channel_type": "channel"}
    first = socket.event(event, "EvSOCK2")
    socket.server.ack(first)
    again = socket.event(event, "EvSOCK2", retry_attempt=1)
    socket.server.ack(again)
    eventually(lambda: socket.fake.posted(CHANNEL), between=socket.worker.run_pending)
    socket.worker.run_pending()
    assert len(socket.fake.posted(CHANNEL)) == 1
    assert len(socket.fake.called("users.info")) == 1  # the retry never reached the listener


def test_the_slash_command_is_acked_and_answered_through_its_response_url(
        socket: Socket) -> None:
    seed_cast(socket.container, "Elizabeth Bennet", "Jane Bennet")
    envelope = socket.command("character list")
    assert socket.server.ack(envelope)["envelope_id"] == envelope
    answer = eventually(lambda: socket.fake.state.responses, what="the answer")[-1]
    assert answer["text"] == "Characters: Elizabeth Bennet, Jane Bennet"


def test_a_modal_submission_gets_its_field_errors_in_the_ack(socket: Socket) -> None:
    socket.server.ack(socket.command("character create", user=ADMIN))
    view = eventually(lambda: socket.fake.state.views, what="the modal")[-1]
    assert view["callback_id"] == CHARACTER_CALLBACK
    state = {"name": {"value": {"type": "plain_text_input", "value": "A" * 300}}}
    payload = {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": ADMIN},
               "api_app_id": "A0001", "token": "legacy", "trigger_id": "1.2.3",
               "view": {**view, "id": "V0001", "team_id": TEAM, "state": {"values": state}}}
    envelope = socket.server.send("interactive", payload, accepts_response_payload=True)
    ack = socket.server.ack(envelope)
    assert ack["payload"]["response_action"] == "errors"
    assert "300 characters" in json.dumps(ack["payload"]["errors"]["name"])
