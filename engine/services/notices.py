"""Notices for a channel's members, posted where they talk (Discord, Slack), exactly once.

The engine writes some SYSTEM events for people to read:

* **quota** notices — the month's model calls are used up, new relationships are no longer
  tracked over the tier's limit (``engine.services.render``, ``engine.services.social``):
  always posted, they say what the limit is and how to lift it;
* **announcements** — a relationship that changed, a betrayal, a conflict, an alliance formed
  or broken (``engine.services.social.record_notices``, ``engine.services.reflect``): posted
  only while the channel announces changes (channel setting ``announce_changes``, on by
  default; it is checked when they are stored and again before posting).

Other SYSTEM events (a director's scene direction, a blocked channel's report) are not notices,
and nothing is posted in a direct-message channel (channel setting ``dm``: only a character's
own bot can speak there).

``announce`` runs after the events are committed: it publishes them on the event stream (the
console shows them from there) and queues one ``deliver_notice`` job each (``JobQueue.
enqueue_notice``) when this process has an outbox for the community's platform that posts
notices (not the console's: ``posts_notices = False``). The job posts through that outbox as
the bot itself: the community's brand name and avatar (``engine.services.branding``: the white
label while the tier includes one, else "Personae"), ``character_id`` None.

**Exactly once**, with any number of bot and worker processes: before posting, the job claims
the event — its ``external_id`` becomes ``claim:<UTC time>:<token>`` in one conditional UPDATE
(committed), so a single process wins — and afterwards puts the platform's message id in its
place. A job run again (a retry, a duplicate) finds the id and posts nothing. A failed post
gives the claim up and raises, so the queue's retry tries again; a claim left behind by a
process that died is taken over after ``CLAIM_STALE_S``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from engine.errors import ServiceUnavailable
from engine.messages import Event, EventKind, OutgoingMessage
from engine.services.branding import brand_in
from engine.services.deps import Deps
from engine.services.perceive import event_payload

__all__ = ["NoticeOutcome", "QUOTA", "ANNOUNCEMENT", "CLAIM_STALE_S", "kind_of", "announce",
           "deliver_notice", "posts_notices"]

log = logging.getLogger(__name__)

QUOTA = "quota"
ANNOUNCEMENT = "announcement"
#: A claim older than this is taken to belong to a process that died while posting.
CLAIM_STALE_S = 600.0
_CLAIM = "claim:"
#: UTC times in claims sort as text (fixed width).
_CLAIM_TIME = "%Y%m%dT%H%M%S"


@dataclass(frozen=True)
class NoticeOutcome:
    event_id: int
    #: "posted", "already posted", "skipped"
    status: str
    external_id: str | None = None
    reason: str = ""


def kind_of(event: Event) -> str | None:
    """``QUOTA``, ``ANNOUNCEMENT``, or None for events that are not notices to post."""
    if event.kind is not EventKind.SYSTEM or event.channel_id is None:
        return None
    payload = event.payload or {}
    if payload.get("directed"):
        return None
    kind = payload.get("type")
    if kind == "quota":
        return QUOTA
    if kind == "alliance" or "cause_event_id" in payload:
        return ANNOUNCEMENT
    return None


def posts_notices(deps: Deps, platform: str) -> bool:
    """Whether this process can post notices on ``platform`` (an outbox that posts them)."""
    outbox = deps.outboxes.get(platform)
    return outbox is not None and bool(getattr(outbox, "posts_notices", True))


def announce(deps: Deps, ecosystem_id: int, events: Iterable[Event],
             channel_external_id: str = "") -> None:
    """After commit: publish ``events`` on the stream and queue the posting of the notices
    among them (see the module docstring). A queue that is down costs the post, not the
    caller's work: it is logged."""
    events = list(events)
    if not events:
        return
    for event in events:
        deps.stream.publish(ecosystem_id, event_payload(event, channel_external_id, None))
    wanted = [e.id for e in events if e.id is not None and kind_of(e) is not None]
    if not wanted:
        return
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
    if ecosystem is None or not posts_notices(deps, ecosystem.platform):
        return
    for event_id in wanted:
        try:
            deps.queue.enqueue_notice(event_id)
        except ServiceUnavailable as exc:
            log.error("notice %s of ecosystem %s will not be posted: %s", event_id,
                      ecosystem_id, exc)


def deliver_notice(deps: Deps, event_id: int) -> NoticeOutcome:
    """Post the notice ``event_id`` in its channel, once (see the module docstring).

    Raises:
        Whatever the platform's outbox raises (the claim is given up first, so a retry can
        post it).
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        event = uow.events.get(event_id)
        if event is None:
            return NoticeOutcome(event_id, "skipped", reason="no such event (erased?)")
        kind = kind_of(event)
        channel = uow.spaces.get_channel(event.channel_id) if event.channel_id else None
        ecosystem = uow.spaces.get_ecosystem(event.ecosystem_id)
        if kind is None or channel is None or ecosystem is None:
            return NoticeOutcome(event_id, "skipped", reason="not a notice for a channel")
        if channel.settings.get("dm"):
            return NoticeOutcome(event_id, "skipped", reason="a direct-message channel")
        if kind == ANNOUNCEMENT and not channel.settings.get("announce_changes", True):
            return NoticeOutcome(event_id, "skipped", reason="the channel announces nothing")
        if event.external_id and not event.external_id.startswith(_CLAIM):
            return NoticeOutcome(event_id, "already posted", event.external_id)
        outbox = deps.outboxes.get(ecosystem.platform)
        if outbox is None or not posts_notices(deps, ecosystem.platform):
            return NoticeOutcome(event_id, "skipped",
                                 reason=f"no outbox posts notices on {ecosystem.platform}")
        brand = brand_in(uow, ecosystem.id, now)
        claim = f"{_CLAIM}{now:{_CLAIM_TIME}}:{uuid.uuid4().hex[:12]}"
        stale = f"{_CLAIM}{now - timedelta(seconds=CLAIM_STALE_S):{_CLAIM_TIME}}"
        claimed = uow.events.claim_external(event_id, claim, stale)
        uow.commit()
    if not claimed:
        return NoticeOutcome(event_id, "already posted",
                             reason="posted, or being posted by another process")
    message = OutgoingMessage(
        ecosystem_id=ecosystem.id, channel_external_id=channel.external_id,
        character_name=brand.name, text=event.text, avatar_url=brand.avatar_url,
        character_id=None, from_app=True,
        parent_channel_external_id=channel.settings.get("parent_external_id"))
    try:
        external_id = outbox.deliver(message)
    except BaseException:
        with deps.uow() as uow:
            uow.events.settle_external(event_id, claim, None)
            uow.commit()
        raise
    with deps.uow() as uow:
        settled = uow.events.settle_external(event_id, claim, external_id)
        uow.commit()
    if not settled:  # our claim went stale and another process took it over meanwhile
        log.warning("notice %s: posted as %s after its claim was taken over", event_id,
                    external_id)
    log.info("notice %s posted in %s channel %s as %s", event_id, ecosystem.platform,
             channel.external_id, external_id)
    return NoticeOutcome(event_id, "posted", external_id)
