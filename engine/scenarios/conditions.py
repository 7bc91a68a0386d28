"""The objective condition language: small, parsed (never evaluated as code), checked over facts.

A condition is clauses joined by ``and`` / ``or`` (``and`` binds tighter; no parentheses).
Names with spaces are quoted (``"Elizabeth Bennet"``); a name may also be an alias or one word
of a name (``Darcy``); ``*`` (or ``anyone``) matches anybody. Clauses:

==============================================  =============================================
clause                                          holds when, since the scenario started
==============================================  =============================================
``act A ACT B [times N]``                       A performed ACT (greet, ask, confide, apologise,
                                                …) toward B, at least N times (default 1)
``relationship A B FIELD OP NUMBER``            A's view of B: FIELD one of affinity, trust,
                                                familiarity, romance, rivalry, respect, grudge;
                                                OP one of ``> >= < <= =``
``relationship A B is LABEL``                   A's view of B has that label (friend, rival …)
``revealed A``                                  a secret A confided was revealed by someone
``goal A achieved ["WORDS"]``                   a goal of A was achieved (its text containing
                                                WORDS, if given)
``directed "WORDS"``                            a directed event containing WORDS happened
``objective ID``                                the objective ID is complete
==============================================  =============================================

Examples: ``act Lydia confide Elizabeth``, ``relationship Darcy Elizabeth affinity >= 0.3 and
act * apologise Darcy``, ``goal Elizabeth achieved "locket" or revealed Lydia``.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.acts import Act
from engine.errors import InvalidInput
from engine.relationships import Relationship

__all__ = ["Clause", "Condition", "Facts", "parse", "holds", "FIELDS", "OPS"]

FIELDS = ("affinity", "trust", "familiarity", "romance", "rivalry", "respect", "grudge")
OPS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, "=": lambda a, b: abs(a - b) < 1e-9,
}
ANY = "*"
_KINDS = ("act", "relationship", "revealed", "goal", "directed", "objective")


@dataclass(frozen=True)
class Clause:
    kind: str
    args: tuple[str, ...]


#: Disjunction of conjunctions: ``[[a, b], [c]]`` is ``a and b or c``.
Condition = tuple[tuple[Clause, ...], ...]


def _clause(words: list[str], text: str) -> Clause:
    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"Objective condition {text!r}: {why}.")

    if not words:
        raise bad("an empty clause")
    kind, args = words[0].lower(), words[1:]
    if kind not in _KINDS:
        raise bad(f"unknown clause {words[0]!r} (expected one of: {', '.join(_KINDS)})")
    if kind == "act":
        if len(args) not in (3, 5) or (len(args) == 5 and args[3].lower() != "times"):
            raise bad("expected: act A ACT B [times N]")
        try:
            Act(args[1].lower())
        except ValueError:
            raise bad(f"unknown act {args[1]!r}") from None
        if len(args) == 5 and not args[4].isdigit():
            raise bad("times expects a whole number")
    elif kind == "relationship":
        if len(args) == 4 and args[2].lower() == "is":
            pass
        elif len(args) == 5:
            if args[2].lower() not in FIELDS:
                raise bad(f"unknown field {args[2]!r} (one of: {', '.join(FIELDS)})")
            if args[3] not in OPS:
                raise bad(f"unknown comparison {args[3]!r}")
            try:
                float(args[4])
            except ValueError:
                raise bad(f"{args[4]!r} is not a number") from None
        else:
            raise bad("expected: relationship A B FIELD OP NUMBER, or relationship A B is LABEL")
    elif kind == "revealed" and len(args) != 1:
        raise bad("expected: revealed A")
    elif kind == "goal" and (len(args) not in (2, 3) or args[1].lower() != "achieved"):
        raise bad('expected: goal A achieved ["WORDS"]')
    elif kind in ("directed", "objective") and len(args) != 1:
        raise bad(f"expected: {kind} " + ('"WORDS"' if kind == "directed" else "ID"))
    return Clause(kind, tuple(args))


def parse(text: str) -> Condition:
    """Parse a condition (raises ``InvalidInput`` naming what is wrong)."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise InvalidInput(f"Objective condition {text!r}: {exc}.") from None
    if not words:
        raise InvalidInput("An objective needs a condition.")
    alternatives: list[tuple[Clause, ...]] = []
    for option in _split(words, "or"):
        alternatives.append(tuple(_clause(part, text) for part in _split(option, "and")))
    return tuple(alternatives)


def _split(words: list[str], keyword: str) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for word in words:
        if word.lower() == keyword:
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


@dataclass
class Facts:
    """What conditions are checked against (gathered since the scenario started)."""

    #: Every participant's names and aliases.
    names: Mapping[int, Sequence[str]]
    #: Directed views, by (source, target).
    relationships: Mapping[tuple[int, int], Relationship] = field(default_factory=dict)
    #: Acts in order: (actor, act, targets).
    acts: Sequence[tuple[int | None, Act | None, tuple[int, ...]]] = ()
    #: Owners of confidences that were revealed.
    revealed: frozenset[int] = frozenset()
    #: Achieved goals: (owner, text).
    achieved: Sequence[tuple[int, str]] = ()
    #: Texts of directed events.
    directed: Sequence[str] = ()
    #: Ids of completed objectives.
    completed: frozenset[str] = frozenset()

    def who(self, name: str) -> set[int] | None:
        """The participants a name means (None: anyone)."""
        if name.lower() in (ANY, "anyone", "someone"):
            return None
        key = name.lower().strip()
        exact = {pid for pid, opts in self.names.items()
                 if any(o.lower() == key for o in opts)}
        if exact:
            return exact
        return {pid for pid, opts in self.names.items()
                if any(key in o.lower().replace(".", "").split() for o in opts)}


def _match(who: set[int] | None, pid: int | None) -> bool:
    return pid is not None and (who is None or pid in who)


def _clause_holds(clause: Clause, facts: Facts) -> bool:
    a = clause.args
    if clause.kind == "act":
        actor, act, target = facts.who(a[0]), Act(a[1].lower()), facts.who(a[2])
        need = int(a[4]) if len(a) == 5 else 1
        count = sum(1 for who, did, targets in facts.acts
                    if did is act and _match(actor, who)
                    and any(_match(target, t) for t in targets))
        return count >= need
    if clause.kind == "relationship":
        sources, targets = facts.who(a[0]), facts.who(a[1])
        views = [r for (s, t), r in facts.relationships.items()
                 if _match(sources, s) and _match(targets, t)]
        if a[2].lower() == "is":
            return any(r.label == a[3].lower() for r in views)
        op, bound = OPS[a[3]], float(a[4])
        return any(op(float(getattr(r, a[2].lower(), 0.0)), bound) for r in views)
    if clause.kind == "revealed":
        owners = facts.who(a[0])
        return any(_match(owners, o) for o in facts.revealed)
    if clause.kind == "goal":
        owners = facts.who(a[0])
        words = a[2].lower() if len(a) == 3 else ""
        return any(_match(owners, o) and words in text.lower() for o, text in facts.achieved)
    if clause.kind == "directed":
        return any(a[0].lower() in text.lower() for text in facts.directed)
    return a[0] in facts.completed


def holds(condition: Condition | str, facts: Facts) -> bool:
    """Whether the condition holds over ``facts``."""
    parsed = parse(condition) if isinstance(condition, str) else condition
    return any(all(_clause_holds(c, facts) for c in option) for option in parsed)
