"""Ingest: a member's message from any front door enters the loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from engine.errors import InvalidInput
from engine.interpretation import read_message
from engine.messages import Event, EventKind, IncomingMessage, Intent, ParticipantKind
from engine.services.decide import decide_after, enqueue
from engine.services.deps import Deps
from engine.services.notices import announce
from engine.services.perceive import event_payload, perceive

__all__ = ["IngestResult", "ingest"]

log = logging.getLogger(__name__)

#: Hard cap on one stored message; far above any platform's own limit (Discord 2,000,
#: Slack 40,000), so a real message is always stored whole.
MAX_STORED_CHARS = 200_000


@dataclass
class IngestResult:
    """What happened to one incoming message."""

    event_id: int | None
    duplicate: bool = False
    addressed: list[str] = field(default_factory=list)
    unknown_mentions: list[str] = field(default_factory=list)
    intents: list[Intent] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


#: Attempts when first contact races: two first messages of a new member (or in a new
#: channel) ingested at once both try to create its row and the loser's transaction rolls back.
FIRST_CONTACT_ATTEMPTS = 3


def ingest(deps: Deps, message: IncomingMessage, *, channel_name: str = "") -> IngestResult:
    """Perceive a member's message, decide who answers, and queue their replies.

    Idempotent on the platform message id: a replayed message is stored once and changes
    nothing. An empty message is refused with ``InvalidInput``; an oversized one is stored
    whole (up to ``MAX_STORED_CHARS``) and read from its beginning. A first contact that
    loses a race with another message creating the same member or channel is ingested again
    (the rows exist by then), so no message is lost to it.
    """
    for attempt in range(1, FIRST_CONTACT_ATTEMPTS + 1):
        try:
            return _ingest_once(deps, message, channel_name)
        except IntegrityError:
            if attempt == FIRST_CONTACT_ATTEMPTS:
                raise
            log.info("message %s: concurrent first contact, ingesting again",
                     message.message_id)
    raise AssertionError("unreachable")


def _ingest_once(deps: Deps, message: IncomingMessage, channel_name: str) -> IngestResult:
    text = message.text or ""
    if not text.strip():
        raise InvalidInput("An empty message says nothing; nobody will answer it.")
    notices: list[str] = []
    if len(text) > MAX_STORED_CHARS:
        raise InvalidInput(
            f"That message is {len(text):,} characters; the limit is {MAX_STORED_CHARS:,}. "
            "Split it into parts."
        )
    if len(text) > deps.settings.max_message_chars:
        notices.append(
            f"Long message ({len(text):,} characters): stored whole; characters read the "
            f"first {deps.settings.max_message_chars:,}."
        )
    now = message.sent_at or deps.clock.now()
    with deps.uow() as uow:
        known = uow.spaces.find_space_channel(message.platform, message.space_id,
                                              message.channel_id)
        if known is not None:  # the usual case, in one query
            ecosystem, channel = known
        else:
            ecosystem = uow.spaces.ensure_ecosystem(message.platform, message.space_id,
                                                    message.space_id, now)
            channel = uow.spaces.ensure_channel(ecosystem.id, message.channel_id,
                                                channel_name or message.channel_id, now)
        # A replay is caught when the event is appended (unique idempotency key): nothing
        # of this transaction is committed then.
        author_id = uow.participants.ensure_human(ecosystem.id, message.author_id,
                                                  message.author_name, now)
        cast = uow.participants.cast_of(channel.id)
        reply_author = None
        reply_event = None
        if message.reply_to_message_id:
            reply_event = uow.events.find_external(channel.id, message.reply_to_message_id)
            if reply_event is not None and reply_event.author_kind is ParticipantKind.CHARACTER:
                reply_author = reply_event.author_id
        reading = read_message(text[: deps.settings.max_message_chars], cast, reply_author)
        addressed = list(dict.fromkeys([*message.mentioned_character_ids, *reading.addressed_ids]))
        addressed = [i for i in addressed if any(m.id == i for m in cast)]
        event = Event(
            ecosystem_id=ecosystem.id,
            channel_id=channel.id,
            kind=EventKind.MESSAGE,
            idempotency_key=message.idempotency_key,
            external_id=message.message_id,
            created_at=now,
            author_id=author_id,
            author_kind=ParticipantKind.HUMAN,
            author_name=message.author_name,
            text=text,
            act=reading.act,
            target_id=addressed[0] if addressed else None,
            addressed_ids=tuple(addressed),
            sentiment=reading.sentiment,
            in_reply_to=reply_event.id if reply_event else None,
        )
        # The cast and the channel were read above in this same transaction: pass them on.
        # The channel's last event time is written with the decision's pacing slot.
        perception = perceive(uow, event, now, cast, touch=False)
        if perception.duplicate:
            return IngestResult(event_id=perception.event.id, duplicate=True)
        intents = decide_after(deps, uow, event, perception.cast, now, channel,
                               perception.reaction, last_event_at=now)
        uow.commit()
    names = {m.id: m.name for m in cast}
    if reading.unknown_mentions:
        notices.append(
            "No character named "
            + ", ".join(f"'{n}'" for n in reading.unknown_mentions)
            + " here. Present: " + (", ".join(m.name for m in cast) or "nobody") + "."
        )
    target_name = names.get(event.target_id) if event.target_id else None
    deps.stream.publish(ecosystem.id, event_payload(event, channel.external_id, target_name))
    announce(deps, ecosystem.id, perception.notices, channel.external_id)
    enqueue(deps, intents, now)
    return IngestResult(
        event_id=event.id,
        addressed=[names[i] for i in addressed],
        unknown_mentions=list(reading.unknown_mentions),
        intents=intents,
        notices=notices,
    )
