"""Text helpers for the offline renderer: card placeholders and example messages, the topic of
a message, remembered remarks worth quoting, forms of address, repetition, and safe output."""

from __future__ import annotations

import re
from collections.abc import Iterable

from engine.rendering.grammar import clip, end_sentence, sentences
from engine.rendering.phrasebook import NOT_TOPICS, TITLES, TOPIC_NOUNS

__all__ = [
    "STOPWORDS", "fill_placeholders", "example_pairs", "example_lines", "short_greeting",
    "topic_word", "topic_phrase", "parse_memory", "drop_vocatives", "sanitize",
    "strip_speaker_prefix", "norm", "said_by", "is_new", "mentions", "related", "address_name",
    "remembered_name",
]

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me might more most must my myself no nor not now of off on
    once only or other ought our ours ourselves out over own really same shall she should so
    some such than that the their theirs them themselves then there these they this those
    through to too under until up upon very was we well were what when where which while who
    whom why will with would yet you your yours yourself yourselves yes okay oh please thanks
    thank hello there think know about still maybe something anything everything nothing
    someone anyone everyone people thing things going gonna wanna really actually always never
    today tomorrow yesterday tonight again though although whether because another other""".split()
)

_PLACEHOLDER = re.compile(r"\{\{\s*(user|char)\s*\}\}|<(user|bot|char)>", re.IGNORECASE)
_START = re.compile(r"<\s*start\s*>", re.IGNORECASE)
_SPEAKER = re.compile(r"^\s*(?:\{\{\s*(char|user)\s*\}\}|<(bot|user|char)>)\s*:\s*", re.IGNORECASE)
_MENTION_TOKEN = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>")
_BROADCAST = re.compile(r"[@＠](everyone|here)\b", re.IGNORECASE)
_MACRO = re.compile(r"\{\{[^{}]*\}\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_MEMORY = re.compile(
    r"^(?P<who>[^:]{1,64}?) said(?: to (?P<whom>[^:]{1,64}?))?\s*:\s*(?P<quote>.+)$"
)
_VOCATIVE = re.compile(r",\s+(?:(?:Mr|Mrs|Miss|Lady|Sir)\.?\s+)?[A-Z][\w'’-]*"
                       r"(?:\s+[A-Z][\w'’-]*)?(?:,(?=\s)|(?=[.!?;…]))")
_SOCIAL = re.compile(r"\b(?:good (?:evening|night|day|morning)|how do you do|thank you|there you"
                     r" are|to see you|you came|you are well|in health|seek me out)\b", re.I)


def fill_placeholders(text: str, *, user: str, char: str) -> str:
    """Replace ``{{user}}``/``<USER>`` and ``{{char}}``/``<BOT>`` (any case) in one pass."""

    def replace(match: re.Match[str]) -> str:
        kind = (match.group(1) or match.group(2)).lower()
        return user if kind == "user" else char

    return _PLACEHOLDER.sub(replace, text)


def example_pairs(mes_example: str, names: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    """The character's own lines in a card's ``mes_example``, each with the line it answers.

    Blocks are separated by ``<START>``; a line starting ``{{char}}:`` (or ``<BOT>:``, or one of
    ``names`` followed by a colon) opens one of the character's messages, which runs until the
    next speaker tag. The prompt is the user's line before it ("" when there is none).
    """
    name_tags = [re.compile(rf"^\s*{re.escape(n)}\s*:\s*", re.IGNORECASE) for n in names if n]
    found: list[tuple[str, list[str]]] = []
    for block in _START.split(mes_example):
        prompt, current = "", None
        for raw in block.splitlines():
            match = _SPEAKER.match(raw)
            own = next((tag.match(raw) for tag in name_tags if tag.match(raw)), None)
            if match or own:
                current = None
                if own is not None:
                    current = [raw[own.end():].strip()]
                elif match is not None and (match.group(1) or match.group(2)).lower() != "user":
                    current = [raw[match.end():].strip()]
                elif match is not None:
                    prompt = raw[match.end():].strip()
                if current is not None:
                    found.append((prompt, current))
            elif current is not None and raw.strip():
                current.append(raw.strip())
    pairs = ((p, " ".join(" ".join(lines).split())) for p, lines in found)
    return tuple((p, line) for p, line in pairs if line)


def example_lines(mes_example: str, names: Iterable[str] = ()) -> tuple[str, ...]:
    """The character's own lines in a card's ``mes_example`` (see :func:`example_pairs`)."""
    return tuple(line for _, line in example_pairs(mes_example, names))


def short_greeting(text: str, limit: int = 300) -> str:
    """``text`` if short, else its first sentence or two (clipped to ``limit``)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in sentences(text)[:2]:
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    return kept or clip(text, limit)


def topic_word(
    text: str, exclude: Iterable[str] = (), *, people: Iterable[str] = (), scan: int = 4000
) -> str | None:
    """What ``text`` is about, or None: a proper noun or a noun of :data:`TOPIC_NOUNS`.

    A proper noun is capitalised neither at the start of a sentence nor as a form of address
    ("..., Jane!"); it keeps a title before it ("Mr. Wickham"). Failing that, the longest
    topic noun wins. Words of the names in ``exclude`` never count; those of ``people`` (who
    are in the room) only with a title ("Mr. Darcy", not "William").
    """
    text = text[:scan]
    skip = {w.lower() for name in exclude for w in _WORD.findall(name)}
    present = {w.lower() for name in people for w in _WORD.findall(name)}
    common: str | None = None
    for match in _WORD.finditer(text):
        word = re.sub(r"['’]s$", "", match.group(0))
        lower = word.lower()
        if lower in skip:
            continue
        before, after = text[: match.start()].rstrip(), text[match.end():].lstrip()
        title = re.search(r"\b([A-Z][a-z]{1,6})\.?$", before)
        if title and title.group(1).lower() not in TITLES:
            title = None
        if word[0].isupper() and word[1:].islower() and lower not in STOPWORDS | NOT_TOPICS:
            opening = not before or (before[-1] in ".!?…*\"“:;" and title is None)
            lead = before[: title.start()].rstrip() if title else before
            address = lead[-1:] in ",(" and (not after or after[0] in ",.!?:;")
            if not opening and not address and len(word) > 2 and (title or lower not in present):
                return f"{before[title.start():].strip()} {word}" if title else word
        if lower in TOPIC_NOUNS and (common is None or len(lower) > len(common)):
            common = lower
    return common


def topic_phrase(topic: str) -> str:
    """How an echo names ``topic``: proper nouns as they are, common nouns with their article."""
    return TOPIC_NOUNS.get(topic, topic)


def parse_memory(memory: str) -> tuple[str, str | None, str] | None:
    """``(who, whom, quote)`` from "Jane said to me: <text>", or None when it is not worth quoting.

    The quote is the first sentence of four words or more that names a topic (see
    :func:`topic_word`) and is neither a greeting nor thanks, clipped at a word boundary; None
    when there is no such sentence or the text has a *stage direction*.
    """
    match = _MEMORY.match(" ".join(memory.split()))
    if match is None or "*" in match.group("quote"):
        return None
    who, whom, text = match["who"].strip(), (match["whom"] or "").strip(), match["quote"]
    if text.endswith("…") and " " in text:  # cut mid-word when it was stored
        text = text[: text.rfind(" ")].rstrip(" ,;:-—") + "…"
    for sentence in sentences(text):
        if (len(_WORD.findall(sentence)) >= 4 and not _SOCIAL.search(sentence)
                and topic_word(sentence, (who, whom))):
            return who, whom or None, end_sentence(clip(sentence, 90))
    return None


def drop_vocatives(text: str, names: Iterable[str]) -> str:
    """``text`` without forms of address naming one of ``names`` ("..., Miss Lydia?" -> "...?")."""
    words = {w.lower() for name in names for w in _WORD.findall(name)} - STOPWORDS - TITLES

    def drop(match: re.Match[str]) -> str:
        if not {w.lower() for w in _WORD.findall(match.group(0))} & words:
            return match.group(0)
        # "Oh, Jane, how kind" keeps a comma; "I tell you, Jane, that it is" keeps none.
        opening = len(re.split(r"[.!?…]\s", text[: match.start()])[-1].split()) <= 2
        return "," if match.group(0).endswith(",") and opening else ""

    return _VOCATIVE.sub(drop, text)


def sanitize(text: str) -> str:
    """Remove what a message must never carry: mentions, placeholders, ``#``, control chars."""
    text = _MENTION_TOKEN.sub("", text)
    text = _BROADCAST.sub(r"\1", text)
    text = text.replace("@", "").replace("＠", "")
    text = _MACRO.sub("", text)
    text = _PLACEHOLDER.sub("", text)
    text = text.replace("{{", "").replace("}}", "").replace("#", "")
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def strip_speaker_prefix(text: str, names: Iterable[str]) -> str:
    """Drop leading ``Name:`` tags for any of the speaker's ``names``."""
    patterns = [re.compile(rf"^\s*{re.escape(n)}\s*:\s*", re.IGNORECASE) for n in names if n]
    changed = True
    while changed and text:
        changed = False
        for pattern in patterns:
            stripped = pattern.sub("", text, count=1)
            if stripped != text:
                text, changed = stripped, True
    return text.lstrip(": ").strip()


# --- repetition and relevance --------------------------------------------------------------------


def norm(text: str) -> str:
    """``text`` lower-cased, with punctuation turned to single spaces (for comparing lines)."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def said_by(
    transcript: Iterable[tuple[str, str]], names: Iterable[str], memories: Iterable[str] = ()
) -> list[str]:
    """What the speaker known by ``names`` said in ``transcript`` (and, as far as its
    ``memories`` recall, "I said ...", before it), normalised."""
    own = {n.lower() for n in names}
    said = [norm(text) for speaker, text in transcript if speaker.lower() in own]
    return said + [norm(m) for m in memories if m.startswith("I said")]


def is_new(text: str, said: Iterable[str]) -> bool:
    """Whether ``text`` is in none of the normalised lines ``said``; for a card line with
    placeholders, whether no line holds all its fixed parts (whoever it was addressed to)."""
    parts = [p for p in (norm(c) for c in _PLACEHOLDER.sub("\n", text).split("\n")) if p]
    return not parts or not any(all(p in old for p in parts) for old in said)


def mentions(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` names one of ``words`` (lower-case) outside its placeholders."""
    found = {w.lower() for w in _WORD.findall(_PLACEHOLDER.sub(" ", text))}
    return bool(found & set(words))


def related(first: str, second: str, exclude: Iterable[str] = ()) -> bool:
    """Whether two texts share a topic (a name or a topic noun) or two content words; the
    words of the names in ``exclude`` do not count."""
    skip = STOPWORDS | {w.lower() for name in exclude for w in _WORD.findall(name)}

    def words(text: str) -> tuple[set[str], set[str]]:
        found = [w for w in _WORD.findall(text) if len(w) > 4 and w.lower() not in skip]
        keys = {w.lower() for w in found if w[0].isupper() or w.lower() in TOPIC_NOUNS}
        return {w.lower().rstrip("s") for w in found}, {w.rstrip("s") for w in keys}

    (one, one_keys), (two, two_keys) = words(first), words(second)
    return bool(one_keys & two or two_keys & one) or len(one & two) >= 2


# --- names -----------------------------------------------------------------------------------


def _is_title(word: str) -> bool:
    return word.rstrip(".").lower() in TITLES


def address_name(target: str, speaker: str, people: Iterable[str], *, keep_full: bool) -> str:
    """How ``speaker`` addresses ``target`` (as given, e.g. "Miss Lydia" or "Jane Bennet").

    A sister (same surname; a lone name is matched to the full names of ``people``, the first
    of whom wins a tie) is called by her first name; a titled name is kept; a plain full name
    is kept when ``keep_full``, else shortened to the first name.
    """
    words = target.split()
    titled = len(words) > 1 and _is_title(words[0])
    core = words[1:] if titled else words
    full = core
    if len(core) == 1:
        people = list(dict.fromkeys(people))
        found = [p for p in people if p.lower() != speaker.lower()
                 and core[0].lower() in {w.lower() for w in p.split()}]
        if found and (len(found) == 1 or found[0] == people[0]):
            full = found[0].split()
    own = speaker.split()
    if len(full) > 1 and len(own) > 1 and full[-1].lower() == own[-1].lower():
        return full[0] if not _is_title(full[0]) else target
    return target if titled or keep_full else core[0]


def remembered_name(name: str, own: Iterable[str], target: set[str]) -> str:
    """A name in a remembered remark as the speaker says it: "I", "you", "Jane", "Mr. Collins"."""
    words = name.split()
    if name.lower() in {"i", "me", *(n.lower() for n in own)}:
        return "I"
    if {w.lower() for w in words if not _is_title(w)} & target:
        return "you"
    if len(words) > 1 and _is_title(words[0]):
        return f"{words[0]} {words[-1]}"
    return words[0] if words else name
