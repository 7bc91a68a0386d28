"""The offline renderer: voices an act from the character's card, with no network and no model.

It prefers the card's own words (``speech.lines`` for the act, greetings, example messages) and
falls back on the generic :mod:`engine.rendering.phrasebook`, shaded by register and personality.
Context colours the line: who is addressed, a topic echoed from the message being answered, how
the speaker feels about the target, and now and then a remembered event. Every choice comes from
a ``random.Random`` seeded by the request, so the same request always gives the same words.
"""

from __future__ import annotations

import logging
import random

from engine.acts import Act
from engine.personas import Character
from engine.rendering.cardtext import (
    clip,
    decapitalize,
    end_sentence,
    example_lines,
    fill_placeholders,
    sanitize,
    short_greeting,
    strip_speaker_prefix,
    topic_word,
)
from engine.rendering.phrasebook import PHRASEBOOK, act_symbol, hedge_symbol
from engine.rendering.request import RenderRequest

__all__ = ["OfflineRenderer", "MAX_CHARS"]

logger = logging.getLogger(__name__)

#: The longest message the offline renderer writes.
MAX_CHARS = 400
_NAME_CHARS = 64
_MEMORY_CHARS = 80

#: Acts for which the card's example messages fit well, and how often they are used.
_EXAMPLE_ACTS = {Act.RESPOND: 0.5, Act.ANSWER: 0.5, Act.SMALL_TALK: 0.5, Act.AGREE: 0.15,
                 Act.JOKE: 0.15, Act.INITIATE: 0.15}
#: Acts that answer a message, and so may echo its topic.
_TOPIC_ACTS = frozenset({Act.RESPOND, Act.ANSWER, Act.AGREE, Act.DISAGREE, Act.TEASE, Act.JOKE,
                         Act.SMALL_TALK, Act.PRAISE})
#: Acts an anxious character does not hedge (a hedge there reads oddly).
_NO_HEDGE = frozenset({Act.GREET, Act.FAREWELL, Act.THANK})
_P_CARD_LINE = 0.8
_P_GREETING = 0.7
_P_INTERJECTION = 0.3
_P_CATCHPHRASE = 0.15
_P_MEMORY = 0.25


class OfflineRenderer:
    """Renders an act into a line in the character's voice without a language model."""

    name = "offline"

    def render(self, request: RenderRequest) -> str:
        """Voice ``request.act`` as ``request.character``.

        Returns:
            One message: non-empty, at most :data:`MAX_CHARS` characters, free of mentions,
            placeholders and grammar symbols, never opening with the speaker's own name tag.
        """
        character = request.character
        rng = random.Random(f"{request.seed}:{character.name}:{request.act}")
        speech = character.persona.speech
        traits = character.persona.big_five
        formal = _is_formal(speech.formality, rng)
        user = _address(request, rng)
        char = _clean_name(character.name) or "me"
        bindings = {"user": user, "char": char, "interest": _interest(character, rng)}

        body = self._card_body(request, rng)
        if body is not None:
            body = sanitize(fill_placeholders(body, user=user, char=char))
            body = strip_speaker_prefix(body, _speaker_names(character))
        if not body:
            gentle = traits.agreeableness >= 0.65
            body = PHRASEBOOK.flatten(act_symbol(request.act, formal=formal, gentle=gentle),
                                      rng, bindings)

        parts: list[str] = []
        opener = _opener(request, rng, bindings, body)
        if opener:
            parts.append(opener)
        if traits.neuroticism >= 0.65 and request.act not in _NO_HEDGE and rng.random() < 0.5:
            parts.append(PHRASEBOOK.flatten(hedge_symbol(formal=formal), rng, bindings))
        parts.append(end_sentence(body))
        memory = _memory(request, rng)
        if memory:
            parts.append(PHRASEBOOK.flatten("remember", rng, {**bindings, "memory": memory}))
        catchphrases = [c for c in speech.catchphrases if c.strip()]
        if catchphrases and rng.random() < _P_CATCHPHRASE:
            phrase = rng.choice(catchphrases)
            if phrase.lower() not in " ".join(parts).lower():
                parts.append(end_sentence(fill_placeholders(phrase, user=user, char=char)))
        text = " ".join(parts)

        interjections = [i.strip() for i in speech.interjections if i.strip()]
        if interjections and rng.random() < _P_INTERJECTION:
            text = _prefix(rng.choice(interjections), text)
        text = _shade_exclamation(text, traits.extraversion, rng)
        return _finish(text, character, request, formal)

    def _card_body(self, request: RenderRequest, rng: random.Random) -> str | None:
        """A line from the card for this act, or None to use the phrasebook."""
        character = request.character
        lines = [line for line in character.persona.speech.lines.get(request.act.value, ())
                 if line.strip()]
        if lines and rng.random() < _P_CARD_LINE:
            return rng.choice(lines)
        if request.act is Act.GREET:
            greetings = [g for g in (character.first_mes, *character.alternate_greetings)
                         if g.strip()]
            if greetings and rng.random() < _P_GREETING:
                return short_greeting(rng.choice(greetings))
        share = _EXAMPLE_ACTS.get(request.act, 0.0)
        if share and character.mes_example.strip():
            examples = example_lines(character.mes_example, character.names())
            if examples and rng.random() < share:
                return rng.choice(examples)
        return None


def _is_formal(formality: float, rng: random.Random) -> bool:
    """Formal register: always above 0.65, never below 0.35, by chance in between."""
    if formality >= 0.65:
        return True
    if formality <= 0.35:
        return False
    return rng.random() < formality


def _clean_name(name: str) -> str:
    return clip(sanitize(name), _NAME_CHARS).rstrip("…").strip()


def _speaker_names(character: Character) -> list[str]:
    names = {*character.names(), character.short_name}
    names |= {_clean_name(n) for n in names}
    return sorted((n for n in names if n.strip()), key=len, reverse=True)


def _address(request: RenderRequest, rng: random.Random) -> str:
    """How the line addresses its target: short name when warm, the room when there is none."""
    target = _clean_name(request.target_name or "")
    if not target:
        return rng.choice(("everyone", "all of you"))
    if request.relationship.affinity > 0.4:
        return target.split()[0]
    return target


def _interest(character: Character, rng: random.Random) -> str:
    values = [v.strip().lower() for v in character.persona.values if 0 < len(v.strip()) <= 40]
    if values and rng.random() < 0.6:
        return sanitize(rng.choice(values))
    return PHRASEBOOK.flatten("interest", rng)


def _opener(
    request: RenderRequest, rng: random.Random, bindings: dict[str, str], body: str
) -> str:
    """At most one sentence before the body: a reaction to the trigger or to the target."""
    act, trigger = request.act, request.trigger_text or ""
    if act in (Act.ASK, Act.ANSWER) and "?" in trigger and rng.random() < 0.5:
        symbol = "question_back" if act is Act.ASK else "question_react"
        return PHRASEBOOK.flatten(symbol, rng, bindings)
    if act in _TOPIC_ACTS and trigger.strip() and rng.random() < 0.4:
        exclude = [*request.character.names(), request.trigger_author or ""]
        topic = topic_word(trigger, exclude)
        if topic:
            return PHRASEBOOK.flatten("topic_echo", rng, {**bindings, "topic": sanitize(topic)})
    affinity, opener = request.relationship.affinity, ""
    if request.target_name and affinity < -0.3 and rng.random() < 0.5:
        opener = PHRASEBOOK.flatten("cold_opener", rng, bindings)
    elif request.target_name and affinity > 0.4 and act is not Act.GREET and rng.random() < 0.3:
        opener = PHRASEBOOK.flatten("warm_opener", rng, bindings)
    # Naming the target twice in one short message reads like a stutter.
    if bindings["user"] in opener and bindings["user"] in body:
        return ""
    return opener


def _memory(request: RenderRequest, rng: random.Random) -> str:
    """The first retrieved memory, clipped for weaving into a sentence (or "")."""
    if not request.memories or rng.random() >= _P_MEMORY:
        return ""
    memory = sanitize(request.memories[0])
    memory = clip(memory, _MEMORY_CHARS).rstrip("….!?;:, ")
    return decapitalize(memory)


def _prefix(interjection: str, text: str) -> str:
    """Put an interjection ("Indeed,", "La!") before ``text``."""
    interjection = sanitize(interjection)
    if not interjection:
        return text
    if interjection[-1].isalnum():
        interjection += ","
    if interjection.endswith(","):
        text = decapitalize(text)
    return f"{interjection} {text}"


def _shade_exclamation(text: str, extraversion: float, rng: random.Random) -> str:
    """Extraverts exclaim; introverts calm exclamations down."""
    if extraversion >= 0.65 and text.endswith(".") and not text.endswith("..."):
        if rng.random() < 0.5:
            return text[:-1] + "!"
    elif extraversion <= 0.3 and text.endswith("!") and rng.random() < 0.5:
        return text[:-1] + "."
    return text


def _finish(text: str, character: Character, request: RenderRequest, formal: bool) -> str:
    """Apply the output rules; fall back on a phrasebook line if nothing is left."""
    names = _speaker_names(character)
    text = clip(strip_speaker_prefix(sanitize(text), names), MAX_CHARS)
    if text:
        return text
    logger.debug("offline line for %s emptied by sanitising; using the phrasebook", request.act)
    fallback = PHRASEBOOK.flatten(act_symbol(request.act, formal=formal),
                                  random.Random(request.seed),
                                  {"user": "everyone", "char": "me", "interest": "the news"})
    return clip(strip_speaker_prefix(sanitize(fallback), names), MAX_CHARS) or "Hm."
