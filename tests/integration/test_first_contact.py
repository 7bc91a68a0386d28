"""First contact races: two first messages of a new member at once both try to create the
member's row; the loser's transaction rolls back and ``ingest`` runs it again (no message lost).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import IntegrityError

from bots.console.community import ConsoleCommunity
from engine.adapters.sql.participants import ParticipantRepository
from engine.messages import EventKind, IncomingMessage
from engine.services.ingest import ingest
from workers.bootstrap import Container


def _message(n: int, channel: str = "drawing-room") -> IncomingMessage:
    return IncomingMessage(platform="console", space_id="local", channel_id=channel,
                           author_id="newcomer", author_name="Kitty",
                           text=f"Hello, everyone! ({n})", message_id=f"first-{n}")


def _stored(container: Container) -> list[str]:
    with container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("console", "local")
        assert eco is not None
        return sorted(e.external_id or "" for e in uow.events.all(eco.id)
                      if e.kind is EventKind.MESSAGE and e.author_name == "Kitty")


def test_a_lost_first_contact_race_is_ingested_again(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    ConsoleCommunity(container).open()
    real = ParticipantRepository.ensure_human
    raised: list[bool] = []

    def racing(self: ParticipantRepository, *args: object, **kwargs: object) -> int:
        if not raised:  # the other message created the row first: our insert collides
            raised.append(True)
            raise IntegrityError("INSERT INTO platform_users", {}, Exception("duplicate key"))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ParticipantRepository, "ensure_human", racing)
    result = ingest(container.deps, _message(1))
    assert raised and result.event_id is not None and not result.duplicate
    assert _stored(container) == ["first-1"]


def test_concurrent_first_messages_of_a_new_member_are_all_stored(
    container: Container,
) -> None:
    ConsoleCommunity(container).open()
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: ingest(container.deps, _message(n)), range(6)))
    assert all(r.event_id is not None for r in results)
    assert _stored(container) == [f"first-{n}" for n in range(6)]
    with container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("console", "local")
        assert eco is not None
        assert uow.participants.find_human(eco.id, "newcomer") is not None
