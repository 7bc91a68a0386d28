"""The Slack outbox against the fake Web API: pacing per channel shared through Redis,
``Retry-After`` obeyed, and a channel the app was removed from refused with a clear message and
no retry loop."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from engine.messages import IntentStatus, OutgoingMessage
from engine.services import setup
from tests.bots.slack_harness import CHANNEL, TEAM, SlackHarness, eventually, slack_settings
from tests.fakes.slack_api import FakeSlack
from workers.bootstrap import Container
from workers.slack.errors import ChannelUnavailable
from workers.slack.outbox import SlackOutbox


@pytest.fixture
def harness(make_container: Callable[..., Container], fake_slack: FakeSlack) -> SlackHarness:
    return SlackHarness(make_container(**slack_settings(fake_slack)), fake_slack)


def _outbox(h: SlackHarness) -> SlackOutbox:
    outbox = h.container.deps.outboxes["slack"]
    assert isinstance(outbox, SlackOutbox)
    return outbox


def _message(h: SlackHarness, text: str, channel: str = CHANNEL) -> OutgoingMessage:
    eco, _ = setup.open_space(h.container.deps, "slack", TEAM, [channel])
    return OutgoingMessage(ecosystem_id=eco.id, channel_external_id=channel,
                           character_name="Jane Bennet", text=text,
                           avatar_url="https://example.org/jane.png")


def test_posts_to_one_channel_are_paced_and_others_are_not_held_up(
        harness: SlackHarness) -> None:
    outbox = _outbox(harness)
    for i in range(2):
        outbox.deliver(_message(harness, f"line {i}"))
    outbox.deliver(_message(harness, "elsewhere", channel="C0002"))
    times = [p.at for p in harness.fake.posted(CHANNEL)]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 2 and min(gaps) >= 1.0
    assert harness.fake.posted("C0002")[0].at - times[-1] < 0.5
    assert harness.fake.rate_limited == 0


def test_a_429_is_retried_after_its_retry_after(harness: SlackHarness) -> None:
    outbox = _outbox(harness)
    outbox.rate = type(outbox.rate)(10, 1.0)  # pace looser than Slack: the fake answers 429
    started = time.monotonic()
    outbox.deliver(_message(harness, "first"))
    outbox.deliver(_message(harness, "second"))
    assert harness.fake.rate_limited == 1
    assert [p.text for p in harness.fake.posted(CHANNEL)] == ["first", "second"]
    assert time.monotonic() - started >= 1.0  # Retry-After: 1


def test_a_channel_the_app_was_removed_from_is_blocked_without_a_retry_loop(
        harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.fake.remove_app(CHANNEL)
    harness.message("Elizabeth, are you there?", ts="1700.0200")
    harness.run_jobs()
    with harness.container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("slack", TEAM)
        assert eco is not None
        pending = uow.intents.pending(eco.id)
        rows = uow.spaces.list_channels(eco.id)
    failed = _failed_intents(harness)
    assert len(failed) == 1
    assert "not_in_channel" in failed[0] and "/invite @Personae" in failed[0]
    assert rows[0].settings["delivery_blocked"]["reason"].startswith("not_in_channel")
    assert pending == []
    attempts = len(harness.fake.called("chat.postMessage"))
    assert attempts == 1
    # The next delivery there fails at once, with the same clear message and no request.
    with pytest.raises(ChannelUnavailable, match="invite"):
        _outbox(harness).deliver(_message(harness, "again"))
    assert len(harness.fake.called("chat.postMessage")) == attempts
    # Invited back: the mark goes, and posting works again.
    harness.fake.removed.clear()
    harness.event({"type": "member_joined_channel", "user": "UBOT", "channel": CHANNEL})
    _outbox(harness).deliver(_message(harness, "back"))
    eventually(lambda: harness.fake.posted(CHANNEL))


def _failed_intents(h: SlackHarness) -> list[str]:
    from sqlalchemy import select

    from engine.adapters.sql.tables import intents

    with h.container.database.engine.connect() as conn:
        rows = conn.execute(select(intents.c.status, intents.c.error)).all()
    return [r.error for r in rows if r.status == IntentStatus.FAILED.value]
