"""Rich renderings of the memory browser's results, shared by ``personae memory`` and the console.

Memory texts are members' words: they are always wrapped in ``rich.text.Text`` so that
brackets in them are shown as written, never read as markup.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from engine.services.memory_browser import (
    AssociationsView,
    ConsolidationView,
    MemoryDetail,
    MemoryPage,
    MemoryRow,
    Overview,
    Reflection,
)

__all__ = [
    "page_view",
    "reflections_view",
    "detail_view",
    "associations_view",
    "overview_view",
    "tone_text",
]

_TIME = "%Y-%m-%d %H:%M"


def tone_text(tone: float) -> Text:
    """An emotional tone (-1..1), green when warm, red when cold."""
    style = "green" if tone >= 0.2 else "red" if tone <= -0.2 else "dim"
    return Text(f"{tone:+.2f}", style=style)


def _kind(row: MemoryRow) -> Text:
    text = Text(row.kind)
    if row.subject:
        text.append(f" · {row.subject}", style="cyan")
    if row.archived:
        text.append(" (archived)", style="dim italic")
    return text


def _line(row: MemoryRow) -> Text:
    """One memory on one line: ``#12 [kind] text (importance, tone)``."""
    text = Text(f"#{row.id} ", style="dim")
    text.append_text(_kind(row))
    text.append(": ")
    text.append(row.text)
    text.append(f"  (importance {row.importance:.1f}, tone ", style="dim")
    text.append_text(tone_text(row.emotional_tone))
    text.append(")", style="dim")
    return text


def _range(offset: int, shown: int, total: int | None) -> str:
    if shown == 0:
        return "none"
    span = f"{offset + 1}–{offset + shown}"
    return f"{span} of {total}" if total is not None else span


def page_view(page: MemoryPage) -> RenderableType:
    """A page of memories as a table (search, top, knowledge)."""
    name = page.character.name
    titles = {
        "text": f"{name}'s memories matching '{page.query}'" if page.query
        else f"{name}'s memories",
        "semantic": f"What {name} recalls for '{page.query}'",
        "top": f"{name}'s most important memories",
        "knowledge": f"What {name} knows" + (f" about {page.query}" if page.query else ""),
    }
    shown = _range(page.offset, len(page.memories), page.total)
    table = Table(title=f"{titles.get(page.mode, name)} ({shown})")
    for column, justify in (("#", "right"), ("When", "left"), ("Kind", "left"),
                            ("Imp.", "right"), ("Tone", "right"), ("Memory", "left"),
                            ("Cited by", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in page.memories:
        table.add_row(
            str(row.id), row.created_at.strftime(_TIME), _kind(row), f"{row.importance:.1f}",
            tone_text(row.emotional_tone), Text(row.text),
            str(page.cited_by.get(row.id, "")),
        )
    if not page.memories:
        return Group(table, Text("No memories match.", style="yellow"))
    return table


def _reflection_tree(reflection: Reflection) -> Tree:
    tree = Tree(_line(reflection.memory))
    if not reflection.cited:
        tree.add(Text("(cites no memory)", style="dim"))
    for cited in reflection.cited:
        tree.add(_line(cited))
    return tree


def reflections_view(view: ConsolidationView) -> RenderableType:
    """Each reflection or piece of knowledge, with the memories it was drawn from."""
    shown = _range(view.offset, len(view.reflections), view.total)
    root = Tree(Text(f"{view.character.name}'s reflections and knowledge ({shown})",
                     style="bold"))
    if not view.reflections:
        root.add(Text("Nothing consolidated yet.", style="yellow"))
    for reflection in view.reflections:
        root.children.append(_reflection_tree(reflection))
    return root


def detail_view(detail: MemoryDetail) -> RenderableType:
    """One memory, what it cites and which reflections cite it."""
    root = Tree(_line(detail.memory))
    m = detail.memory
    where = f" in #{m.channel}" if m.channel else ""
    root.add(Text(f"remembered {m.created_at.strftime(_TIME)}{where}, last recalled "
                  f"{m.last_accessed_at.strftime(_TIME)}", style="dim"))
    if detail.cites:
        cites = root.add(Text("drawn from", style="bold"))
        for row in detail.cites:
            cites.add(_line(row))
    cited_by = root.add(Text("cited by", style="bold"))
    if not detail.cited_by:
        cited_by.add(Text("no reflection yet", style="dim"))
    for row in detail.cited_by:
        cited_by.add(_line(row))
    return root


def associations_view(view: AssociationsView) -> RenderableType:
    """Per participant: how many memories, their mean tone, the warmest and the coldest."""
    table = Table(title=f"{view.character.name}'s feelings in memory")
    for column, justify in (("Who", "left"), ("Memories", "right"), ("Mean tone", "right"),
                            ("Most positive", "left"), ("Most negative", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for a in view.associations:
        table.add_row(
            Text(f"{a.name} ({a.participant_kind})"), str(a.memories), tone_text(a.mean_tone),
            _extreme(a.most_positive), _extreme(a.most_negative),
        )
    if not view.associations:
        return Group(table, Text("No memories about anyone yet.", style="yellow"))
    return table


def _extreme(row: MemoryRow | None) -> Text:
    if row is None:
        return Text("—", style="dim")
    text = Text(f"#{row.id} ", style="dim")
    text.append(row.text)
    text.append(" ")
    text.append_text(tone_text(row.emotional_tone))
    return text


def overview_view(ov: Overview) -> RenderableType:
    """The memory summary, counts per kind, the top memories and the latest reflections."""
    parts: list[RenderableType] = [
        Panel(Text(ov.summary or "No memory summary yet."),
              title=f"{ov.character.name} — memory summary", expand=False),
    ]
    counts = Table(title="Memories")
    for column in ("Kind", "Active", "Archived"):
        counts.add_column(column, justify="left" if column == "Kind" else "right")
    kinds = sorted(set(ov.counts.active) | set(ov.counts.archived))
    for kind in kinds:
        counts.add_row(kind, str(ov.counts.active.get(kind, 0)),
                       str(ov.counts.archived.get(kind, 0)))
    counts.add_row(Text("total", style="bold"), str(sum(ov.counts.active.values())),
                   str(sum(ov.counts.archived.values())))
    parts.append(counts)
    facts = []
    if ov.counts.first_at and ov.counts.last_at:
        facts.append(f"From {ov.counts.first_at.strftime(_TIME)} to "
                     f"{ov.counts.last_at.strftime(_TIME)}.")
    if ov.counts.unembedded:
        facts.append(f"{ov.counts.unembedded} not embedded yet (the embedding job will "
                     "reach them).")
    facts.append("Last consolidated " + (ov.consolidated_at.strftime(_TIME)
                                         if ov.consolidated_at else "never") + ".")
    parts.append(Text(" ".join(facts), style="dim"))
    if ov.top:
        top = Tree(Text("Most important", style="bold"))
        for row in ov.top:
            top.add(_line(row))
        parts.append(top)
    if ov.reflections:
        latest = Tree(Text("Latest reflections", style="bold"))
        for reflection in ov.reflections:
            latest.children.append(_reflection_tree(reflection))
        parts.append(latest)
    return Group(*parts)
