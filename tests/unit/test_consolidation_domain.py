"""Consolidation's domain (pure): when to reflect, what to ask, what to write, what fades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.consolidation import (
    FADE_AFTER_DAYS,
    REFLECTION_THRESHOLD,
    FadePolicy,
    FocalQuestion,
    Witnessed,
    compose_summary,
    focal_questions,
    is_due,
    template_insight,
)
from engine.consolidation_prompts import (
    extract_json,
    parse_importance,
    parse_reflection,
    reflection_messages,
)
from engine.knowledge import IMPRESSION_SLOT, extract_facts, slot_of
from engine.knowledge_merge import (
    Known,
    Learned,
    learn_facts,
    learn_impressions,
    plan_knowledge,
)
from engine.memory import Memory, observation_text

T0 = datetime(2026, 3, 1, tzinfo=UTC)
OWNER, JANE, DARCY, KITTY = 1, 2, 3, 4
NAMES = {OWNER: "Elizabeth Bennet", JANE: "Jane", DARCY: "Fitzwilliam Darcy", KITTY: "Kitty"}
HUMANS = {JANE, KITTY}


def _heard(mid: int, speaker: int, text: str, *, act: str | None = None,
           importance: float = 3.0, tone: float = 0.0, target: int | None = None) -> Witnessed:
    target_name = NAMES[target] if target else None
    memory = Memory(ecosystem_id=1, owner_id=OWNER, text=observation_text(
        NAMES[speaker], text, target_name), importance=importance, created_at=T0,
        last_accessed_at=T0, emotional_tone=tone, id=mid)
    return Witnessed(memory, speaker, NAMES[speaker], speaker in HUMANS, act, target)


# -- when ------------------------------------------------------------------------------------


def test_reflection_is_due_once_the_importance_reaches_the_threshold() -> None:
    assert not is_due(REFLECTION_THRESHOLD - 0.01)
    assert is_due(REFLECTION_THRESHOLD)
    assert is_due(12.0, threshold=10.0) and not is_due(9.0, threshold=10.0)


# -- first-person facts -------------------------------------------------------------------------


@pytest.mark.parametrize(("said", "known"), [
    ("I'm moving to Lisbon", "Jane is moving to Lisbon."),
    ("Elizabeth, I am moving to Lisbon next month!", "Jane is moving to Lisbon next month."),
    ("I live in Meryton with my aunt.", "Jane lives in Meryton with their aunt."),
    ("I work as a governess, and I like it.", "Jane works as a governess."),
    ("My sister is a nurse.", "Jane's sister is a nurse."),
    ("I have a parrot called Zanzibar.", "Jane has a parrot called Zanzibar."),
    ("I’m 34 years old.", "Jane is 34 years old."),
    ("I'm getting married in June and I can't wait.", "Jane is getting married in June."),
    ("I hate cold mornings.", "Jane hates cold mornings."),
    ("Well I am from Derbyshire.", "Jane is from Derbyshire."),
])
def test_first_person_statements_become_facts_about_the_speaker(said: str, known: str) -> None:
    facts = extract_facts(said, JANE, "Jane")
    assert [f.text for f in facts] == [known]
    assert all(f.subject_id == JANE for f in facts)


@pytest.mark.parametrize("said", [
    "Are you moving to Lisbon?",
    "Am I moving to Lisbon?",
    "You think I am a fool.",
    "I love you.",
    "I love that.",
    "I have a question for Darcy.",
    "I am sure you are right.",
    "My dear, the weather is fine.",
    "Darcy is moving to Lisbon.",
])
def test_what_is_not_a_plain_statement_about_oneself_is_not_a_fact(said: str) -> None:
    assert extract_facts(said, JANE, "Jane") == []


def test_a_later_statement_on_the_same_slot_wins_and_slots_read_back() -> None:
    facts = extract_facts("I'm moving to Lisbon. No, wait: I'm moving to Porto. "
                          "I have a cat. I have a dog.", JANE, "Jane Bennet")
    assert [f.text for f in facts] == ["Jane Bennet is moving to Porto.",
                                       "Jane Bennet has a cat.", "Jane Bennet has a dog."]
    for fact in facts:
        assert slot_of(fact.text, "Jane Bennet") == fact.slot
    assert slot_of("Something else entirely.", "Jane Bennet") is None


@given(st.text(max_size=200))
def test_facts_never_speak_of_the_listener_and_always_read_back(body: str) -> None:
    for fact in extract_facts(body, JANE, "Jane"):
        assert fact.text.startswith("Jane")
        assert " you" not in fact.text.lower()
        assert slot_of(fact.text, "Jane") == fact.slot


def test_facts_are_learned_from_humans_only_and_cite_the_observation() -> None:
    window = [
        _heard(10, JANE, "I'm moving to Lisbon."),
        _heard(11, DARCY, "I am moving to Pemberley."),  # a character: improvisation
        _heard(12, KITTY, "I have a bonnet with ribbons.", importance=7.0),
    ]
    learned = learn_facts(window, OWNER, {JANE: "Jane Bennet"})
    assert [(item.subject_id, item.text, item.cited_ids) for item in learned] == [
        (JANE, "Jane Bennet is moving to Lisbon.", (10,)),
        (KITTY, "Kitty has a bonnet with ribbons.", (12,)),
    ]
    assert learned[0].importance == 5.0 and learned[1].importance == 7.0


# -- focal questions and template insights -----------------------------------------------------


def test_questions_are_about_who_spoke_most_and_what_recurs() -> None:
    window = [
        _heard(1, DARCY, "The assembly at Meryton was tedious.", importance=6.0),
        _heard(2, JANE, "Meryton is lovely in spring.", importance=3.0),
        _heard(3, DARCY, "I shall not dance at Meryton.", importance=6.0),
        _heard(4, KITTY, "The officers are coming!", importance=2.0),
        _heard(5, OWNER, "Meryton again? Really, Darcy.", importance=9.0),
    ]
    questions = focal_questions(window, OWNER, NAMES[OWNER], limit=3)
    assert [q.text for q in questions] == [
        "What do I make of Fitzwilliam Darcy?",
        "What do I know about Meryton?",
        "What do I make of Jane?",
    ]
    assert questions[0].subject_id == DARCY and questions[0].query == "Fitzwilliam Darcy"
    assert questions[1].topic == "Meryton" and questions[1].query == "Meryton"
    # Names are not topics, and the character does not ask about itself.
    assert all(q.subject_id != OWNER for q in questions)
    assert focal_questions([], OWNER, NAMES[OWNER]) == []


def test_a_person_insight_cites_what_they_said_and_reads_their_tone() -> None:
    question = FocalQuestion("What do I make of Fitzwilliam Darcy?", DARCY, NAMES[DARCY])
    retrieved = [
        _heard(1, DARCY, "You are tolerable, no more.", act="insult", tone=-0.6, importance=6),
        _heard(2, JANE, "Darcy is proud.", tone=-0.2),
        _heard(3, DARCY, "I do not dance.", act="disagree", tone=-0.3, importance=4),
    ]
    insight = template_insight(question, retrieved, OWNER)
    assert insight is not None
    assert insight.cited_ids == (1, 3)
    assert insight.text == ("Fitzwilliam Darcy has seemed cold of late (cutting, contrary); "
                            "I should be wary of Fitzwilliam Darcy.")
    assert insight.importance == 6.0  # mean 5 + 1
    warm = [_heard(4, DARCY, "How lovely you look.", act="praise", tone=0.7)]
    insight = template_insight(question, warm, OWNER)
    assert insight is not None and "I think well of" in insight.text
    assert template_insight(question, [retrieved[1]], OWNER) is None


def test_a_topic_insight_cites_the_memories_that_mention_it() -> None:
    question = FocalQuestion("What do I know about Lisbon?", topic="Lisbon")
    retrieved = [
        _heard(1, JANE, "I'm moving to Lisbon."),
        _heard(2, KITTY, "Lisbon? How far!"),
        _heard(3, KITTY, "I love ribbons."),
        _heard(4, OWNER, "Lisbon will suit you."),
    ]
    insight = template_insight(question, retrieved, OWNER)
    assert insight is not None
    assert insight.cited_ids == (1, 2, 4)
    assert insight.text == "Lisbon keeps coming up: Jane, Kitty and I spoke of it."


def test_impressions_need_enough_telling_acts() -> None:
    seen = {
        DARCY: [_heard(1, DARCY, "Tolerable.", act="insult"),
                _heard(2, DARCY, "No.", act="disagree"),
                _heard(3, DARCY, "Indeed.", act="insult")],
        JANE: [_heard(4, JANE, "Hello!", act="greet")],
    }
    learned = learn_impressions(seen, NAMES)
    assert [(i.subject_id, i.slot, i.text, i.cited_ids) for i in learned] == [
        (DARCY, IMPRESSION_SLOT, "My impression of Fitzwilliam Darcy: cutting and contrary.",
         (1, 2, 3)),
    ]


# -- knowledge merging -------------------------------------------------------------------------


def test_knowledge_is_updated_by_slot_not_duplicated() -> None:
    known = [
        Known(50, JANE, "Jane is moving to Lisbon.", (10,), 5.0),
        Known(51, JANE, "Jane has a cat.", (11,), 6.0),
        Known(52, JANE, "A note the templates did not write.", (12,), 5.0),
    ]
    learned = [
        Learned(JANE, "moving", "Jane is moving to Porto.", (20,), 5.0),
        Learned(JANE, "has-a cat", "Jane has a cat.", (21,), 5.0),
        Learned(JANE, "age", "Jane is 22 years old.", (22,), 5.0),
        Learned(JANE, "age", "Jane is 23 years old.", (23,), 5.0),
        Learned(JANE, "has-a cat", "Jane has a cat.", (11,), 5.0),
    ]
    changes = {c.text: c for c in plan_knowledge(known, learned, {JANE: "Jane"})}
    assert set(changes) == {"Jane is moving to Porto.", "Jane has a cat.",
                            "Jane is 23 years old."}
    moved = changes["Jane is moving to Porto."]
    assert moved.replaces == 50 and moved.memory_id is None and moved.cited_ids == (10, 20)
    cat = changes["Jane has a cat."]
    assert cat.memory_id == 51 and cat.replaces is None and cat.cited_ids == (11, 21)
    assert cat.importance == 6.0
    age = changes["Jane is 23 years old."]
    assert age.memory_id is None and age.replaces is None and age.cited_ids == (22, 23)
    # Learning nothing new changes nothing.
    assert plan_knowledge(known, [Learned(JANE, "has-a cat", "Jane has a cat.", (11,), 5.0)],
                          {JANE: "Jane"}) == []


# -- summary -----------------------------------------------------------------------------------


def test_the_summary_quotes_insights_then_knowledge_within_its_cap() -> None:
    assert compose_summary([], []) == ""
    summary = compose_summary(["Darcy is proud but honest", "Jane is kind."],
                              ["Jane is moving to Lisbon."])
    assert summary == ("What I have come to think: Darcy is proud but honest. Jane is kind.\n"
                       "What I know of others: Jane is moving to Lisbon.")
    clipped = compose_summary([f"Insight number {i} is here." for i in range(4)], [], limit=80)
    assert len(clipped) <= 80 and clipped.endswith(".")


# -- fading ------------------------------------------------------------------------------------


def _old(kind: str = "observation", importance: float = 2.0, days: float = 40,
         accessed_days: float = 40) -> Memory:
    now = T0 + timedelta(days=100)
    return Memory(ecosystem_id=1, owner_id=OWNER, text="x", importance=importance, kind=kind,
                  created_at=now - timedelta(days=days),
                  last_accessed_at=now - timedelta(days=accessed_days), id=1)


def test_old_unimportant_unrecalled_uncited_memories_fade_and_nothing_else() -> None:
    policy = FadePolicy()
    now = T0 + timedelta(days=100)
    assert policy.fades(_old(), now, cited=False)
    assert policy.fades(_old(kind="reflection"), now, cited=False)
    assert not policy.fades(_old(), now, cited=True)
    assert not policy.fades(_old(kind="knowledge"), now, cited=False)
    assert not policy.fades(_old(importance=3.0), now, cited=False)
    assert not policy.fades(_old(accessed_days=FADE_AFTER_DAYS - 1), now, cited=False)
    assert not policy.fades(_old(days=FADE_AFTER_DAYS - 1, accessed_days=0), now, cited=False)
    assert policy.select([_old()], now, cited=set()) == [1]
    assert policy.select([_old()], now, cited={1}) == []


# -- model answers -----------------------------------------------------------------------------


def test_a_reflection_answer_is_read_leniently_but_citations_must_be_valid() -> None:
    raw = """Here you are:
```json
{"insights": [{"text": "Darcy is proud but honest.", "cites": [1, 3, 9], "importance": 14},
              {"text": "No source.", "cites": [7]},
              {"text": "Jane is leaving.", "cites": ["2"]}],
 "impressions": [{"name": "jane", "text": "Kind, and leaving.", "cites": [2]},
                 {"name": "Stranger", "text": "Who?", "cites": [1]}]}
```"""
    answer = parse_reflection(raw, statements=3, people=["Jane"])
    assert answer is not None
    assert [(i.text, i.cites, i.importance) for i in answer.insights] == [
        ("Darcy is proud but honest.", (0, 2), 10.0), ("Jane is leaving.", (1,), None)]
    assert [(i.name, i.cites) for i in answer.impressions] == [("Jane", (1,))]
    for garbage in ("I'd rather not.", "{}", '{"insights": "many"}', "[1, 2]",
                    '{"insights": [{"text": "x", "cites": [0]}]}'):
        assert parse_reflection(garbage, 3, ["Jane"]) is None


def test_importance_ratings_must_be_one_number_per_memory() -> None:
    assert parse_importance('{"ratings": [1, 5.5, 12, "3"]}', 4) == [1.0, 5.5, 10.0, 3.0]
    assert parse_importance("[2, 3]", 2) == [2.0, 3.0]
    assert parse_importance('{"ratings": [1, 2]}', 3) is None
    assert parse_importance('{"ratings": [1, "high"]}', 2) is None
    assert parse_importance("three", 1) is None
    assert extract_json("noise {\"a\": 1} noise") == {"a": 1}


def test_the_reflection_request_numbers_memories_and_lists_people() -> None:
    messages = reflection_messages("Elizabeth Bennet", ["I said: hello", "Jane said: bye"],
                                   ["What do I make of Jane?"], {"Jane": ""}, max_insights=3)
    user = messages[-1]["content"]
    assert "1. I said: hello\n2. Jane said: bye" in user
    assert "- What do I make of Jane?" in user and "- Jane: (no impression yet)" in user
    assert '"insights"' in user and "at most 3 insights" in user
