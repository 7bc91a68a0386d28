"""The scenario director, goals and story beats in the loop, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bots.console.community import ConsoleCommunity
from engine.acts import Act
from engine.adapters.sql.tables import events, goals, memories
from engine.errors import InvalidInput, NotFound
from engine.goals import GoalSource, GoalStatus
from engine.messages import EventKind
from engine.services import scenarios, setup
from engine.services.forgetting import forget_member
from engine.services.narrative import advance
from engine.stories.model import Genre, KeyEvent, SeedType, Stage, StoryThread
from workers.bootstrap import Container


def _open(container: Container) -> ConsoleCommunity:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    return community


def test_lifecycle_goals_and_a_directed_event_seen_by_exactly_those_present(
        container: Container) -> None:
    community = _open(container)
    deps = container.deps
    eco = community.ecosystem.id
    # Lydia leaves the drawing room for the garden: she must not witness what happens there.
    _, garden = setup.open_space(deps, "console", "local", ["garden"])
    lydia = setup.find_character(deps, eco, "Lydia Bennet")
    with deps.uow() as uow:
        uow.participants.leave(community.channel.id, lydia.id or 0)
        uow.participants.join(garden[0].id, lydia.id or 0, deps.clock.now())
        uow.commit()
    scenario = scenarios.create(deps, eco, "garden-conspiracy", channel_id=community.channel.id)
    assert scenario.status.value == "draft" and scenario.slug == "garden-conspiracy"
    started = scenarios.start(deps, scenario.id or 0)
    assert started.status.value == "running"
    with deps.uow() as uow:
        scenario_goals = uow.goals.from_source(eco, started.ref)
    assert len(scenario_goals) == 6 and all(g.source is GoalSource.SCENARIO
                                            for g in scenario_goals)

    result = scenarios.direct(deps, scenario.id or 0, "A letter arrives for Jane.")
    with deps.uow() as uow:
        present = {m.name for m in uow.participants.cast_of(community.channel.id)}
    assert set(result.witnesses) == present and "Lydia Bennet" not in result.witnesses
    assert result.addressed == ["Jane Bennet"]
    with container.database.engine.connect() as conn:
        owners = set(conn.execute(select(memories.c.owner_id).where(
            memories.c.text.contains("A letter arrives"))).scalars())
        directed = conn.execute(select(events.c.kind, events.c.author_name).where(
            events.c.id == result.event_id)).one()
    assert owners == {setup.find_character(deps, eco, n).id for n in present}
    assert directed == (EventKind.SYSTEM.value, scenarios.NARRATOR)

    paused = scenarios.pause(deps, scenario.id or 0)
    with pytest.raises(InvalidInput):
        scenarios.direct(deps, scenario.id or 0, "Thunder.")
    with deps.uow() as uow:
        assert {g.priority for g in uow.goals.from_source(eco, paused.ref)} == {0.0}
    scenarios.resume(deps, scenario.id or 0)
    stopped = scenarios.stop(deps, scenario.id or 0)
    assert stopped.status.value == "stopped"
    with deps.uow() as uow:
        assert uow.goals.from_source(eco, stopped.ref) == []
        left = uow.goals.from_source(eco, stopped.ref, active_only=False)
    assert {g.status for g in left} == {GoalStatus.ABANDONED}


def test_share_by_code_and_install_elsewhere(container: Container) -> None:
    community = _open(container)
    deps = container.deps
    scenario = scenarios.create(deps, community.ecosystem.id, "garden-conspiracy")
    code = scenarios.share(deps, scenario.id or 0)
    # Another ecosystem with the same cast installs it from the code.
    other_eco, chans = setup.open_space(deps, "discord", "guild-2", ["parlour"])
    for character in setup.list_characters(deps, community.ecosystem.id):
        character.id = None
        cid = setup.add_character(deps, other_eco.id, character)
        setup.add_to_cast(deps, chans[0].id, cid)
    installed = scenarios.install(deps, other_eco.id, code.lower())
    assert installed.ecosystem_id == other_eco.id and installed.channel_id == chans[0].id
    assert installed.title == "The Garden Conspiracy"
    assert [o.id for o in installed.objectives] == [o.id for o in scenario.objectives]
    assert (code, "The Garden Conspiracy") in scenarios.templates(deps)
    with pytest.raises(NotFound):
        scenarios.install(deps, other_eco.id, "NOPE-NOPE")
    with pytest.raises(InvalidInput, match="Not characters"):
        scenarios.create(deps, other_eco.id, {"title": "x", "cast": ["Mr. Bennet"]})


def test_scenario_goal_achieved_by_an_act_and_objective_tracked(container: Container) -> None:
    community = _open(container)
    deps = container.deps
    eco = community.ecosystem.id
    definition = {
        "title": "Apologies", "cast": [{"name": "Jane Bennet",
                                        "goals": ["make peace with Mary"]}],
        "objectives": [{"id": "peace", "kind": "hidden", "text": "Jane makes peace",
                        "condition": 'goal Jane achieved "peace"'}],
    }
    scenario = scenarios.create(deps, eco, definition, created_by=None)
    community.say("Hello everyone!")  # Mary becomes a participant
    scenarios.start(deps, scenario.id or 0)
    jane = setup.find_character(deps, eco, "Jane Bennet")
    with deps.uow() as uow:
        goal = uow.goals.from_source(eco, scenario.ref)[0]
        mary = uow.participants.find_human(eco, "member")
    assert mary is not None and goal.target_ids == (mary[0],)
    # Mary apologises to Jane: a reconciling goal is achieved by the target's apology too.
    community.say("Jane, I am so sorry, please forgive me.")
    with deps.uow() as uow:
        settled = uow.goals.of_character(jane.id or 0, [GoalStatus.ACHIEVED])
    assert "make peace with Mary" in [g.text for g in settled]
    done = scenarios.track(deps, eco)
    assert [o.id for _, objectives in done for o in objectives] == ["peace"]
    assert scenarios.get(deps, scenario.id or 0).status.value == "completed"
    # Forgetting Mary removes the goals aimed at her.
    forget_member(deps, "console", "local", "member")
    with container.database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(goals)
                            .where(goals.c.text.contains("Mary"))).scalar_one() == 0


def test_a_stalled_thread_gets_beats_and_a_member_steers_it(container: Container) -> None:
    community = _open(container)
    deps = container.deps
    eco = community.ecosystem.id
    darcy = setup.find_character(deps, eco, "Fitzwilliam Darcy").id or 0
    collins = setup.find_character(deps, eco, "William Collins").id or 0
    community.say("What a fine evening.")
    now = deps.clock.now()
    with deps.uow() as uow:
        event_id = uow.events.all(eco)[0].id or 0
        thread = StoryThread(eco, "The feud", SeedType.ESCALATING_CONFLICT, Genre.DRAMA,
                             (darcy, collins), now, now, channel_id=community.channel.id,
                             stage=Stage.DEVELOPING, tension=80,
                             key_events=[KeyEvent(event_id, now, "an insult")])
        uow.stories.save(thread)
        uow.commit()
    first = advance(deps, eco)  # never had a beat: one each
    assert {b.character_id for b in first} == {darcy, collins}
    assert advance(deps, eco) == []  # beats in progress: none more
    with deps.uow() as uow:
        beats = uow.goals.from_source(eco, f"thread:{thread.id}")
        for goal in beats:  # they expire unplayed...
            from dataclasses import replace
            uow.goals.save(eco, replace(goal, status=GoalStatus.ABANDONED), now)
        uow.commit()
    assert advance(deps, eco) == []  # ...but the thread has not stalled long enough yet
    deps.clock.advance(timedelta(seconds=700).total_seconds())  # type: ignore[attr-defined]
    again = advance(deps, eco)
    assert again, "a stalled thread gets a beat"
    # Mary makes peace between them: the story turns to reconciliation.
    community.say("Mr. Darcy, you are the most generous of men, and Mr. Collins admires you.")
    with deps.uow() as uow:
        steered = uow.stories.get(thread.id or 0)
        active = uow.goals.from_source(eco, f"thread:{thread.id}")
    assert steered is not None and steered.state.get("pathway") == "reconciliation"
    assert {g.text.split(" with ")[0] for g in active} == {"make peace"}
    assert all(g.reason.endswith("(reconciliation)") for g in active)
    assert Act.APOLOGISE.value  # the reconciling strategy's lead act
