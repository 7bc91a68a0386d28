"""The memory browser on both backends: the services, ``personae memory`` and ``/memories``.

Observations come from the real loop (a member talking in the console community); reflections
and knowledge, with their citations, are inserted here by hand, as consolidation would write
them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import pytest
from rich.console import Console, RenderableType
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from bots.cli.main import app
from bots.console.community import ConsoleCommunity
from bots.console.memories import memories_command
from engine.adapters.sql.tables import characters, memories, memory_citations
from engine.clock import ManualClock
from engine.errors import InvalidInput, NotFound
from engine.services import memory_browser as mb
from engine.services import setup
from workers.bootstrap import Container

LINES = (
    "Jane, you are wonderful and so kind!",
    "Darcy, you are a vile, arrogant, hateful man.",
    "Darcy, do you dance at the Netherfield ball?",
    "Élise says the CAFÉ in Meryton serves 100% tea_leaves.",
    "Darcy, you are the rudest man alive.",
)


@dataclass
class World:
    container: Container
    community: ConsoleCommunity
    eco: int
    darcy: int
    jane: int
    elizabeth: int
    times: list[datetime]
    reflection: int
    knowledge: int
    cited: list[int]

    @property
    def deps(self):  # type: ignore[no-untyped-def]
        return self.container.deps


def _insert(container: Container, owner: int, eco: int, kind: str, text: str, *,
            cites: list[int], importance: float, tone: float, subject: int | None = None,
            at: datetime) -> int:
    """A consolidated memory and its citations, as consolidation stores them."""
    with container.deps.uow() as uow:
        conn = uow.browser.conn
        memory_id = conn.execute(memories.insert().values(
            ecosystem_id=eco, owner_id=owner, kind=kind, text=text, importance=importance,
            emotional_tone=tone, subject_id=subject, created_at=at, last_accessed_at=at,
        ).returning(memories.c.id)).scalar_one()
        if cites:
            conn.execute(memory_citations.insert(),
                         [{"memory_id": memory_id, "cited_id": c} for c in cites])
        uow.commit()
    return int(memory_id)


def _own(container: Container, owner: int, contains: str) -> list[int]:
    with container.deps.uow() as uow:
        return list(uow.browser.conn.execute(
            select(memories.c.id).where(memories.c.owner_id == owner,
                                        memories.c.text.contains(contains))
            .order_by(memories.c.id)).scalars())


@pytest.fixture
def world(make_container: object) -> World:
    container = make_container(max_chain=0)  # type: ignore[operator]
    clock = container.deps.clock
    assert isinstance(clock, ManualClock)
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    times = []
    for line in LINES:
        clock.advance(3600)
        times.append(clock.now())
        community.say(line)
    eco = community.ecosystem.id
    ids = {name: mb.resolve_character(container.deps, eco, name).id
           for name in ("Darcy", "Jane", "Elizabeth")}
    darcy = ids["Darcy"]
    cited = _own(container, darcy, "vile") + _own(container, darcy, "rudest")
    clock.advance(3600)
    reflection = _insert(container, darcy, eco, "reflection",
                         "Mary despises me; her scorn stings more than I admit.",
                         cites=cited, importance=9.0, tone=-0.6, at=clock.now())
    knowledge = _insert(container, darcy, eco, "knowledge",
                        "Elizabeth Bennet has a quick wit and fine eyes.", cites=[],
                        importance=7.0, tone=0.7, subject=ids["Elizabeth"], at=clock.now())
    with container.deps.uow() as uow:
        uow.browser.conn.execute(update(characters).where(characters.c.id == darcy)
                                 .values(memory_summary="Proud, stung by Mary's contempt."))
        uow.commit()
    return World(container, community, eco, darcy, ids["Jane"], ids["Elizabeth"], times,
                 reflection, knowledge, cited)


def _text(renderable: RenderableType) -> str:
    console = Console(file=io.StringIO(), width=240, highlight=False)
    console.print(renderable)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


# -- naming characters ---------------------------------------------------------------------


def test_characters_are_named_by_name_alias_word_or_id(world: World) -> None:
    deps, eco = world.deps, world.eco
    for name in ("Fitzwilliam Darcy", "mr. darcy", "DARCY", str(world.darcy)):
        assert mb.resolve_character(deps, eco, name).id == world.darcy
    with pytest.raises(InvalidInput, match="Elizabeth Bennet, Jane Bennet or Lydia Bennet"):
        mb.resolve_character(deps, eco, "Bennet")
    with pytest.raises(NotFound, match="No character named 'Wickham'.*Fitzwilliam Darcy"):
        mb.resolve_character(deps, eco, "Wickham")
    ref, rest = mb.split_character(deps, eco, "Elizabeth Bennet Darcy's letter")
    assert (ref.name, rest) == ("Elizabeth Bennet", "Darcy's letter")
    ref, rest = mb.split_character(deps, eco, "Mr. Darcy")
    assert (ref.id, rest) == (world.darcy, "")
    with pytest.raises(NotFound):
        mb.split_character(deps, eco, "Wickham ball")


# -- text search -----------------------------------------------------------------------------


def test_text_search_every_word_ignoring_case_newest_first_and_paged(world: World) -> None:
    deps, eco = world.deps, world.eco
    page = mb.search(deps, eco, "Darcy", "DARCY MAN")
    assert [m.text.split(": ", 1)[1] for m in page.memories] == [
        "Darcy, you are the rudest man alive.",
        "Darcy, you are a vile, arrogant, hateful man.",
    ]
    assert page.total == 2 and all(m.owner_id == world.darcy for m in page.memories)
    second = mb.search(deps, eco, "Darcy", "darcy man", limit=1, offset=1)
    assert [m.id for m in second.memories] == [page.memories[1].id] and second.total == 2
    oldest = mb.search(deps, eco, "Darcy", "darcy man", order="oldest")
    assert [m.id for m in oldest.memories] == [m.id for m in reversed(page.memories)]
    phrase = mb.search(deps, eco, "Darcy", '"vile, arrogant"')
    assert len(phrase.memories) == 1 and "vile" in phrase.memories[0].text
    assert mb.search(deps, eco, "Darcy", '"arrogant vile"').total == 0
    # Every memory the page cites is counted: both insults fed the reflection.
    assert page.cited_by == {m.id: 1 for m in page.memories}


def test_text_search_folds_unicode_and_takes_wildcards_literally(world: World) -> None:
    deps, eco = world.deps, world.eco
    assert mb.search(deps, eco, "Darcy", "café élise").total == 1
    assert mb.search(deps, eco, "Darcy", "100%").total == 1
    assert mb.search(deps, eco, "Darcy", "tea_leaves").total == 1
    # As LIKE wildcards, "r_t" would match "Meryton" and "1%s" "100% tea_leaves": not here.
    assert mb.search(deps, eco, "Darcy", "r_t").total == 0
    assert mb.search(deps, eco, "Darcy", "1%s").total == 0


def test_filters_by_kind_channel_and_time(world: World) -> None:
    deps, eco = world.deps, world.eco
    everything = mb.search(deps, eco, "Darcy", "", limit=50)
    assert everything.total == len(LINES) + 2
    reflections = mb.search(deps, eco, "Darcy", "", kinds=("reflection",))
    assert [m.id for m in reflections.memories] == [world.reflection]
    observations = mb.search(deps, eco, "Darcy", "", kinds=("observation",),
                             channel="drawing-room", limit=50)
    assert observations.total == len(LINES)
    assert {m.channel for m in observations.memories} == {"drawing-room"}
    window = mb.search(deps, eco, "Darcy", "", since=world.times[1], until=world.times[3])
    assert [m.created_at for m in window.memories] == [world.times[2], world.times[1]]
    naive = world.times[1].replace(tzinfo=None)  # a time without a zone is UTC
    assert mb.search(deps, eco, "Darcy", "", since=naive, until=world.times[3]).total == 2
    with pytest.raises(InvalidInput, match="Unknown memory kind 'dream'"):
        mb.search(deps, eco, "Darcy", "", kinds=("dream",))
    with pytest.raises(NotFound, match="No channel 'ballroom'"):
        mb.search(deps, eco, "Darcy", "", channel="ballroom")
    with pytest.raises(InvalidInput):
        mb.search(deps, eco, "Darcy", "x", limit=0)


def test_archived_memories_are_hidden_unless_asked_for(world: World) -> None:
    deps, eco = world.deps, world.eco
    rudest = _own(world.container, world.darcy, "rudest")
    with deps.uow() as uow:
        uow.memories.archive(rudest)
        uow.commit()
    assert mb.search(deps, eco, "Darcy", "rudest").total == 0
    shown = mb.search(deps, eco, "Darcy", "rudest", include_archived=True)
    assert [(m.id, m.archived) for m in shown.memories] == [(rudest[0], True)]
    assert rudest[0] not in [m.id for m in mb.top(deps, eco, "Darcy", limit=50).memories]
    # A reflection still shows the faded memory it was drawn from, marked as archived.
    view = mb.reflections(deps, eco, "Darcy", kinds=("reflection",))
    cited = {m.id: m.archived for m in view.reflections[0].cited}
    assert cited[rudest[0]] is True
    counts = mb.overview(deps, eco, "Darcy").counts
    assert counts.archived == {"observation": 1}
    assert counts.active["observation"] == len(LINES) - 1


# -- importance, knowledge, consolidation --------------------------------------------------


def test_top_is_by_importance(world: World) -> None:
    page = mb.top(world.deps, world.eco, "Darcy", limit=4)
    weights = [m.importance for m in page.memories]
    assert weights == sorted(weights, reverse=True)
    assert page.memories[0].id == world.reflection and page.total == len(LINES) + 2
    only = mb.top(world.deps, world.eco, "Darcy", kinds=("observation",), limit=1)
    assert "vile" in only.memories[0].text or "rudest" in only.memories[0].text


def test_knowledge_by_subject(world: World) -> None:
    deps, eco = world.deps, world.eco
    known = mb.knowledge(deps, eco, "Darcy")
    assert [(m.id, m.subject) for m in known.memories] == [(world.knowledge,
                                                             "Elizabeth Bennet")]
    lizzy = mb.knowledge(deps, eco, "Darcy", about="Lizzy")
    assert lizzy.total == 1 and lizzy.query == "Elizabeth Bennet"
    assert mb.knowledge(deps, eco, "Darcy", about="Mary").total == 0  # a member, known nothing
    assert mb.knowledge(deps, eco, "Jane", about="Elizabeth").total == 0  # not Jane's
    with pytest.raises(NotFound, match="Nobody called 'Wickham'"):
        mb.knowledge(deps, eco, "Darcy", about="Wickham")


def test_consolidation_view_both_ways(world: World) -> None:
    deps, eco = world.deps, world.eco
    view = mb.reflections(deps, eco, "Darcy")
    assert view.total == 2
    by_id = {r.memory.id: r for r in view.reflections}
    assert [m.id for m in by_id[world.reflection].cited] == world.cited
    assert by_id[world.knowledge].cited == []
    detail = mb.memory_detail(deps, eco, "Darcy", world.cited[0])
    assert [m.id for m in detail.cited_by] == [world.reflection] and detail.cites == []
    upward = mb.memory_detail(deps, eco, "Darcy", world.reflection)
    assert [m.id for m in upward.cites] == world.cited and upward.cited_by == []
    # Jane witnessed the same insult, but Darcy's reflection cites Darcy's memory, not hers.
    janes = _own(world.container, world.jane, "vile")
    assert mb.memory_detail(deps, eco, "Jane", janes[0]).cited_by == []
    with pytest.raises(NotFound, match="Jane Bennet has no memory"):
        mb.memory_detail(deps, eco, "Jane", world.reflection)


def test_emotional_associations(world: World) -> None:
    deps, eco = world.deps, world.eco
    view = mb.associations(deps, eco, "Darcy")
    by_name = {a.name: a for a in view.associations}
    assert "Fitzwilliam Darcy" not in by_name  # never associated with himself
    mary = by_name["Mary"]
    assert mary.participant_kind == "human" and mary.memories == len(LINES)
    assert mary.mean_tone < 0
    assert mary.most_negative is not None and "vile" in mary.most_negative.text
    assert mary.most_positive is not None and "wonderful" in mary.most_positive.text
    assert view.associations[0].name == "Mary"  # the most remembered first
    elizabeth = by_name["Elizabeth Bennet"]  # through knowledge about her
    assert (elizabeth.memories, elizabeth.mean_tone) == (1, pytest.approx(0.7))
    assert elizabeth.most_negative is None
    jane = by_name["Jane Bennet"]  # the target of Mary's praise
    assert jane.mean_tone > 0 and jane.most_negative is None
    janes = {a.name: a for a in mb.associations(deps, eco, "Jane").associations}
    assert "Elizabeth Bennet" not in janes and "Fitzwilliam Darcy" in janes


def test_overview(world: World) -> None:
    ov = mb.overview(world.deps, world.eco, "Darcy")
    assert ov.summary == "Proud, stung by Mary's contempt."
    assert ov.counts.active == {"observation": len(LINES), "reflection": 1, "knowledge": 1}
    assert ov.counts.archived == {} and ov.counts.total == len(LINES) + 2
    assert ov.counts.first_at == world.times[0]
    assert ov.top[0].id == world.reflection
    assert {r.memory.id for r in ov.reflections} == {world.reflection, world.knowledge}
    assert ov.consolidated_at is None


# -- semantic search ---------------------------------------------------------------------------


def _access_state(container: Container, owner: int) -> tuple[list[tuple[int, datetime]], int]:
    with container.deps.uow() as uow:
        conn = uow.browser.conn
        touched = list(conn.execute(
            select(memories.c.id, memories.c.last_accessed_at)
            .where(memories.c.owner_id == owner).order_by(memories.c.id)))
        unembedded = conn.execute(select(func.count()).select_from(memories).where(
            memories.c.owner_id == owner, memories.c.embedding.is_(None))).scalar_one()
    return [(int(i), t) for i, t in touched], int(unembedded)


def test_semantic_search_recalls_without_marking_anything(world: World) -> None:
    deps, eco = world.deps, world.eco
    clock = deps.clock
    assert isinstance(clock, ManualClock)
    clock.advance(24 * 3600)
    before = _access_state(world.container, world.darcy)
    page = mb.search(deps, eco, "Darcy", "dancing at the Netherfield ball", semantic=True,
                     limit=3)
    assert page.mode == "semantic" and page.total is None
    assert "Netherfield ball" in page.memories[0].text
    assert all(m.owner_id == world.darcy for m in page.memories)
    # Neither the access times nor the vectors computed for the search were stored.
    assert _access_state(world.container, world.darcy) == before
    assert before[1] > 0
    only = mb.search(deps, eco, "Darcy", "Mary's scorn", semantic=True,
                     kinds=("reflection",))
    assert [m.id for m in only.memories] == [world.reflection]
    # The community's own retrieval weights count, as when the character speaks.
    setup.set_retrieval_weights(deps, eco, {"recency": 0, "importance": 1, "relevance": 0,
                                            "lexical": 0})
    weighty = mb.search(deps, eco, "Darcy", "dancing at the Netherfield ball", semantic=True,
                        limit=1)
    assert [m.id for m in weighty.memories] == [world.reflection]
    with pytest.raises(InvalidInput, match="active memories"):
        mb.search(deps, eco, "Darcy", "ball", semantic=True, include_archived=True)
    with pytest.raises(InvalidInput):
        mb.search(deps, eco, "Darcy", "  ", semantic=True)


# -- the console's /memories ------------------------------------------------------------------


def test_console_memories_command(world: World) -> None:
    deps, eco = world.deps, world.eco
    overview = _text(memories_command(deps, eco, "Mr. Darcy"))
    assert "Proud, stung by Mary's contempt." in overview and "reflection" in overview
    found = _text(memories_command(deps, eco, "Fitzwilliam Darcy rudest"))
    assert "the rudest man alive" in found and "(1–1 of 1)" in found
    fallback = _text(memories_command(deps, eco, "Darcy quadrille"))
    assert "No memory of Fitzwilliam Darcy holds 'quadrille'" in fallback
    assert "What Fitzwilliam Darcy recalls" in fallback
    with pytest.raises(NotFound):
        memories_command(deps, eco, "Wickham")
    with pytest.raises(InvalidInput, match="Usage"):
        memories_command(deps, eco, "  ")


# -- personae memory ----------------------------------------------------------------------------


def _personae(world: World, *args: str):  # type: ignore[no-untyped-def]
    settings = world.container.settings
    env = {"PERSONAE_DATABASE_URL": settings.database_url,
           "PERSONAE_REDIS_URL": settings.redis_url, "COLUMNS": "240"}
    return CliRunner().invoke(app, ["memory", *args], env=env)


def test_cli_search_and_archived_flag(world: World) -> None:
    result = _personae(world, "search", "Darcy", "darcy man")
    assert result.exit_code == 0, result.output
    assert "rudest man alive" in result.stdout and "(1–2 of 2)" in result.stdout
    rudest = _own(world.container, world.darcy, "rudest")
    with world.deps.uow() as uow:
        uow.memories.archive(rudest)
        uow.commit()
    hidden = _personae(world, "search", "Darcy", "rudest")
    assert hidden.exit_code == 0 and "rudest" not in hidden.stdout.split("\n", 1)[1]
    assert "No memories match." in hidden.stdout
    shown = _personae(world, "search", "Darcy", "rudest", "--archived")
    assert shown.exit_code == 0 and "rudest man alive" in shown.stdout
    assert "(archived)" in shown.stdout
    semantic = _personae(world, "search", "Darcy", "Netherfield ball", "--semantic", "-n", "2")
    assert semantic.exit_code == 0 and "What Fitzwilliam Darcy recalls" in semantic.stdout


def test_cli_unknown_character_and_bad_options(world: World) -> None:
    result = _personae(world, "search", "Wickham", "ball")
    assert result.exit_code == 2
    assert "No character named 'Wickham'" in result.stderr and "Traceback" not in result.output
    kind = _personae(world, "top", "Darcy", "--kind", "dream")
    assert kind.exit_code == 2 and "Unknown memory kind" in kind.stderr
    space = _personae(world, "show", "Darcy", "--space", "discord:nowhere")
    assert space.exit_code == 2 and "No community" in space.stderr


def test_cli_views(world: World) -> None:
    show = _personae(world, "show", "Darcy")
    assert show.exit_code == 0, show.output
    assert "Proud, stung by Mary's contempt." in show.stdout and "knowledge" in show.stdout
    top = _personae(world, "top", "Darcy", "-n", "1")
    assert "Mary despises me" in top.stdout and "(1–1 of 7)" in top.stdout
    knowledge = _personae(world, "knowledge", "Darcy", "--about", "Elizabeth")
    assert "quick wit" in knowledge.stdout
    reflections = _personae(world, "reflections", "Darcy")
    assert "Mary despises me" in reflections.stdout and "rudest man alive" in reflections.stdout
    detail = _personae(world, "reflections", "Darcy", "--memory", str(world.cited[0]))
    assert "cited by" in detail.stdout and "Mary despises me" in detail.stdout
    feelings = _personae(world, "associations", "Darcy")
    assert feelings.exit_code == 0 and "Mary (human)" in feelings.stdout
    assert "Elizabeth Bennet (character)" in feelings.stdout
