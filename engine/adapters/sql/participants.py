"""Participants: characters (with their card) and human members, and who is in which channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.goal_store import has_relevant_goals
from engine.adapters.sql.tables import channel_cast, characters, participants, platform_users
from engine.cast import CastMember
from engine.errors import InvalidInput
from engine.messages import ParticipantKind
from engine.personas import BigFive, Character, Persona, SpeechStyle
from engine.social.compatibility import Profile

__all__ = ["ParticipantRepository"]

_CAST_COLUMNS = (
    characters.c.id, characters.c.name, characters.c.aliases, characters.c.talkativeness,
    characters.c.autonomy_level, characters.c.social_energy, characters.c.status,
    characters.c.last_spoke_at, characters.c.big_five, characters.c["values"],
    characters.c.goals, has_relevant_goals(characters.c.id).label("has_goals"),
)


# Statements on the per-message path, built once with bound parameters.
_FIND_HUMAN = select(platform_users.c.id, platform_users.c.display_name).where(
    platform_users.c.ecosystem_id == bindparam("ecosystem_id"),
    platform_users.c.external_id == bindparam("external_id"),
)
_NAMES = select(participants.c.id, participants.c.name, participants.c.kind).where(
    participants.c.id.in_(bindparam("ids", expanding=True))
)
_PROFILES = select(
    characters.c.id, characters.c.big_five, characters.c["values"], characters.c.goals
).where(characters.c.id.in_(bindparam("ids", expanding=True)))
_CAST_OF = (
    select(*_CAST_COLUMNS)
    .join(channel_cast, channel_cast.c.character_id == characters.c.id)
    .where(channel_cast.c.channel_id == bindparam("channel_id"))
    .order_by(characters.c.id)
)


class ParticipantRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- humans -----------------------------------------------------------------------------
    def ensure_human(
        self, ecosystem_id: int, external_id: str, display_name: str, now: datetime
    ) -> int:
        row = self.conn.execute(
            _FIND_HUMAN, {"ecosystem_id": ecosystem_id, "external_id": external_id}
        ).first()
        if row is not None:
            if display_name and row.display_name != display_name:
                self.conn.execute(
                    update(platform_users).where(platform_users.c.id == row.id)
                    .values(display_name=display_name)
                )
                self.conn.execute(
                    update(participants).where(participants.c.id == row.id)
                    .values(name=display_name)
                )
            return int(row.id)
        pid = self._new_participant(ecosystem_id, ParticipantKind.HUMAN, display_name, now)
        self.conn.execute(
            platform_users.insert().values(
                id=pid, ecosystem_id=ecosystem_id, external_id=external_id,
                display_name=display_name or external_id, created_at=now,
            )
        )
        return pid

    def _new_participant(
        self, ecosystem_id: int, kind: ParticipantKind, name: str, now: datetime
    ) -> int:
        result = self.conn.execute(
            participants.insert().values(
                ecosystem_id=ecosystem_id, kind=kind.value, name=name, created_at=now
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def find_human(self, ecosystem_id: int, external_id: str) -> tuple[int, str] | None:
        """(participant id, display name) of a member by platform user id."""
        row = self.conn.execute(
            _FIND_HUMAN, {"ecosystem_id": ecosystem_id, "external_id": external_id}
        ).first()
        return (int(row.id), row.display_name) if row is not None else None

    def find_human_by_name(self, ecosystem_id: int, name: str) -> tuple[int, str] | None:
        row = self.conn.execute(
            select(platform_users.c.id, platform_users.c.display_name).where(
                platform_users.c.ecosystem_id == ecosystem_id,
                func.lower(platform_users.c.display_name) == name.strip().lower(),
            )
        ).first()
        return (int(row.id), row.display_name) if row is not None else None

    def names(self, ids: Sequence[int]) -> dict[int, tuple[str, ParticipantKind]]:
        if not ids:
            return {}
        rows = self.conn.execute(_NAMES, {"ids": list(set(ids))})
        return {r.id: (r.name, ParticipantKind(r.kind)) for r in rows}

    # -- characters -------------------------------------------------------------------------
    def add_character(self, ecosystem_id: int, character: Character, now: datetime) -> int:
        if self.find_character(ecosystem_id, character.name) is not None:
            raise InvalidInput(
                f"A character named '{character.name}' already lives here; "
                "rename the card or delete the existing character first."
            )
        pid = self._new_participant(ecosystem_id, ParticipantKind.CHARACTER, character.name, now)
        self.conn.execute(
            characters.insert().values(
                id=pid, ecosystem_id=ecosystem_id, created_at=now, **_character_values(character)
            )
        )
        character.id = pid
        character.ecosystem_id = ecosystem_id
        return pid

    def update_character(self, character: Character) -> None:
        assert character.id is not None
        self.conn.execute(
            update(characters).where(characters.c.id == character.id)
            .values(**_character_values(character))
        )
        self.conn.execute(
            update(participants).where(participants.c.id == character.id)
            .values(name=character.name)
        )

    def get_character(self, character_id: int) -> Character | None:
        row = self.conn.execute(select(characters).where(characters.c.id == character_id)).first()
        return _character(row) if row is not None else None

    def find_character(self, ecosystem_id: int, name: str) -> Character | None:
        row = self.conn.execute(
            select(characters).where(
                characters.c.ecosystem_id == ecosystem_id,
                func.lower(characters.c.name) == name.strip().lower(),
            )
        ).first()
        return _character(row) if row is not None else None

    def list_characters(self, ecosystem_id: int) -> list[Character]:
        rows = self.conn.execute(
            select(characters).where(characters.c.ecosystem_id == ecosystem_id)
            .order_by(characters.c.id)
        )
        return [_character(r) for r in rows]

    def delete_character(self, character_id: int) -> None:
        self.conn.execute(delete(participants).where(participants.c.id == character_id))

    def set_last_spoke(self, character_id: int, when: datetime) -> None:
        self.conn.execute(
            update(characters).where(characters.c.id == character_id).values(last_spoke_at=when)
        )

    def profiles(self, ids: Sequence[int]) -> dict[int, Profile]:
        """Personality profiles of the characters among ``ids`` (humans have none)."""
        if not ids:
            return {}
        rows = self.conn.execute(_PROFILES, {"ids": list(set(ids))})
        return {
            r.id: Profile(BigFive(**(r.big_five or {})), tuple(r[2] or ()), tuple(r.goals or ()))
            for r in rows
        }

    def set_big_five(self, character_id: int, big_five: BigFive) -> None:
        row = self.conn.execute(
            select(characters.c.big_five, characters.c.origin_big_five)
            .where(characters.c.id == character_id)
        ).first()
        values: dict[str, Any] = {"big_five": big_five.as_dict()}
        if row is not None and row.origin_big_five is None:
            values["origin_big_five"] = row.big_five
        self.conn.execute(update(characters).where(characters.c.id == character_id)
                          .values(**values))

    def origin_big_five(self, character_id: int) -> BigFive | None:
        row = self.conn.execute(
            select(characters.c.big_five, characters.c.origin_big_five)
            .where(characters.c.id == character_id)
        ).first()
        if row is None:
            return None
        return BigFive(**(row.origin_big_five or row.big_five or {}))

    # -- cast -------------------------------------------------------------------------------
    def join(self, channel_id: int, character_id: int, now: datetime) -> None:
        exists = self.conn.execute(
            select(channel_cast.c.channel_id).where(
                channel_cast.c.channel_id == channel_id,
                channel_cast.c.character_id == character_id,
            )
        ).first()
        if exists is None:
            self.conn.execute(
                channel_cast.insert().values(
                    channel_id=channel_id, character_id=character_id, joined_at=now
                )
            )

    def leave(self, channel_id: int, character_id: int) -> None:
        self.conn.execute(
            delete(channel_cast).where(
                channel_cast.c.channel_id == channel_id,
                channel_cast.c.character_id == character_id,
            )
        )

    def cast_of(self, channel_id: int) -> list[CastMember]:
        rows = self.conn.execute(_CAST_OF, {"channel_id": channel_id})
        return [
            CastMember(
                id=r.id, name=r.name, aliases=tuple(r.aliases or ()),
                talkativeness=r.talkativeness, autonomy_level=r.autonomy_level,
                social_energy=r.social_energy, status=r.status, last_spoke_at=r.last_spoke_at,
                profile=Profile(BigFive(**(r.big_five or {})), tuple(r[9] or ()),
                                tuple(r.goals or ())),
                has_goals=bool(r.has_goals),
            )
            for r in rows
        ]


def _character_values(c: Character) -> dict[str, Any]:
    p = c.persona
    speech = asdict(p.speech)
    speech["lines"] = {act: list(lines) for act, lines in p.speech.lines.items()}
    return {
        "name": c.name,
        "description": c.description,
        "personality": c.personality,
        "scenario": c.scenario,
        "first_mes": c.first_mes,
        "mes_example": c.mes_example,
        "alternate_greetings": list(c.alternate_greetings),
        "system_prompt": c.system_prompt,
        "post_history_instructions": c.post_history_instructions,
        "creator_notes": c.creator_notes,
        "tags": list(c.tags),
        "creator": c.creator,
        "character_version": c.character_version,
        "big_five": p.big_five.as_dict(),
        "values": list(p.values),
        "goals": list(p.goals),
        "talkativeness": p.talkativeness,
        "autonomy_level": p.autonomy_level,
        "social_energy": p.social_energy,
        "speech": speech,
        "aliases": list(p.aliases),
        "avatar_url": p.avatar_url,
        "memory_summary": c.memory_summary,
        "card_extra": c.card_extra,
        "status": c.status,
    }


def _character(row: Any) -> Character:
    speech = dict(row.speech or {})
    lines = {act: tuple(v) for act, v in (speech.pop("lines", None) or {}).items()}
    persona = Persona(
        big_five=BigFive(**(row.big_five or {})),
        values=tuple(row.values or ()),
        goals=tuple(row.goals or ()),
        talkativeness=row.talkativeness,
        autonomy_level=row.autonomy_level,
        social_energy=row.social_energy,
        speech=SpeechStyle(
            formality=speech.get("formality", 0.5),
            catchphrases=tuple(speech.get("catchphrases", ())),
            interjections=tuple(speech.get("interjections", ())),
            quirks=speech.get("quirks", ""),
            lines=lines,
        ),
        aliases=tuple(row.aliases or ()),
        avatar_url=row.avatar_url,
    )
    return Character(
        name=row.name, description=row.description, personality=row.personality,
        scenario=row.scenario, first_mes=row.first_mes, mes_example=row.mes_example,
        alternate_greetings=list(row.alternate_greetings or ()),
        system_prompt=row.system_prompt,
        post_history_instructions=row.post_history_instructions,
        creator_notes=row.creator_notes, tags=list(row.tags or ()), creator=row.creator,
        character_version=row.character_version, persona=persona,
        card_extra=dict(row.card_extra or {}), memory_summary=row.memory_summary,
        status=row.status, id=row.id, ecosystem_id=row.ecosystem_id,
        last_spoke_at=row.last_spoke_at,
    )
