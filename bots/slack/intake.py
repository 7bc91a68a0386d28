"""Intake: members' messages (channel messages, thread replies, app mentions) become
``IncomingMessage``s for the engine; our own posts and other bots' are not.

Slack sends a mention twice (``message`` and ``app_mention``) when both are subscribed: the
engine stores a message once (idempotent on its ``ts``), so both are simply handed on.
A member's ``message_deleted`` has the message forgotten (with what came only from it), a
``message_changed`` has it remembered in the new words (``engine.services.forgetting``).
Also: ``member_joined_channel`` of our bot user lifts a blocked channel; ``channel_left``
(the app was removed) blocks it before a worker finds out the hard way.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots.slack.context import PLATFORM, personae_of
from bots.slack.own_posts import is_member_message
from bots.slack.text import to_plain
from engine.errors import InvalidInput
from engine.messages import IncomingMessage
from engine.services.forgetting import amend_message, forget_messages
from engine.services.ingest import ingest
from workers.slack import blocking

__all__ = ["register", "on_message", "on_member_joined", "on_channel_left"]

log = logging.getLogger(__name__)


def _team(body: dict[str, Any], context: Any) -> str:
    return str(context.get("team_id") or body.get("team_id") or "")


def on_message(event: dict[str, Any], body: dict[str, Any], context: Any,
               client: WebClient) -> None:
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        _forget(event, body, context)
        return
    if subtype == "message_changed":
        _amend(event, body, context, client)
        return
    if not is_member_message(event, context):
        return
    personae = personae_of(context)
    channel, ts, user = str(event["channel"]), str(event["ts"]), str(event["user"])
    thread_ts = event.get("thread_ts")
    parent = str(thread_ts) if thread_ts and thread_ts != ts else None
    if parent:
        personae.threads.remember(channel, ts, parent)
    member = personae.directory.member(client, user)
    text = to_plain(str(event.get("text") or ""),
                    lambda uid: personae.directory.member(client, uid).name,
                    context.get("bot_user_id"))
    message = IncomingMessage(platform=PLATFORM, space_id=_team(body, context),
                              channel_id=channel, author_id=user, author_name=member.name,
                              text=text, message_id=ts, reply_to_message_id=parent)
    name = personae.directory.channel_name(client, channel)
    try:
        # A first contact racing another message is ingested again by the engine itself.
        result = ingest(personae.deps, message, channel_name=name)
    except InvalidInput as exc:  # e.g. only a mention of the app, or only a file
        log.debug("not ingested: %s", exc)
        return
    for notice in result.notices:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=notice,
                                      thread_ts=parent)
        except SlackApiError as exc:
            log.info("notice not shown in %s: %s", channel, exc.response.get("error"))


def _forget(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    deleted = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
    if not deleted or not event.get("channel"):
        return
    report = forget_messages(personae_of(context).deps, PLATFORM, _team(body, context),
                             str(event["channel"]), [str(deleted)])
    if report.events:
        log.info("forgot deleted message %s in %s", deleted, event["channel"])


def _amend(event: dict[str, Any], body: dict[str, Any], context: Any,
           client: WebClient) -> None:
    edited = event.get("message") or {}
    if not edited.get("ts") or not edited.get("user") or edited.get("bot_id") \
            or not event.get("channel"):
        return
    personae = personae_of(context)
    text = to_plain(str(edited.get("text") or ""),
                    lambda uid: personae.directory.member(client, uid).name,
                    context.get("bot_user_id"))
    try:
        amend_message(personae.deps, PLATFORM, _team(body, context), str(event["channel"]),
                      str(edited["ts"]), text)
    except InvalidInput as exc:
        log.info("edit of %s not applied: %s", edited.get("ts"), exc)


def on_member_joined(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    if event.get("user") != context.get("bot_user_id"):
        return
    personae = personae_of(context)
    with personae.deps.uow() as uow:
        ecosystem = uow.spaces.find_ecosystem(PLATFORM, _team(body, context))
    if ecosystem is not None and blocking.unblock(personae.deps.uow, ecosystem.id,
                                                  str(event.get("channel"))):
        log.info("channel %s unblocked: the app was invited back", event.get("channel"))


def on_channel_left(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    personae = personae_of(context)
    with personae.deps.uow() as uow:
        ecosystem = uow.spaces.find_ecosystem(PLATFORM, _team(body, context))
    if ecosystem is not None:
        blocking.block(personae.deps.uow, ecosystem.id, str(event.get("channel")),
                       "the app was removed from the channel", personae.deps.clock.now())


def register(app: App) -> None:
    app.event("message")(on_message)
    app.event("app_mention")(on_message)
    app.event("member_joined_channel")(on_member_joined)
    app.event("channel_left")(on_channel_left)
    app.event("group_left")(on_channel_left)
