"""Notices reach the platforms (``engine.services.notices``), on both backends.

A quota notice the engine writes (model calls used up, new relationships not tracked) is
queued as a ``deliver_notice`` job after its commit and posted once through the community's
platform outbox, in the brand's name and avatar, with no character behind it; running the job
again, concurrently, or after a failed post never posts it twice. A recording outbox stands for
the platform here (the Discord and Slack outboxes are exercised in tests/bots/). Billing limits
are on (a fake Stripe key), and the deployment's model is a fake on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from rq.exceptions import NoSuchJobError
from rq.job import Job

from engine.cards import parse_card
from engine.messages import Event, EventKind, IncomingMessage, OutgoingMessage
from engine.services import billing, enterprise, notices
from engine.services.deps import Deps
from engine.services.ingest import ingest
from engine.services.render import render_intent
from engine.services.setup import add_character, add_to_cast, open_space, set_announcements
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.stripe_api import API_KEY
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

PLATFORM = "discord"  # any platform whose outbox posts notices; the console's does not


@dataclass
class RecordingOutbox:
    """Records what it is asked to post; ``fail`` raises on the next posts, ``delay_s``
    makes each post slow (to race two deliveries)."""

    posts: list[OutgoingMessage] = field(default_factory=list)
    fail: int = 0
    delay_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, message: OutgoingMessage) -> str:
        time.sleep(self.delay_s)
        with self._lock:
            if self.fail:
                self.fail -= 1
                raise RuntimeError("the platform is down")
            self.posts.append(message)
            return f"m{len(self.posts)}"

    def notices(self) -> list[OutgoingMessage]:
        return [m for m in self.posts if m.character_id is None]


@pytest.fixture
def make(make_container: Callable[..., Container], fake_openai: FakeOpenAI
         ) -> Callable[..., tuple[Container, RecordingOutbox]]:
    def build(**overrides: Any) -> tuple[Container, RecordingOutbox]:
        values: dict[str, Any] = dict(stripe_api_key=API_KEY, llm_base_url=fake_openai.base_url,
                                      llm_max_retries=0, llm_timeout_s=5)
        values.update(overrides)
        container = make_container(**values)
        outbox = RecordingOutbox()
        container.deps.outboxes[PLATFORM] = outbox
        return container, outbox

    return build


def _community(deps: Deps, space: str, tier: str = "free", platform: str = PLATFORM
               ) -> tuple[int, int]:
    eco, (channel,) = open_space(deps, platform, space, ["C1"])
    cid = add_character(deps, eco.id, parse_card({
        "name": "Jane", "description": "Kind and calm.", "personality": "gentle",
        "first_mes": "Good day."}))
    add_to_cast(deps, channel.id, cid)
    if tier != "free":
        billing.set_tier(deps, eco.id, tier)
    return eco.id, channel.id


def _talk(deps: Deps, space: str, n: int = 1, platform: str = PLATFORM) -> None:
    for i in range(n):
        result = ingest(deps, IncomingMessage(
            platform=platform, space_id=space, channel_id="C1", author_id="u1",
            author_name="Mary", text=f"Jane, how are you today? ({i})",
            message_id=f"{space}-{i}"))
        for intent in result.intents:
            render_intent(deps, intent.id or 0)


def _quota_notices(deps: Deps, eco: int) -> list[Event]:
    with deps.uow() as uow:
        return [e for e in uow.events.all(eco) if e.payload.get("type") == "quota"]


def _queued(container: Container, event_id: int) -> bool:
    try:
        Job.fetch(f"notice-{event_id}", connection=container.redis)
    except NoSuchJobError:
        return False
    return True


def test_a_quota_notice_is_posted_once_in_the_brands_name(make: Callable[..., Any]) -> None:
    # An Enterprise contract with one model call a month, and a white label.
    container, outbox = make(tiers={"enterprise": {"model_calls": 1}})
    deps = container.deps
    eco, _ = _community(deps, "big-co", "enterprise")
    enterprise.set_brand(deps, eco, "Big Co Bot", "https://cdn.example/bigco.png")

    _talk(deps, "big-co", 2)  # the second render is over the cap: the notice is written

    [notice] = _quota_notices(deps, eco)
    assert _queued(container, notice.id or 0)  # queued after its commit
    assert outbox.notices() == []  # nothing posted until the job runs
    EmbeddedWorker(container).run_pending()
    [posted] = outbox.notices()
    assert (posted.character_name, posted.avatar_url) == ("Big Co Bot",
                                                          "https://cdn.example/bigco.png")
    assert posted.channel_external_id == "C1" and posted.text == notice.text
    assert "model calls" in posted.text and "Until then" in posted.text
    with deps.uow() as uow:
        stored = uow.events.get(notice.id or 0)
    assert stored is not None and stored.external_id == "m3"  # two lines, then the notice

    # The job again (a retry, a duplicate): it finds the id and posts nothing.
    again = notices.deliver_notice(deps, notice.id or 0)
    assert (again.status, again.external_id) == ("already posted", "m3")
    assert len(outbox.notices()) == 1


def test_a_failed_post_gives_the_claim_up_and_the_retry_posts_once(
        make: Callable[..., Any]) -> None:
    container, outbox = make(tiers={"free": {"model_calls": 1}})
    deps = container.deps
    eco, _ = _community(deps, "club")
    _talk(deps, "club", 2)
    [notice] = _quota_notices(deps, eco)
    outbox.fail = 1

    with pytest.raises(RuntimeError, match="the platform is down"):
        notices.deliver_notice(deps, notice.id or 0)
    with deps.uow() as uow:
        assert (uow.events.get(notice.id or 0) or notice).external_id is None  # claim given up

    assert notices.deliver_notice(deps, notice.id or 0).status == "posted"
    assert notices.deliver_notice(deps, notice.id or 0).status == "already posted"
    [posted] = outbox.notices()
    assert posted.character_name == "Personae"  # Free: no white label
    assert "Free" in posted.text and "/subscribe" in posted.text


def test_two_deliveries_racing_post_once(make: Callable[..., Any]) -> None:
    container, outbox = make(tiers={"free": {"model_calls": 1}})
    deps = container.deps
    eco, _ = _community(deps, "club")
    _talk(deps, "club", 2)
    [notice] = _quota_notices(deps, eco)
    outbox.delay_s = 0.3  # the first is still posting when the second looks
    outcomes: list[str] = []

    def deliver() -> None:
        outcomes.append(notices.deliver_notice(deps, notice.id or 0).status)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(outcomes) == ["already posted", "posted"]
    assert len(outbox.notices()) == 1


def test_new_relationships_over_the_limit_are_announced_once(make: Callable[..., Any]) -> None:
    container, outbox = make(tiers={"free": {"relationships": 0}})
    deps = container.deps
    eco, _ = _community(deps, "club")

    _talk(deps, "club", 2)  # Mary and Jane would meet: not tracked, one notice this month

    [notice] = _quota_notices(deps, eco)
    assert notice.payload["resource"] == "relationships"
    EmbeddedWorker(container).run_pending()
    [posted] = outbox.notices()
    assert posted.text == notice.text and "relationships" in posted.text


def _system(deps: Deps, eco: int, channel: int, key: str, **payload: Any) -> int:
    with deps.uow() as uow:
        event = Event(ecosystem_id=eco, channel_id=channel, kind=EventKind.SYSTEM,
                      idempotency_key=key, created_at=deps.clock.now(),
                      author_name="Personae", text=f"notice {key}", payload=payload)
        assert uow.events.append(event) is not None
        uow.commit()
    return event.id or 0


def test_announcements_follow_the_channel_and_other_system_events_are_not_posted(
        make: Callable[..., Any]) -> None:
    container, outbox = make(stripe_api_key=None)  # limits off: a self-hosted install
    deps = container.deps
    eco, channel = _community(deps, "home")
    alliance = _system(deps, eco, channel, "a1", type="alliance", members=[1, 2])
    change = _system(deps, eco, channel, "r1", type="relationship_change", cause_event_id=1)
    directed = _system(deps, eco, channel, "d1", directed=True, scenario_id=1)
    blocked = _system(deps, eco, channel, "b1", type="delivery_blocked")

    set_announcements(deps, channel, False)  # switched off after they were stored
    assert notices.deliver_notice(deps, alliance).reason == "the channel announces nothing"
    set_announcements(deps, channel, True)
    assert notices.deliver_notice(deps, alliance).status == "posted"
    assert notices.deliver_notice(deps, change).status == "posted"
    assert notices.deliver_notice(deps, directed).status == "skipped"  # a scene, not a notice
    assert notices.deliver_notice(deps, blocked).status == "skipped"  # reported elsewhere
    assert notices.deliver_notice(deps, 999_999).status == "skipped"  # erased meanwhile
    with deps.uow() as uow:  # a DM with a character's own bot: only that bot speaks there
        uow.spaces.update_channel_settings(channel, {"dm": True})
        uow.commit()
    quota = _system(deps, eco, channel, "q1", type="quota", resource="model_calls")
    assert notices.deliver_notice(deps, quota).reason == "a direct-message channel"
    assert [m.text for m in outbox.notices()] == ["notice a1", "notice r1"]


def test_console_notices_are_only_streamed(make: Callable[..., Any]) -> None:
    container, _ = make(tiers={"free": {"model_calls": 1}})
    deps = container.deps
    eco, _ = _community(deps, "local", platform="console")
    _talk(deps, "local", 2, platform="console")

    [notice] = _quota_notices(deps, eco)
    assert not _queued(container, notice.id or 0)  # the console shows the stream itself
    assert notices.deliver_notice(deps, notice.id or 0).status == "skipped"
