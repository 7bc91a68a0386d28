"""``PERSONAE_MARKETPLACE_MODERATORS``: the operator's moderators, by member key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.marketplace.moderators import is_moderator
from engine.settings import Settings


def test_comma_separated_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spaces, empty items and the platform's case do not matter; duplicates collapse."""
    monkeypatch.setenv("PERSONAE_MARKETPLACE_MODERATORS",
                       " Discord:1234567890, slack:U0123,, discord:1234567890 ")
    settings = Settings()
    assert settings.marketplace_moderators == ("discord:1234567890", "slack:U0123")
    assert is_moderator(settings, "discord:1234567890")
    assert is_moderator(settings, "slack:U0123")
    assert not is_moderator(settings, "slack:u0123")  # Slack user ids are case-sensitive
    assert not is_moderator(settings, "discord:1")
    assert not is_moderator(settings, "")


def test_nobody_moderates_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERSONAE_MARKETPLACE_MODERATORS", raising=False)
    settings = Settings()
    assert settings.marketplace_moderators == ()
    assert not is_moderator(settings, "discord:1234567890")


def test_a_key_without_its_platform_is_refused_at_start() -> None:
    """A bare user id would silently name nobody: the settings refuse it, naming the item."""
    with pytest.raises(ValidationError, match="'1234567890' is not a member key "
                                              "PLATFORM:USER_ID"):
        Settings(marketplace_moderators="slack:U0123,1234567890")
