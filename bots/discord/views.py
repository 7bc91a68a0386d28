"""Modals and message components of the commands: the character form, a confirmation, the cast
channel picker.

Each keeps the interaction that opened it (``origin``) and shows its outcome by editing that
interaction's answer: a button or select is acknowledged at once (a deferred update), the
engine works off the event loop, then the original ephemeral message is edited, with its
components removed. Only the member who opened a view can use it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import discord

from bots.discord.cogs.base import NO_MENTIONS, error_message, report_error
from engine.services.characters import FIELD_LABELS, FORM_FIELDS
from engine.services.community import ChannelRef

__all__ = ["CharacterModal", "ConfirmView", "CastChannelsView", "TEXT_INPUT_MAX",
           "VIEW_TIMEOUT_S"]

log = logging.getLogger(__name__)

#: Discord's limit for one text input of a modal.
TEXT_INPUT_MAX = 4000
#: Components stop answering after this (well inside the 15 minutes an answer can be edited).
VIEW_TIMEOUT_S = 10 * 60.0

_PLACEHOLDERS = {
    "name": "Elizabeth Bennet",
    "description": "Who they are: age, looks, situation, history…",
    "personality": "Witty, warm, quick to judge; loves long walks…",
    "first_mes": "How they greet a channel the first time",
    "scenario": "Where and when they live (optional)",
}

Submit = Callable[[discord.Interaction, dict[str, str]], Awaitable[None]]


class CharacterModal(discord.ui.Modal):
    """The character form (create, or edit with the current values filled in)."""

    def __init__(self, *, title: str, on_submit: Submit,
                 values: Mapping[str, str] | None = None,
                 fields: Sequence[str] = FORM_FIELDS) -> None:
        super().__init__(title=title[:45], timeout=VIEW_TIMEOUT_S)
        self._submit = on_submit
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for key in fields:
            short = key == "name"
            item: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=FIELD_LABELS[key],
                style=discord.TextStyle.short if short else discord.TextStyle.paragraph,
                required=short,
                max_length=80 if short else TEXT_INPUT_MAX,
                default=(values or {}).get(key) or None,
                placeholder=_PLACEHOLDERS[key],
                custom_id=f"personae-character-{key}",
            )
            self.inputs[key] = item
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._submit(interaction, {k: i.value for k, i in self.inputs.items()})

    async def on_error(self, interaction: discord.Interaction,  # type: ignore[override]
                       error: Exception) -> None:
        await report_error(interaction, error)


class _OwnedView(discord.ui.View):
    #: What the original answer says when nobody answered in time.
    timeout_text = "This timed out; nothing was changed."

    def __init__(self, origin: discord.Interaction) -> None:
        super().__init__(timeout=VIEW_TIMEOUT_S)
        self.origin = origin

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.origin.user.id:
            return True
        await interaction.response.send_message("This is not yours to answer.", ephemeral=True)
        return False

    async def finish(self, content: str | None = None, *,
                     embed: discord.Embed | None = None) -> None:
        """Show the outcome in the original answer, without the components."""
        self.stop()
        kwargs: dict[str, Any] = {"content": content, "view": None,
                                  "allowed_mentions": NO_MENTIONS}
        if embed is not None:
            kwargs["embed"] = embed
        try:
            await self.origin.edit_original_response(**kwargs)
        except discord.HTTPException as exc:  # dismissed by the member, or expired
            log.info("could not edit the original answer: %s", exc)

    async def on_timeout(self) -> None:
        await self.finish(self.timeout_text)

    async def on_error(self, interaction: discord.Interaction, error: Exception,
                       item: discord.ui.Item[Any]) -> None:
        await report_error(interaction, error)


class ConfirmView(_OwnedView):
    """Confirm or cancel something that cannot be undone."""

    def __init__(self, origin: discord.Interaction, *, confirm_label: str,
                 on_confirm: Callable[[], Awaitable[str]]) -> None:
        super().__init__(origin)
        self._on_confirm = on_confirm
        self.confirm.label = confirm_label

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction,
                      button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.defer()  # acknowledged now; the work may take a while
        try:
            text = await self._on_confirm()
        except Exception as exc:  # noqa: BLE001 - shown as a clear line, logged if unexpected
            text = error_message(exc)
        await self.finish(text)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction,
                     button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.defer()
        await self.finish("Cancelled; nothing was changed.")


Picked = Callable[[list[ChannelRef]], Awaitable[discord.Embed]]


class CastChannelsView(_OwnedView):
    """Pick the channels the cast lives in (every one of them)."""

    timeout_text = ("The channel picker timed out: the cast channels stay as they were "
                    "(the rest of the setup was saved).")

    def __init__(self, origin: discord.Interaction, *, current: Sequence[int],
                 on_pick: Picked) -> None:
        super().__init__(origin)
        self._on_pick = on_pick
        self.channels: discord.ui.ChannelSelect[CastChannelsView] = discord.ui.ChannelSelect(
            channel_types=[discord.ChannelType.text, discord.ChannelType.news],
            placeholder="Channels the cast lives in", min_values=1, max_values=25,
            default_values=[discord.Object(id=i, type=discord.abc.GuildChannel)
                            for i in current[:25]],
        )
        self.channels.callback = self._picked  # type: ignore[method-assign]
        self.add_item(self.channels)

    async def _picked(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        refs = [ChannelRef(str(c.id), c.name or "") for c in self.channels.values]
        try:
            embed = await self._on_pick(refs)
        except Exception as exc:  # noqa: BLE001 - shown as a clear line, logged if unexpected
            await self.finish(error_message(exc))
            return
        await self.finish(None, embed=embed)
