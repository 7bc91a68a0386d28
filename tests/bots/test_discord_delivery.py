"""Delivery to Discord from workers: ``DiscordOutbox`` through the real discord.py client against
the fake Discord REST API (tests/fakes/discord_api.py) and real Redis (fakeredis too).

Tests taking ``env`` run on both backends (SQLite + fakeredis, PostgreSQL + Redis), except
those marked ``EMBEDDED_ONLY``: their storage is the same as another test's, and a PostgreSQL
database per test costs about a second.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import fakeredis
import pytest
import redis
import requests
from discord.http import Route
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.adapters.sql.spaces import Channel, Ecosystem
from engine.messages import EventKind, OutgoingMessage
from tests.fakes.discord_api import FakeDiscord
from workers.bootstrap import Container
from workers.discord.blocking import BLOCK_KEY
from workers.discord.errors import (
    ChannelBacklogged,
    ChannelBlocked,
    DeliveryError,
    DiscordRejected,
    PacingUnavailable,
    RateLimited,
)
from workers.discord.names import webhook_username
from workers.discord.outbox import DiscordOutbox
from workers.discord.pacing import Pacer, Rate
from workers.discord.split import MAX_MESSAGE, split_message
from workers.stream import channel_name

EXECUTE = "POST /webhooks/{webhook_id}/{token}"
CREATE = "POST /channels/{channel_id}/webhooks"
LIST = "GET /channels/{channel_id}/webhooks"
BOT_POST = "POST /channels/{channel_id}/messages"
AVATAR = "https://cdn.example/avatars/elizabeth.png"
EMBEDDED_ONLY = pytest.mark.parametrize("backend", ["embedded"])


@dataclass
class Env:
    """A Discord server known to the engine, its fake, and the container's outbox."""

    container: Container
    fake: FakeDiscord
    ecosystem: Ecosystem
    channel: Channel

    @property
    def outbox(self) -> DiscordOutbox:
        outbox = self.container.deps.outboxes["discord"]
        assert isinstance(outbox, DiscordOutbox)
        return outbox

    def add_channel(self, name: str, *, parent: str | None = None,
                    manage_webhooks: bool = True) -> Channel:
        """A Discord channel (a thread of ``parent`` when given) and its engine row."""
        ext = (self.fake.add_thread(parent, name) if parent
               else self.fake.add_channel(name, manage_webhooks=manage_webhooks))
        with self.container.deps.uow() as uow:
            row = uow.spaces.ensure_channel(self.ecosystem.id, ext, name,
                                            self.container.deps.clock.now())
            if parent:
                uow.spaces.update_channel_settings(row.id, {"parent_external_id": parent})
            uow.commit()
            found = uow.spaces.get_channel(row.id)
        assert found is not None
        return found

    def message(self, text: str = "Good morning, Mr. Darcy.", *, channel: Channel | None = None,
                name: str = "Elizabeth Bennet", **kw: Any) -> OutgoingMessage:
        ch = channel or self.channel
        return OutgoingMessage(
            ecosystem_id=self.ecosystem.id, channel_external_id=ch.external_id,
            character_name=name, text=text, avatar_url=kw.pop("avatar_url", AVATAR),
            parent_channel_external_id=ch.settings.get("parent_external_id"), **kw)

    def settings_of(self, channel: Channel) -> dict[str, Any]:
        with self.container.deps.uow() as uow:
            row = uow.spaces.get_channel(channel.id)
        assert row is not None
        return row.settings

    def stored_webhook(self, channel: Channel) -> str | None:
        with self.container.deps.uow() as uow:
            hook = uow.links.webhook(channel.id)
        return hook.webhook_id if hook else None


@pytest.fixture
def make_env(make_container: Callable[..., Container], fake_discord: FakeDiscord
             ) -> Callable[..., Env]:
    def make(**overrides: Any) -> Env:
        c = make_container(discord_token=fake_discord.token,
                           discord_api_base=fake_discord.api_base, **overrides)
        now = c.deps.clock.now()
        with c.deps.uow() as uow:
            eco = uow.spaces.ensure_ecosystem("discord", fake_discord.guild_id, "Longbourn", now)
            ch = uow.spaces.ensure_channel(eco.id, fake_discord.channel_id, "general", now)
            uow.commit()
        return Env(c, fake_discord, eco, ch)

    return make


@pytest.fixture
def env(make_env: Callable[..., Env]) -> Env:
    return make_env()


# -- persona posts ---------------------------------------------------------------------------


def test_persona_post_has_name_avatar_and_parses_no_mentions(env: Env) -> None:
    sent = env.outbox.deliver(env.message("Hello @everyone and <@&42>, @here too."))
    [posted] = env.fake.posted(env.channel.external_id)
    assert sent == posted.id
    assert posted.kind == "webhook"
    assert posted.username == "Elizabeth Bennet" and posted.avatar_url == AVATAR
    assert posted.allowed_mentions == {"parse": []}
    assert posted.mention_everyone is False
    assert env.stored_webhook(env.channel) == posted.webhook_id
    with env.container.deps.uow() as uow:
        assert uow.links.is_our_webhook(posted.webhook_id or "")


@EMBEDDED_ONLY
def test_names_discord_refuses_are_made_acceptable(env: Env) -> None:
    env.outbox.deliver(env.message(name="Clyde, of Discord", avatar_url="not a url"))
    [posted] = env.fake.posted()
    assert "clyde" not in posted.username.lower() and "discord" not in posted.username.lower()
    assert posted.username.replace("\u200a", "") == "Clyde, of Discord"
    assert posted.avatar_url is None


def test_webhook_usernames() -> None:
    assert webhook_username("  Mr.\n  Darcy ") == "Mr. Darcy"
    assert webhook_username("") == webhook_username("   ") == "Character"
    long = webhook_username("x" * 200)
    assert len(long) == 80
    for name in ("DISCORD", "clyde", "ClydeDiscordClyde", "a" * 78 + "clyde"):
        cleaned = webhook_username(name)
        assert 1 <= len(cleaned) <= 80
        assert "clyde" not in cleaned.lower() and "discord" not in cleaned.lower()


def test_thread_posts_through_its_parents_webhook(env: Env) -> None:
    thread = env.add_channel("a walk to Meryton", parent=env.channel.external_id)
    sent = env.outbox.deliver(env.message("Shall we walk?", channel=thread))
    [posted] = env.fake.posted(thread.external_id)
    assert sent == posted.id and posted.thread_id == thread.external_id
    [hook] = env.fake.webhooks_in(env.channel.external_id)
    assert posted.webhook_id == hook["id"]
    assert env.fake.webhooks_in(thread.external_id) == []
    assert env.stored_webhook(env.channel) == hook["id"]  # stored with the parent
    env.outbox.deliver(env.message("And back.", channel=env.channel))
    assert env.fake.route_counts[CREATE] == 1  # the channel itself reuses it


@EMBEDDED_ONLY
def test_long_message_is_split_into_clean_posts(env: Env) -> None:
    sentences = [f"Sentence number {i} is about the ball at Netherfield." for i in range(50)]
    text = " ".join(sentences)
    assert 2400 < len(text) < 2800
    first = env.outbox.deliver(env.message(text))
    posts = env.fake.posted()
    assert len(posts) == 2 and first == posts[0].id
    assert all(len(p.content) <= MAX_MESSAGE for p in posts)
    assert posts[0].content.endswith(".")  # cut at the end of a sentence
    assert " ".join(p.content for p in posts) == text
    assert all(p.username == "Elizabeth Bennet" for p in posts)


@EMBEDDED_ONLY
def test_empty_text_and_unknown_channel_are_refused(env: Env) -> None:
    with pytest.raises(DeliveryError, match="empty"):
        env.outbox.deliver(env.message("   \n "))
    with pytest.raises(DeliveryError, match="not a channel"):
        env.outbox.deliver(OutgoingMessage(env.ecosystem.id, "999", "Jane Bennet", "Hi"))
    assert env.fake.requests == []


# -- webhooks --------------------------------------------------------------------------------


@EMBEDDED_ONLY
def test_webhook_is_created_once_and_reused(env: Env) -> None:
    for i in range(3):
        env.outbox.deliver(env.message(f"Line {i}"))
    counts = env.fake.route_counts
    assert counts[CREATE] == 1 and counts[LIST] == 1 and counts[EXECUTE] == 3
    assert len(env.fake.webhooks_in(env.channel.external_id)) == 1


@EMBEDDED_ONLY
def test_a_webhook_the_bot_already_owns_is_reused_not_another_integrations(env: Env) -> None:
    theirs = env.fake.add_webhook(env.channel.external_id, "Someone's RSS")
    ours = env.fake.add_webhook(env.channel.external_id, "Personae", by_bot=True)
    env.outbox.deliver(env.message())
    assert env.fake.route_counts[CREATE] == 0
    [posted] = env.fake.posted()
    assert posted.webhook_id == ours["id"] != theirs["id"]


def test_webhook_deleted_by_a_moderator_is_recreated_once(env: Env) -> None:
    env.outbox.deliver(env.message("Before."))
    old = env.stored_webhook(env.channel)
    hook = env.fake.webhooks[old or ""]
    requests.delete(f"{env.fake.api_base}/webhooks/{hook['id']}/{hook['token']}", timeout=5)
    env.outbox.deliver(env.message("After."))
    new = env.stored_webhook(env.channel)
    assert new and new != old
    assert [p.content for p in env.fake.posted()] == ["Before.", "After."]
    assert env.fake.route_counts[CREATE] == 2
    assert [r.status for r in env.fake.requests if r.route == EXECUTE] == [200, 404, 200]


@EMBEDDED_ONLY
def test_webhook_recreated_only_once_per_delivery(env: Env) -> None:
    env.outbox.deliver(env.message("Before."))
    env.fake.fail_next(404, code=10015, message="Unknown Webhook", route=EXECUTE, times=2)
    with pytest.raises(DiscordRejected) as err:
        env.outbox.deliver(env.message("After."))
    assert (err.value.status, err.value.code) == (404, 10015)
    # Looked up once more (the fake still lists it, so it is taken back), posted twice more.
    counts = env.fake.route_counts
    assert counts[LIST] == 2 and counts[CREATE] == 1 and counts[EXECUTE] == 3


# -- rate limits -----------------------------------------------------------------------------


@EMBEDDED_ONLY
def test_429_retry_after_is_obeyed(env: Env) -> None:
    env.outbox.deliver(env.message("First."))
    env.fake.fail_next(429, route=EXECUTE, retry_after=0.4)
    started = time.monotonic()
    env.outbox.deliver(env.message("Second."))
    assert time.monotonic() - started >= 0.4
    assert len(env.fake.rate_limited) == 1 and env.outbox.rate_limits.count == 1
    assert [p.content for p in env.fake.posted()] == ["First.", "Second."]


@EMBEDDED_ONLY
def test_a_post_returns_once_accepted_the_pacing_alone_waits(env: Env) -> None:
    """discord.py would sleep out the webhook's bucket after its 5th post (Remaining: 0);
    the shared pacing already spaces the posts, so the 5th returns at once and the 6th
    waits its turn before posting."""
    env.outbox.deliver(env.message("Post 0."))
    started = time.monotonic()
    for i in range(1, 5):
        env.outbox.deliver(env.message(f"Post {i}."))
    assert time.monotonic() - started < 1.0
    env.outbox.deliver(env.message("Post 5."))
    assert time.monotonic() - started > 1.5  # 5 per 2 s (+ margin) since post 0
    assert env.fake.rate_limited == [] and len(env.fake.posted()) == 6


@EMBEDDED_ONLY
def test_a_long_retry_after_is_not_waited_out(env: Env) -> None:
    env.outbox.deliver(env.message("First."))
    env.fake.fail_next(429, route=EXECUTE, retry_after=600)
    started = time.monotonic()
    with pytest.raises(RateLimited, match="600"):
        env.outbox.deliver(env.message("Second."))
    assert time.monotonic() - started < 5
    assert [p.content for p in env.fake.posted()] == ["First."]


@EMBEDDED_ONLY
def test_a_429_discord_py_does_not_retry_is_a_rate_limit_error(env: Env) -> None:
    env.outbox.deliver(env.message("First."))
    env.fake.via_header = False  # discord.py raises such a 429 instead of retrying
    env.fake.fail_next(429, route=EXECUTE, retry_after=0.2)
    with pytest.raises(RateLimited):
        env.outbox.deliver(env.message("Second."))
    assert env.settings_of(env.channel).get(BLOCK_KEY) is None  # not a blocked channel


# -- missing permissions ---------------------------------------------------------------------


def _admin_channel(env: Env) -> str:
    admin = env.fake.add_channel("mods-only")
    with env.container.deps.uow() as uow:
        uow.spaces.update_ecosystem_settings(env.ecosystem.id, {"admin_channel_id": admin})
        uow.commit()
    return admin


def test_lost_manage_webhooks_blocks_the_channel_and_tells_admins_once(env: Env) -> None:
    admin = _admin_channel(env)
    locked = env.add_channel("locked-room", manage_webhooks=False)
    pubsub = env.container.redis.pubsub()
    pubsub.subscribe(channel_name(env.ecosystem.id))
    with pytest.raises(ChannelBlocked, match="Manage Webhooks"):
        env.outbox.deliver(env.message(channel=locked))
    calls, invalid = len(env.fake.requests), env.fake.invalid_requests
    assert invalid == 1

    [notice] = env.fake.posted(admin)
    assert f"<#{locked.external_id}>" in notice.content and "/personae setup" in notice.content
    assert notice.kind == "bot" and notice.allowed_mentions == {"parse": [], "replied_user": False}
    block = env.settings_of(locked)[BLOCK_KEY]
    assert block["code"] == 50013 and "Manage Webhooks" in block["reason"]
    with env.container.deps.uow() as uow:
        system = [e for e in uow.events.all(env.ecosystem.id) if e.kind is EventKind.SYSTEM]
    assert [e.payload["type"] for e in system] == ["delivery_blocked"]
    assert system[0].channel_id == locked.id
    streamed = _next_json(pubsub)
    assert streamed["kind"] == "system" and streamed["payload"]["type"] == "delivery_blocked"

    for _ in range(5):  # fail fast: no request reaches Discord
        with pytest.raises(ChannelBlocked, match="Not posting"):
            env.outbox.deliver(env.message(channel=locked))
    assert len(env.fake.requests) == calls and env.fake.invalid_requests == invalid

    env.container.deps.clock.advance(601)  # type: ignore[attr-defined]
    with pytest.raises(ChannelBlocked):  # one new attempt after the cool-off, same episode
        env.outbox.deliver(env.message(channel=locked))
    assert env.fake.invalid_requests == invalid + 1
    assert len(env.fake.posted(admin)) == 1  # told once

    env.fake.set_permissions(locked.external_id, manage_webhooks=True)
    with env.container.deps.uow() as uow:  # what /personae setup does
        uow.spaces.update_channel_settings(locked.id, {BLOCK_KEY: None})
        uow.commit()
    env.outbox.deliver(env.message("Back again.", channel=locked))
    assert [p.content for p in env.fake.posted(locked.external_id)] == ["Back again."]


@EMBEDDED_ONLY
def test_a_refused_webhook_post_blocks_and_a_later_success_clears(env: Env) -> None:
    env.outbox.deliver(env.message("Before."))
    env.fake.fail_next(403, code=50013, message="Missing Permissions", route=EXECUTE)
    with pytest.raises(ChannelBlocked):
        env.outbox.deliver(env.message("Refused."))
    assert env.settings_of(env.channel)[BLOCK_KEY]["code"] == 50013
    env.container.deps.clock.advance(601)  # type: ignore[attr-defined]
    env.outbox.deliver(env.message("After the cool-off."))
    assert env.settings_of(env.channel)[BLOCK_KEY] is None
    assert [p.content for p in env.fake.posted()] == ["Before.", "After the cool-off."]


def _next_json(pubsub: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        msg = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if msg and msg["type"] == "message":
            return dict(json.loads(msg["data"]))
    raise AssertionError("nothing published on the stream")


# -- dedicated-bot mode ----------------------------------------------------------------------


def test_a_character_with_its_own_bot_posts_as_that_bot_and_replies(
        make_env: Callable[..., Env], fake_discord: FakeDiscord) -> None:
    token, user = fake_discord.add_bot("Fitzwilliam Darcy")
    env = make_env(discord_character_tokens={"Fitzwilliam Darcy": token})
    sent = env.outbox.deliver(env.message("I am all astonishment. " * 100, name="Fitzwilliam Darcy",
                                          reply_to_external_id="1234567890"))
    posts = env.fake.posted()
    assert len(posts) == 2 and sent == posts[0].id
    assert all(p.kind == "bot" and p.author_id == user["id"] for p in posts)
    bodies = [r.json for r in env.fake.requests if r.route == BOT_POST]
    assert all(r.authorization == f"Bot {token}" for r in env.fake.requests)
    assert bodies[0]["message_reference"]["message_id"] == "1234567890"
    assert "message_reference" not in bodies[1]  # only the first part replies
    assert all(b["allowed_mentions"]["parse"] == [] for b in bodies)
    assert env.fake.route_counts[CREATE] == 0


def test_an_app_notice_named_like_a_dedicated_character_posts_through_the_webhook(
        make_env: Callable[..., Env], fake_discord: FakeDiscord) -> None:
    # A white label that happens to be a character's name: the notice is the app's own post,
    # never the character's bot's.
    token, _ = fake_discord.add_bot("Fitzwilliam Darcy")
    env = make_env(discord_character_tokens={"Fitzwilliam Darcy": token})
    env.outbox.deliver(env.message("New relationships are not tracked any more.",
                                   name="Fitzwilliam Darcy", from_app=True))
    [post] = env.fake.posted()
    assert post.kind == "webhook" and post.username == "Fitzwilliam Darcy"
    assert all(r.authorization != f"Bot {token}" for r in env.fake.requests)


@EMBEDDED_ONLY
def test_a_dm_without_the_characters_own_bot_is_refused_without_a_request(env: Env) -> None:
    dm = env.add_channel("dm-with-darcy")
    with env.container.deps.uow() as uow:
        uow.spaces.update_channel_settings(dm.id, {"dm": True, "dm_account": "77"})
        uow.commit()
    with pytest.raises(DeliveryError, match="DM"):
        env.outbox.deliver(env.message(channel=dm, name="Fitzwilliam Darcy"))
    assert env.fake.requests == []


# -- pacing ----------------------------------------------------------------------------------


def test_two_workers_sharing_redis_never_hit_a_429(make_env: Callable[..., Env],
                                                    fake_discord: FakeDiscord) -> None:
    fake_discord.webhook_limit, fake_discord.channel_limit = (5, 0.5), (15, 1.5)
    env = make_env(discord_webhook_rate="5/0.5", discord_channel_rate="15/1.5")
    c = env.container
    workers = [DiscordOutbox(c.settings, c.deps.uow, c.redis, clock=c.deps.clock,
                             pacing_margin_s=0.1) for _ in range(2)]
    env.outbox.deliver(env.message("Warming up: the webhook exists before the bursts."))
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        futures = []
        for burst in range(4):
            for i in range(10):
                worker = workers[i % 2]
                futures.append(pool.submit(worker.deliver, env.message(f"Burst {burst} #{i}")))
            time.sleep(0.3)
        ids = [f.result(timeout=30) for f in futures]
    elapsed = time.monotonic() - started
    assert env.fake.rate_limited == [] and sum(w.rate_limits.count for w in workers) == 0
    assert len(set(ids)) == 40 and len(env.fake.posted()) == 41
    # 41 posts at 15 per 1.5 s cannot take less than 3 s: the pacing did the waiting.
    assert elapsed > 2.5


@pytest.fixture(params=["fakeredis", "redis"])
def redis_client(request: pytest.FixtureRequest) -> Iterator[redis.Redis]:
    if request.param == "fakeredis":
        client: redis.Redis = fakeredis.FakeRedis()
    else:
        client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        client.flushdb()
    yield client
    client.close()


def test_reservations_keep_every_window_within_its_limit(redis_client: redis.Redis) -> None:
    pacer = Pacer(redis_client, Rate(5, 2), Rate(30, 60), margin_s=0.25, max_wait_s=3600)
    stamps: dict[str, list[int]] = {"hook-a": [], "hook-b": [], "bot": []}
    lock = threading.Lock()

    def reserve(n: int) -> None:
        for i in range(n):
            hook = ("hook-a", "hook-b", "bot")[i % 3]
            r = pacer.reserve("chan", None if hook == "bot" else hook)
            with lock:
                stamps[hook].append(int(r.stamp))

    threads = [threading.Thread(target=reserve, args=(30,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    channel = sorted(s for ss in stamps.values() for s in ss)
    assert len(channel) == 120
    _assert_sliding(channel, 30, 60_250)
    for hook in ("hook-a", "hook-b"):
        _assert_sliding(sorted(stamps[hook]), 5, 2_250)
    assert channel[30] - channel[0] >= 60_250  # the 31st waited a minute and a margin


def _assert_sliding(stamps: list[int], limit: int, period_ms: int) -> None:
    for i in range(len(stamps) - limit):
        assert stamps[i + limit] - stamps[i] >= period_ms, (i, stamps[i:i + limit + 1])


def test_a_long_backlog_is_refused_and_its_slot_given_back(redis_client: redis.Redis) -> None:
    pacer = Pacer(redis_client, Rate(5, 2), Rate(2, 60), margin_s=0, max_wait_s=30)
    assert pacer.reserve("c", "w").wait_s == 0 and pacer.reserve("c", "w").wait_s == 0
    for _ in range(2):
        with pytest.raises(ChannelBacklogged, match="scheduled"):
            pacer.reserve("c", "w")
    assert redis_client.llen(Pacer.keys("c", "w")[1]) == 2  # nothing left reserved


def test_a_post_that_left_late_spaces_the_next_from_when_it_left(
        redis_client: redis.Redis) -> None:
    pacer = Pacer(redis_client, Rate(5, 2), Rate(2, 1.0), margin_s=0)
    first = pacer.reserve("c", None)
    assert pacer.reserve("c", None).wait_s == 0
    time.sleep(0.3)  # the first post only goes out now
    pacer.confirm(first)
    assert pacer.reserve("c", None).wait_s >= 0.6  # 1 s after it left, not after its slot
    raw: list[bytes] = redis_client.lrange(Pacer.keys("c", None)[0], 0, -1)  # type: ignore[assignment]
    entries = [int(x) for x in raw]
    assert entries == sorted(entries) and len(entries) == 3


@pytest.mark.parametrize("bad", ["", "5", "0/2", "5/0", "a/b", "5/-1", "5/nan"])
def test_malformed_rates_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(bad)


def test_rates_parse() -> None:
    assert Rate.parse(" 30 / 60 ") == Rate(30, 60.0) and str(Rate.parse("5/2")) == "5/2"


@EMBEDDED_ONLY
def test_redis_unavailable_is_a_clear_error_and_nothing_is_posted(env: Env) -> None:
    env.outbox.deliver(env.message("Paced."))
    before = len(env.fake.requests)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nobody listens there
    # No retries: redis-py's default backoff would only make the test slower.
    dead = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5,
                       retry=Retry(NoBackoff(), 0))
    c = env.container
    outbox = DiscordOutbox(c.settings, c.deps.uow, dead, clock=c.deps.clock)
    with pytest.raises(PacingUnavailable, match="Redis is unavailable"):
        outbox.deliver(env.message("Unpaced?"))
    fresh = env.add_channel("no-webhook-yet")
    with pytest.raises(PacingUnavailable, match="Redis is unavailable"):
        outbox.deliver(env.message("Unpaced?", channel=fresh))
    assert len(env.fake.requests) == before


# -- wiring ----------------------------------------------------------------------------------


def test_the_composition_root_registers_discord_only_with_a_token(
        make_container: Callable[..., Container], env: Env) -> None:
    assert isinstance(env.container.deps.outboxes["discord"], DiscordOutbox)
    assert "discord" not in make_container().deps.outboxes


@EMBEDDED_ONLY
def test_a_configured_api_base_is_used_whatever_discord_py_defaults_to(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Route, "BASE", "http://127.0.0.1:9/api/v10")  # nobody listens there
    env.outbox.deliver(env.message("Through the configured base."))
    assert [p.content for p in env.fake.posted()] == ["Through the configured base."]


# -- splitting (pure) ------------------------------------------------------------------------


def test_split_prefers_paragraphs_then_sentences() -> None:
    para = "A short paragraph that ends here."
    long = " ".join(["This sentence has exactly eight words in it."] * 30)  # ~1,400 chars
    parts = split_message(f"{long}\n\n{para} {long}")
    assert parts[0] == long  # the paragraph break, not the word limit
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    no_paragraphs = split_message(" ".join(["Words and more words, then a stop."] * 100))
    assert all(p.endswith(".") for p in no_paragraphs)


def test_split_keeps_code_fences_balanced() -> None:
    code = "\n".join(f"    total += item_{i}  # keep going" for i in range(120))
    parts = split_message(f"Here is the script:\n```python\n{code}\n```\nThat is all.")
    assert len(parts) >= 2
    for part in parts:
        assert part.count("```") % 2 == 0 and len(part) <= MAX_MESSAGE
    assert parts[1].startswith("```python\n")


def test_split_hard_cuts_only_a_word_longer_than_the_limit() -> None:
    url = "https://example.org/" + "a" * 2500
    parts = split_message(f"See {url} now")
    assert [len(p) for p in parts] == [3, 2000, 524]
    assert "".join(parts[1:]).replace(" ", "") == url + "now"


words = st.text(alphabet=st.characters(categories=["L", "N", "P"]), min_size=1, max_size=40)
texts = st.lists(st.tuples(words, st.sampled_from([" ", " ", "\n", "\n\n", ". "])),
                 min_size=0, max_size=400)


@given(texts, st.integers(min_value=20, max_value=300))
@settings(max_examples=100, deadline=None)
def test_split_never_loses_or_cuts_words(pieces: list[tuple[str, str]], limit: int) -> None:
    text = "".join(w + sep for w, sep in pieces)
    parts = split_message(text, limit)
    assert all(0 < len(p) <= limit and p == p.strip() for p in parts)
    original = re.split(r"\s+", text.strip()) if text.strip() else []
    rebuilt = [w for p in parts for w in re.split(r"\s+", p)] if parts else []
    if all(len(w) <= limit for w in original):
        assert rebuilt == original  # no word was cut
    else:
        assert "".join(rebuilt) == "".join(original)
