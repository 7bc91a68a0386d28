"""Stored scenarios and scenario templates (``engine.scenarios``), and the reads objective
tracking needs (acts since the start, revealed confidences, directed events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from engine.acts import Act
from engine.adapters.sql.tables import (
    characters,
    confidences,
    events,
    participants,
    scenario_templates,
    scenarios,
)
from engine.scenarios.model import Scenario, ScenarioStatus, from_definition, to_definition

__all__ = ["ScenarioStore"]

#: Most events read when checking a scenario's objectives (the newest).
FACT_WINDOW = 5000


class ScenarioStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- scenarios ----------------------------------------------------------------------------
    def save(self, s: Scenario, now: datetime) -> int:
        definition = to_definition(s, with_progress=True)
        values = {
            "ecosystem_id": s.ecosystem_id, "channel_id": s.channel_id, "slug": s.slug,
            "title": s.title[:200], "setting": s.setting, "mood": s.mood[:200],
            "cast": definition["cast"], "objectives": definition["objectives"],
            "data": {**s.data, "directions": definition["directions"]},
            "status": s.status.value, "created_by": s.created_by, "updated_at": now,
            "started_at": s.started_at, "stopped_at": s.stopped_at,
        }
        if s.id is None:
            s.created_at = s.created_at or now
            result = self.conn.execute(scenarios.insert().values(created_at=s.created_at,
                                                                 **values))
            s.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        else:
            self.conn.execute(update(scenarios).where(scenarios.c.id == s.id).values(**values))
        return s.id

    def get(self, scenario_id: int) -> Scenario | None:
        row = self.conn.execute(select(scenarios).where(scenarios.c.id == scenario_id)).first()
        return _scenario(row) if row is not None else None

    def of_ecosystem(self, ecosystem_id: int, statuses: tuple[ScenarioStatus, ...] | None = None
             ) -> list[Scenario]:
        stmt = select(scenarios).where(scenarios.c.ecosystem_id == ecosystem_id)
        if statuses is not None:
            stmt = stmt.where(scenarios.c.status.in_([s.value for s in statuses]))
        return [_scenario(r) for r in self.conn.execute(stmt.order_by(scenarios.c.id))]

    def running_ecosystems(self) -> list[int]:
        return [int(i) for i in self.conn.execute(
            select(scenarios.c.ecosystem_id).distinct()
            .where(scenarios.c.status == ScenarioStatus.RUNNING.value)).scalars()]

    # -- facts --------------------------------------------------------------------------------
    def participant_names(self, ecosystem_id: int) -> dict[int, tuple[str, ...]]:
        """Every participant's name, and the characters' aliases."""
        rows = self.conn.execute(
            select(participants.c.id, participants.c.name, characters.c.aliases)
            .select_from(participants.outerjoin(characters, characters.c.id == participants.c.id))
            .where(participants.c.ecosystem_id == ecosystem_id))
        return {r.id: (r.name, *(r.aliases or ())) for r in rows}

    def last_event_id(self, ecosystem_id: int) -> int:
        from sqlalchemy import func

        return int(self.conn.execute(select(func.coalesce(func.max(events.c.id), 0))
                                     .where(events.c.ecosystem_id == ecosystem_id)).scalar_one())

    def acts_since(self, ecosystem_id: int, after_event_id: int
                   ) -> list[tuple[int | None, Act | None, tuple[int, ...]]]:
        rows = self.conn.execute(
            select(events.c.author_id, events.c.act, events.c.target_id, events.c.addressed_ids)
            .where(events.c.ecosystem_id == ecosystem_id, events.c.id > after_event_id,
                   events.c.act.is_not(None))
            .order_by(events.c.id.desc()).limit(FACT_WINDOW)).all()
        out: list[tuple[int | None, Act | None, tuple[int, ...]]] = []
        for r in reversed(rows):
            targets = tuple(dict.fromkeys(
                [*(r.addressed_ids or []), *([r.target_id] if r.target_id else [])]))
            out.append((r.author_id, Act(r.act), targets))
        return out

    def directed_since(self, ecosystem_id: int, after_event_id: int) -> list[str]:
        rows = self.conn.execute(
            select(events.c.text, events.c.payload)
            .where(events.c.ecosystem_id == ecosystem_id, events.c.id > after_event_id,
                   events.c.kind == "system")
            .order_by(events.c.id.desc()).limit(FACT_WINDOW)).all()
        return [r.text for r in reversed(rows) if (r.payload or {}).get("directed")]

    def revealed_since(self, ecosystem_id: int, since: datetime) -> frozenset[int]:
        return frozenset(int(i) for i in self.conn.execute(
            select(confidences.c.owner_id).where(
                confidences.c.ecosystem_id == ecosystem_id,
                confidences.c.status == "revealed", confidences.c.revealed_at >= since)
        ).scalars())

    # -- templates ----------------------------------------------------------------------------
    def add_template(self, code: str, s: Scenario, origin_ecosystem_id: int | None,
                     created_by: int | None, now: datetime) -> None:
        self.conn.execute(scenario_templates.insert().values(
            code=code, title=s.title[:200], data=to_definition(s),
            origin_ecosystem_id=origin_ecosystem_id, created_by=created_by, created_at=now))

    def template(self, code: str) -> tuple[str, dict[str, Any]] | None:
        row = self.conn.execute(select(scenario_templates.c.title, scenario_templates.c.data)
                                .where(scenario_templates.c.code == code)).first()
        return (row.title, dict(row.data)) if row is not None else None

    def templates(self, origin_ecosystem_id: int | None = None) -> list[tuple[str, str]]:
        stmt = select(scenario_templates.c.code, scenario_templates.c.title)
        if origin_ecosystem_id is not None:
            stmt = stmt.where(scenario_templates.c.origin_ecosystem_id == origin_ecosystem_id)
        return [(r.code, r.title) for r in self.conn.execute(
            stmt.order_by(scenario_templates.c.created_at, scenario_templates.c.code))]

    def template_codes(self) -> list[str]:
        return [str(c) for c in self.conn.execute(select(scenario_templates.c.code)).scalars()]


def _scenario(r: Any) -> Scenario:
    data = dict(r.data or {})
    definition = {"title": r.title, "slug": r.slug, "setting": r.setting, "mood": r.mood,
                  "cast": r.cast, "objectives": r.objectives,
                  "directions": data.pop("directions", [])}
    s = from_definition(definition)
    s.id, s.ecosystem_id, s.channel_id = r.id, r.ecosystem_id, r.channel_id
    s.status, s.created_by = ScenarioStatus(r.status), r.created_by
    s.created_at, s.started_at, s.stopped_at = r.created_at, r.started_at, r.stopped_at
    s.data = data
    return s
