"""``/marketplace browse|search|view|install|publish|rate|buy``: share casts and characters.

Browsing, searching, viewing and rating are open to every member; installing, publishing and
buying change the community (or speak for it) and are for directors. An install puts the
package's characters into this channel's cast. A premium package not bought yet is refused with
a Checkout link (when billing is set up) or a ``/marketplace buy`` hint.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import director_only
from bots.discord.cogs.base import (
    PersonaeCog,
    begin,
    cast_changed,
    character_autocomplete,
    install_error_handler,
    show,
    target_channel,
)
from bots.discord.embeds import plain
from bots.discord.marketplace_ui import (
    PREVIEW_MAX_BYTES,
    PagesView,
    link_view,
    listing_embed,
    page_embed,
)
from engine.errors import InvalidInput
from engine.marketplace.model import member_key
from engine.marketplace.search import SearchQuery
from engine.services import billing
from engine.services import marketplace as mp
from engine.services.community import CAST_CHANNEL_KEY, ChannelRef, register_channel
from engine.services.deps import Deps

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Marketplace", "setup", "PAGE_SIZE"]

#: Listings on one page of a browse or search.
PAGE_SIZE = 5

Sort = Literal["rating", "popular", "new"]
Kind = Literal["character", "cast", "scenario"]
Visibility = Literal["public", "unlisted", "private"]


def _member(interaction: discord.Interaction) -> mp.Member:
    user = interaction.user
    return mp.Member(member_key("discord", str(user.id)),
                     getattr(user, "display_name", "") or user.name)


def _install_here(deps: Deps, ecosystem_id: int, channel: ChannelRef, ref: str,
                  by: mp.Member) -> mp.InstallResult:
    """Install into this channel's cast (the channel becomes a cast channel)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        assert ecosystem is not None
        row = register_channel(uow, ecosystem, channel, now)
        uow.commit()
    result = mp.install(deps, ecosystem_id, ref, by=by, channel_ids=[row.id])
    if result.names and not row.settings.get(CAST_CHANNEL_KEY):
        with deps.uow() as uow:
            uow.spaces.update_channel_settings(row.id, {CAST_CHANNEL_KEY: True})
            uow.commit()
    return result


@app_commands.guild_only()
class Marketplace(PersonaeCog, commands.GroupCog, group_name="marketplace",
                  group_description="Share and install characters and casts"):
    """The marketplace: browse, view, install, publish, rate and buy packages."""

    async def _pages(self, interaction: discord.Interaction, title: str,
                     query: SearchQuery) -> None:
        async def load(number: int) -> mp.Page:
            return await self.call(mp.search, self.deps,
                                   SearchQuery(query.text, query.tag, query.genre, query.kind,
                                               query.min_rating, query.sort, number,
                                               PAGE_SIZE))

        page = await load(1)
        view = PagesView(interaction, title=title, page=page, load=load)
        await show(interaction, embed=page_embed(title, page), view=view)

    @app_commands.command(description="Browse the marketplace's public listings")
    @app_commands.describe(sort="Best rated, most installed or newest first",
                           genre="Only this genre", kind="Only characters, casts or scenarios")
    async def browse(self, interaction: discord.Interaction, sort: Sort = "rating",
                     genre: str | None = None, kind: Kind | None = None) -> None:
        await begin(interaction)
        await self._pages(interaction, "Marketplace",
                          SearchQuery(genre=genre or "", kind=kind or "", sort=sort,
                                      per_page=PAGE_SIZE))

    @app_commands.command(description="Search the marketplace by words, tag, genre or rating")
    @app_commands.describe(text="Words to find (prefixes match)", tag="Only this tag",
                           genre="Only this genre", kind="Only characters, casts or scenarios",
                           min_rating="At least this many stars", sort="Order of the results")
    async def search(self, interaction: discord.Interaction, text: str = "",
                     tag: str | None = None, genre: str | None = None,
                     kind: Kind | None = None,
                     min_rating: app_commands.Range[float, 0, 5] = 0.0,
                     sort: Sort = "rating") -> None:
        await begin(interaction)
        query = SearchQuery(text, tag or "", genre or "", kind or "", float(min_rating), sort,
                            1, PAGE_SIZE)
        await self._pages(interaction, f"Marketplace: {text}" if text else "Marketplace",
                          query)

    @app_commands.command(description="A listing: description, cast, rating and reviews")
    @app_commands.describe(package="The package's share code, name or number")
    async def view(self, interaction: discord.Interaction, package: str) -> None:
        await begin(interaction)
        member = _member(interaction)
        shown = await self.call(mp.view, self.deps, package, member)
        file = None
        if shown.has_preview:
            png = await self.call(mp.preview_png, self.deps, package, member)
            if png is not None and len(png) <= PREVIEW_MAX_BYTES:
                file = discord.File(io.BytesIO(png), filename="preview.png")
        embed = listing_embed(shown)
        if file is not None:
            embed.set_image(url="attachment://preview.png")
        await show(interaction, embed=embed, file=file)

    @app_commands.command(description="Install a package into this channel's cast")
    @app_commands.describe(package="The package's share code, name or number")
    @director_only()
    async def install(self, interaction: discord.Interaction, package: str) -> None:
        await begin(interaction)
        where = target_channel(interaction)
        eco = await self.ecosystem_id(interaction)
        try:
            out = await self.call(_install_here, self.deps, eco, where, package,
                                  _member(interaction))
        except mp.PaymentRequired as exc:
            await self._offer(interaction, eco, exc)
            return
        cast_changed(self.bot, interaction.guild_id)
        renamed = [f"{plain(a)} as {plain(b)}" for a, b in out.names.items() if a != b]
        names = ", ".join(f"**{plain(n)}**" for n in out.names.values()) or "no characters"
        await show(interaction, f"Installed **{plain(out.listing.name)}** "
                                f"{out.installation.version} into <#{where.external_id}>: "
                                f"{names}; {out.relationships} relationships, "
                                f"{len(out.scenarios)} scenarios"
                                + (f" (renamed: {', '.join(renamed)})" if renamed else "")
                                + ".")

    async def _offer(self, interaction: discord.Interaction, eco: int,
                     exc: mp.PaymentRequired) -> None:
        """A premium package not bought: the Checkout link, or how to get one."""
        listing = exc.listing
        try:
            url = await self.call(billing.buy_package, self.deps, eco, listing.id)
        except InvalidInput:  # billing is not set up here
            await show(interaction, f"{plain(str(exc))} Buy it with `/marketplace buy "
                                    f"{listing.share_code}`.")
            return
        await show(interaction, f"{plain(str(exc))} Buy it through Checkout (the button), "
                                f"then `/marketplace install {listing.share_code}` again.",
                   view=link_view(url, f"Buy {listing.name}"[:80]))

    @app_commands.command(description="Buy a premium package once for this server")
    @app_commands.describe(package="The package's share code, name or number")
    @director_only()
    async def buy(self, interaction: discord.Interaction, package: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        listing = await self.call(mp.get_listing, self.deps, package, _member(interaction))
        url = await self.call(billing.buy_package, self.deps, eco, listing.id)
        await show(interaction, f"Buy **{plain(listing.name)}** through Checkout; once paid, "
                                f"`/marketplace install {listing.share_code}`.",
                   view=link_view(url, "Open Checkout"))

    @app_commands.command(description="Publish this server's cast, or one character")
    @app_commands.describe(name="The package's name (again: a new version of yours)",
                           character="Only this character (default: the whole cast)",
                           description="What the package is about",
                           tags="Tags, separated by commas", genre="Its genre",
                           visibility="Who finds it (default: public)",
                           price_cents="Above 0: a premium package at this price, in cents")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def publish(self, interaction: discord.Interaction,
                      name: app_commands.Range[str, 1, 80], character: str | None = None,
                      description: str = "", tags: str = "", genre: str = "other",
                      visibility: Visibility = "public",
                      price_cents: app_commands.Range[int, 0, 100_000] = 0) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        out = await self.call(
            mp.publish, self.deps, eco, "character" if character else "cast", name=name,
            creator=_member(interaction), characters=[character] if character else [],
            description=description, tags=[t.strip() for t in tags.split(",") if t.strip()],
            genre=genre, visibility=visibility, premium=price_cents > 0,
            price_cents=price_cents)
        verb = "Published" if out.new_package else "Published a new version of"
        await show(interaction, f"{verb} **{plain(out.listing.name)}** {out.version}: share "
                                f"code `{out.listing.share_code}` ({out.listing.visibility}).",
                   embed=listing_embed(await self.call(mp.view, self.deps,
                                                       out.listing.share_code,
                                                       _member(interaction))))

    @app_commands.command(description="Rate a package 1 to 5 stars (again: edits your rating)")
    @app_commands.describe(package="The package's share code, name or number",
                           stars="1 to 5 stars", review="A few words (optional)")
    async def rate(self, interaction: discord.Interaction, package: str,
                   stars: app_commands.Range[int, 1, 5], review: str = "") -> None:
        await begin(interaction)
        out = await self.call(mp.rate, self.deps, package, _member(interaction), stars, review)
        await show(interaction, f"Rated {plain(package)}: {'★' * out.stars}"
                                f"{'☆' * (5 - out.stars)}"
                                + (f" — {plain(out.review)}" if out.review else "") + ".")


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Marketplace(bot))
