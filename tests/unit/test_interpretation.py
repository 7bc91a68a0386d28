"""Reading members' messages: addressing and acts."""

from __future__ import annotations

import pytest

from engine.acts import Act
from engine.cast import CastMember
from engine.interpretation import classify_act, find_addressed, read_message, sentiment_of

CAST = [
    CastMember(1, "Elizabeth Bennet", ("Elizabeth", "Lizzy", "Eliza"), 0.7, 2, 0.8),
    CastMember(2, "Fitzwilliam Darcy", ("Darcy", "Mr. Darcy"), 0.3, 1, 0.4),
    CastMember(3, "Jane Bennet", ("Jane",), 0.4, 2, 0.6),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Darcy, do you dance?", [2]),
        ("@darcy what say you", [2]),
        ("@Lizzy and @Jane, come here", [1, 3]),
        ("@Elizabeth Bennet hello", [1]),
        ("What do you think, Mr. Darcy?", [2]),
        ("jane, you are too good", [3]),
        ("Nobody in particular", []),
        ("Janet is not Jane's cousin", []),
        ("@Lizzy, what do you think of Mr. Darcy?", [1]),
        ("Elizabeth, what do you think of Mr. Darcy?", [1]),
        ("What do you think of Mr. Darcy?", []),
        ("Good evening, Jane!", [3]),
        ("Thank you, dear Jane.", [3]),
        ("Oh Lizzy, you are wicked", [1]),
    ],
)
def test_addressing_by_name_and_mention(text: str, expected: list[int]) -> None:
    addressed, unknown = find_addressed(text, CAST)
    assert addressed == expected
    assert unknown == []


def test_unknown_mentions_are_reported() -> None:
    addressed, unknown = find_addressed("@Wickham and @Darcy", CAST)
    assert addressed == [2] and unknown == ["Wickham"]


def test_replying_to_a_character_addresses_it() -> None:
    assert read_message("Indeed.", CAST, reply_to_author_id=3).addressed_ids == (3,)


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("Good evening, everyone!", Act.GREET),
        ("I am so sorry for what I said", Act.APOLOGISE),
        ("Thank you, Jane", Act.THANK),
        ("Can I tell you a secret?", Act.CONFIDE),
        ("You are a vile, hateful, stupid man", Act.INSULT),
        ("You are wonderful and so kind", Act.PRAISE),
        ("Where is the library?", Act.ASK),
        ("Goodbye all", Act.FAREWELL),
        ("Watch yourself, or else", Act.THREATEN),
        ("Darcy, you are the rudest, most insufferable person alive.", Act.INSULT),
        ("You are so proud of your garden, and rightly", Act.PRAISE),
    ],
)
def test_acts(text: str, act: Act) -> None:
    assert classify_act(text, sentiment_of(text)) is act


def test_sentiment_is_bounded_and_signed() -> None:
    assert sentiment_of("I love this wonderful evening") > 0.3
    assert sentiment_of("I hate this horrid, awful evening") < -0.3
    assert sentiment_of("") == 0.0
    assert -1.0 <= sentiment_of("good " * 50_000) <= 1.0
