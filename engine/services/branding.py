"""The name and avatar the bot goes by in a community: "Personae", or an Enterprise
community's white label (set with ``engine.services.enterprise.set_brand``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork

__all__ = ["Brand", "DEFAULT_BRAND", "brand_in"]

DEFAULT_BRAND = "Personae"


@dataclass(frozen=True)
class Brand:
    name: str = DEFAULT_BRAND
    avatar_url: str | None = None

    @property
    def custom(self) -> bool:
        return self.name != DEFAULT_BRAND or self.avatar_url is not None


def brand_in(uow: UnitOfWork, ecosystem_id: int, now: datetime | None = None) -> Brand:
    """The name and avatar the bot uses in this community (inside an open unit of work):
    its white label while its tier includes one, else the default."""
    row = uow.enterprise.get(ecosystem_id)
    if row is None or not (row.brand_name or row.brand_avatar_url):
        return Brand()
    if not uow.billing.tier(ecosystem_id, now).white_label:
        return Brand()
    return Brand(row.brand_name or DEFAULT_BRAND, row.brand_avatar_url)
