"""HTTP mode with OAuth install into many workspaces, through slack-bolt's real OAuth flow on
our HTTP server against the fake Slack on 127.0.0.1: ``/slack/install`` redirects to Slack's
authorize page with a one-time ``state`` (and its browser cookie); ``/slack/oauth_redirect``
exchanges the code (``oauth.v2.access``) and stores the installation in ``slack_installations``;
events from that workspace are then authorised with its own token, and the characters post
there with it. A reused, unknown or expired state is refused with a clear page."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from sqlalchemy import select

from bots.slack.app import SCOPES, create_app
from bots.slack.http import EVENTS_PATH, SlackHttpServer
from bots.slack.oauth_state import PREFIX as STATE_PREFIX
from engine.adapters.sql.tables import slack_installations
from tests.bots.slack_harness import (
    AVATAR,
    MEMBER,
    eventually,
    seed_cast,
    signed_headers,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

CLIENT = ("1234.5678", "client-secret")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _get(url: str, headers: dict[str, str] | None = None) -> Answer:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return Answer(response.status, _lower(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, _lower(exc.headers), exc.read().decode())


def _post(url: str, body: str, headers: dict[str, str]) -> Answer:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=10) as response:
            return Answer(response.status, _lower(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, _lower(exc.headers), exc.read().decode())


@dataclass
class Site:
    container: Container
    fake: FakeSlack
    base: str

    def install(self) -> tuple[str, str]:
        """Start an install: (state, the cookie the browser got)."""
        answer = _get(self.base + "/slack/install")
        assert answer.status == 302, answer
        target = urlparse(answer.headers["location"])
        query = parse_qs(target.query)
        assert target.path == "/oauth/v2/authorize"
        assert query["client_id"] == [CLIENT[0]]
        assert sorted(query["scope"][0].split(",")) == sorted(SCOPES)
        cookie = answer.headers["set-cookie"].split(";", 1)[0]
        return query["state"][0], cookie

    def redirect(self, code: str, state: str, cookie: str) -> Answer:
        return _get(self.base + "/slack/oauth_redirect?" + urlencode(
            {"code": code, "state": state}), {"Cookie": cookie})

    def installed(self) -> list[Any]:
        with self.container.database.engine.connect() as conn:
            return list(conn.execute(select(slack_installations)).all())

    def event(self, team: str, event: dict[str, Any], event_id: str) -> Answer:
        payload = {"token": "legacy", "team_id": team, "api_app_id": "A0001",
                   "type": "event_callback", "event_id": event_id,
                   "event_time": int(time.time()), "event": event,
                   "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}]}
        body = json.dumps(payload)
        return _post(self.base + EVENTS_PATH, body, signed_headers(body, "application/json"))


@pytest.fixture
def site(make_container: Callable[..., Container], fake_slack: FakeSlack) -> Iterator[Site]:
    fake_slack.oauth_client = CLIENT
    settings = slack_settings(fake_slack, slack_bot_token=None, slack_client_id=CLIENT[0],
                              slack_client_secret=CLIENT[1])
    container = make_container(**settings)
    app = create_app(container)
    assert app.oauth_flow is not None
    server = SlackHttpServer(app, "127.0.0.1", 0).start()
    yield Site(container, fake_slack, f"http://127.0.0.1:{server.port}")
    server.stop()


def _tokens_used(fake: FakeSlack, method: str) -> set[str | None]:
    return {c.token for c in fake.called(method)}


def test_two_workspaces_install_and_each_is_served_with_its_own_token(site: Site) -> None:
    fake = site.fake
    for team in ("T0100", "T0200"):
        state, cookie = site.install()
        answer = site.redirect(fake.authorize(team), state, cookie)
        assert answer.status == 200, answer.text
        assert "Thank you" in answer.text or "installed" in answer.text.lower()
    rows = site.installed()
    assert sorted((r.team_id, r.bot_token, r.client_id) for r in rows) == [
        ("T0100", "xoxb-T0100", CLIENT[0]), ("T0200", "xoxb-T0200", CLIENT[0])]
    assert all(r.data["bot_user_id"] == "UBOT" for r in rows)

    # A member of T0200 addresses a character there: bolt finds T0200's installation, the
    # listener reads the member with T0200's token, and the reply is posted with it.
    fake.add_user(MEMBER, "Mary King")
    fake.channels["C0200"] = "parlour"
    seed_cast(site.container, "Elizabeth Bennet", channel="C0200", team="T0200")
    answer = site.event("T0200", {"type": "message", "channel": "C0200", "user": MEMBER,
                                  "text": "Elizabeth, welcome to our workspace!",
                                  "ts": "1700.0001", "channel_type": "channel"}, "Ev0200")
    assert answer.status == 200
    worker = EmbeddedWorker(site.container)
    post = eventually(lambda: fake.posted("C0200"), between=worker.run_pending,
                      what="the reply in T0200")[0]
    assert post.username == "Elizabeth Bennet" and post.icon_url == AVATAR.format("elizabeth")
    assert _tokens_used(fake, "users.info") == {"xoxb-T0200"}
    assert _tokens_used(fake, "chat.postMessage") == {"xoxb-T0200"}


def test_an_event_from_a_workspace_that_never_installed_is_not_handled(site: Site) -> None:
    answer = site.event("T0999", {"type": "message", "channel": "C0999", "user": MEMBER,
                                  "text": "hello?", "ts": "1700.0002"}, "Ev0999")
    assert answer.status in (200, 401)
    with site.container.deps.uow() as uow:
        assert uow.spaces.find_ecosystem("slack", "T0999") is None
    assert not site.fake.called("users.info")


def test_a_used_unknown_or_expired_state_is_refused_clearly(site: Site) -> None:
    fake = site.fake
    state, cookie = site.install()
    assert site.redirect(fake.authorize("T0300"), state, cookie).status == 200
    # The same state again (a reload, or a stolen link): refused, nothing more stored.
    again = site.redirect(fake.authorize("T0300"), state, cookie)
    assert again.status == 400
    assert "expired" in again.text and "/slack/install" in again.text
    # A state we never issued, with a cookie to match.
    forged = site.redirect(fake.authorize("T0400"), "forged", "slack-app-oauth-state=forged")
    assert forged.status == 400 and "/slack/install" in forged.text
    # A state older than ten minutes: its Redis key expired.
    state, cookie = site.install()
    site.container.redis.delete(f"{STATE_PREFIX}:{state}")
    expired = site.redirect(fake.authorize("T0500"), state, cookie)
    assert expired.status == 400 and "expired" in expired.text
    # Another browser than the one that started the install (no cookie).
    state, _ = site.install()
    other = site.redirect(fake.authorize("T0600"), state, "")
    assert other.status == 400 and "/slack/install" in other.text
    assert [r.team_id for r in site.installed()] == ["T0300"]
    assert not fake.called("oauth.v2.access")[1:]


def test_a_code_slack_refuses_is_reported_and_nothing_is_stored(site: Site) -> None:
    state, cookie = site.install()
    answer = site.redirect("code-T0700-unknown", state, cookie)
    assert answer.status == 400
    assert "/slack/install" in answer.text
    assert site.installed() == []


def test_the_state_lives_ten_minutes_in_redis(site: Site) -> None:
    state, _ = site.install()
    ttl = site.container.redis.ttl(f"{STATE_PREFIX}:{state}")
    assert 590 <= int(ttl) <= 600  # type: ignore[arg-type]
