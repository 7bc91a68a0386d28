"""A tiny Tracery-style grammar expander for the offline renderer.

A grammar maps symbol names to lists of alternatives. In a text, ``#name#`` is replaced by one
alternative of ``name`` (chosen with the caller's ``random.Random``), itself expanded in turn.
Modifiers follow the name: ``#name.capitalize#`` upper-cases the first letter and ``#name.a#``
prefixes "a" or "an". Bindings passed to :meth:`Grammar.expand` are literal values for a symbol
(a speaker's or a user's name): they win over rules and are never expanded again, so text from
outside (which may contain ``#``) cannot inject grammar.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = ["Grammar", "MODIFIERS", "article", "capitalize"]

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
        self, symbol: str, rng: random.Random, bindings: Mapping[str, str] | None = None
    ) -> str:
        """Expand one symbol: ``flatten("greet", rng)`` equals ``expand("#greet#", rng)``."""
        return self.expand(f"#{symbol}#", rng, bindings)

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
