"""Naming a character: which character of a community a member means by "Darcy", "Elizabeth
Bennet", an alias or an id (the memory browser, casting, character and autonomy commands)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.personas import Character
from engine.services.deps import Deps

__all__ = ["CharacterRef", "resolve_character", "resolve_in", "split_character"]


@dataclass(frozen=True)
class CharacterRef:
    """A character as a member named it: its id, name and community."""

    id: int
    name: str
    ecosystem_id: int


def resolve_character(deps: Deps, ecosystem_id: int, ref: str | int) -> CharacterRef:
    """The character named ``ref`` in an ecosystem: its id, name, an alias, or a name word.

    Raises:
        NotFound: nobody matches (the message lists the characters).
        InvalidInput: ``ref`` is ambiguous (e.g. "Bennet"); the message lists the candidates.
    """
    with deps.uow() as uow:
        return resolve_in(uow, ecosystem_id, ref)


def split_character(deps: Deps, ecosystem_id: int, text: str) -> tuple[CharacterRef, str]:
    """Split "Elizabeth Bennet Darcy's letter" into the character and the rest (the query).

    The longest leading run of words that names a character wins; raises like
    ``resolve_character`` when no leading run does.
    """
    words = text.split()
    if not words:
        raise InvalidInput("Name a character, e.g. 'Darcy' or 'Elizabeth Bennet'.")
    with deps.uow() as uow:
        cast = uow.participants.list_characters(ecosystem_id)
        for n in range(len(words), 0, -1):
            if _matches(cast, " ".join(words[:n])):
                # Unique: that character; ambiguous: ``resolve_in`` says which were meant.
                ref = resolve_in(uow, ecosystem_id, " ".join(words[:n]), cast)
                return ref, " ".join(words[n:])
        raise _not_found(words[0], cast)


def resolve_in(
    uow: UnitOfWork, ecosystem_id: int, ref: str | int, cast: list[Character] | None = None
) -> CharacterRef:
    """``resolve_character`` inside an open unit of work."""
    if cast is None:
        cast = uow.participants.list_characters(ecosystem_id)
    candidates = _matches(cast, str(ref))
    if len(candidates) == 1:
        return _ref(candidates[0], ecosystem_id)
    if candidates:
        *others, last = sorted(c.name for c in candidates)
        names = f"{', '.join(others)} or {last}"
        raise InvalidInput(f"'{ref}' could be {names}; say which.")
    raise _not_found(ref, cast)


def _not_found(ref: str | int, cast: list[Character]) -> NotFound:
    present = ", ".join(sorted(c.name for c in cast)) or "none yet"
    return NotFound(f"No character named '{ref}' in this community. Characters: {present}.")


def _matches(cast: list[Character], ref: str) -> list[Character]:
    """Characters answering to ``ref``: by id, full name or alias, else by one name word."""
    wanted = " ".join(ref.split()).casefold()
    if not wanted:
        return []
    if wanted.isdigit():
        by_id = [c for c in cast if c.id == int(wanted)]
        if by_id:
            return by_id
    named = [c for c in cast if wanted in (n.casefold() for n in c.names())]
    if named:
        return named
    return [c for c in cast if wanted in c.name.casefold().split()]


def _ref(character: Character, ecosystem_id: int) -> CharacterRef:
    assert character.id is not None
    return CharacterRef(character.id, character.name, ecosystem_id)
