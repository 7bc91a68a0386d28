"""End to end in the console: the bundled scenario runs non-interactively, in simulated time,
until its hidden objective completes; the story's key events come in order; a directed event
is perceived by exactly the characters present; the ``/scenario`` command drives it all."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bots.console.community import ConsoleCommunity
from bots.console.scenario import run_until_objective, scenario_command
from bots.console.simulation import Simulation
from engine.acts import Act
from engine.adapters.sql.tables import memories
from engine.clock import ManualClock
from engine.messages import EventKind
from engine.services import scenarios, setup
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker


def test_garden_conspiracy_runs_until_its_hidden_objective(
        make_container: Callable[..., Container]) -> None:
    clock = ManualClock()
    container = make_container(clock=clock)
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    deps, eco = container.deps, community.ecosystem.id
    # Kitty's corner: Collins is called away to the library and must miss what happens here.
    library = setup.open_space(deps, "console", "local", ["library"])[1][0]
    collins = setup.find_character(deps, eco, "William Collins").id or 0
    with deps.uow() as uow:
        uow.participants.leave(community.channel.id, collins)
        uow.participants.join(library.id, collins, clock.now())
        uow.commit()

    created = scenario_command(community, "create garden-conspiracy")
    assert created[0].startswith("Created scenario #")
    scenario = scenarios.find(deps, eco, "garden-conspiracy")
    members_view = scenario_command(community, "show garden-conspiracy")
    assert any("hidden" in line for line in members_view)  # the console's member directs
    assert scenario_command(community, f"start {scenario.id}") == [
        "The Garden Conspiracy: running."]

    directed = scenario_command(community, f"direct {scenario.id} A storm breaks over the garden.")
    assert directed[0].startswith("* A storm breaks over the garden. (witnessed by ")
    with deps.uow() as uow:
        present = {m.id for m in uow.participants.cast_of(community.channel.id)}
        storm = next(e for e in reversed(uow.events.all(eco)) if e.kind is EventKind.SYSTEM)
    with container.database.engine.connect() as conn:
        witnesses = set(conn.execute(select(memories.c.owner_id).where(
            memories.c.text.contains("A storm breaks"))).scalars())
    assert witnesses == present and collins not in witnesses and len(present) == 5

    run = run_until_objective(Simulation(community, clock, EmbeddedWorker(container)),
                              scenario.id or 0, "conspiracy", max_turns=150)
    assert run.completed, f"hidden objective not reached in {run.turns} turns"
    assert run.scenario.status.value == "completed"
    assert [o.id for o in run.scenario.objectives if o.done][:1] == ["truth"] or \
        run.scenario.objective("truth").done  # type: ignore[union-attr]

    # The key events, in order: the opening narration, the storm, Elizabeth's questions (her
    # goal at work), Lydia's confidence to Elizabeth.
    with deps.uow() as uow:
        log = uow.events.all(eco)
        ids = {c.name: c.id for c in uow.participants.list_characters(eco)}
    opening = next(i for i, e in enumerate(log) if e.text.startswith("The Garden Conspiracy."))
    storm_at = next(i for i, e in enumerate(log) if e.id == storm.id)
    confided = next(i for i, e in enumerate(log)
                    if e.author_id == ids["Lydia Bennet"] and e.act is Act.CONFIDE
                    and ids["Elizabeth Bennet"] in (e.target_id, *e.addressed_ids))
    goal_driven = [i for i, e in enumerate(log)
                   if str(e.payload.get("reason", "")).startswith("goal: ")]
    assert opening < storm_at < confided
    assert goal_driven and goal_driven[0] < confided
    final = scenario_command(community, f"show {scenario.id}")
    assert any(line.startswith("  [x] hidden:") for line in final)
    # The exported scenario (engine.services.scenario_export) has the key events in the same
    # order, a chapter opened by the directed storm, and the completed hidden objective.
    from engine.services.scenario_export import export_scenario

    text = export_scenario(deps, scenario.id or 0, "md")
    assert text.index("The Garden Conspiracy.") < text.index("A storm breaks") \
        < text.index(log[confided].text.split("\n")[0][:40])
    assert "II. A storm breaks over the garden" in text
    assert "✓ hidden: Elizabeth's search succeeds" in text
    html = export_scenario(deps, scenario.id or 0, "html")
    assert "<html" in html.lower() and "A storm breaks" in html
