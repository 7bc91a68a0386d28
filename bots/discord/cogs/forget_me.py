"""``/forget-me``: a member deletes their own data in this server, after confirming.

Everything Personae holds about them goes (``engine.services.forgetting``): their messages,
the memories drawn from them (with embeddings), relationships and their history, confidences,
conflicts, pending replies to them; their name is redacted from what remains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bots.discord.cogs.base import PersonaeCog, install_error_handler, show
from bots.discord.embeds import describe_erasure
from bots.discord.views import ConfirmView
from engine.services.forgetting import forget_member

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["ForgetMe", "setup", "PLATFORM"]

PLATFORM = "discord"


class ForgetMe(PersonaeCog):
    """A member's right to be forgotten."""

    @app_commands.command(name="forget-me",
                          description="Delete everything Personae remembers about you here")
    @app_commands.guild_only()
    async def forget_me(self, interaction: discord.Interaction) -> None:
        guild_id, member_id = str(interaction.guild_id), str(interaction.user.id)

        async def confirmed() -> str:
            report = await self.call(forget_member, self.deps, PLATFORM, guild_id, member_id)
            return describe_erasure(report)

        # Nothing slow before the answer: the buttons are the acknowledgement.
        await show(interaction,
                   "Delete everything Personae remembers about you in this server — your "
                   "messages, the characters' memories of you, their feelings about you? "
                   "This cannot be undone.",
                   view=ConfirmView(interaction, confirm_label="Forget me",
                                    on_confirm=confirmed))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(ForgetMe(bot))
