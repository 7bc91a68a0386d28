"""The model prompt for one act: persona, relationship, memories, transcript, and the act.

The prompt is two messages, a system message (who the character is, how it sees the target,
what it remembers, the rules) and one user message (the recent conversation, then the
instruction). One user message rather than several keeps strict chat templates of local models
(which require user/assistant alternation) happy.

The whole prompt stays under a character budget: persona fields are clipped to fixed caps, and
memories (least relevant first) and transcript lines (oldest first) are dropped to fit.
"""

from __future__ import annotations

import logging
import re

from engine.acts import Act
from engine.personas import Character
from engine.rendering.request import RelationshipView, RenderRequest

__all__ = [
    "build_messages",
    "act_instruction",
    "relationship_in_words",
    "substitute_placeholders",
    "example_lines",
    "clip",
    "DEFAULT_MAX_PROMPT_CHARS",
    "DEFAULT_TRANSCRIPT_LINES",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_PROMPT_CHARS = 6000
DEFAULT_TRANSCRIPT_LINES = 12

_LINE_CHARS = 500
#: The character's memory summary, at most (it is refreshed by each consolidation).
_SUMMARY_CHARS = 700
_MEMORY_CHARS = 300
_EXAMPLE_CHARS = 200
_MIN_TRANSCRIPT_LINES = 1
#: Caps on card fields, so a long card cannot crowd out the conversation.
_FIELD_CAPS = {
    "description": 1200,
    "personality": 500,
    "scenario": 500,
    "system_prompt": 600,
    "post_history_instructions": 300,
    "quirks": 300,
    "list": 300,
}

#: What each act asks of the speaker; ``{t}`` is the target.
_ACT_PHRASES: dict[Act, str] = {
    Act.GREET: "*greet* {t}",
    Act.FAREWELL: "*say goodbye* to {t}",
    Act.ASK: "*ask* {t} a question",
    Act.ANSWER: "*answer* {t}",
    Act.RESPOND: "*respond* to {t}",
    Act.AGREE: "*agree* with {t}",
    Act.DISAGREE: "*disagree* with {t}",
    Act.PRAISE: "*praise* {t}",
    Act.THANK: "*thank* {t}",
    Act.TEASE: "*tease* {t}",
    Act.INSULT: "*insult* {t} (a barb in your own voice, no slurs)",
    Act.CONFIDE: "*confide* something personal in {t}",
    Act.FLIRT: "*flirt* with {t}",
    Act.APOLOGISE: "*apologise* to {t}",
    Act.THREATEN: "*threaten* {t} (within the story, no real-world threats)",
    Act.HELP: "*help* {t}",
    Act.JOKE: "*joke* with {t}",
    Act.INITIATE: "*start a new conversation* with {t}",
    Act.SMALL_TALK: "*make small talk* with {t}",
}

_PLACEHOLDER = re.compile(r"\{\{\s*(char|user)\s*\}\}|<(BOT|USER)>", re.IGNORECASE)
#: Card V2's "insert the default system prompt here"; we have none to insert.
_ORIGINAL = re.compile(r"\{\{\s*original\s*\}\}", re.IGNORECASE)
_WS = re.compile(r"[ \t]+")


def clip(text: str, limit: int) -> str:
    """Clips ``text`` to at most ``limit`` characters at a word boundary, marking the cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def _one_line(text: str) -> str:
    return _WS.sub(" ", " ".join(text.split("\n"))).strip()


def substitute_placeholders(text: str, char: str, user: str) -> str:
    """Replaces ``{{char}}``/``<BOT>`` and ``{{user}}``/``<USER>`` (any case) in card text."""

    def repl(match: re.Match[str]) -> str:
        kind = (match.group(1) or match.group(2)).lower()
        return char if kind in ("char", "bot") else user

    return _PLACEHOLDER.sub(repl, _ORIGINAL.sub("", text))


def example_lines(character: Character, user: str, *, limit: int = 2) -> list[str]:
    """Up to ``limit`` of the character's own lines from ``mes_example``, clipped.

    Card examples look like ``<START>\\n{{user}}: Hi\\n{{char}}: Hello``; the character's lines
    are those spoken as ``{{char}}`` (or its name). Without such lines, the first lines that are
    not somebody else's are used.
    """
    own_prefix = re.compile(
        r"^\s*(?:\{\{\s*char\s*\}\}|<BOT>|" + re.escape(character.name) + r")\s*:\s*",
        re.IGNORECASE,
    )
    other_prefix = re.compile(r"^\s*(?:\{\{\s*user\s*\}\}|<USER>|[^:\s][^:]{0,40})\s*:\s", re.I)
    own: list[str] = []
    loose: list[str] = []
    for raw in character.mes_example.splitlines():
        line = raw.strip()
        if not line or line.upper().startswith("<START>"):
            continue
        match = own_prefix.match(line)
        if match:
            own.append(line[match.end():])
        elif not other_prefix.match(line):
            loose.append(line)
    chosen = (own or loose)[:limit]
    return [
        clip(_one_line(substitute_placeholders(line, character.name, user)), _EXAMPLE_CHARS)
        for line in chosen
        if line.strip()
    ]


def _scale(value: float, steps: tuple[tuple[float, str], ...], last: str) -> str:
    for threshold, words in steps:
        if value >= threshold:
            return words
    return last


def relationship_in_words(relationship: RelationshipView, target: str) -> str:
    """How the speaker sees ``target``, as a sentence for the prompt."""
    affinity = _scale(
        relationship.affinity,
        ((0.6, "are very fond of them"), (0.25, "like them"), (-0.25, "feel neutral toward them"),
         (-0.6, "dislike them")),
        "detest them",
    )
    trust = _scale(
        relationship.trust,
        ((0.6, "trust them deeply"), (0.25, "trust them"),
         (-0.25, "are unsure whether to trust them"), (-0.6, "distrust them")),
        "do not trust them at all",
    )
    familiarity = _scale(
        relationship.familiarity,
        ((0.85, "know them intimately"), (0.5, "know them well"),
         (0.15, "know them a little")),
        "barely know them",
    )
    label = relationship.label or "stranger"
    return f"{target} is your {label}. You {affinity}, {trust}, and {familiarity}."


def _formality_words(formality: float) -> str:
    return _scale(formality, ((0.75, "formal, ceremonious"), (0.4, "neither stiff nor slangy")),
                  "casual, relaxed")


def _traits_in_words(character: Character) -> str:
    big_five = character.persona.big_five.as_dict()
    words = []
    for trait, value in big_five.items():
        if value >= 0.7:
            words.append(f"high {trait}")
        elif value <= 0.3:
            words.append(f"low {trait}")
    return ", ".join(words)


def _persona_block(character: Character, user: str) -> list[str]:
    caps = _FIELD_CAPS
    persona = character.persona
    speech = persona.speech

    def field_text(text: str, cap: int) -> str:
        return clip(substitute_placeholders(text, character.name, user), cap)

    lines = [f"Name: {character.name}"]
    if persona.aliases:
        lines.append("Also called: " + clip(", ".join(persona.aliases), caps["list"]))
    if character.description.strip():
        lines.append("Description: " + field_text(character.description, caps["description"]))
    if character.personality.strip():
        lines.append("Personality: " + field_text(character.personality, caps["personality"]))
    traits = _traits_in_words(character)
    if traits:
        lines.append(f"Temperament: {traits}.")
    if character.scenario.strip():
        lines.append("Scenario: " + field_text(character.scenario, caps["scenario"]))
    if persona.values:
        lines.append("Values: " + clip("; ".join(persona.values), caps["list"]))
    if persona.goals:
        lines.append("Goals: " + clip("; ".join(persona.goals), caps["list"]))
    style = [f"Speech: {_formality_words(speech.formality)}"]
    if speech.catchphrases:
        phrases = ", ".join(f'"{p}"' for p in speech.catchphrases[:5])
        style.append("fond of saying " + clip(phrases, caps["list"]))
    if speech.quirks.strip():
        style.append(field_text(speech.quirks, caps["quirks"]))
    lines.append("; ".join(style) + ".")
    examples = example_lines(character, user)
    if examples:
        lines.append("Examples of your voice (for style only, do not repeat them):")
        lines.extend(f'- "{e}"' for e in examples)
    if character.system_prompt.strip():
        lines.append(field_text(character.system_prompt, caps["system_prompt"]))
    return lines


def _rules(character: Character) -> list[str]:
    name = character.name
    return [
        "Rules:",
        f"- You are an AI persona playing {name} in a roleplay community channel; members know "
        "this. Stay in character as "
        f"{name} at all times: do not mention being an AI, a model or a roleplay.",
        f"- Write only {name}'s own message. Never write lines, actions or replies for anyone "
        "else, and never start with a name and a colon.",
        "- Never use @mentions (no @everyone, @here, or @name); refer to people by name.",
        "- Keep it short, natural and in your own voice.",
    ]


def _act_sentence(request: RenderRequest) -> str:
    character = request.character
    target = request.target_name or "everyone in the channel"
    phrase = _ACT_PHRASES.get(request.act, f"*{request.act.value.replace('_', ' ')}* toward {{t}}")
    sentence = f"Now, as {character.name}, {phrase.format(t=target)}"
    author = request.trigger_author
    if request.trigger_text:
        if author and author == request.target_name:
            sentence += ", replying to their last message"
        elif author:
            sentence += f", in answer to {author}'s last message"
        else:
            sentence += ", replying to the last message"
    sentence += "."
    return sentence


def act_instruction(request: RenderRequest) -> str:
    """The closing instruction: the act toward the target, and the shape of the answer."""
    character = request.character
    user = request.target_name or "everyone"
    parts = [_act_sentence(request)]
    if request.target_name and request.target_is_human:
        parts.append(f"{request.target_name} is a community member (a real person).")
    parts.append(
        "One message of at most 3 sentences. Write only the message text, without your name."
    )
    if character.post_history_instructions.strip():
        parts.append(clip(
            substitute_placeholders(character.post_history_instructions, character.name, user),
            _FIELD_CAPS["post_history_instructions"],
        ))
    return " ".join(parts)


def _trigger_line(request: RenderRequest, transcript: list[str]) -> str | None:
    """The message being answered, when the transcript does not already end with it."""
    if not request.trigger_text:
        return None
    author = request.trigger_author or "Someone"
    line = f"{author}: {clip(_one_line(request.trigger_text), _LINE_CHARS)}"
    if line in transcript:
        return None
    return line


def build_messages(
    request: RenderRequest,
    *,
    max_chars: int = DEFAULT_MAX_PROMPT_CHARS,
    transcript_lines: int = DEFAULT_TRANSCRIPT_LINES,
) -> list[dict[str, str]]:
    """Builds the chat messages that ask the model to voice ``request``'s act.

    Args:
        request: The act to voice, with its context.
        max_chars: Budget for the whole prompt (all message contents); memories and the
            transcript are trimmed to fit, persona fields have fixed caps.
        transcript_lines: At most this many of the most recent transcript lines are used.

    Returns:
        ``[{"role": "system", ...}, {"role": "user", ...}]``.
    """
    character = request.character
    user = request.target_name or "everyone"

    head = [
        f"You are {character.name}, a character in a roleplay community on a chat server.",
        "",
        *_persona_block(character, user),
        "",
    ]
    summary = _one_line(character.memory_summary or "")
    if summary:
        # What consolidation made of everything lived so far (engine.services.consolidate).
        head.append("What you have come to understand: " + clip(summary, _SUMMARY_CHARS))
        head.append("")
    if request.target_name:
        head.append("Relationship: " + relationship_in_words(request.relationship,
                                                             request.target_name))
        head.append("")
    rules = _rules(character)

    memories = [clip(_one_line(m), _MEMORY_CHARS) for m in request.memories if m.strip()]
    window = request.transcript[-transcript_lines:] if transcript_lines > 0 else ()
    transcript = [f"{speaker}: {clip(_one_line(text), _LINE_CHARS)}" for speaker, text in window]
    trigger = _trigger_line(request, transcript)
    instruction = act_instruction(request)
    channel = request.channel_name.lstrip("#") or "general"

    def render() -> list[dict[str, str]]:
        system = list(head)
        if memories:
            system.append("What you remember:")
            system.extend(f"- {m}" for m in memories)
            system.append("")
        system.extend(rules)
        lines = list(transcript)
        if trigger is not None:
            lines.append(trigger)
        if lines:
            convo = f"Recent conversation in #{channel}:\n" + "\n".join(lines)
        else:
            convo = f"The channel #{channel} has been quiet for a while."
        return [
            {"role": "system", "content": "\n".join(system).strip()},
            {"role": "user", "content": f"{convo}\n\n{instruction}"},
        ]

    def size(messages: list[dict[str, str]]) -> int:
        return sum(len(m["content"]) for m in messages)

    messages = render()
    dropped = 0
    # Drop from whichever of memories/transcript is larger: least relevant memory or oldest line.
    while size(messages) > max_chars:
        memory_size = sum(len(m) for m in memories)
        transcript_size = sum(len(t) for t in transcript)
        can_drop_line = len(transcript) > _MIN_TRANSCRIPT_LINES
        if memories and (memory_size >= transcript_size or not can_drop_line):
            memories.pop()
        elif can_drop_line:
            transcript.pop(0)
        else:
            break
        dropped += 1
        messages = render()
    if dropped:
        logger.debug("prompt for %s: dropped %d memories/lines to fit %d chars",
                     character.name, dropped, max_chars)
    return messages
