"""Exporting stories as Markdown and HTML: a title, a cast, chapters, the actual dialogue, and
optional narration between scenes.

One shape serves both callers: :class:`Story` (title, cast, ordered :class:`Chapter` of events)
is built from a thread by :func:`story_from_thread` (chapters follow the arc's stages) or by the
scenario director from its own chapters; :func:`export_story` renders any of them. Pure: the
narration, when a model writes it, arrives through :func:`narrate` with the model passed in.
Every piece of user or model text is escaped for its format (HTML-escaped; in Markdown,
characters that would start markup or raw HTML are backslash-escaped).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.errors import InvalidInput, ModelUnavailable
from engine.messages import Event, EventKind
from engine.ports import LanguageModel
from engine.stories.model import Stage, StoryThread

__all__ = [
    "Chapter", "Story", "story_from_thread", "narrate", "to_markdown", "to_html",
    "export_story", "render", "timeline_lines", "FORMATS", "STAGE_CHAPTERS",
]

log = logging.getLogger(__name__)

FORMATS = ("md", "html")
#: Chapter titles for the arc's stages.
STAGE_CHAPTERS: dict[Stage, str] = {
    Stage.SEED: "Beginnings",
    Stage.DEVELOPING: "Rising Tension",
    Stage.CLIMAX: "The Climax",
    Stage.RESOLUTION: "Resolution",
    Stage.DORMANT: "A Long Quiet",
}
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass
class Chapter:
    """One chapter: its title, its events in order, and optional narration before them."""

    title: str
    events: list[Event]
    narration: str = ""


@dataclass
class Story:
    """A readable story. ``cast`` lines are names, optionally "Name — who they are"."""

    title: str
    cast: list[str]
    chapters: list[Chapter]
    subtitle: str = ""
    #: Extra lines under the title (genre, tension, predictions...).
    notes: list[str] = field(default_factory=list)


def story_from_thread(thread: StoryThread, names: Mapping[int, str],
                      dialogue: Sequence[Event]) -> Story:
    """A thread as a story: one chapter per arc stage it went through (split at the times of
    its stage changes), each holding the dialogue of that stretch."""
    turns = [t for t in thread.state.get("turns", []) if isinstance(t, dict)]  # type: ignore[attr-defined]
    marks: list[tuple[datetime, Stage]] = [(thread.created_at, Stage.SEED)]
    for t in turns:
        try:
            marks.append((datetime.fromisoformat(str(t["at"])), Stage(str(t["to"]))))
        except (KeyError, ValueError):
            continue
    events = sorted(dialogue, key=lambda e: (e.created_at, e.id or 0))
    # Events before the thread was recognised belong to its beginning.
    buckets: list[tuple[Stage, list[Event]]] = [(stage, []) for _, stage in marks]
    for e in events:
        index = 0
        for i, (at, _) in enumerate(marks):
            if i and e.created_at >= at:
                index = i
        buckets[index][1].append(e)
    chapters: list[Chapter] = []
    for stage, chunk in buckets:
        if not chunk:
            continue
        if chapters and chapters[-1].title.endswith(STAGE_CHAPTERS[stage]):
            chapters[-1].events.extend(chunk)
            continue
        number = _ROMAN[len(chapters)] if len(chapters) < len(_ROMAN) else str(len(chapters) + 1)
        chapters.append(Chapter(title=f"{number}. {STAGE_CHAPTERS[stage]}", events=chunk))
    cast = [names.get(p, f"#{p}") for p in thread.participants]
    notes = [f"A {thread.genre.value} story ({thread.seed_type.value.replace('_', ' ')}), "
             f"now {thread.stage.value}; tension {thread.tension:.0f}%."]
    notes += [f"Next: {p.text}" for p in thread.predictions]
    return Story(title=thread.title, cast=cast, chapters=chapters, notes=notes)


def narrate(story: Story, model: LanguageModel | None, *, max_tokens: int = 120) -> Story:
    """The story with narration before each chapter, written by ``model``; without a model (or
    when it is unavailable) the story comes back unchanged (no narration offline)."""
    if model is None:
        return story
    chapters = []
    for chapter in story.chapters:
        lines = "\n".join(_plain_line(e) for e in chapter.events[:12])
        try:
            text = model.complete([
                {"role": "system", "content": "You are the narrator of a novel. In two or "
                 "three sentences of past-tense prose, set the scene for the chapter whose "
                 "dialogue follows. Do not quote the dialogue. No headings."},
                {"role": "user", "content": f"Story: {story.title}\nChapter: {chapter.title}"
                                            f"\n{lines}"},
            ], max_tokens=max_tokens, temperature=0.7)
        except ModelUnavailable:
            log.info("no model for the narration of %r: exported without", story.title)
            return story
        chapters.append(replace(chapter, narration=" ".join(text.split())[:1200]))
    return replace(story, chapters=chapters)


def _plain_line(e: Event) -> str:
    who = e.author_name or "Someone"
    return f"{who}: {' '.join(e.text.split())}" if e.kind is EventKind.MESSAGE else e.text


# -- Markdown ----------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!])")


def _md(text: str) -> str:
    """Text that renders as itself in Markdown (markup and raw HTML escaped, one line)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _speaker(e: Event, names: Mapping[int, str]) -> str:
    return e.author_name or names.get(e.author_id or 0, "") or "Someone"


def to_markdown(story: Story, names: Mapping[int, str] | None = None) -> str:
    names = names or {}
    out = [f"# {_md(story.title)}", ""]
    if story.subtitle:
        out += [f"*{_md(story.subtitle)}*", ""]
    for note in story.notes:
        out += [f"> {_md(note)}", ""]
    if story.cast:
        out += ["## Cast", ""] + [f"- {_md(c)}" for c in story.cast] + [""]
    for chapter in story.chapters:
        out += [f"## {_md(chapter.title)}", ""]
        if chapter.narration:
            out += [f"*{_md(chapter.narration)}*", ""]
        for e in chapter.events:
            if e.kind is EventKind.SYSTEM or e.author_id is None and not e.author_name:
                out += [f"*{_md(e.text)}*", ""]
            else:
                out += [f"**{_md(_speaker(e, names))}:** {_md(e.text)}", ""]
    return "\n".join(out).rstrip() + "\n"


# -- HTML --------------------------------------------------------------------------------------
_CSS = ("body{font-family:Georgia,serif;max-width:42em;margin:2em auto;line-height:1.5;"
        "padding:0 1em}h1{margin-bottom:.2em}.note{color:#555;font-style:italic}"
        ".narration{font-style:italic;color:#333}.line .who{font-weight:bold}"
        ".system{font-style:italic;color:#666}")


def to_html(story: Story, names: Mapping[int, str] | None = None) -> str:
    names = names or {}
    e_ = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{e_(story.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{e_(story.title)}</h1>"]
    if story.subtitle:
        out.append(f'<p class="note">{e_(story.subtitle)}</p>')
    out += [f'<p class="note">{e_(n)}</p>' for n in story.notes]
    if story.cast:
        out += ["<h2>Cast</h2>", "<ul>"] + [f"<li>{e_(c)}</li>" for c in story.cast] + ["</ul>"]
    for chapter in story.chapters:
        out += ["<section>", f"<h2>{e_(chapter.title)}</h2>"]
        if chapter.narration:
            out.append(f'<p class="narration">{e_(chapter.narration)}</p>')
        for ev in chapter.events:
            if ev.kind is EventKind.SYSTEM or ev.author_id is None and not ev.author_name:
                out.append(f'<p class="system">{e_(ev.text)}</p>')
            else:
                out.append(f'<p class="line"><span class="who">{e_(_speaker(ev, names))}:'
                           f"</span> {e_(ev.text)}</p>")
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def export_story(title: str, cast: Sequence[str], chapters: Sequence[Chapter | tuple[str,
                 Sequence[Event]]], fmt: str = "md", *, model: LanguageModel | None = None,
                 notes: Sequence[str] = ()) -> str:
    """Render a story given its title, cast and ordered chapters (``Chapter`` or
    ``(title, events)``) as ``"md"`` or ``"html"``; with ``model``, narration between scenes."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown story format {fmt!r} (choose from {', '.join(FORMATS)})")
    built = [c if isinstance(c, Chapter) else Chapter(title=c[0], events=list(c[1]))
             for c in chapters]
    story = narrate(Story(title=title, cast=list(cast), chapters=built, notes=list(notes)),
                    model)
    return render(story, fmt)


def render(story: Story, fmt: str = "md") -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown story format {fmt!r} (choose from {', '.join(FORMATS)})")
    return to_markdown(story) if fmt == "md" else to_html(story)


def timeline_lines(thread: StoryThread) -> list[str]:
    """The thread's timeline as lines ("18:04 Darcy insults Wickham: ...")."""
    return [f"{k.at:%Y-%m-%d %H:%M} {k.summary}" for k in thread.key_events]

