"""The ``fake_stripe`` pytest fixture (import it into a conftest to use it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.stripe_api import FakeStripe

__all__ = ["fake_stripe"]


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """A running ``FakeStripe`` on 127.0.0.1, stopped after the test."""
    with FakeStripe() as server:
        yield server
