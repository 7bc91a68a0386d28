"""``/marketplace browse|search|view|install|publish|rate|buy|uninstall|update|installed|
report|reports|takedown|restore|stats``: share casts and characters.

Browsing, searching, viewing, rating, reporting and a creator's own ``stats`` are open to every
member; installing, publishing, buying, updating, uninstalling and listing what is installed
change the community (or speak for it) and are for directors. An install puts the package's
characters into this channel's cast; an update keeps the installed characters' names, memories
and relationships (new characters join this channel); an uninstall asks first, then removes
exactly what the install added. A premium package not bought yet is refused with a Checkout
link (when billing is set up) or a ``/marketplace buy`` hint.

The marketplace is shared by the whole deployment, so its moderators are the operator's staff
(``PERSONAE_MARKETPLACE_MODERATORS``), not a server's admins: only they see the open reports,
take packages down and restore them; anyone else is refused, ephemerally, before anything runs.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

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
    installed_embed,
    link_view,
    listing_embed,
    page_embed,
    reports_embed,
    stats_embed,
)
from bots.discord.views import ConfirmView
from engine.adapters.sql.spaces import Channel
from engine.errors import InvalidInput, NotFound
from engine.marketplace.model import Installation, Listing, member_key
from engine.marketplace.moderators import is_moderator
from engine.marketplace.search import SearchQuery
from engine.services import billing
from engine.services import marketplace as mp
from engine.services.community import CAST_CHANNEL_KEY, ChannelRef, register_channel
from engine.services.deps import Deps
from engine.settings import Settings

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Marketplace", "setup", "PAGE_SIZE", "NotModerator", "moderator_only"]

#: Listings on one page of a browse or search.
PAGE_SIZE = 5

T = TypeVar("T")

Sort = Literal["rating", "popular", "new"]
Kind = Literal["character", "cast", "scenario"]
Visibility = Literal["public", "unlisted", "private"]


class NotModerator(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only the marketplace's moderators can do that: the operator of "
                         "this Personae names them (server admins and directors are not "
                         "moderators by their role). Nothing was changed. To flag a package "
                         "to them, `/marketplace report`.")


def _member(interaction: discord.Interaction, settings: Settings) -> mp.Member:
    """The member acting, as the marketplace names them (a moderator when the operator's
    setting names them)."""
    user = interaction.user
    key = member_key("discord", str(user.id))
    return mp.Member(key, getattr(user, "display_name", "") or user.name,
                     is_moderator(settings, key))


async def _moderator_predicate(interaction: discord.Interaction) -> bool:
    settings = interaction.client.deps.settings  # type: ignore[attr-defined]
    if is_moderator(settings, member_key("discord", str(interaction.user.id))):
        return True
    raise NotModerator()


def moderator_only() -> Callable[[T], T]:
    """Refuse the command (ephemerally, nothing run) to members who do not moderate the
    marketplace."""
    return app_commands.check(_moderator_predicate)


def _channel_row(deps: Deps, ecosystem_id: int, channel: ChannelRef) -> Channel:
    now = deps.clock.now()
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        assert ecosystem is not None
        row = register_channel(uow, ecosystem, channel, now)
        uow.commit()
    return row


def _make_cast_channel(deps: Deps, row: Channel) -> None:
    if not row.settings.get(CAST_CHANNEL_KEY):
        with deps.uow() as uow:
            uow.spaces.update_channel_settings(row.id, {CAST_CHANNEL_KEY: True})
            uow.commit()


def _install_here(deps: Deps, ecosystem_id: int, channel: ChannelRef, ref: str,
                  by: mp.Member) -> mp.InstallResult:
    """Install into this channel's cast (the channel becomes a cast channel)."""
    row = _channel_row(deps, ecosystem_id, channel)
    result = mp.install(deps, ecosystem_id, ref, by=by, channel_ids=[row.id])
    if result.names:
        _make_cast_channel(deps, row)
    return result


def _installed_one(deps: Deps, ecosystem_id: int, ref: str) -> tuple[Installation, Listing]:
    """The installation a ref (share code, number, name or slug) names here."""
    try:
        return mp.installation_of(deps, ecosystem_id, ref)
    except NotFound:
        raise NotFound(f"No installed package {ref!r} here: `/marketplace installed` lists "
                       "them. Nothing was changed.") from None


def _installed_names(inst: Installation) -> list[str]:
    return [str(n) for n in (inst.created.get("names") or {}).values()]


def _update_here(deps: Deps, ecosystem_id: int, channel: ChannelRef, ref: str,
                 by: mp.Member) -> tuple[mp.InstallResult, list[str]]:
    """Update an installed package; characters the new version adds join this channel's
    cast. Returns the result and the names of the characters added."""
    inst, _ = _installed_one(deps, ecosystem_id, ref)
    before = set(_installed_names(inst))
    row = _channel_row(deps, ecosystem_id, channel)
    result = mp.update(deps, ecosystem_id, ref, by=by, channel_ids=[row.id])
    added = [n for n in result.names.values() if n not in before]
    if added:
        _make_cast_channel(deps, row)
    return result, added


@app_commands.guild_only()
class Marketplace(PersonaeCog, commands.GroupCog, group_name="marketplace",
                  group_description="Share and install characters and casts"):
    """The marketplace: browse, view, install, publish, rate and buy packages; update and
    uninstall them; report them; moderate; see a creator's installs."""

    def member(self, interaction: discord.Interaction) -> mp.Member:
        return _member(interaction, self.deps.settings)

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
        member = self.member(interaction)
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
                                  self.member(interaction))
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
                                + "." + "".join(f"\n{plain(n)}" for n in out.notes))

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
        listing = await self.call(mp.get_listing, self.deps, package, self.member(interaction))
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
            creator=self.member(interaction), characters=[character] if character else [],
            description=description, tags=[t.strip() for t in tags.split(",") if t.strip()],
            genre=genre, visibility=visibility, premium=price_cents > 0,
            price_cents=price_cents)
        verb = "Published" if out.new_package else "Published a new version of"
        await show(interaction, f"{verb} **{plain(out.listing.name)}** {out.version}: share "
                                f"code `{out.listing.share_code}` ({out.listing.visibility}).",
                   embed=listing_embed(await self.call(mp.view, self.deps,
                                                       out.listing.share_code,
                                                       self.member(interaction))))

    @app_commands.command(description="Rate a package 1 to 5 stars (again: edits your rating)")
    @app_commands.describe(package="The package's share code, name or number",
                           stars="1 to 5 stars", review="A few words (optional)")
    async def rate(self, interaction: discord.Interaction, package: str,
                   stars: app_commands.Range[int, 1, 5], review: str = "") -> None:
        await begin(interaction)
        out = await self.call(mp.rate, self.deps, package, self.member(interaction), stars, review)
        await show(interaction, f"Rated {plain(package)}: {'★' * out.stars}"
                                f"{'☆' * (5 - out.stars)}"
                                + (f" — {plain(out.review)}" if out.review else "") + ".")

    # -- what is installed here (directors) -----------------------------------------------------

    @app_commands.command(description="The packages installed in this server")
    @director_only()
    async def installed(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        rows = await self.call(mp.installed, self.deps, eco)
        await show(interaction, embed=installed_embed(rows))

    @app_commands.command(description="Update an installed package (memories are kept)")
    @app_commands.describe(package="The installed package's share code, name or number")
    @director_only()
    async def update(self, interaction: discord.Interaction, package: str) -> None:
        await begin(interaction)
        where = target_channel(interaction)
        eco = await self.ecosystem_id(interaction)
        out, added = await self.call(_update_here, self.deps, eco, where, package,
                                     self.member(interaction))
        cast_changed(self.bot, interaction.guild_id)
        kept = [n for n in out.updated if n not in added]
        parts = [f"Updated **{plain(out.listing.name)}** to {out.installation.version}."]
        if kept:
            parts.append(f"Updated in place: {plain(', '.join(kept))} (names, memories, moods "
                         "and relationships as they lived them stay).")
        if added:
            parts.append(f"New: {plain(', '.join(added))}, in <#{where.external_id}>.")
        if out.scenarios:
            parts.append(f"Scenarios: {plain(', '.join(out.scenarios))}.")
        parts += [plain(n) for n in out.notes]
        await show(interaction, " ".join(parts))

    @app_commands.command(description="Remove what a package installed here (asks first)")
    @app_commands.describe(package="The installed package's share code, name or number")
    @director_only()
    async def uninstall(self, interaction: discord.Interaction, package: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        inst, listing = await self.call(_installed_one, self.deps, eco, package)
        names = _installed_names(inst)
        scenarios = len(inst.created.get("scenarios") or [])
        by = self.member(interaction)

        async def confirmed() -> str:
            removed = await self.call(mp.uninstall, self.deps, eco, listing.share_code, by=by)
            cast_changed(self.bot, interaction.guild_id)
            return (f"Uninstalled **{plain(listing.name)}**: removed "
                    f"{plain(', '.join(removed)) or 'no characters'}"
                    f"{f' and {scenarios} scenarios' if scenarios else ''}.")

        what = f"its {len(names)} characters ({plain(', '.join(names))})" if names else \
            "the characters it added"
        await show(interaction,
                   f"Uninstall **{plain(listing.name)}** {inst.version}? It removes {what} "
                   "with their memories and relationships"
                   + (f", and its {scenarios} scenarios" if scenarios else "")
                   + ". Nothing else here is touched. This cannot be undone.",
                   view=ConfirmView(interaction,
                                    confirm_label=f"Uninstall {listing.name}"[:80],
                                    on_confirm=confirmed))

    # -- reports and moderation ------------------------------------------------------------------

    @app_commands.command(description="Report a package to the marketplace's moderators")
    @app_commands.describe(package="The package's share code, name or number",
                           reason="What is wrong with it")
    async def report(self, interaction: discord.Interaction, package: str,
                     reason: app_commands.Range[str, 1, 1000]) -> None:
        await begin(interaction)
        number = await self.call(mp.report, self.deps, package, self.member(interaction),
                                 reason)
        await show(interaction, f"Reported `{plain(package)}` to the marketplace's moderators "
                                f"(report #{number}). Thank you; they will look at it.")

    @app_commands.command(description="Open reports (marketplace moderators)")
    @moderator_only()
    async def reports(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        rows = await self.call(mp.open_reports, self.deps, self.member(interaction))
        await show(interaction, embed=reports_embed(rows))

    @app_commands.command(description="Take a package down (marketplace moderators)")
    @app_commands.describe(package="The package's share code, name or number",
                           reason="Why (the creator sees it)")
    @moderator_only()
    async def takedown(self, interaction: discord.Interaction, package: str,
                       reason: app_commands.Range[str, 1, 1000]) -> None:
        await begin(interaction)
        listing = await self.call(mp.take_down, self.deps, package, self.member(interaction),
                                  reason)
        await show(interaction, f"Took down **{plain(listing.name)}** (`{listing.share_code}`): "
                                f"{plain(listing.takedown_reason)}. It is hidden from browse and "
                                "search and cannot be installed; copies already installed "
                                "stay. Its open reports are closed.")

    @app_commands.command(description="Put a taken-down package back (marketplace moderators)")
    @app_commands.describe(package="The package's share code, name or number")
    @moderator_only()
    async def restore(self, interaction: discord.Interaction, package: str) -> None:
        await begin(interaction)
        listing = await self.call(mp.restore, self.deps, package, self.member(interaction))
        await show(interaction, f"Restored **{plain(listing.name)}** (`{listing.share_code}`): "
                                "it is listed and installable again.")

    # -- creators --------------------------------------------------------------------------------

    @app_commands.command(description="Your packages: installs and active use")
    async def stats(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        out = await self.call(mp.creator_stats, self.deps, self.member(interaction).key)
        await show(interaction, embed=stats_embed(out))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Marketplace(bot))
