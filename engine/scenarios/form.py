"""Objectives typed one per line (the scenario forms of every front door).

Each line: an optional kind prefix (``primary:``, the default; ``subplot:``; ``hidden:``, seen
only by directors until complete; also ``main:``, ``sub:``, ``secret:``), then the objective's
text and its condition separated by ``|``, or the condition alone (then its text too)::

    Lydia tells the truth | act Lydia confide Elizabeth
    subplot: Bingley comforts Jane | act Bingley help Jane
    hidden: objective o1 and goal Elizabeth achieved "locket"

Lines get the ids ``o1``, ``o2``… in order; ``objective oN`` must name one of them.
"""

from __future__ import annotations

from engine.errors import InvalidInput
from engine.scenarios.conditions import parse
from engine.scenarios.model import ObjectiveKind

__all__ = ["objectives_from_lines", "KIND_PREFIXES"]

KIND_PREFIXES = {"primary": ObjectiveKind.PRIMARY, "main": ObjectiveKind.PRIMARY,
                 "subplot": ObjectiveKind.SUBPLOT, "sub": ObjectiveKind.SUBPLOT,
                 "hidden": ObjectiveKind.HIDDEN, "secret": ObjectiveKind.HIDDEN}
_BULLETS = "-*•·"


def objectives_from_lines(text: str) -> list[dict[str, str]]:
    """Objective definitions from the lines (blank lines and bullets skipped).

    Raises:
        InvalidInput: naming the line whose condition does not parse or that refers to an
            objective id no line has.
    """
    found: list[dict[str, str]] = []
    lines = [line.strip().lstrip(_BULLETS).strip() for line in text.splitlines()]
    for number, line in enumerate((line for line in lines if line), start=1):
        kind = ObjectiveKind.PRIMARY
        head, colon, rest = line.partition(":")
        if colon and head.strip().lower() in KIND_PREFIXES:
            kind, line = KIND_PREFIXES[head.strip().lower()], rest.strip()
        words, bar, condition = line.partition("|")
        words, condition = (words.strip(), condition.strip()) if bar else (line, line)
        try:
            parse(condition)
        except InvalidInput as exc:
            hint = "" if bar else (" Put the condition after '|', e.g. 'primary: The truth "
                                   "comes out | act Lydia confide Elizabeth'.")
            raise InvalidInput(f"Objective line {number}: {exc}{hint}") from None
        found.append({"id": f"o{number}", "kind": kind.value, "text": words or condition,
                      "condition": condition})
    known = {o["id"] for o in found}
    for number, objective in enumerate(found, start=1):
        clauses = [c for option in parse(objective["condition"]) for c in option]
        wrong = [c.args[0] for c in clauses if c.kind == "objective" and c.args[0] not in known]
        if wrong:
            raise InvalidInput(f"Objective line {number}: no objective {wrong[0]!r} (the lines "
                               f"are {', '.join(sorted(known))}).")
    return found
