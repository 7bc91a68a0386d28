"""The ``fake_discord`` pytest fixture (import it into a conftest to use it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from discord.http import Route

from tests.fakes.discord_api import FakeDiscord

__all__ = ["fake_discord"]


@pytest.fixture
def fake_discord(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    """A running ``FakeDiscord`` on 127.0.0.1 with discord.py's ``Route.BASE`` pointed at it
    (restored, and the server stopped, after the test)."""
    with FakeDiscord() as server:
        monkeypatch.setattr(Route, "BASE", server.api_base)
        yield server
