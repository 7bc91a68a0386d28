"""Stored marketplace packages, versions, installations, ratings and reports
(``engine.marketplace``), and the marketplace search.

Text search follows ``engine.marketplace.search``'s contract on both backends: every query word
must begin a word of ``search_text``. PostgreSQL answers from ``search_vector``
(``to_tsvector('simple', search_text)``, GIN-indexed) with prefix queries (``word:*``);
SQLite with ``LIKE`` over the same words (a small catalogue's fallback).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, literal, literal_column, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnClause

from engine.adapters.sql.tables import (
    characters,
    goals,
    installations,
    package_tags,
    package_versions,
    packages,
    ratings,
    reports,
    scenarios,
)
from engine.marketplace.model import Installation, Listing, PackageStats, Report, Review
from engine.marketplace.search import SearchQuery, bayesian_score

__all__ = ["MarketplaceStore"]

#: The text search configuration (as the trigger of migration 0012 writes the vectors).
_SIMPLE: ColumnClause[Any] = literal_column("'simple'::regconfig")
_LISTING_COLUMNS = [c for c in packages.c if c.name not in ("search_text", "search_vector")]


class MarketplaceStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- packages -----------------------------------------------------------------------------
    def code_taken(self, code: str) -> bool:
        return self.conn.execute(select(packages.c.id).where(packages.c.share_code == code)
                                 ).first() is not None

    def add_package(self, values: dict[str, Any], tags: Sequence[str], now: datetime) -> int:
        result = self.conn.execute(packages.insert().values(
            created_at=now, updated_at=now, **values))
        package_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        self._set_tags(package_id, tags)
        return package_id

    def update_package(self, package_id: int, values: dict[str, Any],
                       tags: Sequence[str] | None, now: datetime) -> None:
        self.conn.execute(update(packages).where(packages.c.id == package_id)
                          .values(updated_at=now, **values))
        if tags is not None:
            self._set_tags(package_id, tags)

    def _set_tags(self, package_id: int, tags: Sequence[str]) -> None:
        self.conn.execute(delete(package_tags).where(package_tags.c.package_id == package_id))
        if tags:
            self.conn.execute(package_tags.insert(),
                              [{"package_id": package_id, "tag": t} for t in dict.fromkeys(tags)])

    def get(self, package_id: int) -> Listing | None:
        row = self.conn.execute(select(*_LISTING_COLUMNS).where(packages.c.id == package_id)
                                ).first()
        return _listing(row) if row is not None else None

    def by_code(self, code: str) -> Listing | None:
        row = self.conn.execute(select(*_LISTING_COLUMNS)
                                .where(packages.c.share_code == code.strip().upper())).first()
        return _listing(row) if row is not None else None

    def by_slug(self, slug: str) -> list[Listing]:
        rows = self.conn.execute(select(*_LISTING_COLUMNS).where(packages.c.slug == slug)
                                 .order_by(packages.c.id))
        return [_listing(r) for r in rows]

    def of_creator(self, creator_key: str) -> list[Listing]:
        rows = self.conn.execute(select(*_LISTING_COLUMNS)
                                 .where(packages.c.creator_key == creator_key)
                                 .order_by(packages.c.id))
        return [_listing(r) for r in rows]

    def set_status(self, package_id: int, status: str, reason: str, now: datetime) -> None:
        self.conn.execute(update(packages).where(packages.c.id == package_id)
                          .values(status=status, takedown_reason=reason, updated_at=now))

    # -- versions -----------------------------------------------------------------------------
    def add_version(self, package_id: int, version: str, content: dict[str, Any], size: int,
                    preview_png: bytes | None, now: datetime) -> None:
        self.conn.execute(package_versions.insert().values(
            package_id=package_id, version=version, content=content, size_bytes=size,
            preview_png=preview_png, created_at=now))

    def versions(self, package_id: int) -> list[str]:
        return [str(v) for v in self.conn.execute(
            select(package_versions.c.version).where(package_versions.c.package_id == package_id)
            .order_by(package_versions.c.id)).scalars()]

    def content(self, package_id: int, version: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(package_versions.c.content).where(
            package_versions.c.package_id == package_id,
            package_versions.c.version == version)).first()
        return dict(row.content) if row is not None else None

    def preview(self, package_id: int, version: str) -> bytes | None:
        row = self.conn.execute(select(package_versions.c.preview_png).where(
            package_versions.c.package_id == package_id,
            package_versions.c.version == version)).first()
        return bytes(row.preview_png) if row is not None and row.preview_png else None

    # -- search -------------------------------------------------------------------------------
    def search(self, q: SearchQuery) -> tuple[list[Listing], bool]:
        """One page of public, active listings matching ``q``; and whether more follow."""
        stmt = select(*_LISTING_COLUMNS).where(packages.c.status == "active",
                                               packages.c.visibility == "public")
        words = q.words
        if words:
            if self.conn.dialect.name == "postgresql":
                query = " & ".join(f"{w}:*" for w in words)
                stmt = stmt.where(packages.c.search_vector
                                  .op("@@")(func.to_tsquery(_SIMPLE, query)))
            else:
                padded = literal(" ") + packages.c.search_text
                stmt = stmt.where(and_(*(padded.like(f"% {w}%") for w in words)))
        if q.tag:
            stmt = stmt.where(packages.c.id.in_(
                select(package_tags.c.package_id).where(package_tags.c.tag == q.tag.lower())))
        if q.genre:
            stmt = stmt.where(packages.c.genre == q.genre.lower())
        if q.kind:
            stmt = stmt.where(packages.c.kind == q.kind)
        if q.min_rating > 0:
            stmt = stmt.where(packages.c.rating_count > 0,
                              packages.c.rating_sum >= q.min_rating * packages.c.rating_count)
        order = {"rating": [packages.c.rating_score.desc(), packages.c.id.desc()],
                 "popular": [packages.c.install_count.desc(), packages.c.id.desc()],
                 "new": [packages.c.id.desc()]}[q.sort]
        rows = self.conn.execute(stmt.order_by(*order).offset(q.offset).limit(q.per_page + 1)
                                 ).all()
        return [_listing(r) for r in rows[: q.per_page]], len(rows) > q.per_page

    # -- installations ------------------------------------------------------------------------
    def add_installation(self, package_id: int, version: str, ecosystem_id: int,
                         installed_by: str | None, created: dict[str, Any], now: datetime
                         ) -> int:
        result = self.conn.execute(installations.insert().values(
            package_id=package_id, version=version, ecosystem_id=ecosystem_id,
            installed_by=installed_by, created=created, status="active", installed_at=now,
            updated_at=now))
        self.conn.execute(update(packages).where(packages.c.id == package_id)
                          .values(install_count=packages.c.install_count + 1))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def installation(self, ecosystem_id: int, package_id: int) -> Installation | None:
        row = self.conn.execute(select(installations).where(
            installations.c.ecosystem_id == ecosystem_id,
            installations.c.package_id == package_id, installations.c.status == "active")
            .order_by(installations.c.id.desc())).first()
        return _installation(row) if row is not None else None

    def installations_in(self, ecosystem_id: int) -> list[Installation]:
        rows = self.conn.execute(select(installations).where(
            installations.c.ecosystem_id == ecosystem_id, installations.c.status == "active")
            .order_by(installations.c.id))
        return [_installation(r) for r in rows]

    def update_installation(self, installation_id: int, *, version: str | None = None,
                            created: dict[str, Any] | None = None, status: str | None = None,
                            now: datetime) -> None:
        values: dict[str, Any] = {"updated_at": now}
        if version is not None:
            values["version"] = version
        if created is not None:
            values["created"] = created
        if status is not None:
            values["status"] = status
        self.conn.execute(update(installations).where(installations.c.id == installation_id)
                          .values(**values))

    # -- ratings and reviews ------------------------------------------------------------------
    def rate(self, package_id: int, member_key: str, member_name: str, stars: int,
             review: str, now: datetime) -> bool:
        """Set the member's rating; True if it was new (one per member: later ones edit)."""
        result = self.conn.execute(update(ratings).where(
            ratings.c.package_id == package_id, ratings.c.member_key == member_key)
            .values(stars=stars, review=review, member_name=member_name, updated_at=now))
        new = result.rowcount == 0
        if new:
            self.conn.execute(ratings.insert().values(
                package_id=package_id, member_key=member_key, member_name=member_name,
                stars=stars, review=review, created_at=now, updated_at=now))
        self.refresh_rating(package_id)
        return new

    def refresh_rating(self, package_id: int) -> None:
        count, total = self.conn.execute(
            select(func.count(), func.coalesce(func.sum(ratings.c.stars), 0))
            .where(ratings.c.package_id == package_id)).one()
        self.conn.execute(update(packages).where(packages.c.id == package_id).values(
            rating_count=int(count), rating_sum=int(total),
            rating_score=bayesian_score(int(total), int(count))))

    def reviews(self, package_id: int, limit: int = 10) -> list[Review]:
        rows = self.conn.execute(select(ratings).where(ratings.c.package_id == package_id)
                                 .order_by(ratings.c.updated_at.desc()).limit(limit))
        return [Review(r.package_id, r.member_key, r.member_name, r.stars, r.review,
                       r.updated_at) for r in rows]

    def rating_of(self, package_id: int, member_key: str) -> Review | None:
        r = self.conn.execute(select(ratings).where(ratings.c.package_id == package_id,
                                                    ratings.c.member_key == member_key)).first()
        return None if r is None else Review(r.package_id, r.member_key, r.member_name,
                                             r.stars, r.review, r.updated_at)

    # -- reports ------------------------------------------------------------------------------
    def add_report(self, package_id: int, reporter_key: str | None, reason: str,
                   now: datetime) -> int:
        result = self.conn.execute(reports.insert().values(
            package_id=package_id, reporter_key=reporter_key, reason=reason, status="open",
            created_at=now))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def reports(self, status: str | None = "open", package_id: int | None = None
                ) -> list[Report]:
        stmt = select(reports)
        if status is not None:
            stmt = stmt.where(reports.c.status == status)
        if package_id is not None:
            stmt = stmt.where(reports.c.package_id == package_id)
        return [Report(r.id, r.package_id, r.reporter_key, r.reason, r.status, r.created_at,
                       r.resolution) for r in self.conn.execute(stmt.order_by(reports.c.id))]

    def resolve_reports(self, package_id: int, status: str, resolution: str, now: datetime
                        ) -> int:
        return int(self.conn.execute(update(reports).where(
            reports.c.package_id == package_id, reports.c.status == "open")
            .values(status=status, resolution=resolution, resolved_at=now)).rowcount)

    # -- creators -----------------------------------------------------------------------------
    def remove_scenarios(self, scenario_ids: Sequence[int]) -> int:
        return remove_scenarios(self.conn, scenario_ids)

    def stats(self, listing: Listing, active_since: datetime) -> PackageStats:
        active = [_installation(r) for r in self.conn.execute(select(installations).where(
            installations.c.package_id == listing.id, installations.c.status == "active"))]
        ids = [i for inst in active for i in inst.character_ids]
        speaking = 0
        for start in range(0, len(ids), 500):
            speaking += int(self.conn.execute(select(func.count()).select_from(characters).where(
                characters.c.id.in_(ids[start : start + 500]),
                characters.c.last_spoke_at >= active_since)).scalar_one())
        return PackageStats(listing.id, listing.name, listing.share_code, listing.status,
                            listing.latest_version, listing.install_count, len(active),
                            speaking, listing.rating, listing.rating_count)


def _listing(r: Any) -> Listing:
    return Listing(
        id=r.id, share_code=r.share_code, kind=r.kind, name=r.name, slug=r.slug,
        description=r.description, tags=tuple(r.tags or ()), genre=r.genre,
        visibility=r.visibility, status=r.status, premium=bool(r.premium),
        price_cents=r.price_cents, creator_key=r.creator_key, creator_name=r.creator_name,
        latest_version=r.latest_version, install_count=r.install_count,
        rating_count=r.rating_count, rating_sum=r.rating_sum, rating_score=r.rating_score,
        created_at=r.created_at, updated_at=r.updated_at, takedown_reason=r.takedown_reason)


def _installation(r: Any) -> Installation:
    return Installation(r.id, r.package_id, r.version, r.ecosystem_id, r.installed_by,
                        dict(r.created or {}), r.status, r.installed_at)


def remove_scenarios(conn: Connection, scenario_ids: Sequence[int]) -> int:
    """Delete scenarios an install added, and the goals they gave (uninstall)."""
    if not scenario_ids:
        return 0
    conn.execute(delete(goals).where(goals.c.source_ref.in_(
        [f"scenario:{i}" for i in scenario_ids])))
    return int(conn.execute(delete(scenarios).where(scenarios.c.id.in_(list(scenario_ids))))
               .rowcount)
