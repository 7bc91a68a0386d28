"""``personae``: the command line (demo, characters, worker, scheduler, migrate)."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from bots.cli.billing import billing_app
from bots.cli.characters import characters_app
from bots.cli.discord import discord_app
from bots.cli.enterprise import enterprise_app
from bots.cli.errors import fail, friendly_errors
from bots.cli.marketplace import marketplace_app
from bots.cli.memory import memory_app
from bots.cli.memory_tuning import eval_command, weights_command
from bots.cli.scenario import scenario_app
from bots.cli.slack import slack_app
from bots.cli.social import members_app, observatory_command, relationships_app
from bots.cli.story import story_app
from engine.settings import Settings

__all__ = ["app"]

app = typer.Typer(
    help="Personae: AI characters living in your community.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(characters_app, name="characters")
app.add_typer(relationships_app, name="relationships")
app.add_typer(members_app, name="members")
app.add_typer(memory_app, name="memory")
app.add_typer(slack_app, name="slack")
app.add_typer(discord_app, name="discord")
app.add_typer(scenario_app, name="scenario")
app.add_typer(story_app, name="story")
app.add_typer(marketplace_app, name="marketplace")
app.add_typer(billing_app, name="billing")
app.add_typer(enterprise_app, name="enterprise")
memory_app.command("eval")(eval_command)
memory_app.command("weights")(weights_command)
app.command("observatory")(observatory_command)


def _logging(settings: Settings) -> None:
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if settings.log_level.upper() != "DEBUG":
        logging.getLogger("rq").setLevel(logging.WARNING)


def _parse_member_lines(values: list[str]) -> dict[int, str]:
    lines: dict[int, str] = {}
    for value in values:
        turn, sep, text = value.partition(":")
        if not sep or not turn.strip().isdigit() or not text.strip():
            fail(f"--say expects TURN:TEXT (e.g. '3:@Darcy, do you dance?'), got {value!r}")
        lines[int(turn)] = text.strip()
    return lines


@app.command()
def demo(
    turns: Annotated[int | None, typer.Option(help="Run this many character turns, then stop.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for every random choice.")] = 7,
    transcript: Annotated[Path | None, typer.Option(help="Write a Markdown transcript here.")] = None,
    say: Annotated[list[str], typer.Option(help="TURN:TEXT — the member says TEXT after TURN character turns (repeatable).")] = [],  # noqa: B006
    database_url: Annotated[str | None, typer.Option(help="Keep the community in this database (default: a fresh temporary one).")] = None,
    member_name: Annotated[str, typer.Option(help="Your name in the channel.")] = "Guest",
    scenario: Annotated[str | None, typer.Option(help="Start this bundled scenario first (e.g. garden-conspiracy).")] = None,
) -> None:
    """Open the console community with the bundled Pride and Prejudice cast.

    Without --turns it is interactive: type to join in. With --turns it runs that many
    character turns reproducibly in simulated time (same seed, same messages). With
    --scenario the bundled scenario is started before the first turn; the summary says which
    of its objectives completed.
    """
    from bots.console.community import ConsoleCommunity
    from engine.clock import ManualClock
    from workers.bootstrap import build, install
    from workers.embedded import EmbeddedWorker

    scratch = tempfile.mkdtemp(prefix="personae-demo-")
    overrides: dict[str, object] = {
        "database_url": database_url or f"sqlite:///{scratch}/community.db",
        "redis_url": "fakeredis://",
        "seed": seed,
    }
    interactive = turns is None
    if interactive:
        overrides.update(idle_initiative_s=10.0, cooldown_s=12.0, reply_delay_s=2.5)
    settings = Settings(**overrides)  # type: ignore[arg-type]
    _logging(settings)
    clock = None if interactive else ManualClock()
    with friendly_errors():
        container = build(settings, clock=clock, honour_delays=interactive)
        install(container)
        community = ConsoleCommunity(container, member_name=member_name)
        cast = community.open()
        running = _start_scenario(community, scenario) if scenario else None
        worker = EmbeddedWorker(container)
        renderer = container.deps.renderer.name
        if interactive:
            from bots.console.app import run_interactive

            typer.echo(f"Cast: {', '.join(cast)}")
            if running is not None:
                typer.echo(f"Scenario #{running}: {scenario} is running (/scenario show "
                           f"{running}).")
            run_interactive(community, worker, renderer)
            return
        from bots.console.simulation import Simulation

        assert isinstance(clock, ManualClock) and turns is not None
        typer.echo(f"Renderer: {renderer} · seed {seed} · cast: {', '.join(cast)}", err=True)
        if running is not None:
            typer.echo(f"Scenario #{running}: {scenario} is running.", err=True)
        started = time.perf_counter()
        report = Simulation(community, clock, worker).run(
            turns, _parse_member_lines(say), on_line=typer.echo
        )
        elapsed = time.perf_counter() - started
        if transcript is not None:
            header = [
                f"# Personae demo — #{community.channel.name}",
                "",
                f"Seed {seed}, {report.turns} character turns, renderer: {renderer}.",
                "",
            ]
            transcript.write_text("\n".join(header + community.transcript_lines()) + "\n",
                                  encoding="utf-8")
            typer.echo(f"Transcript written to {transcript}", err=True)
        typer.echo(
            f"{report.turns} turns in {elapsed:.1f}s ({report.skipped} skipped).", err=True
        )
        if running is not None:
            typer.echo(_scenario_summary(community, running), err=True)


def _start_scenario(community: object, slug: str) -> int:
    """Start the bundled scenario ``slug`` in the console community (the one already running
    there, if any); its id."""
    from bots.console.community import ConsoleCommunity
    from engine.scenarios.model import ScenarioStatus
    from engine.services import scenarios

    assert isinstance(community, ConsoleCommunity)
    deps, eco = community.deps, community.ecosystem.id
    definition = scenarios.bundled_definition(slug)  # NotFound names the bundled ones
    live = [s for s in scenarios.list_scenarios(deps, eco) if s.slug == definition.get("slug")
            and s.status in (ScenarioStatus.RUNNING, ScenarioStatus.PAUSED)]
    if live:
        found = live[-1]
        if found.status is ScenarioStatus.PAUSED:
            scenarios.resume(deps, found.id or 0)
        return int(found.id or 0)
    made = scenarios.create(deps, eco, definition, channel_id=community.channel.id)
    return int(scenarios.start(deps, made.id or 0).id or 0)


def _scenario_summary(community: object, scenario_id: int) -> str:
    """``Scenario The Garden Conspiracy: completed — objectives 4/4 complete (truth, …).``"""
    from bots.console.community import ConsoleCommunity
    from engine.services import scenarios

    assert isinstance(community, ConsoleCommunity)
    scenarios.track(community.deps, community.ecosystem.id)
    s = scenarios.get(community.deps, scenario_id)
    done = [o.id for o in s.objectives if o.done]
    verdict = ("every objective complete" if s.status.value == "completed"
               else "objectives not completed")
    return (f"Scenario {s.title}: {s.status.value}, {verdict} — {len(done)}/"
            f"{len(s.objectives)} done" + (f" ({', '.join(done)})." if done else "."))


@app.command()
def migrate() -> None:
    """Apply every pending database migration (PERSONAE_DATABASE_URL)."""
    from engine.adapters.sql.database import Database

    settings = Settings()
    with friendly_errors():
        Database(settings.database_url).migrate()
    typer.echo("Database is up to date.")


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
) -> None:
    """Run an RQ worker for render jobs (scale out by starting more)."""
    from rq import Worker

    from workers.bootstrap import container

    settings = Settings()
    _logging(settings)
    with friendly_errors():
        c = container()
        if settings.embedded:
            fail("`personae worker` needs a real Redis: set PERSONAE_REDIS_URL=redis://...")
        # The priority queue (tiers with priority processing) is served first.
        Worker(c.queues, connection=c.redis).work(burst=burst, with_scheduler=True)


@app.command()
def scheduler(
    interval: Annotated[float, typer.Option(help="Seconds between ticks.")] = 5.0,
    once: Annotated[bool, typer.Option(help="Tick once and exit.")] = False,
) -> None:
    """Run the periodic tick: characters start conversations in quiet channels."""
    from engine.services.initiative import tick
    from workers.bootstrap import container

    settings = Settings()
    _logging(settings)
    with friendly_errors():
        c = container()
        deps = c.deps
        while True:
            created = tick(deps)
            c.database.checkpoint()
            logging.getLogger("personae.scheduler").info("tick: %d intents", len(created))
            if once:
                typer.echo(f"{len(created)} intents created.")
                return
            time.sleep(interval)


if __name__ == "__main__":  # pragma: no cover
    app()
