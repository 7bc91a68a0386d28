"""``/character create|edit|list|info|delete|import|avatar``.

Create and edit go through a form (a modal); import takes an attached Character Card JSON
(V1, V2 or V3), refused before it is downloaded when it is over 2 MB
(``engine.cards.MAX_CARD_BYTES``); a card with a broken field is refused with the field named,
and nothing is created. Looking (list, info) is open to everyone; the rest is for directors.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import CHECK_TIMEOUT_S, director_only
from bots.discord.cogs.base import (
    PersonaeCog,
    begin,
    cast_changed,
    channel_ref,
    character_autocomplete,
    install_error_handler,
    show,
)
from bots.discord.embeds import character_embed, character_list_embed, plain
from bots.discord.views import TEXT_INPUT_MAX, CharacterModal, ConfirmView
from engine.errors import ServiceUnavailable
from engine.personas import Character
from engine.services import characters
from engine.services import setup as setup_service
from engine.services.characters import FIELD_LABELS, FORM_FIELDS, MAX_CARD_BYTES

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Characters", "setup"]


@app_commands.guild_only()
class Characters(PersonaeCog, commands.GroupCog, group_name="character",
                 group_description="The characters of this server (AI personas)"):
    """Create, edit, import, look at and delete characters."""

    async def _profile_embed(self, eco: int, name: str) -> discord.Embed:
        profile = await self.call(characters.profile, self.deps, eco, name)
        return character_embed(profile)

    @app_commands.command(description="Create a character with a form")
    @app_commands.describe(here="Also move the character into this channel")
    @director_only()
    async def create(self, interaction: discord.Interaction, here: bool = False) -> None:
        channel = channel_ref(interaction.channel) if here and interaction.channel else None

        async def save(submitted: discord.Interaction, fields: dict[str, str]) -> None:
            await begin(submitted)
            eco = await self.ecosystem_id(submitted)
            created = await self.call(characters.create_character, self.deps, eco, fields,
                                      channel)
            cast_changed(self.bot, submitted.guild_id)
            embed = await self._profile_embed(eco, str(created.id))
            await show(submitted, f"Created **{plain(created.name)}**.", embed=embed)

        # A modal must be the first answer: no deferring, and nothing slow before it.
        await interaction.response.send_modal(CharacterModal(title="New character",
                                                             on_submit=save))

    @app_commands.command(description="Edit a character with a form")
    @app_commands.describe(character="The character to edit")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def edit(self, interaction: discord.Interaction, character: str) -> None:
        guild_id = interaction.guild_id

        def load() -> tuple[int, Character]:
            eco = self.bot.ecosystem_of(guild_id or 0).id
            return eco, characters.get_character(self.deps, eco, character)

        try:  # the form must open within Discord's 3 seconds: nothing slow before it
            eco, current = await asyncio.wait_for(self.call(load), CHECK_TIMEOUT_S)
        except TimeoutError as exc:
            raise ServiceUnavailable("Personae's storage is too slow right now to open the "
                                     "form; nothing was changed. Try again in a minute.") from exc
        values = characters.card_fields(current)
        editable = [k for k in FORM_FIELDS if len(values[k]) <= TEXT_INPUT_MAX]
        too_long = [FIELD_LABELS[k] for k in FORM_FIELDS if k not in editable]

        async def save(submitted: discord.Interaction, fields: dict[str, str]) -> None:
            await begin(submitted)
            updated = await self.call(characters.edit_character, self.deps, eco,
                                      str(current.id), fields)
            cast_changed(self.bot, submitted.guild_id)
            note = (f" {', '.join(too_long)} stayed as they were: too long for a form; "
                    "import an edited card instead." if too_long else "")
            embed = await self._profile_embed(eco, str(updated.id))
            await show(submitted, f"Saved **{plain(updated.name)}**.{note}", embed=embed)

        await interaction.response.send_modal(CharacterModal(
            title=f"Edit {current.name}", on_submit=save, values=values, fields=editable))

    @app_commands.command(name="list", description="Every character of this server")
    async def list_(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        cast = await self.call(setup_service.list_characters, self.deps, eco)
        await show(interaction, embed=character_list_embed(cast))

    @app_commands.command(description="A character's profile")
    @app_commands.describe(character="The character")
    @app_commands.autocomplete(character=character_autocomplete)
    async def info(self, interaction: discord.Interaction, character: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        await show(interaction, embed=await self._profile_embed(eco, character))

    @app_commands.command(description="Delete a character for good")
    @app_commands.describe(character="The character to delete")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def delete(self, interaction: discord.Interaction, character: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        found = await self.call(characters.get_character, self.deps, eco, character)

        async def confirmed() -> str:
            name = await self.call(characters.delete_character, self.deps, eco, str(found.id))
            cast_changed(self.bot, interaction.guild_id)
            return f"Deleted **{plain(name)}**."

        await show(interaction,
                   f"Delete **{plain(found.name)}**? Its lines, memories and relationships go "
                   "with it. This cannot be undone.",
                   view=ConfirmView(interaction, confirm_label=f"Delete {found.name}"[:80],
                                    on_confirm=confirmed))

    @app_commands.command(name="import", description="Import a Character Card (V2 JSON)")
    @app_commands.describe(card=f"The card's JSON file (at most {MAX_CARD_BYTES // 2**20} MB)",
                           here="Also move the character into this channel")
    @director_only()
    async def import_(self, interaction: discord.Interaction, card: discord.Attachment,
                      here: bool = False) -> None:
        characters.check_card_size(card.size)  # before anything is downloaded
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        raw = await card.read()
        channel = channel_ref(interaction.channel) if here and interaction.channel else None
        imported = await self.call(characters.import_card, self.deps, eco, raw, channel)
        cast_changed(self.bot, interaction.guild_id)
        embed = await self._profile_embed(eco, str(imported.id))
        await show(interaction, f"Imported **{plain(imported.name)}** from "
                                f"`{plain(card.filename)}`.", embed=embed)

    @app_commands.command(description="Set or clear a character's avatar (an image URL)")
    @app_commands.describe(character="The character",
                           url="An https:// image URL; leave out to clear the avatar")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def avatar(self, interaction: discord.Interaction, character: str,
                     url: str | None = None) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        updated = await self.call(characters.set_avatar, self.deps, eco, character, url)
        said = "now looks like this" if url else "has no avatar now"
        await show(interaction, f"**{plain(updated.name)}** {said}.",
                   embed=await self._profile_embed(eco, str(updated.id)))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Characters(bot))
