"""The reflection step on both backends: alliances against a common rival, decay, drift."""

from __future__ import annotations

from dataclasses import replace

from bots.console.community import ConsoleCommunity
from engine.clock import ManualClock
from engine.messages import EventKind
from engine.relationships import Relationship
from engine.services.reflect import reflect
from workers.bootstrap import Container


def _setup(container: Container) -> tuple[ConsoleCommunity, dict[str, int]]:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    with community.deps.uow() as uow:
        ids = {m.name.split()[0]: m.id for m in uow.participants.cast_of(community.channel.id)}
    return community, ids


def _set(container: Container, rel: Relationship) -> None:
    with container.deps.uow() as uow:
        uow.relationships.save(replace(rel, updated_at=container.deps.clock.now()))
        uow.commit()


def _friends_with_a_common_rival(container: Container, eco: int, a: int, b: int,
                                 rival: int) -> None:
    """``a`` and ``b`` are close friends who both see ``rival`` as a rival."""
    for source, target in ((a, b), (b, a)):
        _set(container, Relationship(source, target, eco, affinity=0.7, trust=0.7,
                                     familiarity=0.8, label="close friend"))
    for source in (a, b):
        _set(container, Relationship(source, rival, eco, affinity=-0.4, rivalry=0.7,
                                     familiarity=0.5, label="rival"))


def test_an_alliance_forms_against_a_common_rival(container: Container) -> None:
    community, ids = _setup(container)
    eco = community.ecosystem.id
    eliz, jane, collins = ids["Elizabeth"], ids["Jane"], ids["William"]
    _friends_with_a_common_rival(container, eco, eliz, jane, collins)
    report = reflect(container.deps, eco, force=True)
    assert report is not None
    with container.deps.uow() as uow:
        alliances = uow.pacts.alliances(eco)
        notices = [e for e in uow.events.all(eco) if e.kind is EventKind.SYSTEM]
    pact = next(a for a in alliances if {eliz, jane} <= a.members)
    assert collins not in pact.members and collins in pact.against
    assert "William Collins" in pact.purpose
    assert any("alliance" in n.text for n in notices)
    # A second reflection does not form the same alliance twice.
    reflect(container.deps, eco, force=True)
    with container.deps.uow() as uow:
        assert len([a for a in uow.pacts.alliances(eco) if {eliz, jane} <= a.members]) == 1


def test_feelings_fade_toward_first_impressions(make_container: object) -> None:
    clock = ManualClock()
    container = make_container(clock=clock)  # type: ignore[operator]
    community, ids = _setup(container)
    eco = community.ecosystem.id
    _set(container, Relationship(ids["Jane"], ids["Lydia"], eco, affinity=0.9, trust=0.8,
                                 familiarity=0.6, label="close friend"))
    reflect(container.deps, eco, force=True)
    clock.advance(30 * 24 * 3600)
    reflect(container.deps, eco, force=True)
    with container.deps.uow() as uow:
        faded = uow.relationships.get(ids["Jane"], ids["Lydia"], eco)
    assert 0 <= faded.affinity < 0.5
    assert faded.familiarity > 0.3  # familiarity fades far more slowly


def test_personality_drifts_from_lived_experience_and_is_logged(
    make_container: object,
) -> None:
    container = make_container(max_chain=0)  # type: ignore[operator]
    community, ids = _setup(container)
    for _ in range(12):
        community.say("Darcy, you are a vile, arrogant, hateful man!")
    reflect(container.deps, community.ecosystem.id, force=True)
    with container.deps.uow() as uow:
        log = uow.social.drift_log(ids["Fitzwilliam"])
        darcy = uow.participants.get_character(ids["Fitzwilliam"])
        origin = uow.participants.origin_big_five(ids["Fitzwilliam"])
    assert log, "insults leave a trace on Darcy's temper"
    assert darcy is not None and origin is not None
    moved = darcy.persona.big_five.as_dict()
    assert all(abs(moved[t] - v) <= 0.1 + 1e-9 for t, v in origin.as_dict().items())
    assert moved != origin.as_dict()


def test_turning_on_an_ally_is_a_betrayal(make_container: object) -> None:
    container = make_container(max_chain=0)  # type: ignore[operator]
    community, ids = _setup(container)
    eco = community.ecosystem.id
    eliz, jane, collins = ids["Elizabeth"], ids["Jane"], ids["William"]
    _friends_with_a_common_rival(container, eco, eliz, jane, collins)
    reflect(container.deps, eco, force=True)
    with container.deps.uow() as uow:
        sealed = uow.social.history(eliz, jane)
    assert any(c.act == "ally" for c in sealed)

    from engine.acts import Act
    from engine.messages import Event, ParticipantKind
    from engine.services.perceive import perceive

    now = container.deps.clock.now()
    with container.deps.uow() as uow:
        perception = perceive(uow, Event(
            ecosystem_id=eco, channel_id=community.channel.id, kind=EventKind.MESSAGE,
            idempotency_key="test:turncoat", created_at=now, author_id=eliz,
            author_kind=ParticipantKind.CHARACTER, author_name="Elizabeth Bennet",
            act=Act.INSULT, target_id=jane, addressed_ids=(jane,),
            text="Jane, you are a dull, vain creature and I was a fool to trust you."), now)
        uow.commit()
        pact = next(a for a in uow.pacts.alliances(eco, live_only=False)
                    if {eliz, jane} <= a.members)
        view = uow.relationships.get(jane, eliz, eco)
    assert pact.status == "dissolved" and "turned on" in pact.history[-1]
    assert view.trust < 0.7 and view.grudge > 0
    assert any("broke the alliance" in n.text for n in perception.notices)


def test_a_group_of_three_allies_reports_its_dynamics(container: Container) -> None:
    from engine.services.observatory import observatory

    community, ids = _setup(container)
    eco = community.ecosystem.id
    trio = [ids["Elizabeth"], ids["Jane"], ids["Charles"]]
    for source in trio:
        for target in trio:
            if source != target:
                _set(container, Relationship(source, target, eco, affinity=0.7, trust=0.7,
                                             familiarity=0.8, respect=0.3,
                                             label="close friend"))
        _set(container, Relationship(source, ids["William"], eco, affinity=-0.5, rivalry=0.8,
                                     familiarity=0.5, label="rival"))
    reflect(container.deps, eco, force=True)
    with container.deps.uow() as uow:
        groups = [a for a in uow.pacts.alliances(eco) if len(a.members) >= 3]
    assert groups and set(trio) <= set(groups[0].members)
    report = observatory(container.deps, eco)
    line = next(a for a in report.alliances if "cohesion" in a)
    assert "led by" in line and "weakest link" in line
