"""Social dynamics through the real loop (both backends): acts move relationships and moods,
every change keeps its cause, and new labels become notable changes in the channel."""

from __future__ import annotations

from collections.abc import Callable

from bots.console.community import ConsoleCommunity
from engine.messages import EventKind
from engine.services.social import current_moods
from engine.social.dynamics import main_causes
from workers.bootstrap import Container


def _open(container: Container) -> ConsoleCommunity:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    return community


def _ids(community: ConsoleCommunity) -> dict[str, int]:
    with community.deps.uow() as uow:
        ids = {m.name: m.id for m in uow.participants.cast_of(community.channel.id)}
        member = next(e.author_id for e in uow.events.all(community.ecosystem.id)
                      if e.author_name == "Mary")
    ids["Mary"] = member or 0
    return ids


def test_kindness_makes_a_friend_and_the_channel_hears_of_it(
    make_container: Callable[..., Container],
) -> None:
    community = _open(make_container(max_chain=0))
    for text in ("Jane, you are wonderful and so kind!", "Thank you, dear Jane, truly.",
                 "Jane, you are the loveliest and most generous soul.",
                 "Let me help you with your shawl, Jane.", "Jane, your kindness is a gift."):
        community.say(text)
    ids = _ids(community)
    with community.deps.uow() as uow:
        view = uow.relationships.get(ids["Jane Bennet"], ids["Mary"], community.ecosystem.id)
        history = uow.social.history(ids["Jane Bennet"], ids["Mary"])
        notices = [e for e in uow.events.all(community.ecosystem.id) if e.kind is EventKind.SYSTEM]
    assert view.label in ("friend", "close friend")
    assert view.affinity > 0.3
    assert any("wonderful and so kind" in change.cause for change in history)
    assert any(n.text == "Jane Bennet now counts Mary as a friend." for n in notices)
    assert notices[0].payload["type"] == "relationship_change"


def test_why_do_they_hate_each_other_is_answered_from_history(
    make_container: Callable[..., Container],
) -> None:
    community = _open(make_container(max_chain=0))
    community.say("Good evening, Mr. Darcy.")
    for text in ("Darcy, you are a proud, disagreeable, hateful man.",
                 "Darcy, you are the rudest, most insufferable person alive.",
                 "Darcy, you are cruel and stupid and everyone despises you.",
                 "Darcy, you are a vile, arrogant fool."):
        community.say(text)
    ids = _ids(community)
    with community.deps.uow() as uow:
        view = uow.relationships.get(ids["Fitzwilliam Darcy"], ids["Mary"],
                                     community.ecosystem.id)
        history = uow.social.history(ids["Fitzwilliam Darcy"], ids["Mary"])
    assert view.label in ("rival", "enemy")
    causes = main_causes([c for c in history if c.source_id == ids["Fitzwilliam Darcy"]])
    assert causes and all(c.act == "insult" for c in causes)
    assert "hateful" in " ".join(c.cause for c in history)


def test_an_insult_angers_its_target_more_than_the_witnesses(container: Container) -> None:
    community = _open(container)
    community.say("Darcy, you are a vile, hateful, arrogant man.")
    ids = _ids(community)
    now = community.deps.clock.now()
    with community.deps.uow() as uow:
        profiles = uow.participants.profiles(list(ids.values()))
        moods = current_moods(uow, [ids["Fitzwilliam Darcy"], ids["Jane Bennet"]], profiles, now)
    darcy, jane = moods[ids["Fitzwilliam Darcy"]], moods[ids["Jane Bennet"]]
    assert darcy.valence < jane.valence
    assert darcy.anger + darcy.sadness > jane.anger + jane.sadness


def test_a_channel_can_switch_announcements_off(make_container: Callable[..., Container]) -> None:
    community = _open(make_container(max_chain=0))
    from sqlalchemy import update

    from engine.adapters.sql.tables import channels

    with community.deps.uow() as uow:
        uow.spaces.conn.execute(update(channels).where(channels.c.id == community.channel.id)
                                .values(settings={"announce_changes": False}))
        uow.commit()
    for _ in range(5):
        community.say("Jane, you are wonderful and so kind!")
    with community.deps.uow() as uow:
        kinds = {e.kind for e in uow.events.all(community.ecosystem.id)}
    assert EventKind.SYSTEM not in kinds


def test_a_revealed_confidence_is_a_betrayal(make_container: Callable[..., Container]) -> None:
    from engine.acts import Act
    from engine.messages import Event, ParticipantKind
    from engine.services.perceive import perceive

    community = _open(make_container(max_chain=0))
    community.say("Lydia, I must confess a secret: I am engaged to Captain Carter. Don't tell!")
    ids = _ids(community)
    now = community.deps.clock.now()
    with community.deps.uow() as uow:
        before = uow.relationships.get(ids["Mary"], ids["Lydia Bennet"], community.ecosystem.id)
        gossip = Event(
            ecosystem_id=community.ecosystem.id, channel_id=community.channel.id,
            kind=EventKind.MESSAGE, idempotency_key="test:gossip", created_at=now,
            author_id=ids["Lydia Bennet"], author_kind=ParticipantKind.CHARACTER,
            author_name="Lydia Bennet", act=Act.SMALL_TALK, target_id=ids["Jane Bennet"],
            addressed_ids=(ids["Jane Bennet"],),
            text="La, Jane! Mary is engaged to Captain Carter, can you believe it?",
        )
        perception = perceive(uow, gossip, now)
        uow.commit()
        after = uow.relationships.get(ids["Mary"], ids["Lydia Bennet"], community.ecosystem.id)
        history = uow.social.history(ids["Mary"], ids["Lydia Bennet"])
        secrets = uow.pacts.confidences_with([ids["Mary"]])
    assert secrets[0].status == "revealed" and secrets[0].revealed_by == ids["Lydia Bennet"]
    assert after.trust < before.trust and after.trust <= -0.4
    assert after.grudge > 0
    assert any(c.act == "reveal_secret" and "Captain Carter" in c.cause for c in history)
    texts = [n.text for n in perception.notices]
    assert any("revealed Mary's secret" in t for t in texts), texts


def test_friends_turn_estranged_after_a_betrayal(make_container: Callable[..., Container]) -> None:
    from dataclasses import replace as _replace

    from engine.acts import Act
    from engine.messages import Event, ParticipantKind
    from engine.relationships import Relationship
    from engine.services.perceive import perceive

    community = _open(make_container(max_chain=0))
    eco, chan = community.ecosystem.id, community.channel.id
    with community.deps.uow() as uow:
        ids = {m.name.split()[0]: m.id for m in uow.participants.cast_of(chan)}
    eliz, jane, lydia = ids["Elizabeth"], ids["Jane"], ids["Lydia"]
    now = community.deps.clock.now()

    def say(uow, author: int, name: str, target: int, act: Act, text: str, key: str):  # type: ignore[no-untyped-def]
        return perceive(uow, Event(
            ecosystem_id=eco, channel_id=chan, kind=EventKind.MESSAGE, idempotency_key=key,
            created_at=now, author_id=author, author_kind=ParticipantKind.CHARACTER,
            author_name=name, act=act, target_id=target, addressed_ids=(target,), text=text), now)

    with community.deps.uow() as uow:
        uow.relationships.save(_replace(Relationship(jane, eliz, eco, affinity=0.8, trust=0.7,
                                                     familiarity=0.9, label="close friend"),
                                        updated_at=now, interactions=30))
        say(uow, jane, "Jane Bennet", eliz, Act.CONFIDE,
            "Lizzy, a secret between us: I still love Mr. Bingley.", "t:confide")
        perception = say(uow, eliz, "Elizabeth Bennet", lydia, Act.SMALL_TALK,
                         "Lydia, do you know Jane still loves Mr. Bingley?", "t:gossip")
        uow.commit()
        view = uow.relationships.get(jane, eliz, eco)
    assert view.label == "estranged"
    assert any("Elizabeth Bennet revealed Jane Bennet's secret" in n.text
               for n in perception.notices)
