"""Memory consolidation through the real loop, on both backends: reflection at the threshold,
insights citing what was retrieved, knowledge kept up to date, summaries, fading, a model that
writes insights (or fails), and the RQ job."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bots.console.community import ConsoleCommunity
from engine.adapters.sql.tables import characters, memories, memory_citations
from engine.clock import ManualClock
from engine.memory import RetrievalWeights
from engine.messages import IncomingMessage
from engine.services import setup
from engine.services.consolidate import consolidate, consolidate_due, due_characters
from engine.services.embedding_jobs import embed_pending
from engine.services.ingest import ingest
from engine.services.initiative import tick
from engine.services.recall import recall
from tests.fakes.openai_server import FakeOpenAI
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

MakeContainer = Callable[..., Container]

LINES = [
    "Good evening, everyone. The rain has not stopped since noon.",
    "Darcy, you are a vile, arrogant, hateful man!",
    "Jane, you are the kindest soul in Hertfordshire.",
    "I hear the regiment leaves Meryton at the end of the month.",
    "Darcy, you are rude and proud, and I despise you!",
    "Meryton will be dull without the regiment.",
]


def _open(container: Container) -> tuple[ConsoleCommunity, dict[str, int]]:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    with container.deps.uow() as uow:
        ids = {m.name.split()[0]: m.id for m in uow.participants.cast_of(community.channel.id)}
    return community, ids


def _say(container: Container, community: ConsoleCommunity, *lines: str) -> None:
    for line in lines:
        community.say(line)
    container.queue.empty()  # the replies those lines queued are not these tests' business


def _mary(container: Container, community: ConsoleCommunity) -> int:
    with container.deps.uow() as uow:
        found = uow.participants.find_human(community.ecosystem.id, "member")
    assert found is not None
    return found[0]


def _rows(container: Container, stmt: Any) -> list[Any]:
    with container.database.engine.connect() as conn:
        return list(conn.execute(stmt).all())


def _memories(container: Container, owner: int, kind: str, *, archived: bool | None = False
              ) -> list[Any]:
    stmt = select(memories.c.id, memories.c.text, memories.c.subject_id, memories.c.archived,
                  memories.c.importance).where(memories.c.owner_id == owner,
                                               memories.c.kind == kind)
    if archived is not None:
        stmt = stmt.where(memories.c.archived.is_(archived))
    return _rows(container, stmt.order_by(memories.c.id))


def _cites(container: Container, memory_id: int) -> set[int]:
    return {r.cited_id for r in _rows(container, select(memory_citations.c.cited_id)
                                      .where(memory_citations.c.memory_id == memory_id))}


def _count(container: Container, stmt: Any) -> int:
    return int(_rows(container, stmt)[0][0])


# -- the threshold, and insights citing what was retrieved -------------------------------------


def test_the_threshold_triggers_reflection_and_insights_cite_what_was_retrieved(
    make_container: MakeContainer,
) -> None:
    container = make_container(reflection_threshold=15.0)
    community, ids = _open(container)
    eco, lizzy = community.ecosystem.id, ids["Elizabeth"]
    _say(container, community, LINES[0])
    assert due_characters(container.deps, eco) == []
    assert consolidate(container.deps, lizzy) is None  # not due: nothing happens
    assert _memories(container, lizzy, "reflection") == []

    _say(container, community, *LINES[1:])
    due = due_characters(container.deps, eco)
    assert lizzy in due and set(due) <= set(ids.values())
    observations = {r.id for r in _memories(container, lizzy, "observation")}

    reports = {r.owner_id: r for r in consolidate_due(container.deps, eco)}
    assert set(reports) == set(due)
    report = reports[lizzy]
    assert report.considered == len(observations) and report.importance >= 15.0
    assert "What do I make of Mary?" in report.questions
    assert report.reflections and report.source == "template"
    retrieved = {i for found in report.retrieved.values() for i in found}
    reflections = _memories(container, lizzy, "reflection")
    assert {r.id for r in reflections} == set(report.reflections)
    for reflection in reflections:
        cited = _cites(container, reflection.id)
        assert cited and cited <= retrieved, reflection.text
    about_mary = next(r for r in reflections if r.text.startswith("Mary has seemed"))
    # Mary's words, as retrieved for the question about her, are what the insight cites.
    mary_words = {r.id for r in _memories(container, lizzy, "observation")
                  if r.text.startswith("Mary said")}
    assert _cites(container, about_mary.id) == set(
        report.retrieved["What do I make of Mary?"]) & mary_words

    # The mark moved on: nobody is due until enough is witnessed again.
    with container.deps.uow() as uow:
        assert uow.consolidation.consolidated_through(lizzy) == max(observations)
    assert due_characters(container.deps, eco) == []
    assert consolidate_due(container.deps, eco) == []
    # Insights are memories like any other: recalled by meaning.
    with container.deps.uow() as uow:
        found = recall(uow, container.deps.embedder, owner_id=lizzy, query="Mary has seemed",
                       now=container.deps.clock.now(), k=3, weights=RetrievalWeights())
    assert about_mary.id in {m.id for m in found}


# -- knowledge -----------------------------------------------------------------------------------


def test_what_a_member_says_about_themselves_becomes_knowledge_of_those_present(
    make_container: MakeContainer,
) -> None:
    container = make_container()
    community, ids = _open(container)
    eco = community.ecosystem.id
    # Bingley is in another channel: he does not hear it.
    _, (library,) = setup.open_space(container.deps, "console", "local", ["library"])
    setup.remove_from_cast(container.deps, community.channel.id, ids["Charles"])
    setup.add_to_cast(container.deps, library.id, ids["Charles"])
    _say(container, community, "Elizabeth, I'm moving to Lisbon next month!",
         "Jane, you are a dear.")
    mary = _mary(container, community)
    for owner in ids.values():
        consolidate(container.deps, owner, force=True)

    said = {r.id for r in _rows(container, select(memories.c.id).where(
        memories.c.text.contains("Lisbon"), memories.c.kind == "observation"))}
    for name, owner in ids.items():
        facts = [r for r in _memories(container, owner, "knowledge") if "Lisbon" in r.text]
        if name == "Charles":
            assert facts == []
            continue
        assert [(r.text, r.subject_id) for r in facts] == [
            ("Mary is moving to Lisbon next month.", mary)]
        cited = _cites(container, facts[0].id)
        assert len(cited) == 1 and cited <= said

    # A change of plan updates the knowledge: one live piece, the old one archived, both cited.
    lizzy = ids["Elizabeth"]
    first = next(r for r in _memories(container, lizzy, "knowledge") if "moving" in r.text)
    _say(container, community, "Change of plan: I'm moving to Porto.", "Jane, you are a dear.")
    report = consolidate(container.deps, lizzy, force=True)
    assert report is not None and first.id in report.superseded
    moving = [r for r in _memories(container, lizzy, "knowledge") if "moving" in r.text]
    assert [r.text for r in moving] == ["Mary is moving to Porto."]
    assert first.id in {r.id for r in _memories(container, lizzy, "knowledge", archived=True)}
    assert _cites(container, first.id) < _cites(container, moving[0].id)
    # Consolidating again without anything new changes no knowledge.
    before = _memories(container, lizzy, "knowledge", archived=None)
    again = consolidate(container.deps, lizzy, force=True)
    assert again is not None and again.knowledge == [] and again.reflections == []
    assert _memories(container, lizzy, "knowledge", archived=None) == before
    assert eco == community.ecosystem.id


def test_an_impression_of_someone_is_kept_up_to_date_not_duplicated(
    container: Container,
) -> None:
    community, ids = _open(container)
    jane = ids["Jane"]
    _say(container, community, "Darcy, you are a vile, arrogant man!",
         "Darcy, you are rude and proud!")
    mary = _mary(container, community)
    consolidate(container.deps, jane, force=True)
    impressions = [r for r in _memories(container, jane, "knowledge")
                   if r.text.startswith("My impression of Mary")]
    assert [(r.text, r.subject_id) for r in impressions] == [
        ("My impression of Mary: cutting.", mary)]

    _say(container, community, "Jane, you are wonderful and kind!", "Jane, thank you so much!",
         "Jane, you are the loveliest of sisters!")
    consolidate(container.deps, jane, force=True)
    impressions = [r for r in _memories(container, jane, "knowledge")
                   if r.text.startswith("My impression of Mary")]
    assert len(impressions) == 1
    assert impressions[0].text != "My impression of Mary: cutting."
    assert "cutting" in impressions[0].text  # drawn from everything seen, not the last hour
    assert len(_cites(container, impressions[0].id)) == 5


# -- summary and fading --------------------------------------------------------------------------


def test_the_memory_summary_is_refreshed(container: Container) -> None:
    community, ids = _open(container)
    lizzy = ids["Elizabeth"]
    _say(container, community, "Elizabeth, I have a parrot called Zanzibar.", *LINES[1:3])
    report = consolidate(container.deps, lizzy, force=True)
    assert report is not None
    with container.deps.uow() as uow:
        character = uow.participants.get_character(lizzy)
    assert character is not None and character.memory_summary == report.summary
    assert "Mary has a parrot called Zanzibar." in report.summary
    assert report.summary.startswith("What I have come to think: ")

    _say(container, community, "I'm moving to Lisbon.")
    consolidate(container.deps, lizzy, force=True)
    with container.deps.uow() as uow:
        character = uow.participants.get_character(lizzy)
    assert character is not None and "Mary is moving to Lisbon." in character.memory_summary
    assert "Zanzibar" in character.memory_summary


def test_old_unimportant_memories_fade_but_are_still_stored(make_container: MakeContainer
                                                            ) -> None:
    clock = ManualClock()
    container = make_container(clock=clock)
    community, ids = _open(container)
    lizzy = ids["Elizabeth"]
    _say(container, community, "I have a grey parrot.",
         "Elizabeth, a secret: I am engaged to a colonel!")
    consolidate(container.deps, lizzy, force=True)  # knowledge of the parrot cites its memory
    _say(container, community, "The rain has not stopped since noon.")
    old = {r.text: r for r in _memories(container, lizzy, "observation")}
    rain = old["Mary said: The rain has not stopped since noon."]
    parrot = old["Mary said: I have a grey parrot."]
    secret = next(r for t, r in old.items() if "engaged" in t)
    assert rain.importance < 3 and parrot.importance < 3 and secret.importance >= 3

    clock.advance(45 * 24 * 3600)
    _say(container, community, "Good morning! Has anybody seen my gloves?")
    report = consolidate(container.deps, lizzy, force=True)
    assert report is not None and rain.id in report.archived
    # Still stored, no longer recalled; what a knowledge cites, and what mattered, stays.
    archived = {r.id for r in _memories(container, lizzy, "observation", archived=True)}
    assert rain.id in archived and parrot.id not in archived and secret.id not in archived
    with container.deps.uow() as uow:
        found = recall(uow, container.deps.embedder, owner_id=lizzy, query="rain since noon",
                       now=clock.now(), k=50, weights=RetrievalWeights())
    assert rain.id not in {m.id for m in found} and secret.id in {m.id for m in found}


# -- with a language model -----------------------------------------------------------------------


def _with_model(make_container: MakeContainer, fake: FakeOpenAI, **overrides: Any) -> Container:
    return make_container(llm_base_url=fake.base_url, llm_max_retries=0, **overrides)


def test_insights_come_from_the_model_when_one_is_configured(
    make_container: MakeContainer, fake_openai: FakeOpenAI
) -> None:
    container = _with_model(make_container, fake_openai)
    assert container.deps.model is not None
    community, ids = _open(container)
    lizzy = ids["Elizabeth"]
    _say(container, community, "Darcy, you are a vile, arrogant man!", "I'm moving to Lisbon.")
    fake_openai.clear()
    fake_openai.queue_reply(json.dumps({
        "insights": [{"text": "Mary is angry with Darcy, and soon gone.", "cites": [1, 2],
                      "importance": 8}],
        "impressions": [{"name": "Mary", "text": "Fierce, and restless.", "cites": [1]}],
    }))
    report = consolidate(container.deps, lizzy, force=True)

    assert report is not None and report.source == "model"
    (request,) = fake_openai.chat_requests
    prompt = request["messages"][-1]["content"]
    assert "1. Mary said" in prompt and "What do I make of Mary?" in prompt
    reflections = _memories(container, lizzy, "reflection")
    assert [(r.text, r.importance) for r in reflections] == [
        ("Mary is angry with Darcy, and soon gone.", 8.0)]
    statements = list(dict.fromkeys(i for found in report.retrieved.values() for i in found))
    assert _cites(container, reflections[0].id) == set(statements[:2])
    knowledge = {r.text for r in _memories(container, lizzy, "knowledge")}
    assert "My impression of Mary: Fierce, and restless." in knowledge
    assert "Mary is moving to Lisbon." in knowledge  # facts are read by rule either way


@pytest.mark.parametrize("failure", ["timeout", "garbage"])
def test_a_failing_model_falls_back_to_templates_and_loses_nothing(
    make_container: MakeContainer, fake_openai: FakeOpenAI, failure: str
) -> None:
    container = _with_model(make_container, fake_openai, llm_timeout_s=0.3)
    community, ids = _open(container)
    lizzy = ids["Elizabeth"]
    _say(container, community, *LINES, "I'm moving to Lisbon.")
    observations = _memories(container, lizzy, "observation")
    fake_openai.clear()
    if failure == "timeout":
        fake_openai.delay_s = 2.0
    else:
        fake_openai.queue_reply("Certainly! Here are my thoughts: Mary seems upset.")
    report = consolidate(container.deps, lizzy, force=True)

    assert report is not None and report.source == "template"
    assert len(fake_openai.chat_requests) == 1
    assert _memories(container, lizzy, "observation") == observations
    reflections = _memories(container, lizzy, "reflection")
    assert reflections and {r.id for r in reflections} == set(report.reflections)
    assert any(r.text.startswith("Mary has seemed") for r in reflections)
    assert "Mary is moving to Lisbon." in {r.text for r in _memories(container, lizzy,
                                                                     "knowledge")}
    with container.deps.uow() as uow:
        assert uow.consolidation.consolidated_through(lizzy) == max(r.id for r in observations)


def test_the_embedding_job_has_the_model_rate_importance(
    make_container: MakeContainer, fake_openai: FakeOpenAI
) -> None:
    container = _with_model(make_container, fake_openai)
    community, ids = _open(container)
    eco = community.ecosystem.id
    _say(container, community, "Good evening.", "Elizabeth, my father has died.")
    fake_openai.clear()
    fake_openai.queue_reply('{"ratings": [1, 9]}')
    embed_pending(container.deps, eco)
    (request,) = fake_openai.chat_requests
    died = "Mary said to Elizabeth Bennet: Elizabeth, my father has died."
    assert f"1. Mary said: Good evening.\n2. {died}\n" in request["messages"][-1]["content"]
    rows = _rows(container, select(memories.c.text, memories.c.importance))
    assert len(rows) == 2 * len(ids)
    assert {(t, i) for t, i in rows} == {("Mary said: Good evening.", 1.0), (died, 9.0)}

    # An unusable answer leaves the heuristic ratings; the embeddings are written regardless.
    _say(container, community, "Jane, I adore your bonnet!")
    fake_openai.queue_reply("Ratings: high, low")
    assert embed_pending(container.deps, eco) == len(ids)
    heuristic = _rows(container, select(memories.c.importance)
                      .where(memories.c.text.contains("bonnet")))
    assert heuristic and all(i not in (1.0, 9.0) for (i,) in heuristic)


# -- the RQ job ----------------------------------------------------------------------------------


def test_the_tick_queues_the_job_and_the_worker_consolidates(
    make_container: MakeContainer,
) -> None:
    container = make_container(reflection_threshold=15.0)
    community, ids = _open(container)
    eco = community.ecosystem.id
    _say(container, community, LINES[0])
    tick(container.deps, eco)
    assert f"consolidate-{eco}" not in container.queue.job_ids
    container.queue.empty()

    _say(container, community, *LINES)
    due = due_characters(container.deps, eco)
    assert due
    tick(container.deps, eco)
    jobs = container.queue.job_ids
    assert jobs.count(f"consolidate-{eco}") == 1
    assert jobs.index(f"embed-{eco}") < jobs.index(f"consolidate-{eco}")
    container.deps.queue.enqueue_consolidation(eco)  # one waiting per ecosystem
    assert container.queue.job_ids.count(f"consolidate-{eco}") == 1

    EmbeddedWorker(container).run_pending()
    for owner in due:
        assert _memories(container, owner, "reflection"), owner
        with container.deps.uow() as uow:
            assert uow.consolidation.consolidated_through(owner) > 0
    summaries = _count(container, select(func.count()).select_from(characters)
                       .where(characters.c.memory_summary != ""))
    assert summaries >= len(due)


def test_a_character_of_another_community_is_left_alone(container: Container) -> None:
    community, ids = _open(container)
    other, (hall,) = setup.open_space(container.deps, "console", "elsewhere", ["hall"])
    stranger = setup.import_characters(
        container.deps, other.id, [setup.find_character(
            container.deps, community.ecosystem.id, "Jane Bennet")], [hall.id])[0]
    ingest(container.deps, IncomingMessage(
        platform="console", space_id="elsewhere", channel_id="hall", author_id="kitty",
        author_name="Kitty", text="I'm moving to Lisbon, you know.", message_id="e1"))
    _say(container, community, "I'm moving to Porto.")
    consolidate(container.deps, ids["Jane"], force=True)
    texts = {r.text for r in _memories(container, ids["Jane"], "knowledge")}
    assert "Mary is moving to Porto." in texts and not any("Kitty" in t for t in texts)
    assert _memories(container, stranger, "knowledge") == []
