"""The ``fake_slack`` pytest fixture (import it into a conftest to use it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.slack_api import FakeSlack

__all__ = ["fake_slack"]


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running ``FakeSlack`` on 127.0.0.1 (bot token ``xoxb-test``), stopped after the test."""
    with FakeSlack() as server:
        yield server
