"""HTTP mode: the one endpoint (slack-bolt's WSGI adapter on a threaded server) answers signed
requests and refuses forged ones and replays older than five minutes with 401."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest

from bots.cli.slack import MANIFEST
from bots.slack.app import SCOPES, create_app
from bots.slack.http import EVENTS_PATH, SlackHttpServer
from tests.bots.slack_harness import SECRET, signed_headers, slack_settings
from tests.fakes.slack_api import FakeSlack
from workers.bootstrap import Container


@pytest.fixture
def endpoint(make_container: Callable[..., Container], fake_slack: FakeSlack
             ) -> Iterator[str]:
    container = make_container(**slack_settings(fake_slack))
    server = SlackHttpServer(create_app(container), "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{server.port}{EVENTS_PATH}"
    server.stop()


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_signed_request_is_answered(endpoint: str) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
    status, text = _post(endpoint, body, signed_headers(body, "application/json"))
    assert status == 200 and "c-123" in text


def test_a_forged_signature_gets_401(endpoint: str) -> None:
    body = urlencode({"command": "/personae", "text": "help", "team_id": "T0001",
                      "user_id": "U0001", "channel_id": "C0001"})
    headers = signed_headers(body, "application/x-www-form-urlencoded", secret="not-" + SECRET)
    assert _post(endpoint, body, headers)[0] == 401
    tampered = signed_headers(body, "application/x-www-form-urlencoded")
    assert _post(endpoint, body + "&text=setup", tampered)[0] == 401


def test_a_request_older_than_five_minutes_gets_401(endpoint: str) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-old", "token": "x"})
    stale = signed_headers(body, "application/json", timestamp=int(time.time()) - 301)
    assert _post(endpoint, body, stale)[0] == 401


def test_the_manifest_asks_for_exactly_the_scopes_the_app_uses() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    assert manifest["features"]["slash_commands"][0]["command"] == "/personae"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
