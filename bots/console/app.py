"""The interactive console community: the channel scrolls above, the member types below.

Characters' lines arrive over the ecosystem's real-time stream (Redis pub/sub), exactly as a
live view would receive them; typed lines go in through the engine like any platform message.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from typing import Any

from rich.console import Console
from rich.table import Table

from bots.console.community import ConsoleCommunity
from engine.errors import UserFacingError
from engine.services.initiative import tick
from workers.embedded import EmbeddedWorker
from workers.stream import channel_name

__all__ = ["run_interactive"]

log = logging.getLogger(__name__)

HELP = (
    "Type to speak in the channel. Address a character by name or @name "
    "(e.g. '@Darcy, do you dance?'). Commands: /cast, /relationships, /observatory, "
    "/graph [FILE.png], /why NAME and NAME, /memories NAME [WORDS], /announce on|off, "
    "/scenario …, /stories [ID], /forget-me, /help, /quit."
)
PALETTE = ["magenta", "cyan", "green", "yellow", "bright_blue", "red", "bright_magenta"]


class _Listener:
    """Prints characters' messages as they are published on the stream."""

    def __init__(self, community: ConsoleCommunity, console: Console) -> None:
        self.community = community
        self.console = console
        self.colours: dict[str, str] = {}
        self.pubsub = community.container.redis.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(channel_name(community.ecosystem.id))
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="personae-listener", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            message = self.pubsub.get_message(timeout=0.2)
            if message and message.get("type") == "message":
                self.show(json.loads(message["data"]))

    def show(self, payload: dict[str, Any]) -> None:
        if payload.get("kind") == "system":
            self.console.print(f"[italic bright_black]✦ {payload['text']}[/]")
            return
        if not payload.get("is_character"):
            return
        name = payload["author"]
        colour = self.colours.setdefault(name, PALETTE[len(self.colours) % len(PALETTE)])
        act = payload.get("act") or ""
        target = f" → {payload['target']}" if payload.get("target") else ""
        self.console.print(f"[bold {colour}]{name}[/][dim] ({act}{target})[/]: {payload['text']}")

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=2)
        self.pubsub.close()


def _cast_table(community: ConsoleCommunity) -> Table:
    table = Table(title="Who is here", show_lines=False)
    for column in ("Character", "Talkativeness", "Autonomy", "Last spoke"):
        table.add_column(column)
    with community.deps.uow() as uow:
        for member in uow.participants.cast_of(community.channel.id):
            spoke = member.last_spoke_at.strftime("%H:%M:%S") if member.last_spoke_at else "—"
            table.add_row(member.name, f"{member.talkativeness:.1f}",
                          str(member.autonomy_level), spoke)
    return table


def _relationship_table(community: ConsoleCommunity) -> Table:
    table = Table(title="Relationships (how the first sees the second)")
    for column in ("From", "To", "Label", "Affinity", "Trust", "Familiarity"):
        table.add_column(column)
    with community.deps.uow() as uow:
        rels = uow.relationships.for_ecosystem(community.ecosystem.id)
        names = uow.participants.names([i for r in rels for i in (r.source_id, r.target_id)])
    for r in rels:
        table.add_row(names[r.source_id][0], names[r.target_id][0], r.label,
                      f"{r.affinity:+.2f}", f"{r.trust:+.2f}", f"{r.familiarity:.2f}")
    return table


def run_interactive(community: ConsoleCommunity, worker: EmbeddedWorker, renderer: str) -> None:
    """Run the console community until the member types /quit (or Ctrl-D)."""
    console = Console(highlight=False)
    console.print(f"[bold]Personae[/] — console community [bold]#{community.channel.name}[/]")
    console.print(f"Renderer: [bold]{renderer}[/]")
    console.print(HELP, style="dim")
    listener = _Listener(community, console)
    listener.thread.start()
    worker.start()
    stop = threading.Event()

    def ticker() -> None:
        while not stop.wait(1.0):
            try:
                tick(community.deps, community.ecosystem.id)
            except Exception:  # noqa: BLE001 - the community keeps living
                log.exception("tick failed")

    threading.Thread(target=ticker, name="personae-ticker", daemon=True).start()
    tick(community.deps, community.ecosystem.id)
    try:
        for line in _lines(console):
            text = line.strip()
            if not text:
                continue
            if text in ("/quit", "/exit"):
                break
            if text == "/help":
                console.print(HELP, style="dim")
                continue
            if text == "/cast":
                console.print(_cast_table(community))
                continue
            if text == "/relationships":
                console.print(_relationship_table(community))
                continue
            if text.startswith("/"):
                try:
                    _command(community, console, text)
                except UserFacingError as exc:
                    console.print(f"[yellow]{exc}[/]")
                continue
            try:
                result = community.say(text)
            except UserFacingError as exc:
                console.print(f"[yellow]{exc}[/]")
                continue
            for notice in result.notices:
                console.print(f"[yellow]{notice}[/]")
            if result.addressed:
                console.print(f"[dim](addressed: {', '.join(result.addressed)})[/]")
    finally:
        stop.set()
        worker.stop()
        listener.stop()
        console.print("[dim]Goodbye. The cast will remember this evening.[/]")


def _command(community: ConsoleCommunity, console: Console, text: str) -> None:
    """The console's social commands (the same engine services the bots call)."""
    from engine.services import setup
    from engine.services.observatory import (
        observatory,
        relationship_graph,
        relationship_story,
        render_text,
    )

    deps, eco = community.deps, community.ecosystem.id
    word, _, rest = text.partition(" ")
    if word == "/observatory":
        console.print(render_text(observatory(deps, eco)), markup=False)
    elif word == "/graph":
        path = rest.strip() or "relationships.png"
        with open(path, "wb") as handle:
            handle.write(relationship_graph(deps, eco))
        console.print(f"[dim]Relationship graph written to {path}[/]")
    elif word == "/why":
        first, sep, second = rest.partition(" and ")
        if not sep:
            console.print("[yellow]Usage: /why Elizabeth Bennet and Fitzwilliam Darcy[/]")
            return
        console.print(relationship_story(deps, eco, first.strip(), second.strip()), markup=False)
    elif word == "/memories":
        from bots.console.memories import memories_command

        console.print(memories_command(deps, eco, rest))
    elif word == "/forget-me":
        from bots.console.community import MEMBER_ID, PLATFORM, SPACE
        from engine.services.forgetting import forget_member

        report = forget_member(deps, PLATFORM, SPACE, MEMBER_ID)
        console.print(f"[dim]Forgotten: {report.events} of your messages, {report.memories} "
                      f"memories of them, {report.relationships} relationships.[/]")
    elif word == "/scenario":
        from bots.console.scenario import scenario_command

        for line in scenario_command(community, rest):
            console.print(line, markup=False)
    elif word in ("/stories", "/story"):
        from bots.console.stories import stories_command

        for line in stories_command(deps, eco, rest):
            console.print(line, markup=False)
    elif word == "/announce" and rest.strip() in ("on", "off"):
        setup.set_announcements(deps, community.channel.id, rest.strip() == "on")
        console.print(f"[dim]Relationship announcements {rest.strip()}.[/]")
    else:
        console.print(f"[yellow]Unknown command {word}.[/] {HELP}")


def _lines(console: Console):  # noqa: ANN202
    """Typed lines: a prompt_toolkit prompt on a terminal, plain stdin otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.patch_stdout import patch_stdout

        session: PromptSession[str] = PromptSession()
        with patch_stdout(raw=True):
            while True:
                try:
                    yield session.prompt("you › ")
                except (EOFError, KeyboardInterrupt):
                    return
    else:
        yield from sys.stdin
