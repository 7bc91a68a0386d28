"""Social acts: what a message *does*. Dynamics are functions of acts, never of wording."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Act", "ACT_VALENCE"]


class Act(StrEnum):
    GREET = "greet"
    FAREWELL = "farewell"
    ASK = "ask"
    ANSWER = "answer"
    RESPOND = "respond"
    AGREE = "agree"
    DISAGREE = "disagree"
    PRAISE = "praise"
    THANK = "thank"
    TEASE = "tease"
    INSULT = "insult"
    CONFIDE = "confide"
    FLIRT = "flirt"
    APOLOGISE = "apologise"
    THREATEN = "threaten"
    HELP = "help"
    JOKE = "joke"
    INITIATE = "initiate"
    SMALL_TALK = "small_talk"


#: How pleasant an act is for its target, in [-1, 1]; used where no lexicon reading exists.
ACT_VALENCE: dict[Act, float] = {
    Act.GREET: 0.3,
    Act.FAREWELL: 0.1,
    Act.ASK: 0.05,
    Act.ANSWER: 0.1,
    Act.RESPOND: 0.05,
    Act.AGREE: 0.3,
    Act.DISAGREE: -0.2,
    Act.PRAISE: 0.7,
    Act.THANK: 0.5,
    Act.TEASE: -0.05,
    Act.INSULT: -0.8,
    Act.CONFIDE: 0.4,
    Act.FLIRT: 0.5,
    Act.APOLOGISE: 0.4,
    Act.THREATEN: -0.9,
    Act.HELP: 0.6,
    Act.JOKE: 0.3,
    Act.INITIATE: 0.2,
    Act.SMALL_TALK: 0.1,
}
