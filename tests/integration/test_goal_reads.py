"""Goals are read only for characters that have stored ones (``CastMember.has_goals``, read
with the cast), and what perceiving an event stores is seen by the decision that follows."""

from __future__ import annotations

from sqlalchemy import update

from bots.console.community import ConsoleCommunity
from engine.acts import Act
from engine.adapters.sql.tables import characters
from engine.goals import GoalSource, GoalStatus
from engine.messages import Event, EventKind, ParticipantKind
from engine.services import scenarios, setup
from engine.services.goals import goals_of
from engine.services.perceive import perceive
from workers.bootstrap import Container


def _open(container: Container) -> ConsoleCommunity:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    return community


def test_the_cast_says_who_has_stored_goals(container: Container) -> None:
    community = _open(container)
    deps = container.deps
    eco = community.ecosystem.id
    with deps.uow() as uow:
        cast = uow.participants.cast_of(community.channel.id)
    assert cast and not any(m.has_goals for m in cast)  # card goals are not stored
    definition = {"title": "Letters", "cast": [{"name": "Jane Bennet",
                                                 "goals": ["find out who wrote the letter"]}],
                  "objectives": []}
    scenario = scenarios.create(deps, eco, definition, created_by=None)
    scenarios.start(deps, scenario.id or 0)
    jane = setup.find_character(deps, eco, "Jane Bennet").id
    with deps.uow() as uow:
        flags = {m.id: m.has_goals for m in uow.participants.cast_of(community.channel.id)}
        goals = goals_of(uow, uow.participants.cast_of(community.channel.id))
    assert {i for i, has in flags.items() if has} == {jane}
    assert [g.text for g in goals[jane or 0] if g.source is GoalSource.SCENARIO] == [
        "find out who wrote the letter"]


def test_a_card_goal_settled_while_perceiving_is_seen_by_the_decision(
        container: Container) -> None:
    community = _open(container)
    deps = container.deps
    eco = community.ecosystem.id
    community.say("Good morning.")  # Mary becomes a participant
    jane = setup.find_character(deps, eco, "Jane Bennet").id or 0
    text = "find out the truth about the letter"
    with container.database.engine.begin() as conn:
        conn.execute(update(characters).where(characters.c.id == jane).values(goals=[text]))
    now = deps.clock.now()
    with deps.uow() as uow:
        mary = uow.participants.find_human(eco, "member")
        assert mary is not None
        cast = uow.participants.cast_of(community.channel.id)
        assert not any(m.has_goals for m in cast)
        before = goals_of(uow, cast)[jane]
        assert [g.status for g in before if g.text == text] == [GoalStatus.ACTIVE]
        # Mary confides in Jane: an investigating goal is achieved by a confidence.
        event = Event(ecosystem_id=eco, channel_id=community.channel.id,
                      kind=EventKind.MESSAGE, idempotency_key="test:confide", created_at=now,
                      author_id=mary[0], author_kind=ParticipantKind.HUMAN,
                      author_name="Mary", text="Jane, between us, I wrote it.",
                      act=Act.CONFIDE, target_id=jane, addressed_ids=(jane,))
        perception = perceive(uow, event, now, cast)
        after = goals_of(uow, perception.cast)[jane]
        uow.commit()
    assert [g.text for g in after if g.active and g.text == text] == []
    with deps.uow() as uow:
        stored = uow.goals.of_character(jane, [GoalStatus.ACHIEVED])
    assert [g.text for g in stored] == [text]
