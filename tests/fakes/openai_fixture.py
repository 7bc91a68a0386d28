"""The ``fake_openai`` pytest fixture (import it into a conftest to use it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.openai_server import FakeOpenAI

__all__ = ["fake_openai"]


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running ``FakeOpenAI`` on 127.0.0.1, stopped after the test."""
    with FakeOpenAI() as server:
        yield server
