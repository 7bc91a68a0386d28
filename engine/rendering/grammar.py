"""A tiny Tracery-style grammar expander for the offline renderer.

A grammar maps symbol names to lists of alternatives. In a text, ``#name#`` is replaced by one
alternative of ``name`` (chosen with the caller's ``random.Random``), itself expanded in turn.
Modifiers follow the name: ``#name.capitalize#`` upper-cases the first letter and ``#name.a#``
prefixes "a" or "an". Bindings passed to :meth:`Grammar.expand` are literal values for a symbol
(a speaker's or a user's name): they win over rules and are never expanded again, so text from
outside (which may contain ``#``) cannot inject grammar.

It also carries the small English helpers that finish generated text: splitting sentences
(not after "Mr."), spotting an opening exclamation, joining an interjection to a sentence, and
tidying punctuation.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = ["Grammar", "MODIFIERS", "INTERJECTIONS", "article", "capitalize", "sentences", "clip",
           "end_sentence", "opens_with_interjection", "join_interjection", "tidy"]

_SYMBOL = re.compile(r"#([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)#")

#: Words starting with a vowel letter but a consonant sound, and the reverse.
_A_EXCEPTIONS = ("uni", "use", "usu", "uti", "one", "once", "eu", "ewe")
_AN_EXCEPTIONS = ("hour", "honest", "honour", "honor", "heir")


def capitalize(text: str) -> str:
    """Upper-case the first character, leaving the rest untouched."""
    return text[:1].upper() + text[1:]


def article(text: str) -> str:
    """Prefix the indefinite article that suits ``text`` ("an owl", "a user")."""
    word = text.lstrip().lower()
    if not word:
        return text
    vowel = word[0] in "aeiou"
    if vowel and word.startswith(_A_EXCEPTIONS):
        vowel = False
    elif not vowel and word.startswith(_AN_EXCEPTIONS):
        vowel = True
    return ("an " if vowel else "a ") + text


#: Modifier name -> function applied to the expanded text.
MODIFIERS: dict[str, Callable[[str], str]] = {"capitalize": capitalize, "a": article}


class Grammar:
    """A set of rules, each a non-empty list of alternative texts.

    Args:
        rules: Symbol name -> alternatives (texts that may reference other symbols).
        max_depth: How deep expansions may nest before the grammar is deemed cyclic.

    Raises:
        ValueError: If a rule is empty or a symbol name is not a valid identifier.
    """

    def __init__(self, rules: Mapping[str, Sequence[str]], *, max_depth: int = 12) -> None:
        checked: dict[str, tuple[str, ...]] = {}
        for name, alternatives in rules.items():
            if not re.fullmatch(r"[A-Za-z_]\w*", name):
                raise ValueError(f"invalid symbol name {name!r}")
            if isinstance(alternatives, str) or not alternatives:
                raise ValueError(f"rule {name!r} needs a non-empty list of alternatives")
            checked[name] = tuple(alternatives)
        self._rules = checked
        self.max_depth = max_depth

    @property
    def symbols(self) -> frozenset[str]:
        """Every symbol with a rule."""
        return frozenset(self._rules)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._rules

    def alternatives(self, symbol: str) -> tuple[str, ...]:
        """The alternatives of ``symbol`` (ValueError when it has no rule)."""
        try:
            return self._rules[symbol]
        except KeyError:
            raise ValueError(f"unknown grammar symbol {symbol!r}") from None

    def expand(
        self, text: str, rng: random.Random, bindings: Mapping[str, str] | None = None
    ) -> str:
        """Expand every ``#symbol#`` in ``text``.

        Args:
            text: The text to expand.
            rng: The source of every choice (same state, same result).
            bindings: Literal values for symbols; they take precedence over rules.

        Raises:
            ValueError: For an unknown symbol or modifier, or nesting beyond ``max_depth``.
        """
        return self._expand(text, rng, bindings or {}, 0)

    def flatten(
        self, symbol: str, rng: random.Random, bindings: Mapping[str, str] | None = None, *,
        accept: Callable[[str], bool] | None = None, tries: int = 4,
    ) -> str:
        """Expand one symbol: ``flatten("greet", rng)`` equals ``expand("#greet#", rng)``.

        With ``accept``, up to ``tries`` expansions are made and the first accepted one is
        returned (the first one when none is).
        """
        texts = [self.expand(f"#{symbol}#", rng, bindings) for _ in range(tries if accept else 1)]
        return next((t for t in texts if accept is None or accept(t)), texts[0])

    def undefined(self, free: Iterable[str] = ()) -> frozenset[str]:
        """Symbols referenced by some rule that have no rule and are not in ``free``."""
        known = self.symbols | frozenset(free)
        found = {
            match.group(1)
            for alternatives in self._rules.values()
            for text in alternatives
            for match in _SYMBOL.finditer(text)
        }
        return frozenset(found - known)

    def _expand(
        self, text: str, rng: random.Random, bindings: Mapping[str, str], depth: int
    ) -> str:
        if depth > self.max_depth:
            raise ValueError(f"grammar nests deeper than {self.max_depth} (a cycle?)")

        def replace(match: re.Match[str]) -> str:
            name, modifiers = match.group(1), match.group(2)
            if name in bindings:
                value = bindings[name]
            else:
                choice = rng.choice(self.alternatives(name))
                value = self._expand(choice, rng, bindings, depth + 1)
            for modifier in filter(None, modifiers.split(".")):
                if modifier not in MODIFIERS:
                    raise ValueError(f"unknown grammar modifier {modifier!r}")
                value = MODIFIERS[modifier](value)
            return value

        return _SYMBOL.sub(replace, text)


# --- English helpers ----------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)*]*\s+")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Col|Capt|Messrs|Rev)\.[\"'”’)*]*$")

#: Words and phrases that open a line as an exclamation when punctuation follows them.
INTERJECTIONS = frozenset(
    w.replace("_", " ") for w in """oh o la lord ah ha huh hmm hm mm hmph indeed well come pray
    alas capital ugh wow nah hey hi hello why yes no nay really heavens gracious okay right um
    certainly madam sir exactly there now see look listen here hush perhaps upon_my_word
    upon_my_honour i_say i_declare dear_me oh_dear good_heavens good_god bless_me my_dear i_see
    forgive_me permit_me just_so""".split()
)
#: Interjections that need no punctuation after them ("La what a ball" opens with one too).
_ALWAYS = frozenset("oh o la lord ah ha huh hmm hm mm hmph alas ugh wow nah pray indeed".split())
#: Common words that may be lower-cased after an interjection ("Oh, good evening").
_COMMON = frozenset(
    """a about after again all also always am an and any are as at be because been before both
    but by can could did do does each even every for from had has have he her here his how if
    in is it its just let my never no not now of on once only or our perhaps she should so some
    still such that the their then there these they this those to too was we well were what
    when where which who why will with would yes yet you your good nice quite very most surely
    certainly truly really everybody nobody somebody whatever indeed thank thanks welcome
    farewell forgive allow permit tell take leave say stay come look begin try keep mark watch
    spare start want careful exactly honestly probably totally almost since sometimes short
    quick quiet hard right sorry pray dear mind must might shall may half twice enough""".split()
)
_LEAD_WORD = re.compile(r"([A-Za-z']+)([,!.?;:—]?)")


def sentences(text: str) -> list[str]:
    """``text`` split into sentences, not after "Mr." and the like nor before a small letter."""
    found, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if ends_with_abbreviation(text[start:match.end()]) or text[match.end():][:1].islower():
            continue
        found.append(text[start:match.end()].strip())
        start = match.end()
    found.append(text[start:].strip())
    return [s for s in found if s]


def ends_with_abbreviation(text: str) -> bool:
    """Whether ``text`` ends with "Mr." or a like abbreviation (so no sentence ends there)."""
    return bool(_ABBREVIATION.search(text.rstrip()))


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a sentence or word boundary."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?…][\"'”’)*]*(?=\s|$)", head)
            if not ends_with_abbreviation(head[: m.end()])]
    if ends and ends[-1] >= limit * 0.4:
        return head[: ends[-1]].strip()
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit * 0.4:
        head = re.sub(r"\s+(?:Mr|Mrs|Ms|Dr|Miss|Lady|Sir)\.?$", "", head[:space])
    return head.rstrip(" ,;:-—") + "…"


def end_sentence(text: str) -> str:
    """``text`` with a full stop added when it ends mid-sentence."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…*\"'”’)~" else text + "."


def opens_with_interjection(text: str) -> bool:
    """Whether ``text`` opens with an exclamation ("Oh,", "La!", "Upon my word,", "I see.")."""
    words: list[str] = []
    for word, punct in _LEAD_WORD.findall(text.lstrip(" \"“'")[:40])[:3]:
        words.append(word.lower())
        phrase = " ".join(words)
        if (len(words) == 1 and phrase in _ALWAYS) or (punct and phrase in INTERJECTIONS):
            return True
        if punct:
            break
    return False


def join_interjection(interjection: str, text: str, names: Iterable[str] = ()) -> str:
    """``interjection`` before ``text`` ("Oh, good evening"), or ``text`` alone when they do not
    join cleanly: a comma lower-cases a common first word, keeps "I", titles and ``names``, and
    refuses any other capitalised word (it may be a name: "Indeed, caroline" must not happen).
    """
    interjection = interjection.strip()
    if not interjection:
        return text
    if interjection[-1].isalnum():
        interjection += ","
    if interjection.endswith(","):
        match = _LEAD_WORD.match(text)
        word = match.group(1) if match else ""
        keep = {n.lower() for n in names} | {"mr", "mrs", "miss", "lady", "sir"}
        if word.lower() in keep or word == "I" or word.startswith("I'"):
            pass
        elif word.lower() in _COMMON:
            text = text[:1].lower() + text[1:]
        else:
            return text
    return f"{interjection} {text}"


_TIDY = (
    (re.compile(r"\s+([,;:!?]|\.(?!\.\.))"), r"\1"),  # "word ." -> "word."
    (re.compile(r"([!?])\.(?!\.)"), r"\1"),  # "!." -> "!"
    (re.compile(r"(?<![.])\.([!?])"), r"\1"),  # ".!" -> "!" (but "...!" stays)
    (re.compile(r"(?<![.])\.\.(?![.])"), "."),  # ".." -> "."
    (re.compile(r"[,;:]+([.!?])"), r"\1"),  # ",." -> "."
    (re.compile(r"(\*[^*\s][^*]*\*)\s*\.(?!\.)"), r"\1"),  # "*bows.*." -> "*bows.*"
    (re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Lady|Sir)\.?\s+(?=(?:Mr|Mrs|Ms|Miss|Lady|Sir)\b)"), ""),
)


def tidy(text: str) -> str:
    """Normalise punctuation: no doubled or clashing stops, no stop after a *stage direction*,
    no doubled title ("Mr. Mr. Darcy" -> "Mr. Darcy")."""
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    return text
