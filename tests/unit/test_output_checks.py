"""Output checks on model replies (pure)."""

from __future__ import annotations

import pytest

from engine.rendering.output_checks import (
    check_output,
    clip_at_sentence,
    cut_other_speakers,
    find_leakage,
    neutralise_mentions,
    strip_reasoning,
    strip_speaker_prefix,
    strip_wrapping_quotes,
)

NAMES = ["Elizabeth Bennet", "Elizabeth", "Lizzy"]


@pytest.mark.parametrize(
    "raw",
    [
        "Elizabeth: Good evening.",
        "Elizabeth Bennet: Good evening.",
        "**Elizabeth:** Good evening.",
        "**Elizabeth Bennet**: Good evening.",
        "*Lizzy*: Good evening.",
        "[Elizabeth]: Good evening.",
        "elizabeth (smiling): Good evening.",
        "  Elizabeth:Good evening.",
    ],
)
def test_speaker_prefix_is_removed(raw: str) -> None:
    assert strip_speaker_prefix(raw, NAMES) == "Good evening."


def test_speaker_name_inside_the_sentence_is_kept() -> None:
    text = "Elizabeth is here: ready to dance."
    assert strip_speaker_prefix(text, NAMES) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"Good evening."', "Good evening."),
        ("“Good evening.”", "Good evening."),
        ("'Hi.'", "Hi."),
        ('"Hello," she said, "goodbye."', '"Hello," she said, "goodbye."'),
        ("Plain.", "Plain."),
    ],
)
def test_wrapping_quotes(raw: str, expected: str) -> None:
    assert strip_wrapping_quotes(raw) == expected


def test_reasoning_blocks_are_removed() -> None:
    assert strip_reasoning("<think>plan the tease</think>\nLa, sir!") == "La, sir!"
    assert strip_reasoning("La, sir! <think>never closed") == "La, sir!"


def test_lines_written_for_others_are_cut() -> None:
    text = "Indeed, sir.\nMr. Darcy: I am not a dancer.\nElizabeth: Then sit."
    assert cut_other_speakers(text, ["Mr. Darcy", "Jane"]) == "Indeed, sir."
    assert cut_other_speakers("**Jane:** Be kind.", ["Jane"]) == ""
    assert cut_other_speakers("Jane is kind.\nAnd so am I.", ["Jane"]) == (
        "Jane is kind.\nAnd so am I."
    )
    assert cut_other_speakers("Hi.\n{{user}}: hello", []) == "Hi."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Listen @everyone!", "Listen everyone!"),
        ("Hey @here", "Hey here"),
        ("@@everyone now", "everyone now"),
        ("Thanks <@123456789> and <@!42>", "Thanks and"),
        ("Dear <@&987>, see <#555>.", "Dear, see."),
        ("<!channel> news", "news"),
        ("<!subteam^S123|@team> hi", "hi"),
        ("Ask <@U12AB|bob> in <#C99|general>", "Ask bob in #general"),
        ("Hello @Darcy", "Hello Darcy"),
        ("Write to lizzy@longbourn.org", "Write to lizzy@longbourn.org"),
    ],
)
def test_mentions_are_neutralised(raw: str, expected: str) -> None:
    assert neutralise_mentions(raw) == expected


def test_no_broadcast_mention_survives() -> None:
    out = neutralise_mentions("@everyone @here <!here> <!everyone> <@&1> <@2> @channel")
    for forbidden in ("@everyone", "@here", "<!", "<@", "@channel"):
        assert forbidden not in out


def test_clip_prefers_a_sentence_boundary() -> None:
    text = "First sentence. Second one is here! Third sentence runs long."
    assert clip_at_sentence(text, 40) == "First sentence. Second one is here!"
    assert clip_at_sentence(text, 1000) == text


def test_clip_without_sentence_end_cuts_at_a_word() -> None:
    out = clip_at_sentence("word " * 50, 30)
    assert len(out) <= 30
    assert out.endswith("…")
    assert "wor…" not in out


@pytest.mark.parametrize(
    "leak",
    [
        "As an AI language model, I cannot do that.",
        "I'm an AI and cannot feel.",
        "I’m just an AI.",
        "I am an AI assistant.",
        "Sorry, I cannot roleplay this.",
        "I can't continue this role-play.",
        "Speaking as a large language model, no.",
        "Well. As an AI, I have no opinions.",
    ],
)
def test_leakage_is_found(leak: str) -> None:
    assert find_leakage(leak) is not None
    assert find_leakage(leak.upper()) is not None


@pytest.mark.parametrize(
    "fine", ["The airline lost my trunk.", "I am an aide to the colonel.", "Pray, sit."]
)
def test_in_character_text_is_not_leakage(fine: str) -> None:
    assert find_leakage(fine) is None


def test_check_output_cleans_a_reply() -> None:
    result = check_output(
        '<think>x</think>**Elizabeth:** "Do you dance, @everyone?"\nMr. Darcy: No.',
        speaker_names=NAMES,
        other_names=["Mr. Darcy"],
    )
    assert result.ok
    assert result.text == "Do you dance, everyone?"


def test_check_output_rejects_empty_and_leaking_replies() -> None:
    assert check_output("", speaker_names=NAMES).rejected == "empty reply"
    assert check_output(None, speaker_names=NAMES).rejected == "empty reply"
    assert check_output('"  "', speaker_names=NAMES).rejected == "empty reply"
    assert check_output("Mr. Darcy: Hm.", speaker_names=NAMES,
                        other_names=["Mr. Darcy"]).rejected == "empty reply"
    leaked = check_output("As an AI language model I can't.", speaker_names=NAMES)
    assert not leaked.ok
    assert leaked.rejected is not None and "leakage" in leaked.rejected


def test_check_output_ignores_own_name_in_other_names() -> None:
    result = check_output("Elizabeth: Fine.\nJane: Finer.", speaker_names=NAMES,
                          other_names=["Elizabeth", "Jane"])
    assert result.text == "Fine."


def test_check_output_clips_to_max_chars() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(200))
    result = check_output(text, speaker_names=NAMES, max_chars=300)
    assert result.ok
    assert len(result.text) <= 300
    assert result.text.endswith(".")
