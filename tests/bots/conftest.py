"""Fixtures of the platform adapters' tests."""

from tests.fakes.discord_gateway import fake_gateway  # noqa: F401 - fixture
