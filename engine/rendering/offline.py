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
    example_pairs,
    fill_placeholders,
    is_new,
    norm,
    parse_memory,
    related,
    remembered_name,
    sanitize,
    short_greeting,
    strip_speaker_prefix,
    topic_phrase,
    topic_word,
)
from engine.rendering.grammar import clip, end_sentence, join_interjection, tidy
from engine.rendering.grammar import opens_with_interjection as exclaims
from engine.rendering.phrasebook import PHRASEBOOK, act_symbol, hedge_symbol, suited_interjections
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
_TOPIC_ACTS = frozenset({Act.RESPOND, Act.ANSWER, Act.AGREE, Act.DISAGREE, Act.TEASE, Act.JOKE,
                         Act.SMALL_TALK, Act.PRAISE})
#: Acts an anxious character may hedge (elsewhere a hedge reads oddly).
_HEDGE_ACTS = frozenset({Act.ASK, Act.ANSWER, Act.RESPOND, Act.DISAGREE, Act.CONFIDE,
                         Act.INITIATE, Act.SMALL_TALK, Act.APOLOGISE, Act.HELP})
#: Acts a remembered remark may follow.
_MEMORY_ACTS = frozenset({Act.RESPOND, Act.ANSWER, Act.AGREE, Act.DISAGREE, Act.TEASE,
                          Act.CONFIDE, Act.SMALL_TALK, Act.INSULT, Act.THREATEN, Act.APOLOGISE})
_P_CARD_LINE = 0.85
_P_GREETING = 0.7
_P_INTERJECTION = 0.3
_P_HEDGE = 0.5
_P_CATCHPHRASE = 0.15
_P_MEMORY = 0.15


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
        said = _said_before(request)

        body = self._card_body(request, rng, bindings, said)
        if not body:
            gentle = traits.agreeableness >= 0.65
            symbol = act_symbol(request.act, formal=formal, gentle=gentle)
            body = _fresh_phrase(symbol, rng, bindings, said)

        lead = "" if body.startswith("*") else _opener(request, rng, bindings, body)
        if (not lead and not body.startswith("*") and request.act in _HEDGE_ACTS
                and traits.neuroticism >= 0.65 and traits.extraversion < 0.7
                and not body.endswith("!") and rng.random() < _P_HEDGE):
            lead = PHRASEBOOK.flatten(hedge_symbol(formal=formal), rng, bindings)
        if lead and exclaims(lead) and exclaims(body):
            lead = ""  # "Ah, the ball. Oh, ..." stacks two exclamations
        if not lead and not body.startswith("*") and not exclaims(body):
            interjections = suited_interjections(character.persona.speech.interjections,
                                                 _target_words(request, user))
            if interjections and rng.random() < _P_INTERJECTION:
                body = join_interjection(rng.choice(interjections), body,
                                         _known_names(request, user))
        text = " ".join(p for p in (lead, end_sentence(body)) if p)
        extra = _memory(request, rng, bindings, said, body) or _catchphrase(
            request, rng, text, said, user, char)
        text = _shade_exclamation(f"{text} {extra}".strip(), traits.extraversion, rng)
        return _finish(text, character, request, formal)

    def _card_body(
        self, request: RenderRequest, rng: random.Random, bindings: dict[str, str],
        said: list[str],
    ) -> str | None:
        """A line from the card for this act, or None to use the phrasebook."""
        character = request.character

        def fresh(texts: list[str]) -> list[str]:
            names = _speaker_names(character)
            filled = (fill_placeholders(t, user=bindings["user"], char=bindings["char"])
                      for t in texts if t.strip())
            prepared = (strip_speaker_prefix(sanitize(t), names) for t in filled)
            return [t for t in prepared if t and is_new(t, said)]

        lines = fresh(list(character.persona.speech.lines.get(request.act.value, ())))
        if lines and rng.random() < _P_CARD_LINE:
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
                              if not trigger.strip() or related(trigger, f"{prompt} {reply}")])
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


def _target_words(request: RenderRequest, user: str) -> set[str]:
    return {w.strip(".,").lower() for w in f"{user} {request.target_name or ''}".split()}


def _known_names(request: RenderRequest, user: str) -> set[str]:
    """Words known to be names: the speaker's, the target's, everyone's in the transcript."""
    sources = [user, request.target_name or "", request.trigger_author or "",
               *request.character.names(), *(s for s, _ in request.transcript)]
    return {w.strip(".,").lower() for s in sources for w in s.split()} - STOPWORDS


def _interest(character: Character, rng: random.Random) -> str:
    values = [v.strip().lower() for v in character.persona.values if 0 < len(v.strip()) <= 40]
    if values and rng.random() < 0.6:
        return sanitize(rng.choice(values))
    return PHRASEBOOK.flatten("interest", rng)


def _said_before(request: RenderRequest) -> list[str]:
    """What the speaker already said in the transcript, normalised."""
    names = {n.lower() for n in request.character.names()}
    return [norm(text) for speaker, text in request.transcript if speaker.lower() in names]


def _fresh_phrase(
    symbol: str, rng: random.Random, bindings: dict[str, str], said: list[str]
) -> str:
    """A phrasebook line for ``symbol`` the speaker has not said yet (if one turns up)."""
    text = ""
    for _ in range(4):
        text = PHRASEBOOK.flatten(symbol, rng, bindings)
        if is_new(text, said):
            break
    return text


def _opener(
    request: RenderRequest, rng: random.Random, bindings: dict[str, str], body: str
) -> str:
    """At most one sentence before the body: a reaction to the trigger or to the target."""
    act, trigger = request.act, request.trigger_text or ""
    if act in (Act.ASK, Act.ANSWER) and "?" in trigger and rng.random() < 0.5:
        symbol = "question_back" if act is Act.ASK else "question_react"
        return PHRASEBOOK.flatten(symbol, rng, bindings)
    if act in _TOPIC_ACTS and trigger.strip() and rng.random() < 0.4:
        exclude = [*_speaker_names(request.character), request.trigger_author or "",
                   request.target_name or "", bindings["user"]]
        topic = topic_word(trigger, exclude)
        if topic and topic.split()[-1].lower() not in norm(body).split():
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


def _memory(
    request: RenderRequest, rng: random.Random, bindings: dict[str, str], said: list[str],
    body: str,
) -> str:
    """Now and then, a remembered remark as reported speech (or "")."""
    if request.act not in _MEMORY_ACTS or not request.memories or rng.random() >= _P_MEMORY:
        return ""
    recent = [norm(text) for _, text in request.transcript]
    for memory in request.memories[:3]:
        parsed = parse_memory(sanitize(memory))
        if parsed is None:
            continue
        who, whom, quote = parsed
        if not is_new(quote.rstrip("…"), [*recent, norm(body)]):
            continue
        own, target = _speaker_names(request.character), _target_words(request, bindings["user"])
        speaker = remembered_name(who, own, target)
        listener = remembered_name(whom, own, target) if whom else ""
        listener = "me" if listener == "I" else listener
        if listener == speaker or (speaker, listener) == ("I", "me"):
            listener = ""
        verb = "asked" if quote.rstrip("…”").endswith("?") else "said"
        said_to = f"{verb} {'' if verb == 'asked' else 'to '}{listener}" if listener else verb
        return PHRASEBOOK.flatten("remember", rng, {**bindings, "who": speaker,
                                                    "said": said_to, "quote": quote})
    return ""


def _catchphrase(
    request: RenderRequest, rng: random.Random, text: str, said: list[str], user: str, char: str
) -> str:
    """Now and then, one of the card's catchphrases that stands as a sentence (or "")."""
    phrases = [sanitize(fill_placeholders(c, user=user, char=char))
               for c in request.character.persona.speech.catchphrases]
    phrases = [p for p in phrases if len(p.split()) >= 2 and p[:1].isupper()
               and (p[-1] in ".!?" or len(p.split()) >= 4)]
    if not phrases or rng.random() >= _P_CATCHPHRASE:
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
