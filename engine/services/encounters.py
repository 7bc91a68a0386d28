"""Encounters: how two participants first see each other, and the notable changes they cause."""

from __future__ import annotations

from dataclasses import dataclass

from engine.adapters.sql.uow import UnitOfWork
from engine.relationships import Relationship
from engine.social.compatibility import Profile, compatibility, first_impression

__all__ = ["Notice", "meet", "first_meeting"]


@dataclass(frozen=True)
class Notice:
    """A notable change, for the channel and the observatory."""

    text: str
    kind: str
    source_id: int
    target_id: int
    label: str


def meet(uow: UnitOfWork, source_id: int, target_id: int, ecosystem_id: int,
         profiles: dict[int, Profile]) -> Relationship:
    """How ``source`` sees ``target`` — seeded from compatibility the first time they meet."""
    view = uow.relationships.get(source_id, target_id, ecosystem_id)
    if view.interactions or view.updated_at is not None:
        return view
    return first_meeting(source_id, target_id, ecosystem_id, profiles)


def first_meeting(source_id: int, target_id: int, ecosystem_id: int,
                  profiles: dict[int, Profile]) -> Relationship:
    """A view that does not exist yet: a stranger, seeded by compatibility when both have a
    personality (characters)."""
    view = Relationship(source_id, target_id, ecosystem_id)
    a, b = profiles.get(source_id), profiles.get(target_id)
    if a is None or b is None:
        return view
    return first_impression(compatibility(a, b)).apply_to(view)
