"""Slack intake through slack-bolt: members' messages reach the characters, and the characters
answer in Slack under their own name and icon (through the worker's outbox)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from engine.adapters.sql.tables import events, memories
from engine.messages import ParticipantKind
from tests.bots.slack_harness import (
    AVATAR,
    CHANNEL,
    MEMBER,
    SlackHarness,
    eventually,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack
from workers.bootstrap import Container


@pytest.fixture
def harness(make_container: Callable[..., Container], fake_slack: FakeSlack) -> SlackHarness:
    return SlackHarness(make_container(**slack_settings(fake_slack)), fake_slack)


def _member_events(h: SlackHarness) -> list[str]:
    with h.container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("slack", "T0001")
        assert eco is not None
        return [e.text for e in uow.events.all(eco.id)
                if e.author_kind is ParticipantKind.HUMAN]


def test_a_mention_gets_an_in_character_reply_with_name_and_icon(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet", "Fitzwilliam Darcy")
    response = harness.message("<@UBOT> Elizabeth, do you like to dance?", ts="1700.0001",
                               kind="app_mention")
    assert response.status == 200
    post = eventually(lambda: harness.fake.posted(CHANNEL), between=harness.run_jobs,
                      what="a character's reply")[0]
    assert post.username == "Elizabeth Bennet"
    assert post.icon_url == AVATAR.format("elizabeth")
    assert post.text and post.thread_ts is None
    # The member's words reached the engine without the app's mention markup.
    assert _member_events(harness) == ["Elizabeth, do you like to dance?"]


def test_a_retried_event_is_processed_once(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    first = harness.message("Elizabeth, a question!", ts="1700.0002", event_id="EvSAME")
    # Slack retries the same event id (X-Slack-Retry-Num) when our answer seemed late; the
    # retry carries a new message copy with the same ts (the engine would also dedupe that).
    retry = harness.event({"type": "message", "channel": CHANNEL, "user": "U0001",
                           "text": "Elizabeth, a question!", "ts": "1700.0002"},
                          event_id="EvSAME", retry_num=1)
    assert first.status == retry.status == 200
    harness.run_jobs()
    eventually(lambda: harness.fake.posted(CHANNEL), between=harness.run_jobs)
    harness.run_jobs()
    assert len(_member_events(harness)) == 1
    assert len(harness.fake.posted(CHANNEL)) == 1


def test_our_own_posts_are_not_ingested_again(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.message("Elizabeth, hello!", ts="1700.0003")
    post = eventually(lambda: harness.fake.posted(CHANNEL), between=harness.run_jobs)[0]
    # Slack echoes our post back as a message event from our bot, under the character's name.
    echo = harness.event({"type": "message", "subtype": "bot_message", "channel": CHANNEL,
                          "bot_id": "BBOT", "username": post.username, "text": post.text,
                          "ts": post.ts})
    assert echo.status == 200
    assert _member_events(harness) == ["Elizabeth, hello!"]
    with harness.container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("slack", "T0001")
        assert eco is not None
        texts = [e.text for e in uow.events.all(eco.id)]
    assert texts.count(post.text) == 1


def test_a_thread_reply_is_answered_in_its_thread(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.message("Elizabeth, in this thread please", ts="1700.0005",
                    thread_ts="1700.0004")
    post = eventually(lambda: harness.fake.posted(CHANNEL), between=harness.run_jobs)[0]
    assert post.thread_ts == "1700.0004"


def test_a_deleted_message_is_forgotten_and_an_edited_one_remembered_anew(
        harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.message("Elizabeth, I keep a parrot called Zanzibar.", ts="1700.0101")
    harness.message("Elizabeth, I am moving to Lisbon.", ts="1700.0102")

    def texts() -> tuple[list[str], list[str]]:
        with harness.container.database.engine.connect() as conn:
            said = conn.execute(select(events.c.text).where(
                events.c.author_kind == "human").order_by(events.c.id)).scalars().all()
            kept = conn.execute(select(memories.c.text)).scalars().all()
        return list(said), list(kept)

    deleted = harness.event({"type": "message", "subtype": "message_deleted", "hidden": True,
                             "channel": CHANNEL, "ts": "1700.0200", "deleted_ts": "1700.0101",
                             "previous_message": {"type": "message", "user": MEMBER,
                                                  "text": "…", "ts": "1700.0101"}})
    assert deleted.status == 200
    said, kept = texts()
    assert said == ["Elizabeth, I am moving to Lisbon."]
    assert not any("Zanzibar" in t for t in kept)

    changed = harness.event({"type": "message", "subtype": "message_changed", "hidden": True,
                             "channel": CHANNEL, "ts": "1700.0300",
                             "message": {"type": "message", "user": MEMBER,
                                         "text": "Elizabeth, I am moving to Porto.",
                                         "ts": "1700.0102", "edited": {"user": MEMBER}},
                             "previous_message": {"type": "message", "user": MEMBER,
                                                  "text": "Elizabeth, I am moving to Lisbon.",
                                                  "ts": "1700.0102"}})
    assert changed.status == 200
    said, kept = texts()
    assert said == ["Elizabeth, I am moving to Porto."]
    assert any("Porto" in t for t in kept) and not any("Lisbon" in t for t in kept)
