"""``/subscribe [tier]`` and ``/billing``: the server's subscription.

``/subscribe`` (directors) answers with a Checkout link button (ephemeral). ``/billing`` shows
the tier and this month's usage to everyone; directors also get the Customer Portal link
(change or cancel the subscription, invoices) once the server has subscribed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bots.discord.checks import director_only, is_director
from bots.discord.cogs.base import PersonaeCog, begin, install_error_handler, show
from bots.discord.marketplace_ui import link_view, status_embed
from engine.errors import InvalidInput
from engine.services import billing

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Billing", "setup"]


class Billing(PersonaeCog):
    """Subscriptions through Stripe Checkout and the Customer Portal."""

    @app_commands.command(name="subscribe", description="Subscribe this server to a paid tier")
    @app_commands.describe(tier="The tier (default: Pro)")
    @app_commands.guild_only()
    @director_only()
    async def subscribe(self, interaction: discord.Interaction,
                        tier: Literal["pro", "enterprise"] = "pro") -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        url = await self.call(billing.subscribe, self.deps, eco, tier)
        await show(interaction, f"Subscribe this server to {tier.title()} through Stripe "
                                "Checkout; the new limits apply as soon as it is paid.",
                   view=link_view(url, "Open Checkout"))

    @app_commands.command(name="billing",
                          description="This server's tier and usage, and its billing portal")
    @app_commands.guild_only()
    async def billing_(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        status = await self.call(billing.status, self.deps, eco)
        if not self.deps.settings.stripe_api_key:
            await show(interaction, embed=status_embed(status, "Billing is not set up here."))
            return
        if not await is_director(interaction):
            await show(interaction, embed=status_embed(status))
            return
        try:
            url = await self.call(billing.portal, self.deps, eco)
        except InvalidInput as exc:  # no subscription yet
            await show(interaction, embed=status_embed(status, str(exc)))
            return
        await show(interaction, embed=status_embed(status, "Manage the subscription and "
                                                           "invoices in the portal."),
                   view=link_view(url, "Open the billing portal"))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Billing(bot))
