"""Who may direct: the permission checks of the director and admin commands.

Directing (creating, editing and casting characters, autonomy, browsing every channel's
memories) is for members with **Manage Server** (or Administrator), and for members of the
director role: the one chosen with ``/personae setup``, else the role named
``PERSONAE_DISCORD_DIRECTOR_ROLE`` ("Director"). The rule itself is the engine's
(``engine.services.community.may_direct``); this module only gathers what Discord says about
the member. Setting the community up (which decides who directs) needs Manage Server.

Looking (lists, profiles, the observatory, relationships, this channel's memories) is open to
everyone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from engine.services.community import DIRECTOR_ROLE_KEY, may_direct

__all__ = ["NotDirector", "NotAdmin", "director_only", "admin_only", "is_director",
           "is_admin", "CHECK_TIMEOUT_S"]

T = TypeVar("T")

#: The most a check may wait for the database: it runs before the command is acknowledged,
#: and Discord drops interactions not acknowledged within 3 seconds.
CHECK_TIMEOUT_S = 2.0


class NotDirector(app_commands.CheckFailure):
    def __init__(self, role: str) -> None:
        super().__init__(f"Only directors can do that: members with Manage Server or the "
                         f"{role} role. Nothing was changed.")


class NotAdmin(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only server admins (Manage Server) can set Personae up. "
                         "Nothing was changed.")


class CheckUnavailable(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Personae could not check your roles in time (its storage is slow "
                         "or away); nothing was changed. Try again in a minute.")


def is_admin(interaction: discord.Interaction) -> bool:
    permissions = interaction.permissions
    return bool(permissions.manage_guild or permissions.administrator)


def _role_setting(bot: Any, guild_id: int, guild_name: str) -> str | None:
    ecosystem = bot.ecosystem_of(guild_id, guild_name)
    value = ecosystem.settings.get(DIRECTOR_ROLE_KEY)
    return str(value) if value else None


async def director_role_id(interaction: discord.Interaction) -> str | None:
    """The server's configured director role id (None: the default role name applies)."""
    bot: Any = interaction.client
    assert interaction.guild_id is not None
    name = interaction.guild.name if interaction.guild and interaction.guild.name else ""
    try:
        return await asyncio.wait_for(
            bot.run_engine(_role_setting, bot, interaction.guild_id, name), CHECK_TIMEOUT_S)
    except TimeoutError as exc:
        raise CheckUnavailable() from exc


def _has_director_role(interaction: discord.Interaction, configured: str | None) -> bool:
    user = interaction.user
    role_ids = [str(r) for r in getattr(user, "_roles", ())]  # ids, even with no role cache
    role_names = [r.name for r in getattr(user, "roles", ()) if not r.is_default()]
    default = interaction.client.deps.settings.discord_director_role  # type: ignore[attr-defined]
    return may_direct(is_admin=False, role_ids=role_ids, role_names=role_names,
                      director_role_id=configured, default_role_name=default)


async def is_director(interaction: discord.Interaction) -> bool:
    """Whether the member may direct here (no exception: for commands open to all that show
    more to directors)."""
    if interaction.guild_id is None:
        return False
    if is_admin(interaction):
        return True
    return _has_director_role(interaction, await director_role_id(interaction))


def _role_label(interaction: discord.Interaction, configured: str | None) -> str:
    if configured and interaction.guild is not None:
        role = interaction.guild.get_role(int(configured))
        if role is not None:
            return f"'{role.name}'"
    if configured:
        return "director"
    return f"'{interaction.client.deps.settings.discord_director_role}'"  # type: ignore[attr-defined]


async def _director_predicate(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if is_admin(interaction):
        return True
    configured = await director_role_id(interaction)
    if _has_director_role(interaction, configured):
        return True
    raise NotDirector(_role_label(interaction, configured))


async def _admin_predicate(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if is_admin(interaction):
        return True
    raise NotAdmin()


def director_only() -> Callable[[T], T]:
    """Refuse the command (ephemerally, nothing changed) to members who may not direct."""
    return app_commands.check(_director_predicate)


def admin_only() -> Callable[[T], T]:
    """Refuse the command to members without Manage Server."""
    return app_commands.check(_admin_predicate)
