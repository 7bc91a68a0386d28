"""``/personae marketplace …``: browse, search, view, install, publish, rate, update,
uninstall, report and moderate packages (``engine.services.marketplace``, the same service as
``personae marketplace`` and Discord's ``/marketplace``).

Everyone may browse, search, view, rate (one rating per member, rating again edits it), report
a package to the moderators and see the installs and active use of their own packages
(``stats``); directors install into this workspace, publish its cast, update (the installed
characters keep their names, memories and relationships) and uninstall (exactly what the install
added goes) packages and list what is installed. The marketplace is shared by the whole
deployment, so its moderators are the operator's staff (``PERSONAE_MARKETPLACE_MODERATORS``):
only they see open reports, take packages down and restore them. Listings are Block Kit
sections: title and share code, creator, rating, installs, tags and, for premium packages, the
price. A premium package not yet bought answers with a Checkout link when billing is
configured.
"""

from __future__ import annotations

from typing import Any

from bots.slack.commands.base import Invocation, NotAllowed
from bots.slack.commands.stories import escape
from engine.billing.tiers import QuotaExceeded
from engine.errors import InvalidInput, UserFacingError
from engine.marketplace import SearchQuery, member_key
from engine.marketplace.model import CreatorStats, Installation, Listing, Report
from engine.marketplace.moderators import is_moderator
from engine.services import billing
from engine.services import marketplace as mp
from engine.services.deps import Deps

__all__ = ["marketplace", "USAGE", "listing_blocks", "member_of"]

PLATFORM = "slack"
USAGE = ("Usage: `/personae marketplace browse [PAGE]` · `search WORDS` · `view CODE` · "
         "`rate CODE 1-5 [review]` · `report CODE REASON` · `stats` (your packages) — for "
         "directors: `install CODE` · `publish NAME` (this workspace's cast as a package) · "
         "`update CODE` · `uninstall CODE` · `installed` — for the marketplace's moderators: "
         "`reports` · `takedown CODE REASON` · `restore CODE`")
NOT_MODERATOR = ("Only the marketplace's moderators can do that: the operator of this "
                 "Personae names them (workspace admins and directors are not moderators by "
                 "their role). Nothing was changed. To flag a package to them: "
                 "`/personae marketplace report CODE REASON`.")
#: Blocks Slack accepts in one message (50), less room for the header and the footer.
_MAX_LISTINGS = 10


def member_of(inv: Invocation) -> mp.Member:
    """The marketplace member behind an invocation (``slack:<user id>``, display name, and
    whether the operator's setting names them a moderator)."""
    person = inv.personae.directory.member(inv.client, inv.user_id)
    key = member_key(PLATFORM, inv.user_id)
    return mp.Member(key, person.name, is_moderator(inv.deps.settings, key))


def _require_moderator(inv: Invocation) -> mp.Member:
    member = member_of(inv)
    if not member.moderator:
        raise NotAllowed(NOT_MODERATOR)
    return member


def price_text(listing: Listing, currency: str = "") -> str:
    return f"{listing.price_cents / 100:.2f}" + (f" {currency.upper()}" if currency else "")


def listing_line(listing: Listing, currency: str = "") -> str:
    """One listing as mrkdwn: title and code, then creator, rating, installs, tags, price."""
    facts = [f"by {escape(listing.creator_name or 'someone')}", listing.stars_text,
             f"{listing.install_count} install{'' if listing.install_count == 1 else 's'}"]
    if listing.tags:
        facts.append(" ".join(f"#{escape(t)}" for t in listing.tags))
    if listing.premium:
        facts.append(f"premium {price_text(listing, currency)}")
    return (f"*{escape(listing.name)}* `{listing.share_code}` — {listing.kind}, "
            f"{escape(listing.genre)}\n" + " · ".join(facts))


def listing_blocks(listings: list[Listing], header: str, footer: str = "",
                   currency: str = "") -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": header}}]
    for listing in listings[:_MAX_LISTINGS]:
        blocks.append({"type": "divider"})
        text = listing_line(listing, currency)
        if listing.description:
            text += "\n" + escape(_short(listing.description, 280))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if footer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return blocks


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _answer(inv: Invocation, text: str, blocks: list[dict[str, Any]], *,
            public: bool = False) -> None:
    inv.respond(text=text[:3_000], blocks=blocks,
                response_type="in_channel" if public else "ephemeral")


def marketplace(inv: Invocation) -> None:
    action = inv.args[0].lower() if inv.args else "browse"
    rest = inv.args[1:]
    currency = inv.deps.settings.billing_currency
    if action == "browse" and len(rest) <= 1:
        page = _page(rest[0]) if rest else 1
        _listings(inv, SearchQuery(sort="popular", page=page), "Marketplace: most installed",
                  f"`/personae marketplace browse {page + 1}` for more", currency)
    elif action == "search" and rest:
        words = " ".join(rest)
        _listings(inv, SearchQuery(text=words), f"Marketplace: “{escape(words)}”", "",
                  currency)
    elif action == "view" and len(rest) == 1:
        _view(inv, rest[0], currency)
    elif action == "install" and len(rest) == 1:
        inv.require_director()
        _install(inv, rest[0], currency)
    elif action == "publish" and rest:
        inv.require_director()
        out = mp.publish(inv.deps, inv.ecosystem.id, "cast", name=" ".join(rest),
                         creator=member_of(inv))
        verb = "Published" if out.new_package else "Published a new version of"
        inv.reply(f"{verb} *{escape(out.listing.name)}* {out.version}: share code "
                  f"`{out.listing.share_code}` — `/personae marketplace install "
                  f"{out.listing.share_code}` in any workspace.")
    elif action == "rate" and len(rest) >= 2:
        stars = _stars(rest[1])
        review = mp.rate(inv.deps, rest[0], member_of(inv), stars, " ".join(rest[2:]))
        inv.reply(f"Rated `{rest[0]}` {'★' * review.stars}{'☆' * (5 - review.stars)}"
                  " — rating again edits it.")
    elif action == "installed" and not rest:
        inv.require_director()
        _installed(inv)
    elif action == "update" and len(rest) == 1:
        inv.require_director()
        _update(inv, rest[0])
    elif action == "uninstall" and len(rest) == 1:
        inv.require_director()
        removed = mp.uninstall(inv.deps, inv.ecosystem.id, rest[0], by=member_of(inv))
        inv.reply(f"Uninstalled `{escape(rest[0])}`: removed "
                  f"{escape(', '.join(removed)) or 'no characters'}, with their memories and "
                  "relationships, and the package's scenarios.", public=True)
    elif action == "report":
        if len(rest) < 2:
            raise InvalidInput("Say which package and what is wrong with it: "
                               "`/personae marketplace report CODE REASON`.")
        number = mp.report(inv.deps, rest[0], member_of(inv), " ".join(rest[1:]))
        inv.reply(f"Reported `{escape(rest[0])}` to the marketplace's moderators (report "
                  f"#{number}). Thank you; they will look at it.")
    elif action == "reports" and not rest:
        _reports(inv, mp.open_reports(inv.deps, _require_moderator(inv)))
    elif action == "takedown" and rest:
        moderator = _require_moderator(inv)
        if len(rest) < 2:
            raise InvalidInput("Say why: `/personae marketplace takedown CODE REASON` (the "
                               "creator sees the reason). Nothing was changed.")
        listing = mp.take_down(inv.deps, rest[0], moderator, " ".join(rest[1:]))
        inv.reply(f"Took down *{escape(listing.name)}* `{listing.share_code}`: "
                  f"{escape(listing.takedown_reason)}. It is hidden from browse and search and "
                  "cannot be installed; copies already installed stay. Its open reports are "
                  "closed.")
    elif action == "restore" and len(rest) == 1:
        listing = mp.restore(inv.deps, rest[0], _require_moderator(inv))
        inv.reply(f"Restored *{escape(listing.name)}* `{listing.share_code}`: it is listed "
                  "and installable again.")
    elif action == "stats" and not rest:
        _stats(inv, mp.creator_stats(inv.deps, member_of(inv).key))
    else:
        raise InvalidInput(USAGE)


def _installed_line(inst: Installation, p: Listing) -> str:
    names = [str(n) for n in (inst.created.get("names") or {}).values()]
    line = (f"*{escape(p.name)}* `{p.share_code}` {inst.version} — {len(names)} characters"
            + (f": {escape(', '.join(names))}" if names else ""))
    if p.status != "active":
        line += " · taken down (stays installed; no updates)"
    elif p.latest_version != inst.version:
        line += (f" · *{p.latest_version} is out*: `/personae marketplace update "
                 f"{p.share_code}`")
    return line


def _installed(inv: Invocation) -> None:
    rows = mp.installed(inv.deps, inv.ecosystem.id)
    if not rows:
        inv.reply("No packages installed here. `/personae marketplace browse` to find some.")
        return
    lines = [_installed_line(inst, p) for inst, p in rows]
    _answer(inv, "\n".join(lines), _list_blocks(
        "*Installed packages*", lines,
        "`/personae marketplace uninstall CODE` removes what a package added"))


def _update(inv: Invocation, ref: str) -> None:
    eco = inv.ecosystem
    channel = _engine_channel(inv.deps, eco.id, inv.channel_id, inv.channel.name)
    before = {n for inst, _ in mp.installed(inv.deps, eco.id)
              for n in (inst.created.get("names") or {}).values()}
    out = mp.update(inv.deps, eco.id, ref, by=member_of(inv),
                    channel_ids=[channel] if channel is not None else [])
    added = [n for n in out.updated if n not in before]
    kept = [n for n in out.updated if n in before]
    parts = [f"Updated *{escape(out.listing.name)}* to {out.installation.version}."]
    if kept:
        parts.append(f"Updated in place: {escape(', '.join(kept))} (names, memories, moods "
                     "and relationships as they lived them stay).")
    if added:
        parts.append(f"New: {escape(', '.join(added))}"
                     + (" in this channel." if channel is not None else "."))
    if out.scenarios:
        parts.append(f"Scenarios: {escape(', '.join(out.scenarios))}.")
    parts += [escape(n) for n in out.notes]
    inv.reply(" ".join(parts), public=True)


def _reports(inv: Invocation, rows: list[tuple[Report, Listing]]) -> None:
    if not rows:
        inv.reply("No open reports.")
        return
    lines = [f"*#{r.id}* `{p.share_code}` *{escape(p.name)}* (by "
             f"{escape(p.creator_name or 'someone')}), {r.created_at:%Y-%m-%d}: "
             f"{escape(_short(r.reason, 500))}" for r, p in rows]
    _answer(inv, "\n".join(lines), _list_blocks(
        "*Open reports*", lines,
        "`/personae marketplace view CODE` · `takedown CODE REASON` · `restore CODE`"))


def _stats(inv: Invocation, stats: CreatorStats) -> None:
    if not stats.packages:
        inv.reply("You have not published a package yet: `/personae marketplace publish NAME` "
                  "shares this workspace's cast.")
        return
    header = (f"*Your packages*: {stats.installs} installs in all; {stats.active_characters} "
              "installed characters spoke in the last 30 days.")
    lines = []
    for p in stats.packages:
        rating = f"{p.rating:.1f}★ ({p.rating_count})" if p.rating is not None else "unrated"
        lines.append(f"*{escape(p.name)}* {p.latest_version} `{p.share_code}`"
                     + ("" if p.status == "active" else " (taken down)")
                     + f" — {p.installs} installs · {p.active_installs} still installed · "
                     f"{p.active_characters} characters active in 30 days · {rating}")
    _answer(inv, "\n".join([header, *lines]), _list_blocks(header, lines, ""))


def _list_blocks(header: str, lines: list[str], footer: str) -> list[dict[str, Any]]:
    """A header, one section per line (at most ``_MAX_LISTINGS * 2``), an optional footer."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": header[:3_000]}}]
    shown = lines[: _MAX_LISTINGS * 2]
    for line in shown:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line[:3_000]}})
    notes = [footer] if footer else []
    if len(lines) > len(shown):
        notes.insert(0, f"… and {len(lines) - len(shown)} more")
    if notes:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": " · ".join(notes)}]})
    return blocks


def _page(word: str) -> int:
    if not word.isdigit() or int(word) < 1:
        raise InvalidInput(USAGE)
    return int(word)


def _stars(word: str) -> int:
    if not word.isdigit():
        raise InvalidInput("A rating is 1 to 5 stars: `/personae marketplace rate CODE 4 "
                           "[review]`.")
    return int(word)


def _listings(inv: Invocation, query: SearchQuery, header: str, footer: str,
              currency: str) -> None:
    page = mp.search(inv.deps, query)
    if not page.listings:
        inv.reply("No listings found." if query.page == 1 else "No more listings.")
        return
    text = "\n".join(listing_line(p, currency) for p in page.listings)
    _answer(inv, text, listing_blocks(page.listings, header,
                                      footer if page.has_more else "", currency))


def _view(inv: Invocation, ref: str, currency: str) -> None:
    v = mp.view(inv.deps, ref, member_of(inv))
    p = v.listing
    lines = [listing_line(p, currency), f"Versions: {', '.join(v.versions) or '-'}"]
    if p.status != "active":
        lines.append(f"*Taken down:* {escape(p.takedown_reason)}")
    if p.description:
        lines.append(escape(_short(p.description, 1_000)))
    details = [f"• *{escape(name)}*" + (f" — {escape(line)}" if line else "")
               for name, line in v.cast]
    details += [f"{escape(a)} → {escape(b)}: {escape(label)}" for a, label, b in v.relationships]
    details += [f"Scenario: {escape(title)}" for title in v.scenarios]
    reviews = [f"{'★' * r.stars}{'☆' * (5 - r.stars)} {escape(r.member_name or 'someone')}"
               + (f": {escape(_short(r.review, 300))}" if r.review else "")
               for r in v.reviews]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3_000]}}]
    if details:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": "\n".join(details)[:3_000]}})
    if reviews:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": "\n".join(reviews)[:3_000]}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
                   f"`/personae marketplace install {p.share_code}` · "
                   f"`/personae marketplace rate {p.share_code} 1-5 [review]`"}]})
    _answer(inv, "\n".join([*lines, *details, *reviews]), blocks)


def _install(inv: Invocation, ref: str, currency: str) -> None:
    eco = inv.ecosystem
    channel = _engine_channel(inv.deps, eco.id, inv.channel_id, inv.channel.name)
    try:
        out = mp.install(inv.deps, eco.id, ref, by=member_of(inv),
                         channel_ids=[channel] if channel is not None else [])
    except mp.PaymentRequired as exc:
        _payment_required(inv, exc, currency)
        return
    except QuotaExceeded as exc:
        inv.reply(f"{exc} (`/personae subscribe` lifts it.)")
        return
    renamed = [f"{a} as {b}" for a, b in out.names.items() if a != b]
    where = " in this channel" if channel is not None else ""
    inv.reply(f"Installed *{escape(out.listing.name)}* {out.installation.version}{where}: "
              f"{', '.join(escape(n) for n in out.names.values()) or 'no characters'}; "
              f"{out.relationships} relationships, {len(out.scenarios)} scenarios"
              + (f" (renamed: {escape(', '.join(renamed))})" if renamed else "") + "."
              + "".join(f"\n{escape(n)}" for n in out.notes), public=True)


def _payment_required(inv: Invocation, exc: mp.PaymentRequired, currency: str) -> None:
    listing = exc.listing
    if not inv.deps.settings.stripe_api_key:
        inv.reply(f"{exc} Billing is not configured here: ask the operator.")
        return
    try:
        url = billing.buy_package(inv.deps, inv.ecosystem.id, listing.id)
    except UserFacingError as trouble:
        inv.reply(f"{exc} ({trouble})")
        return
    text = (f"*{escape(listing.name)}* is a premium package "
            f"({price_text(listing, currency)}, once for this workspace). Buy it: {url} — "
            f"then `/personae marketplace install {listing.share_code}` again.")
    _answer(inv, text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": [{"type": "button", "action_id": "personae_buy",
                                          "text": {"type": "plain_text", "text": "Buy"},
                                          "url": url, "style": "primary"}]}])


def _engine_channel(deps: Deps, ecosystem_id: int, external_id: str, name: str
                    ) -> int | None:
    """The channel the installed characters join: the one the command came from (known from
    now on, like ``cast add`` makes it a cast channel)."""
    if not external_id:
        return None
    with deps.uow() as uow:
        found = uow.spaces.ensure_channel(ecosystem_id, external_id, name or external_id,
                                          deps.clock.now())
        uow.commit()
    return found.id
