"""``/enterprise show|model|model-clear|brand|brand-clear``: an Enterprise server's own model
endpoint and key, and the bot's white label (``engine.services.enterprise``).

Only members with **Manage Server** may use them (the key is theirs to give, and the bot's
name is the server's face). Where the tier does not include a feature the answer says so and
how to lift it, before anything is asked or changed.

* ``model`` opens a form (endpoint URL, model name, API key). On submit the endpoint must
  answer one tiny completion (run off the event loop) before anything is saved; the key is
  stored encrypted and never shown again, not even in ``show``.
* ``brand name [avatar]`` is the white label on Discord: the bot's **nickname and avatar in
  this server** (``PATCH /guilds/{id}/members/@me``; the nickname needs the Change Nickname
  permission), and the name and avatar of the notices Personae posts here
  (``engine.services.notices``). The avatar is an attached PNG, JPEG, GIF or WebP image of at
  most 2 MB, recognised by its bytes, not its name; anything else is refused before Discord is
  asked, and nothing changes. The name and the avatar's URL on Discord's CDN are stored once
  Discord has accepted them.
* ``brand-clear`` gives the bot its own name and avatar back here.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import CHECK_TIMEOUT_S, admin_only
from bots.discord.cogs.base import PersonaeCog, begin, install_error_handler, report_error, show
from bots.discord.embeds import plain
from engine.errors import InvalidInput, ServiceUnavailable
from engine.services import enterprise
from engine.services.enterprise import MAX_BRAND_NAME

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Enterprise", "ModelModal", "setup", "image_type", "MAX_AVATAR_BYTES"]

#: The largest avatar image accepted.
MAX_AVATAR_BYTES = 2 * 1024 * 1024
_FORMATS = "PNG, JPEG, GIF or WebP"


def image_type(data: bytes) -> str | None:
    """"PNG", "JPEG", "GIF" or "WebP" by the file's first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP"
    return None


def _check_avatar_size(size: int) -> None:
    if size > MAX_AVATAR_BYTES:
        raise InvalidInput(f"That image is {size:,} bytes; an avatar is at most "
                           f"{MAX_AVATAR_BYTES:,} bytes (2 MB). Nothing was changed.")


def _brand_name(name: str) -> str:
    """The name as the engine will store it (spaces folded), or the engine's refusal."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_BRAND_NAME:
        raise InvalidInput(f"The bot's name must be 1–{MAX_BRAND_NAME} characters. Nothing "
                           "was changed.")
    return name


class ModelModal(discord.ui.Modal):
    """The own-model form: endpoint URL, model name, API key (optional)."""

    def __init__(self, *, on_submit: Any) -> None:
        super().__init__(title="Your own model endpoint", timeout=10 * 60.0)
        self._submit = on_submit
        self.endpoint: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Endpoint URL (OpenAI-compatible)", max_length=500, required=True,
            placeholder="https://llm.example.com/v1", custom_id="personae-enterprise-endpoint")
        self.model: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Model name", max_length=200, required=True, placeholder="gpt-4o-mini",
            custom_id="personae-enterprise-model")
        self.key: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="API key (stored encrypted, never shown)", max_length=1000, required=False,
            placeholder="Leave empty if the endpoint needs none",
            custom_id="personae-enterprise-key")
        for item in (self.endpoint, self.model, self.key):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._submit(interaction, self.endpoint.value, self.model.value,
                           self.key.value or None)

    async def on_error(self, interaction: discord.Interaction,  # type: ignore[override]
                       error: Exception) -> None:
        await report_error(interaction, error)


def _by(interaction: discord.Interaction) -> str:
    return f"discord:{interaction.user.id}"


async def _edit_me(interaction: discord.Interaction, **fields: Any) -> discord.Member:
    """Change the bot's own member in this server (nickname, avatar); Discord's refusal as a
    clear message (nothing changed)."""
    guild = interaction.guild
    client = interaction.client
    if guild is None or client.user is None:
        raise ServiceUnavailable("Personae does not see this server yet; nothing was changed. "
                                 "Try again in a minute.")
    me = guild.me or await guild.fetch_member(client.user.id)
    try:
        updated = await me.edit(reason=f"/enterprise by {interaction.user}", **fields)
    except discord.Forbidden as exc:
        raise InvalidInput("Discord refused to change the bot's nickname here: give "
                           "Personae's role the Change Nickname permission, then try again. "
                           "Nothing was changed.") from exc
    except discord.HTTPException as exc:
        raise InvalidInput(f"Discord did not accept that ({exc.status}): "
                           f"{exc.text or 'try again'}. Nothing was changed.") from exc
    return updated or me


async def _undo_brand(interaction: discord.Interaction, before: discord.Member | None, *,
                      avatar_changed: bool) -> None:
    """Give the bot back the nickname it had before ``/enterprise brand`` (and no server
    avatar, if it had none: a previous one cannot be put back, Discord keeps only its hash).
    Best effort: the error that caused it is what the member is told."""
    if before is None:
        return
    fields: dict[str, Any] = {"nick": before.nick}
    if avatar_changed and before.guild_avatar is None:
        fields["avatar"] = None
    try:
        await _edit_me(interaction, **fields)
    except (InvalidInput, ServiceUnavailable):
        pass


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Enterprise(PersonaeCog, commands.GroupCog, group_name="enterprise",
                 group_description="Enterprise: your own model and the bot's white label"):
    """An Enterprise server's own model endpoint and white label (Manage Server)."""

    @app_commands.command(name="show", description="The server's own model and bot name "
                                                   "(the key is never shown)")
    @admin_only()
    async def show_(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        view = await self.call(enterprise.view, self.deps, eco)
        await show(interaction, "\n".join(plain(line) for line in view.lines()))

    @app_commands.command(name="model", description="Voice the characters through your own "
                                                    "OpenAI-compatible model (a form)")
    @admin_only()
    async def model(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id or 0
        guild_name = interaction.guild.name if interaction.guild and interaction.guild.name \
            else ""

        def allowed() -> int:
            eco = self.bot.ecosystem_of(guild_id, guild_name).id
            enterprise.require(self.deps, eco, "model")
            return eco

        try:  # the form must open within Discord's 3 seconds: nothing slow before it
            eco = await asyncio.wait_for(self.call(allowed), CHECK_TIMEOUT_S)
        except TimeoutError as exc:
            raise ServiceUnavailable("Personae's storage is too slow right now to open the "
                                     "form; nothing was changed. Try again in a minute.") from exc

        async def save(submitted: discord.Interaction, base_url: str, model: str,
                       key: str | None) -> None:
            await begin(submitted)
            # One tiny completion must come back before anything is saved (off the loop).
            view = await self.call(enterprise.set_model, self.deps, eco, base_url, model, key,
                                   by=_by(submitted))
            await show(submitted, "Saved: the endpoint answered. The characters here now speak "
                                  "through it.\n" + "\n".join(plain(x) for x in view.lines()))

        await interaction.response.send_modal(ModelModal(on_submit=save))

    @app_commands.command(name="model-clear", description="Back to Personae's model (the "
                                                          "stored key is erased)")
    @admin_only()
    async def model_clear(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        view = await self.call(enterprise.clear_model, self.deps, eco, by=_by(interaction))
        await show(interaction, "The characters speak through Personae's model again; the "
                                "key was erased.\n" + "\n".join(plain(x) for x in view.lines()))

    @app_commands.command(name="brand", description="The bot's name and avatar in this server "
                                                    "(white label)")
    @app_commands.describe(name=f"The bot's name here (1–{MAX_BRAND_NAME} characters)",
                           avatar=f"Its avatar here: a {_FORMATS} image of at most 2 MB")
    @admin_only()
    async def brand(self, interaction: discord.Interaction, name: str,
                    avatar: discord.Attachment | None = None) -> None:
        if avatar is not None:
            _check_avatar_size(avatar.size)  # before anything is downloaded
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        await self.call(enterprise.require, self.deps, eco, "brand")
        name = _brand_name(name)
        fields: dict[str, Any] = {"nick": name}
        if avatar is not None:
            raw = await avatar.read()
            _check_avatar_size(len(raw))
            if image_type(raw) is None:
                raise InvalidInput(f"`{plain(avatar.filename)}` is not a {_FORMATS} image; "
                                   "Discord takes only those as avatars. Nothing was changed.")
            fields["avatar"] = raw
        before = interaction.guild.me if interaction.guild is not None else None
        updated = await _edit_me(interaction, **fields)
        avatar_url = None
        if avatar is not None:
            asset = updated.guild_avatar or updated.display_avatar
            avatar_url = asset.url
        try:
            brand = await self.call(enterprise.set_brand, self.deps, eco, name, avatar_url,
                                    by=_by(interaction))
        except Exception:
            # Not stored (the tier lost since the check, the database gone ...): the bot
            # looks as before again, as far as that can be undone.
            await _undo_brand(interaction, before, avatar_changed=avatar is not None)
            raise
        said = " with the new avatar" if avatar is not None else ""
        await show(interaction, f"The bot is now **{plain(brand.name)}** in this server{said}. "
                                "Personae's notices here go out under that name too.")

    @app_commands.command(name="brand-clear", description="The bot's own name and avatar "
                                                          "again in this server")
    @admin_only()
    async def brand_clear(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        await _edit_me(interaction, nick=None, avatar=None)
        brand = await self.call(enterprise.clear_brand, self.deps, eco, by=_by(interaction))
        await show(interaction, f"The bot is **{plain(brand.name)}** again in this server, "
                                "with its own avatar.")


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Enterprise(bot))
