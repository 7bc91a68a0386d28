"""Who moderates the marketplace.

The marketplace is shared by the whole deployment (every Discord server and Slack workspace one
operator runs), so its moderators are the operator's staff, named in
``PERSONAE_MARKETPLACE_MODERATORS`` as member keys (``member_key(platform, user_id)``:
``discord:1234567890``, ``slack:U0123``). A server's admins and directors are not moderators
by virtue of their role: they direct their own community, not everyone's marketplace.

The front doors build ``engine.services.marketplace.Member(..., moderator=is_moderator(...))``
for the member acting; the service refuses moderation to anyone else.
"""

from __future__ import annotations

from engine.settings import Settings

__all__ = ["is_moderator", "normalised_key"]


def normalised_key(key: str) -> str:
    """A member key as the setting stores it: platform lower-cased, no surrounding spaces."""
    platform, _, user = (part.strip() for part in key.strip().partition(":"))
    return f"{platform.lower()}:{user}"


def is_moderator(settings: Settings, key: str) -> bool:
    """Whether the member ``key`` (``platform:user_id``) moderates the marketplace."""
    return bool(key) and normalised_key(key) in settings.marketplace_moderators
