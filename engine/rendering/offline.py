"""The offline renderer: voices an act from the character's card, with no network and no model.

It prefers the card's own words (``speech.lines`` for the act, greetings, example messages) and
falls back on the generic :mod:`engine.rendering.phrasebook`, shaded by register and personality.
Context colours the line: who is addressed, one lead-in at most (a topic echoed from the message
being answered, a reaction to the target, an anxious hedge or an interjection), now and then a
remembered remark, and never a line the speaker has already said in the transcript. Every choice
comes from a ``random.Random`` seeded by the request, so the same request gives the same words.
"""

from __future__ import annotations

import logging
import random

from engine.acts import Act
from engine.personas import Character
from engine.rendering.cardtext import (
    STOPWORDS,
    address_name,
    drop_vocatives,
    example_pairs,
    fill_placeholders,
    is_new,
    mentions,
    norm,
    parse_memory,
    related,
    remembered_name,
    said_by,
    sanitize,
    short_greeting,
    strip_speaker_prefix,
    topic_phrase,
    topic_word,
)
from engine.rendering.grammar import clip, end_sentence, join_interjection, tidy
from engine.rendering.grammar import opens_with_interjection as exclaims
from engine.rendering.phrasebook import (
    PHRASEBOOK,
    TITLES,
    act_symbol,
    hedge_symbol,
    remember_line,
    suited_interjections,
)
from engine.rendering.request import RenderRequest

__all__ = ["OfflineRenderer", "MAX_CHARS"]

logger = logging.getLogger(__name__)

#: The longest message the offline renderer writes.
MAX_CHARS = 400
_NAME_CHARS = 64

#: Acts for which the card's example messages fit, and how often they are used.
_EXAMPLE_ACTS = {Act.RESPOND: 0.5, Act.ANSWER: 0.5, Act.SMALL_TALK: 0.3, Act.AGREE: 0.15,
                 Act.JOKE: 0.15}
#: Acts that answer a message, and so may echo its topic.
_TOPIC_ACTS = frozenset({Act.RESPOND, Act.ANSWER, Act.AGREE, Act.DISAGREE, Act.TEASE,
                         Act.PRAISE})
#: Acts an anxious character may hedge (elsewhere a hedge reads oddly).
_HEDGE_ACTS = frozenset({Act.ASK, Act.ANSWER, Act.RESPOND, Act.DISAGREE, Act.CONFIDE,
                         Act.INITIATE, Act.SMALL_TALK, Act.APOLOGISE, Act.HELP})
#: Acts a catchphrase may follow, and acts a remembered remark may follow.
_CATCHPHRASE_ACTS = frozenset({Act.RESPOND, Act.AGREE, Act.DISAGREE, Act.TEASE, Act.PRAISE})
_MEMORY_ACTS = frozenset({Act.RESPOND, Act.ANSWER, Act.AGREE, Act.DISAGREE, Act.TEASE,
                          Act.CONFIDE, Act.SMALL_TALK, Act.INSULT, Act.THREATEN, Act.APOLOGISE})
#: How often a card greeting, an interjection, an anxious hedge, a catchphrase and a remembered
#: remark are used (the card's own lines for the act always are, while some are not said yet).
_P_GREETING, _P_INTERJECTION = 0.7, 0.3
_P_HEDGE, _P_CATCHPHRASE, _P_MEMORY = 0.5, 0.12, 0.15


class OfflineRenderer:
    """Renders an act into a line in the character's voice without a language model."""

    name = "offline"

    def render(self, request: RenderRequest) -> str:
        """Voice ``request.act`` as ``request.character``.

        Returns:
            One message: non-empty, at most :data:`MAX_CHARS` characters, free of mentions,
            placeholders and grammar symbols, never opening with the speaker's own name tag,
            and not a line the speaker already said in ``request.transcript``.
        """
        character = request.character
        rng = random.Random(f"{request.seed}:{character.name}:{request.act}")
        speech, traits = character.persona.speech, character.persona.big_five
        formal = _is_formal(speech.formality, rng)
        user = _address(request, rng)
        char = _clean_name(character.name) or "me"
        bindings = {"user": user, "char": char, "interest": _interest(character, rng)}
        said = said_by(request.transcript, character.names(), request.memories)

        body = self._card_body(request, rng, bindings, said)
        if not body:
            gentle = traits.agreeableness >= 0.65
            symbol = act_symbol(request.act, formal=formal, gentle=gentle)
            body = PHRASEBOOK.flatten(symbol, rng, bindings, accept=lambda t: is_new(t, said))

        lead = "" if body.startswith("*") else _lead_in(request, rng, bindings, body, formal)
        if (not lead and not body.startswith("*") and not _exclaims(body, user)
                and request.act not in (Act.GREET, Act.FAREWELL, Act.THANK)):
            interjections = suited_interjections(character.persona.speech.interjections,
                                                 _words(user, request.target_name or ""),
                                                 body, request.act)
            if interjections and rng.random() < _P_INTERJECTION:
                known = _words(request.target_name or "", request.trigger_author or "", *(
                    s for s, _ in request.transcript), *character.names(), user) - STOPWORDS
                body = join_interjection(rng.choice(interjections), body, known)
        text = " ".join(p for p in (lead, end_sentence(body)) if p)
        extra = ("" if lead else _memory(request, rng, bindings, body)) or _catchphrase(
            request, rng, text, said, user, char)
        text = _shade_exclamation(tidy(f"{text} {extra}".strip()), traits.extraversion, rng)
        return _finish(text, character, request, formal)

    def _card_body(
        self, request: RenderRequest, rng: random.Random, bindings: dict[str, str],
        said: list[str],
    ) -> str | None:
        """A line from the card for this act, or None to use the phrasebook."""
        character = request.character
        aim = _words(bindings["user"], request.target_name or "") - STOPWORDS - TITLES

        def fresh(texts: list[str]) -> list[str]:
            """The texts not said yet that do not speak of the target in the third person."""
            names = _speaker_names(character)
            filled = (fill_placeholders(t, user=bindings["user"], char=bindings["char"])
                      for t in texts if is_new(t, said) and not mentions(t, aim))
            prepared = (strip_speaker_prefix(sanitize(t), names) for t in filled)
            return [t for t in prepared if t and is_new(t, said)]

        lines = fresh(list(character.persona.speech.lines.get(request.act.value, ())))
        if lines:
            return rng.choice(lines)
        if request.act is Act.GREET:
            greetings = fresh([short_greeting(g) for g in (character.first_mes,
                                                            *character.alternate_greetings)])
            if greetings and rng.random() < _P_GREETING:
                return rng.choice(greetings)
        share = _EXAMPLE_ACTS.get(request.act, 0.0)
        if share and character.mes_example.strip():
            trigger = request.trigger_text or ""
            pairs = example_pairs(character.mes_example, character.names())
            examples = fresh([reply for prompt, reply in pairs
                              if not trigger.strip()
                              or related(trigger, f"{prompt} {reply}", _speaker_names(character))])
            if examples and rng.random() < share:
                return rng.choice(examples)
        return None


def _is_formal(formality: float, rng: random.Random) -> bool:
    """Formal register: always above 0.65, never below 0.35, by chance in between."""
    return formality >= 0.65 or (formality > 0.35 and rng.random() < formality)


def _clean_name(name: str) -> str:
    return clip(sanitize(name), _NAME_CHARS).rstrip("…").strip()


def _speaker_names(character: Character) -> list[str]:
    names = {*character.names(), character.short_name}
    names |= {_clean_name(n) for n in names}
    return sorted((n for n in names if n.strip()), key=len, reverse=True)


def _address(request: RenderRequest, rng: random.Random) -> str:
    """How the line addresses its target (see :func:`address_name`); no target: the room."""
    target = _clean_name(request.target_name or "")
    if not target:
        return rng.choice(("everyone", "all of you"))
    people = [_clean_name(n) for n in (request.trigger_author or "",
                                       *(s for s, _ in request.transcript))]
    keep_full = (request.character.persona.speech.formality >= 0.65
                 and request.relationship.affinity <= 0.4)
    return address_name(target, _clean_name(request.character.name), people, keep_full=keep_full)


def _words(*names: str) -> set[str]:
    """The lower-cased words of ``names`` ("Mr. Darcy" gives "mr" and "darcy")."""
    return {w.strip(".,").lower() for name in names for w in name.split()}


def _interest(character: Character, rng: random.Random) -> str:
    values = [v.strip().lower() for v in character.persona.values if 0 < len(v.strip()) <= 40]
    use = values and rng.random() < 0.6
    return sanitize(rng.choice(values)) if use else PHRASEBOOK.flatten("interest", rng)


def _exclaims(text: str, user: str) -> bool:
    """Whether ``text`` opens with an exclamation, perhaps after naming ``user`` ("Jane! La,")."""
    rest = text[len(user):].lstrip(",!? ") if user and text.startswith(user) else text
    return exclaims(text) or exclaims(rest)


def _lead_in(
    request: RenderRequest, rng: random.Random, bindings: dict[str, str], body: str, formal: bool
) -> str:
    """At most one sentence before the body: an opener or, from an anxious introvert, a hedge.
    None that stacks a second exclamation on the body's ("Ah, the ball. Oh, ...")."""
    traits = request.character.persona.big_five
    lead = _opener(request, rng, bindings, body)
    if (not lead and request.act in _HEDGE_ACTS and traits.neuroticism >= 0.65
            and traits.extraversion < 0.7 and not body.endswith("!") and rng.random() < _P_HEDGE):
        lead = PHRASEBOOK.flatten(hedge_symbol(formal=formal), rng, bindings)
    return "" if lead and exclaims(lead) and _exclaims(body, bindings["user"]) else lead


def _opener(
    request: RenderRequest, rng: random.Random, bindings: dict[str, str], body: str
) -> str:
    """A reaction to the trigger or to the target (or "")."""
    act, trigger = request.act, request.trigger_text or ""
    if act in (Act.ASK, Act.ANSWER) and "?" in trigger and rng.random() < 0.5:
        symbol = "question_back" if act is Act.ASK else "question_react"
        return PHRASEBOOK.flatten(symbol, rng, bindings)
    if act in _TOPIC_ACTS and trigger.strip() and rng.random() < 0.4:
        exclude = [*_speaker_names(request.character), request.trigger_author or "",
                   request.target_name or "", bindings["user"]]
        topic = topic_word(trigger, exclude, people=[s for s, _ in request.transcript])
        # Not a word of the body, nor a topic just echoed (it opens a recent line).
        seen = [norm(body), *(" ".join(norm(t).split()[:6]) for _, t in request.transcript[-6:])]
        if topic and not any(f" {norm(topic).split()[-1]} " in f" {h} " for h in seen):
            return PHRASEBOOK.flatten("topic_echo", rng, {**bindings, "topic": topic_phrase(topic)})
    affinity, opener = request.relationship.affinity, ""
    if request.target_name and affinity < -0.3 and rng.random() < 0.5:
        opener = PHRASEBOOK.flatten("cold_opener", rng, bindings)
    elif request.target_name and affinity > 0.4 and act is not Act.GREET and rng.random() < 0.3:
        opener = PHRASEBOOK.flatten("warm_opener", rng, bindings)
    # Naming the target twice in one short message reads like a stutter.
    if bindings["user"] in opener and bindings["user"] in body:
        return ""
    return opener


def _memory(request: RenderRequest, rng: random.Random, bindings: dict[str, str], body: str) -> str:
    """Now and then, a remembered remark as reported speech (or "")."""
    if request.act not in _MEMORY_ACTS or not request.memories or rng.random() >= _P_MEMORY:
        return ""
    recent = [*(norm(text) for _, text in request.transcript), norm(body)]
    own = _speaker_names(request.character)
    target = _words(bindings["user"], request.target_name or "")
    for who, whom, quote in filter(None, (parse_memory(sanitize(m)) for m in request.memories[:3])):
        quote = drop_vocatives(quote, [*own, who, whom or "", *target])
        if is_new(quote.rstrip("…"), recent):
            listener = remembered_name(whom, own, target) if whom else ""
            return remember_line(rng, bindings, remembered_name(who, own, target), listener, quote)
    return ""


def _catchphrase(
    request: RenderRequest, rng: random.Random, text: str, said: list[str], user: str, char: str
) -> str:
    """Now and then, one of the card's catchphrases that stands as a sentence (or "")."""
    phrases = [sanitize(fill_placeholders(c, user=user, char=char))
               for c in request.character.persona.speech.catchphrases]
    phrases = [p for p in phrases if len(p.split()) >= 2 and p[:1].isupper()
               and (p[-1] in ".!?" or len(p.split()) >= 4)]
    if (not phrases or request.act not in _CATCHPHRASE_ACTS or text.endswith("?")
            or rng.random() >= _P_CATCHPHRASE):
        return ""
    phrase = rng.choice(phrases)
    if norm(phrase) in norm(text) or not is_new(phrase, said):
        return ""
    return end_sentence(phrase)


def _shade_exclamation(text: str, extraversion: float, rng: random.Random) -> str:
    """Strong extraverts exclaim; introverts calm exclamations down."""
    if extraversion >= 0.8 and text.endswith(".") and not text.endswith("..") and rng.random() < .5:
        return text[:-1] + "!"
    if extraversion <= 0.3 and text.endswith("!") and rng.random() < 0.5:
        return text[:-1] + "."
    return text


def _finish(text: str, character: Character, request: RenderRequest, formal: bool) -> str:
    """Apply the output rules; fall back on a phrasebook line if nothing is left."""
    names = _speaker_names(character)
    text = clip(tidy(strip_speaker_prefix(sanitize(text), names)), MAX_CHARS)
    if text:
        return text
    logger.debug("offline line for %s emptied by sanitising; using the phrasebook", request.act)
    fallback = PHRASEBOOK.flatten(act_symbol(request.act, formal=formal),
                                  random.Random(request.seed),
                                  {"user": "everyone", "char": "me", "interest": "the news"})
    return clip(strip_speaker_prefix(sanitize(fallback), names), MAX_CHARS) or "Hm."
