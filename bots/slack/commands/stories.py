"""``/personae story list|show|export``: the stories the engine follows in this workspace.

``show`` is the story dashboard as a Block Kit message: title, genre and stage, a tension bar,
the key events and what may happen next. ``export`` uploads the story as Markdown and HTML
files (``files_upload_v2``: the upload URL, the upload, the completion) into the channel;
directors only, like every change or copy of the community's content.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bots.slack.commands.base import Invocation, clip
from engine.errors import InvalidInput
from engine.services import stories as service
from engine.stories.export import Story, render, timeline_lines
from engine.stories.model import StoryThread

__all__ = ["story", "escape", "tension_bar", "dashboard_blocks", "USAGE"]

USAGE = ("Usage: `/personae story list` · `/personae story show ID` · "
         "`/personae story export ID [md|html]` (directors)")
#: Key events and predictions shown on the dashboard (Slack caps a section at 3,000 chars).
SHOWN_EVENTS = 10
SHOWN_PREDICTIONS = 5
FORMATS = ("md", "html")


def escape(text: str) -> str:
    """Text shown as-is in mrkdwn (``&``, ``<``, ``>`` escaped as Slack asks)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tension_bar(tension: float, width: int = 10) -> str:
    """``▰▰▰▰▱▱▱▱▱▱ 42%``."""
    filled = round(max(0.0, min(100.0, tension)) / 100 * width)
    return f"{'▰' * filled}{'▱' * (width - filled)} {tension:.0f}%"


def story(inv: Invocation) -> None:
    action = inv.args[0].lower() if inv.args else "list"
    rest = inv.args[1:]
    if action == "list" and not rest:
        _list(inv)
    elif action == "show" and len(rest) == 1:
        thread = service.get_thread(inv.deps, _thread_id(rest[0]), inv.ecosystem.id)
        inv.respond(text=clip(_dashboard_text(thread)), blocks=dashboard_blocks(thread),
                    response_type="ephemeral")
    elif action == "export" and len(rest) in (1, 2):
        fmt = rest[1].lower() if len(rest) == 2 else None
        if fmt is not None and fmt not in FORMATS:
            raise InvalidInput(f"Export as `md` or `html`, not `{rest[1]}`.\n{USAGE}")
        inv.require_director()
        _export(inv, _thread_id(rest[0]), (fmt,) if fmt else FORMATS)
    else:
        raise InvalidInput(USAGE)


def _thread_id(text: str) -> int:
    value = text.lstrip("#")
    if not value.isdigit():
        raise InvalidInput(f"`{text}` is not a story id; `/personae story list` shows them.")
    return int(value)


def _list(inv: Invocation) -> None:
    eco = inv.ecosystem.id
    service.detect_stories(inv.deps, eco)  # cheap: skipped when nothing happened since
    threads = service.list_threads(inv.deps, eco, limit=20)
    if not threads:
        inv.reply("No stories yet: they grow out of what the characters (and you) do.")
        return
    lines = ["*Stories*"]
    lines += [f"`#{t.id}` *{escape(t.title)}* — {t.genre.value}, {t.stage.value} · "
              f"{tension_bar(t.tension)}" for t in threads]
    lines.append("`/personae story show ID` for one story's key events and what comes next.")
    inv.reply("\n".join(lines))


def _text(value: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": value[:3000]}


def dashboard_blocks(t: StoryThread) -> list[dict[str, Any]]:
    """The story dashboard: header, facts, tension bar, key events, predictions."""
    events = timeline_lines(t)[-SHOWN_EVENTS:]
    predictions = [p.text for p in t.predictions[:SHOWN_PREDICTIONS]]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t.title[:150]}},
        {"type": "section", "fields": [
            _text(f"*Genre*\n{t.genre.value}"),
            _text(f"*Kind*\n{t.seed_type.value.replace('_', ' ')}"),
            _text(f"*Stage*\n{t.stage.value}"),
            _text(f"*Tension*\n{tension_bar(t.tension)}"),
        ]},
        {"type": "divider"},
        {"type": "section", "block_id": "key_events", "text": _text(
            "*Key events*\n" + ("\n".join(f"• {escape(line)}" for line in events)
                                or "_none yet_"))},
        {"type": "section", "block_id": "predictions", "text": _text(
            "*What may happen next*\n" + ("\n".join(f"• {escape(p)}" for p in predictions)
                                          or "_no goals to go by_"))},
        {"type": "context", "elements": [_text(
            f"Story #{t.id} · `/personae story export {t.id}` writes it up as a story")]},
    ]
    return blocks


def _dashboard_text(t: StoryThread) -> str:
    """The dashboard as plain text (notifications, clients without blocks)."""
    lines = [f"*{escape(t.title)}* — {t.genre.value}, {t.stage.value}, tension "
             f"{tension_bar(t.tension)}"]
    lines += [f"• {escape(line)}" for line in timeline_lines(t)[-SHOWN_EVENTS:]]
    lines += [f"Next: {escape(p.text)}" for p in t.predictions[:SHOWN_PREDICTIONS]]
    return "\n".join(lines)


def _slug(title: str) -> str:
    kept = "".join(ch.lower() if ch.isalnum() else "-" for ch in title)
    return "-".join(part for part in kept.split("-") if part)[:60] or "story"


def _export(inv: Invocation, thread_id: int, formats: tuple[str, ...]) -> None:
    upload_story(inv, service.story_of_thread(inv.deps, thread_id, inv.ecosystem.id), formats,
                 "as a story")


def upload_story(inv: Invocation, built: Story, formats: tuple[str, ...], what: str) -> None:
    """Upload ``built`` as Markdown and/or HTML files into the invoking channel, then say so.

    Raises:
        InvalidInput: The app is not in the channel (with how to invite it).
    """
    name = _slug(built.title)
    uploads = [{"content": render(built, fmt), "filename": f"{name}.{fmt}",
                "title": f"{built.title} ({'Markdown' if fmt == 'md' else 'HTML'})"}
               for fmt in formats]
    try:
        inv.client.files_upload_v2(channel=inv.channel_id, file_uploads=uploads,
                                   initial_comment=f"“{built.title}”, {what}.")
    except SlackApiError as exc:
        if exc.response.get("error") in ("not_in_channel", "channel_not_found"):
            raise InvalidInput("The app is not in this channel, so it cannot share the story "
                               "here: `/invite @Personae` first.") from exc
        raise
    inv.reply(f"Exported “{built.title}” as " + " and ".join(
        "Markdown" if f == "md" else "HTML" for f in formats) + ".")
