"""Embeds and components of ``/marketplace``, ``/subscribe`` and ``/billing``.

- ``page_embed``: one page of listings (browse or search), paged by ``PagesView`` (Previous /
  Next buttons: a click is acknowledged at once, the page is read off the event loop, and the
  original answer is edited).
- ``listing_embed``: a listing with its description, cast, relationships, rating, reviews,
  installs, creator and price.
- ``installed_embed``: the packages installed in a server (and whether a newer version is out).
- ``reports_embed``: the open reports, for the marketplace's moderators.
- ``stats_embed``: a creator's packages with installs and active use.
- ``status_embed``: a community's tier and this month's usage.
- ``link_view``: a single link button (a Checkout or Customer Portal URL).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bots.discord.cogs.base import error_message
from bots.discord.embeds import COLOUR, DESCRIPTION_MAX, FIELD_MAX, clip, plain
from bots.discord.views import _OwnedView
from engine.billing.tiers import RESOURCES
from engine.marketplace.model import CreatorStats, Installation, Listing, Report
from engine.services.billing import BillingStatus
from engine.services.marketplace import ListingView, Page

__all__ = ["page_embed", "listing_embed", "listing_line", "price_text", "status_embed",
           "installed_embed", "reports_embed", "stats_embed", "link_view", "PagesView",
           "PREVIEW_MAX_BYTES"]

log = logging.getLogger(__name__)

#: A preview image is attached to ``/marketplace view`` when it is at most this big.
PREVIEW_MAX_BYTES = 2 * 1024 * 1024


def price_text(listing: Listing) -> str:
    return f"premium {listing.price_cents / 100:.2f}" if listing.premium else "free"


def listing_line(p: Listing) -> str:
    """One listing in a page: code, name, kind, rating, installs, creator, price."""
    return (f"`{p.share_code}` **{plain(p.name)}** · {p.kind}, {p.genre} · {p.stars_text} · "
            f"{p.install_count} installs · by {plain(p.creator_name or 'someone')} · "
            f"{price_text(p)}")


def page_embed(title: str, page: Page) -> discord.Embed:
    lines = [listing_line(p) for p in page.listings]
    description = "\n".join(lines) if lines else "*No listings found.*"
    embed = discord.Embed(title=clip(title, 256), colour=COLOUR,
                          description=clip(description, DESCRIPTION_MAX))
    embed.set_footer(text=f"Page {page.page}" + (" · more on the next page" if page.has_more
                                                 else "") +
                     " · /marketplace view CODE for details")
    return embed


def _field(lines: list[str], empty: str) -> str:
    text = "\n".join(lines) if lines else f"*{empty}*"
    return clip(text, FIELD_MAX)


def listing_embed(v: ListingView) -> discord.Embed:
    p = v.listing
    embed = discord.Embed(title=clip(f"{p.name} {p.latest_version}", 256), colour=COLOUR,
                          description=clip(plain(p.description) or "*No description.*",
                                           DESCRIPTION_MAX))
    embed.set_author(name=clip(f"by {p.creator_name or 'someone'}", 256))
    embed.add_field(name="Share code", value=f"`{p.share_code}`")
    embed.add_field(name="Kind", value=f"{p.kind}, {p.genre}")
    embed.add_field(name="Price", value=price_text(p))
    embed.add_field(name="Rating", value=p.stars_text)
    embed.add_field(name="Installs", value=str(p.install_count))
    embed.add_field(name="Tags", value=clip(plain(", ".join(p.tags)) or "-", FIELD_MAX))
    embed.add_field(name="Cast", inline=False, value=_field(
        [f"• **{plain(n)}**" + (f" — {plain(line)}" if line else "") for n, line in v.cast],
        "no characters"))
    if v.relationships:
        embed.add_field(name="Relationships", inline=False, value=_field(
            [f"{plain(a)} → {plain(b)}: {plain(label)}" for a, label, b in v.relationships],
            "none"))
    if v.scenarios:
        embed.add_field(name="Scenarios", inline=False,
                        value=_field([f"• {plain(t)}" for t in v.scenarios], "none"))
    embed.add_field(name="Reviews", inline=False, value=_field(
        [f"{'★' * r.stars}{'☆' * (5 - r.stars)} {plain(r.member_name)}"
         + (f": {plain(r.review)}" if r.review else "") for r in v.reviews], "no reviews yet"))
    if p.status != "active":
        embed.set_footer(text=clip(f"Taken down: {p.takedown_reason}", 2048))
    else:
        embed.set_footer(text=f"Versions: {', '.join(v.versions)}")
    return embed


def installed_embed(rows: list[tuple[Installation, Listing]]) -> discord.Embed:
    """The packages installed in this server: version, what it added, newer versions."""
    lines = []
    for inst, p in rows:
        names = list((inst.created.get("names") or {}).values())
        state = ""
        if p.status != "active":
            state = " · taken down (stays installed; no updates)"
        elif p.latest_version != inst.version:
            state = f" · **{p.latest_version} is out**: `/marketplace update {p.share_code}`"
        lines.append(f"`{p.share_code}` **{plain(p.name)}** {inst.version} · "
                     f"{len(names)} characters"
                     + (f" ({plain(', '.join(names))})" if names else "") + state)
    embed = discord.Embed(title="Installed packages", colour=COLOUR, description=clip(
        "\n".join(lines) if lines else "*No packages installed here.* "
        "`/marketplace browse` to find some.", DESCRIPTION_MAX))
    if lines:
        embed.set_footer(text="/marketplace uninstall CODE removes what a package added")
    return embed


def reports_embed(rows: list[tuple[Report, Listing]]) -> discord.Embed:
    """Open reports, oldest first, for the marketplace's moderators."""
    lines = [f"**#{r.id}** `{p.share_code}` **{plain(p.name)}** (by "
             f"{plain(p.creator_name or 'someone')}), {r.created_at:%Y-%m-%d}: "
             f"{plain(r.reason)}" for r, p in rows]
    embed = discord.Embed(title="Open reports", colour=COLOUR, description=clip(
        "\n".join(lines) if lines else "*No open reports.*", DESCRIPTION_MAX))
    if lines:
        embed.set_footer(text="/marketplace view CODE · /marketplace takedown CODE REASON · "
                              "/marketplace restore CODE")
    return embed


def stats_embed(stats: CreatorStats) -> discord.Embed:
    """A creator's packages: installs, installations still active, characters in use."""
    embed = discord.Embed(title="Your packages", colour=COLOUR)
    if not stats.packages:
        embed.description = ("*You have not published a package yet.* "
                             "`/marketplace publish` shares this server's cast.")
        return embed
    embed.description = (f"{stats.installs} installs in all; {stats.active_characters} "
                         "installed characters spoke in the last 30 days.")
    for p in stats.packages[:25]:  # Discord shows at most 25 fields
        rating = f"{p.rating:.1f}★ ({p.rating_count})" if p.rating is not None else "unrated"
        state = "" if p.status == "active" else " · taken down"
        embed.add_field(name=clip(f"{p.name} {p.latest_version}", 256), inline=False,
                        value=clip(f"`{p.share_code}` · {p.installs} installs · "
                                   f"{p.active_installs} still installed · "
                                   f"{p.active_characters} characters active in 30 days · "
                                   f"{rating}{state}", FIELD_MAX))
    return embed


def status_embed(s: BillingStatus, note: str = "") -> discord.Embed:
    embed = discord.Embed(title=f"Tier: {s.tier.title}", colour=COLOUR,
                          description=note or None)
    embed.add_field(name="Subscription", value=s.status)
    if s.grace_until is not None:
        embed.add_field(name="Grace period until", value=f"{s.grace_until:%Y-%m-%d %H:%M} UTC")
    lines = []
    for resource, label in RESOURCES.items():
        limit = s.tier.limit(resource)
        lines.append(f"{label}: {s.usage.get(resource, 0)} / "
                     f"{'unlimited' if limit is None else limit}")
    embed.add_field(name="Usage", value="\n".join(lines), inline=False)
    if s.paused:
        embed.add_field(name="Paused characters", inline=False,
                        value=clip(plain(", ".join(s.paused)), FIELD_MAX))
    return embed


def link_view(url: str, label: str) -> discord.ui.View:
    """One link button (opens ``url`` in the browser; no interaction comes back)."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=label, url=url, style=discord.ButtonStyle.link))
    return view


LoadPage = Callable[[int], Awaitable[Page]]


class PagesView(_OwnedView):
    """Previous / Next through the pages of a browse or search."""

    timeout_text = None  # type: ignore[assignment]  # the page stays; the buttons go

    def __init__(self, origin: discord.Interaction, *, title: str, page: Page,
                 load: LoadPage) -> None:
        super().__init__(origin)
        self.title = title
        self.load = load
        self.page = page
        self._sync()

    def _sync(self) -> None:
        self.previous_page.disabled = self.page.page <= 1
        self.next_page.disabled = not self.page.has_more

    async def _go(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.defer()  # acknowledged now; the page is read off the loop
        try:
            self.page = await self.load(number)
        except Exception as exc:  # noqa: BLE001 - shown as a clear line, logged if unexpected
            await self.finish(error_message(exc))
            return
        self._sync()
        try:
            await self.origin.edit_original_response(embed=page_embed(self.title, self.page),
                                                     view=self)
        except discord.HTTPException as exc:  # dismissed by the member, or expired
            log.info("could not edit the marketplace page: %s", exc)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction,
                       button: discord.ui.Button[PagesView]) -> None:
        await self._go(interaction, max(1, self.page.page - 1))

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next_page(self, interaction: discord.Interaction,
                   button: discord.ui.Button[PagesView]) -> None:
        await self._go(interaction, self.page.page + 1)
