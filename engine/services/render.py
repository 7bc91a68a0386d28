"""Render, deliver, record: one worker job voices one intent as its character.

A model that times out skips the turn (the intent is marked ``skipped`` with the reason, the
loop goes on); nothing already stored is touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from engine.adapters.sql.uow import UnitOfWork
from engine.billing.tiers import limit_message, month_of
from engine.errors import ModelUnavailable
from engine.memory import RetrievalWeights, first_person, within_budget
from engine.messages import (
    Event,
    EventKind,
    IntentStatus,
    OutgoingMessage,
    ParticipantKind,
)
from engine.personas import address_form
from engine.ports import Renderer
from engine.rendering.model_renderer import ModelRenderer
from engine.rendering.offline import OfflineRenderer
from engine.rendering.request import RelationshipView, RenderRequest
from engine.services import enterprise, quotas
from engine.services.branding import brand_in
from engine.services.decide import decide_after, enqueue
from engine.services.deps import Deps
from engine.services.notices import announce
from engine.services.perceive import event_payload, perceive
from engine.services.recall import DEFAULT_CANDIDATES, recall

__all__ = ["RenderOutcome", "render_intent", "MEMORY_CANDIDATES"]

log = logging.getLogger(__name__)

#: How many of a character's memories nearest to the trigger are scored for one prompt (its
#: most recent and most important ones are scored too: see ``engine.services.recall``).
MEMORY_CANDIDATES = DEFAULT_CANDIDATES
EMBED_BATCH = 64
#: Voices characters once the month's model calls are used up.
_OFFLINE = OfflineRenderer()


@dataclass(frozen=True)
class RenderOutcome:
    intent_id: int
    status: str
    event_id: int | None = None
    text: str = ""
    reason: str = ""


def render_intent(deps: Deps, intent_id: int) -> RenderOutcome:
    """Render the intent, deliver it through the platform's outbox, and record it."""
    now = deps.clock.now()
    with deps.uow() as uow:
        intent = uow.intents.get(intent_id)
        if intent is None or not uow.intents.claim(intent_id):
            return RenderOutcome(intent_id, "ignored", reason="unknown or already handled")
        character = uow.participants.get_character(intent.character_id)
        channel = uow.spaces.get_channel(intent.channel_id)
        ecosystem = uow.spaces.get_ecosystem(intent.ecosystem_id)
        cast = uow.participants.cast_of(intent.channel_id)
        if character is None or channel is None or ecosystem is None or not any(
            m.id == intent.character_id and m.active for m in cast
        ):
            uow.intents.finish(intent_id, IntentStatus.SKIPPED, error="character left")
            uow.commit()
            return RenderOutcome(intent_id, "skipped", reason="character left the channel")
        names = uow.participants.names([i for i in (intent.target_id,) if i is not None])
        target = names.get(intent.target_id) if intent.target_id is not None else None
        trigger = uow.events.get(intent.trigger_event_id) if intent.trigger_event_id else None
        view = (
            uow.relationships.get(character.id or 0, intent.target_id, intent.ecosystem_id)
            if intent.target_id is not None else None
        )
        query = trigger.text if trigger else f"{intent.act.value} {target[0] if target else ''}"
        transcript = uow.events.recent(channel.id, deps.settings.transcript_window)
        # What is still in the transcript needs no recalling.
        horizon = transcript[0].created_at if transcript else now
        try:
            _embed_pending(deps, uow, character.id or 0)
            recalled = recall(
                uow, deps.embedder, owner_id=character.id or 0,
                query=query[: deps.settings.max_message_chars], now=now,
                k=deps.settings.memory_k, weights=RetrievalWeights.of_ecosystem(
                    ecosystem.settings),
                candidates=MEMORY_CANDIDATES, before=horizon,
            )
        except ModelUnavailable as exc:
            # An embedding endpoint that is down costs relevance, not the turn: the
            # character speaks from its most recent memories.
            log.warning("intent %s: recalling without embeddings: %s", intent_id, exc)
            recalled = uow.memories.recent_for(character.id or 0, deps.settings.memory_k,
                                               before=horizon)
        uow.commit()
    target_name = None
    if target is not None:
        member = next((m for m in cast if m.id == intent.target_id), None)
        formal = character.persona.speech.formality >= 0.65
        target_name = address_form(member.name, member.aliases, formal) if member else target[0]

    request = RenderRequest(
        character=character,
        act=intent.act,
        target_name=target_name,
        target_is_human=bool(target and target[1] is ParticipantKind.HUMAN),
        trigger_text=trigger.text[: deps.settings.max_message_chars] if trigger else None,
        trigger_author=trigger.author_name if trigger else None,
        relationship=RelationshipView(view.label, view.affinity, view.trust, view.familiarity)
        if view else RelationshipView(),
        memories=tuple(within_budget([first_person(m.text, character.name) for m in recalled],
                                     deps.settings.memory_token_budget)),
        transcript=tuple((e.author_name, e.text) for e in transcript),
        channel_name=channel.name,
        seed=deps.seed_for("render", intent_id),
    )
    renderer = _renderer_within_quota(deps, ecosystem.id, channel.id, channel.external_id)
    try:
        text = renderer.render(request).strip()
    except ModelUnavailable as exc:
        log.warning("intent %s skipped: %s", intent_id, exc)
        return _finish(deps, intent_id, IntentStatus.SKIPPED, f"model unavailable: {exc}")
    if not text:
        return _finish(deps, intent_id, IntentStatus.SKIPPED, "renderer returned nothing")

    outbox = deps.outboxes.get(ecosystem.platform)
    if outbox is None:
        return _finish(deps, intent_id, IntentStatus.FAILED,
                       f"no outbox for platform {ecosystem.platform}")
    try:
        external_id = outbox.deliver(
            OutgoingMessage(
                ecosystem_id=ecosystem.id,
                channel_external_id=channel.external_id,
                character_name=character.name,
                text=text,
                avatar_url=character.persona.avatar_url,
                reply_to_external_id=trigger.external_id if trigger else None,
                character_id=character.id,
                parent_channel_external_id=channel.settings.get("parent_external_id"),
            )
        )
    except Exception as exc:  # noqa: BLE001 - adapters raise their own errors; keep the loop alive
        log.exception("delivery of intent %s failed", intent_id)
        return _finish(deps, intent_id, IntentStatus.FAILED, f"delivery failed: {exc}")

    now = deps.clock.now()
    target_is_character = bool(target and target[1] is ParticipantKind.CHARACTER)
    event = Event(
        ecosystem_id=ecosystem.id,
        channel_id=channel.id,
        kind=EventKind.MESSAGE,
        idempotency_key=f"intent:{intent_id}",
        external_id=external_id,
        created_at=now,
        author_id=character.id,
        author_kind=ParticipantKind.CHARACTER,
        author_name=character.name,
        text=text,
        act=intent.act,
        target_id=intent.target_id,
        addressed_ids=(intent.target_id,) if target_is_character and intent.target_id else (),
        chain_depth=intent.chain_depth,
        in_reply_to=intent.trigger_event_id,
        payload={"intent_id": intent_id, "reason": intent.reason},
    )
    with deps.uow() as uow:
        perception = perceive(uow, event, now)
        uow.participants.set_last_spoke(character.id or 0, now)
        uow.intents.finish(intent_id, IntentStatus.DELIVERED, result_event_id=event.id)
        followups = [] if perception.duplicate else decide_after(
            deps, uow, event, perception.cast, now, reaction=perception.reaction
        )
        uow.commit()
    if not perception.duplicate:
        deps.stream.publish(
            ecosystem.id, event_payload(event, channel.external_id, target[0] if target else None)
        )
        announce(deps, ecosystem.id, perception.notices, channel.external_id)
    enqueue(deps, followups, now)
    return RenderOutcome(intent_id, "delivered", event_id=event.id, text=text)


def _renderer_within_quota(deps: Deps, ecosystem_id: int, channel_id: int,
                           channel_external_id: str) -> Renderer:
    """The configured renderer while the tier's monthly model calls last (each render through
    a model counts one), then the offline renderer; the first time in a month, a notice in
    the channel says so and how to lift the limit. A community with its own model (Enterprise)
    is voiced by it, counted against no limit."""
    own = enterprise.renderer_for(deps, ecosystem_id)
    if own is not None:
        return own
    if not isinstance(deps.renderer, ModelRenderer):
        return deps.renderer
    if quotas.consume(deps, ecosystem_id, "model_calls"):
        return deps.renderer
    now = deps.clock.now()
    with deps.uow() as uow:
        tier = uow.billing.tier(ecosystem_id, now)
        limit = tier.model_calls or 0
        notice = Event(
            ecosystem_id=ecosystem_id, channel_id=channel_id, kind=EventKind.SYSTEM,
            created_at=now, author_name=brand_in(uow, ecosystem_id, now).name,
            idempotency_key=f"quota:model_calls:{ecosystem_id}:{month_of(now)}",
            text=limit_message(uow.billing.catalog, tier, "model_calls", limit + 1)
            + " Until then the characters speak without the model.",
            payload={"type": "quota", "resource": "model_calls"},
        )
        fresh = uow.events.append(notice) is not None
        uow.commit()
    if fresh:
        log.warning("ecosystem %s: monthly model calls used up; offline renderer", ecosystem_id)
        announce(deps, ecosystem_id, [notice], channel_external_id)
    return _OFFLINE


def _embed_pending(deps: Deps, uow: UnitOfWork, owner_id: int) -> None:
    """Embed this character's not-yet-embedded memories, in batches, before recalling."""
    pending = uow.memories.unembedded(owner_id, EMBED_BATCH * 4)
    for start in range(0, len(pending), EMBED_BATCH):
        batch = pending[start : start + EMBED_BATCH]
        vectors = deps.embedder.embed([m.text for m in batch])
        for memory, vector in zip(batch, vectors, strict=True):
            uow.memories.set_embedding(memory.id or 0, vector)


def _finish(deps: Deps, intent_id: int, status: IntentStatus, reason: str) -> RenderOutcome:
    with deps.uow() as uow:
        uow.intents.finish(intent_id, status, error=reason)
        uow.commit()
    return RenderOutcome(intent_id, status.value, reason=reason)
