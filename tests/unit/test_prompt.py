"""The model prompt for one act."""

from __future__ import annotations

from engine.acts import Act
from engine.personas import Character, Persona, SpeechStyle
from engine.rendering.prompt import build_messages, example_lines, relationship_in_words
from engine.rendering.request import RelationshipView, RenderRequest


def _elizabeth(**overrides: object) -> Character:
    fields: dict[str, object] = {
        "name": "Elizabeth Bennet",
        "description": "The second Bennet daughter, quick-witted and proud of {{char}}'s wit.",
        "personality": "lively, playful, prejudiced at first",
        "scenario": "Longbourn and Netherfield, 1811.",
        "mes_example": (
            "<START>\n{{user}}: Do you dance?\n{{char}}: La, {{user}}! Only when asked nicely.\n"
            "{{char}}: I dearly love a laugh.\n{{char}}: A third line never shown."
        ),
        "system_prompt": "{{original}}Play {{char}} opposite {{user}}.",
        "persona": Persona(
            values=("wit", "honesty"),
            goals=("marry only for love",),
            speech=SpeechStyle(formality=0.8, catchphrases=("I dearly love a laugh",),
                               quirks="Regency diction, arch understatement"),
        ),
    }
    fields.update(overrides)
    return Character(**fields)  # type: ignore[arg-type]


def _request(**overrides: object) -> RenderRequest:
    fields: dict[str, object] = {
        "character": _elizabeth(),
        "act": Act.TEASE,
        "target_name": "Mr. Darcy",
        "trigger_text": "I do not dance unless I am well acquainted.",
        "trigger_author": "Mr. Darcy",
        "relationship": RelationshipView(label="rival", affinity=-0.4, trust=-0.1,
                                         familiarity=0.3),
        "memories": ("Mr. Darcy called her tolerable at the Meryton assembly.",),
        "transcript": (("Jane Bennet", "Lizzy, be kind."),
                       ("Mr. Darcy", "I do not dance unless I am well acquainted.")),
        "channel_name": "ballroom",
    }
    fields.update(overrides)
    return RenderRequest(**fields)  # type: ignore[arg-type]


def _total(messages: list[dict[str, str]]) -> int:
    return sum(len(m["content"]) for m in messages)


def test_shape_is_one_system_then_one_user_message() -> None:
    messages = build_messages(_request())
    assert [m["role"] for m in messages] == ["system", "user"]
    assert all(isinstance(m["content"], str) and m["content"] for m in messages)


def test_system_message_carries_the_persona() -> None:
    system = build_messages(_request())[0]["content"]
    for expected in ("Elizabeth Bennet", "quick-witted", "lively, playful", "Longbourn",
                     "wit", "honesty", "marry only for love", "I dearly love a laugh",
                     "Regency diction", "formal"):
        assert expected in system
    # card placeholders substituted, {{original}} dropped
    assert "{{" not in system and "}}" not in system
    assert "Play Elizabeth Bennet opposite Mr. Darcy." in system


def test_system_message_states_the_rules() -> None:
    system = build_messages(_request())[0]["content"].lower()
    assert "ai persona" in system
    assert "roleplay community" in system
    assert "stay in character" in system
    assert "never write lines" in system
    assert "@mentions" in system


def test_relationship_and_memories_are_included() -> None:
    system = build_messages(_request())[0]["content"]
    assert "Mr. Darcy is your rival" in system
    assert "dislike" in system
    assert "- Mr. Darcy called her tolerable at the Meryton assembly." in system


def test_the_memory_summary_is_included_clipped_and_only_when_there_is_one() -> None:
    plain = build_messages(_request())[0]["content"]
    assert "What you have come to understand" not in plain
    summary = "Darcy is proud but honest. Wickham lied about the living. " * 40
    system = build_messages(_request(character=_elizabeth(memory_summary=summary)))[0][
        "content"]
    line = next(x for x in system.splitlines() if x.startswith("What you have come to"))
    assert "Darcy is proud but honest." in line
    assert len(line) < 800  # clipped: the summary cannot crowd out the conversation


def test_relationship_in_words_scales() -> None:
    warm = relationship_in_words(RelationshipView("friend", 0.9, 0.9, 0.9), "Jane")
    cold = relationship_in_words(RelationshipView("enemy", -0.9, -0.9, 0.0), "Wickham")
    assert "very fond" in warm and "trust them deeply" in warm and "intimately" in warm
    assert "detest" in cold and "do not trust them at all" in cold and "barely" in cold


def test_transcript_and_final_instruction() -> None:
    user = build_messages(_request())[1]["content"]
    assert user.startswith("Recent conversation in #ballroom:\n")
    assert "Jane Bennet: Lizzy, be kind.\nMr. Darcy: I do not dance" in user
    # the trigger already ends the transcript: not repeated
    assert user.count("I do not dance unless") == 1
    last = user.strip().splitlines()[-1]
    assert last.startswith("Now, as Elizabeth Bennet, *tease* Mr. Darcy, replying to")
    assert "at most 3 sentences" in last
    assert "Write only the message text" in last


def test_trigger_missing_from_transcript_is_added() -> None:
    user = build_messages(_request(transcript=()))[1]["content"]
    assert "Mr. Darcy: I do not dance unless I am well acquainted." in user


def test_act_without_target_addresses_the_room() -> None:
    request = _request(act=Act.INITIATE, target_name=None, trigger_text=None,
                       trigger_author=None, transcript=())
    messages = build_messages(request)
    assert "quiet" in messages[1]["content"]
    assert "*start a new conversation* with everyone in the channel" in messages[1]["content"]
    assert "Relationship:" not in messages[0]["content"]


def test_human_target_is_named_as_a_member() -> None:
    request = _request(target_name="alice", trigger_author="alice", target_is_human=True,
                       act=Act.GREET)
    user = build_messages(request)[1]["content"]
    assert "*greet* alice" in user
    assert "alice is a community member" in user


def test_examples_are_the_characters_own_lines_clipped() -> None:
    lines = example_lines(_elizabeth(), "Mr. Darcy")
    assert lines == ["La, Mr. Darcy! Only when asked nicely.", "I dearly love a laugh."]
    long_card = _elizabeth(mes_example="{{char}}: " + "word " * 200)
    (only,) = example_lines(long_card, "x")
    assert len(only) <= 200


def test_transcript_keeps_the_last_lines_clipped() -> None:
    transcript = tuple((f"Member{i}", f"message {i} " + "x" * 900) for i in range(30))
    user = build_messages(_request(transcript=transcript, trigger_text=None),
                          transcript_lines=5)[1]["content"]
    assert "Member29:" in user
    assert "Member24:" not in user
    for line in user.splitlines():
        if line.startswith("Member"):
            assert len(line) <= len("Member29: ") + 500


def test_prompt_stays_under_budget_dropping_old_lines_and_memories_first() -> None:
    long_card = _elizabeth(description="D" * 5000, personality="P " * 2000,
                           system_prompt="S " * 2000)
    transcript = tuple((f"Member{i}", f"line {i} " + "y " * 300) for i in range(12))
    memories = tuple(f"memory {i} " + "z " * 200 for i in range(10))
    request = _request(character=long_card, transcript=transcript, memories=memories,
                       trigger_text=None)
    messages = build_messages(request)
    assert _total(messages) <= 6000
    user = messages[1]["content"]
    assert "Member11:" in user  # the newest line survives
    assert "Member0:" not in user  # the oldest went first
    assert messages[0]["content"].count("D") <= 1300  # capped description
    # with a generous budget nothing is dropped
    roomy = build_messages(request, max_chars=100_000)
    assert "Member0:" in roomy[1]["content"]
    assert "memory 9" in roomy[0]["content"]


def test_prompt_is_deterministic() -> None:
    assert build_messages(_request()) == build_messages(_request())
