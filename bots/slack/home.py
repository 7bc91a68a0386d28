"""The App Home tab as the Observatory: the cast with moods, the relationship graph image,
relationships, alliances, conflicts, ongoing conversations, and channels the app cannot post in.

The graph is uploaded privately (files_upload_v2 without a channel) and shown by its file id;
the upload is reused for a few minutes so opening the tab again costs no new file.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots.slack.context import SlackContext, personae_of
from engine.services.branding import DEFAULT_BRAND
from engine.services.characters import AI_DISCLOSURE
from engine.services.enterprise import brand_of
from engine.services.observatory import ObservatoryReport, observatory, relationship_graph
from workers.slack import blocking

__all__ = ["register", "on_home_opened", "home_view"]

log = logging.getLogger(__name__)

GRAPH_KEY = "personae:slack:home-graph"
GRAPH_TTL_S = 300
#: Lines per section (a view holds at most 100 blocks and 3,000 characters per text).
SECTION_LINES = 12


def _section(title: str, lines: list[str]) -> dict[str, Any]:
    body = "\n".join(lines[:SECTION_LINES]) if lines else "_none yet_"
    if len(lines) > SECTION_LINES:
        body += f"\n… and {len(lines) - SECTION_LINES} more"
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}"[:3000]}}


def home_view(report: ObservatoryReport, graph_file_id: str | None,
              blocked: dict[str, str], brand_name: str = DEFAULT_BRAND) -> dict[str, Any]:
    """The tab; its header carries the bot's name here (an Enterprise white label)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text",
                                    "text": f"{brand_name} — Observatory"[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": AI_DISCLOSURE}]},
        _section("Cast", [f"{c.emoji} *{c.name}* — {c.mood}"
                          f"{'' if c.active else ' (quiet)'}" for c in report.characters]),
    ]
    if graph_file_id:
        blocks.append({"type": "image", "slack_file": {"id": graph_file_id},
                       "alt_text": "The relationship graph",
                       "title": {"type": "plain_text", "text": "Relationships"}})
    blocks += [
        _section("Relationships", [f"{r.source} → {r.target}: {r.label}"
                                   for r in report.relationships]),
        _section("Alliances", list(report.alliances)),
        _section("Conflicts", list(report.conflicts)),
        _section("Ongoing conversations", [f"#{c.channel}: {', '.join(c.participants)} "
                                           f"({c.messages} messages)"
                                           for c in report.conversations]),
        _section("Notable changes", list(report.notable_changes)),
    ]
    if blocked:
        blocks.append(_section("Channels the characters cannot post in",
                               [f"<#{c}> — {why}" for c, why in blocked.items()]))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
                   "`/personae help` for everything you can do."}]})
    return {"type": "home", "blocks": blocks}


def _graph_file(personae: SlackContext, client: WebClient, ecosystem_id: int,
                has_characters: bool) -> str | None:
    if not has_characters:
        return None
    redis = personae.container.redis
    key = f"{GRAPH_KEY}:{ecosystem_id}"
    cached = redis.get(key)
    if cached:
        return cached.decode() if isinstance(cached, bytes) else str(cached)
    png = relationship_graph(personae.deps, ecosystem_id, size_px=800)
    try:
        uploaded = client.files_upload_v2(content=png, filename="relationships.png",
                                          title="Relationships")
    except SlackApiError as exc:
        log.info("graph upload for the home tab: %s", exc.response.get("error"))
        return None
    file_id = str(uploaded["files"][0]["id"]) if uploaded.get("files") else None
    if file_id:
        redis.set(key, file_id, ex=GRAPH_TTL_S)
    return file_id


def on_home_opened(event: dict[str, Any], body: dict[str, Any], context: Any,
                   client: WebClient) -> None:
    if event.get("tab", "home") != "home":
        return
    personae = personae_of(context)
    team = str(context.get("team_id") or body.get("team_id") or "")
    eco = personae.ecosystem(team)
    report = observatory(personae.deps, eco.id)
    file_id = _graph_file(personae, client, eco.id, bool(report.characters))
    blocked = blocking.blocked_channels(personae.deps.uow, eco.id)
    brand = brand_of(personae.deps, eco.id)
    client.views_publish(user_id=str(event["user"]),
                         view=home_view(report, file_id, blocked, brand.name))


def register(app: App) -> None:
    app.event("app_home_opened")(on_home_opened)
