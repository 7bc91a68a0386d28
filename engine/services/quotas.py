"""Tier limits where they bite: one check for every front door and service.

``check`` refuses what would go over a limit with a message that says what the limit is and
how to lift it (``QuotaExceeded``, a user-facing ``InvalidInput``); ``consume`` counts monthly
usage (story exports, model calls) within the limit, atomically.

What each limit counts:

- ``characters``: the community's characters, paused ones included (a downgrade pauses, never
  deletes; removing characters makes room).
- ``relationships``: pairs of participants (characters or members) with a stored view of
  each other. Over the limit, **new pairs are not tracked** (two who meet for the first time
  stay strangers to the engine); the relationships already tracked keep evolving, and none is
  dropped — forgetting lived history to make room would be worse than not starting new ones.
- ``exports``: story exports a calendar month (UTC), counted by the service that builds them.
- ``model_calls``: language-model calls a calendar month; over it, characters speak through
  the offline renderer, with one notice a month in the channel.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.billing.tiers import MONTHLY, QuotaExceeded, Tier, limit_message, month_of
from engine.services.deps import Deps

__all__ = ["check", "check_in", "consume", "record", "tier_of", "priority_ecosystems",
           "forget_priority", "QuotaExceeded"]


def tier_of(deps: Deps, ecosystem_id: int) -> Tier:
    with deps.uow() as uow:
        return uow.billing.tier(ecosystem_id, deps.clock.now())


def _used(uow: UnitOfWork, ecosystem_id: int, resource: str, month: str) -> int:
    if resource == "characters":
        return uow.billing.count_characters(ecosystem_id)
    if resource == "relationships":
        return uow.billing.count_relationship_pairs(ecosystem_id)
    return uow.billing.used(ecosystem_id, month, resource)


def check_in(uow: UnitOfWork, ecosystem_id: int, resource: str, amount: int,
             now: datetime) -> None:
    """``check`` inside an open unit of work."""
    if not uow.billing.catalog.enforced:  # limits off (billing not set up): nothing to read
        return
    tier = uow.billing.tier(ecosystem_id, now)
    limit = tier.limit(resource)
    if limit is None or amount <= 0:
        return
    used = _used(uow, ecosystem_id, resource, month_of(now))
    if used + amount > limit:
        raise QuotaExceeded(limit_message(uow.billing.catalog, tier, resource, used + amount),
                            resource, limit, tier.name)


def check(deps: Deps, ecosystem_id: int, resource: str, amount: int = 1) -> None:
    """Refuse ``amount`` more of ``resource`` if it would go over the ecosystem's tier.

    Raises:
        QuotaExceeded: ``This community is on Free: 5 characters at most. /subscribe for Pro
            (50).``
    """
    with deps.uow() as uow:
        check_in(uow, ecosystem_id, resource, amount, deps.clock.now())


def record(deps: Deps, ecosystem_id: int, resource: str, amount: int = 1) -> None:
    """Count monthly usage that already happened (no limit applied)."""
    assert resource in MONTHLY
    now = deps.clock.now()
    with deps.uow() as uow:
        uow.billing.add_usage(ecosystem_id, month_of(now), resource, amount)
        uow.commit()


def consume(deps: Deps, ecosystem_id: int, resource: str, amount: int = 1) -> bool:
    """Count ``amount`` of a monthly resource if the tier allows it; False (nothing counted)
    when the month's limit is reached."""
    assert resource in MONTHLY
    now = deps.clock.now()
    with deps.uow() as uow:
        tier = uow.billing.tier(ecosystem_id, now)
        ok = uow.billing.consume(ecosystem_id, month_of(now), resource, tier.limit(resource),
                                 amount)
        uow.commit()
    return ok


#: How long a process trusts what it read of an ecosystem's priority: every message with
#: replies asks, and a transaction of its own cost ~1 ms of each (the ingest benchmark).
PRIORITY_TTL_S = 10.0
_priority: dict[tuple[str, int], tuple[float, bool]] = {}
_priority_lock = threading.Lock()


def priority_ecosystems(deps: Deps, ecosystem_ids: set[int]) -> set[int]:
    """Those of ``ecosystem_ids`` whose tier has priority processing (a tier change made in
    another process reaches the render queue choice within ``PRIORITY_TTL_S``; one made in
    this process at once; limits apply at once regardless)."""
    if not ecosystem_ids:
        return set()
    database = str(deps.uow.engine.url)
    now = time.monotonic()
    with _priority_lock:
        known = {e: _priority[(database, e)] for e in ecosystem_ids
                 if (database, e) in _priority}
    fresh = {e: first for e, (at, first) in known.items() if now - at < PRIORITY_TTL_S}
    unknown = sorted(ecosystem_ids - fresh.keys())
    if unknown:
        with deps.uow() as uow:
            found = uow.billing.priority_ecosystems(unknown)
        with _priority_lock:
            for e in unknown:
                _priority[(database, e)] = (now, e in found)
                fresh[e] = e in found
    return {e for e, first in fresh.items() if first}


def forget_priority(ecosystem_id: int | None = None) -> None:
    """Drop what this process remembers of priorities (of one ecosystem, or all): called
    where tiers change, so a change made here applies at once."""
    with _priority_lock:
        for key in [k for k in _priority if ecosystem_id is None or k[1] == ecosystem_id]:
            del _priority[key]
