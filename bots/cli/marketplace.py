"""``personae marketplace …``: publish, browse, install and moderate packages from the command
line (the same engine service as the bots' ``/marketplace``). The command line is the
operator's: ``--as`` names the member acting, and takedowns need no further authority."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bots.cli.characters import SpaceOption
from bots.cli.errors import fail, friendly_errors
from bots.cli.social import _ecosystem

__all__ = ["marketplace_app"]

marketplace_app = typer.Typer(help="The marketplace: share and install characters, casts and "
                              "scenarios.")

Ref = Annotated[str, typer.Argument(help="The package's share code, slug or id.")]
AsOption = Annotated[str, typer.Option("--as", help="PLATFORM:USER_ID[:NAME] of the member acting.")]
_DEFAULT_MEMBER = "console:member:Member"


def _member(text: str, moderator: bool = False) -> Any:
    from engine.services.marketplace import Member

    platform, _, rest = text.partition(":")
    user, _, name = rest.partition(":")
    if not platform or not user:
        fail(f"--as takes PLATFORM:USER_ID[:NAME], not {text!r}.")
    return Member(f"{platform}:{user}", name or user, moderator)


def _deps() -> Any:
    from engine.settings import Settings
    from workers.bootstrap import build

    return build(Settings()).deps


def _line(p: Any) -> str:
    price = f" · premium {p.price_cents / 100:.2f}" if p.premium else ""
    return (f"{p.share_code}  {p.name} [{p.kind}, {p.genre}] — {p.stars_text}, "
            f"{p.install_count} installs, by {p.creator_name or 'someone'}{price}")


@marketplace_app.command("publish")
def publish(
    kind: Annotated[str, typer.Argument(help="character, cast or scenario.")],
    name: Annotated[str, typer.Argument(help="The package's name.")],
    character: Annotated[list[str], typer.Option("--character", "-c", help="A character to include (repeat; a cast defaults to all).")] = [],  # noqa: B006
    scenario: Annotated[list[str], typer.Option("--scenario", help="A scenario (id or slug) to include.")] = [],  # noqa: B006
    description: str = "",
    tag: Annotated[list[str], typer.Option("--tag", "-t", help="A tag (repeat).")] = [],  # noqa: B006
    genre: str = "other",
    visibility: Annotated[str, typer.Option(help="public, unlisted or private.")] = "public",
    version: Annotated[str | None, typer.Option(help="Semantic version (default: 1.0.0, then the next minor).")] = None,
    price_cents: Annotated[int, typer.Option(help="Above 0: a premium package at this price.")] = 0,
    space: SpaceOption = "console:local",
    as_: AsOption = _DEFAULT_MEMBER,
) -> None:
    """Publish characters, a cast with its relationships, or scenarios of a community."""
    from engine.services import marketplace as mp

    with friendly_errors():
        deps, eco = _ecosystem(space)
        out = mp.publish(deps, eco.id, kind, name=name, creator=_member(as_),
                         characters=character, scenarios=scenario, description=description,
                         tags=tag, genre=genre, visibility=visibility, version=version,
                         premium=price_cents > 0, price_cents=price_cents)
    verb = "Published" if out.new_package else "Published a new version of"
    typer.echo(f"{verb} {out.listing.name} {out.version}: share code {out.listing.share_code} "
               f"({out.listing.visibility}).")


@marketplace_app.command("publish-file")
def publish_file(
    path: Annotated[Path, typer.Argument(help="A package JSON file (README: Package format).")],
    visibility: str = "public",
    price_cents: int = 0,
    as_: AsOption = _DEFAULT_MEMBER,
) -> None:
    """Validate and publish a package file."""
    from engine.services import marketplace as mp

    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"Cannot read {path}: {exc}")
    with friendly_errors():
        out = mp.publish_package(_deps(), raw, creator=_member(as_), visibility=visibility,
                                 premium=price_cents > 0, price_cents=price_cents)
    typer.echo(f"Published {out.listing.name} {out.version}: share code "
               f"{out.listing.share_code}.")


@marketplace_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to find (prefixes match).")] = "",
    tag: str = "", genre: str = "", kind: str = "",
    min_rating: float = 0.0,
    sort: Annotated[str, typer.Option(help="rating, popular or new.")] = "rating",
    page: int = 1,
) -> None:
    """Search (or, with nothing to find, browse) public listings."""
    from engine.marketplace import SearchQuery
    from engine.services import marketplace as mp

    with friendly_errors():
        result = mp.search(_deps(), SearchQuery(text, tag, genre, kind, min_rating, sort, page))
    for p in result.listings:
        typer.echo(_line(p))
    if not result.listings:
        typer.echo("No listings found.")
    elif result.has_more:
        typer.echo(f"(more: --page {page + 1})")


marketplace_app.command("browse", help="Browse public listings (search without words).")(search)


@marketplace_app.command("view")
def view(ref: Ref, preview: Annotated[Path | None, typer.Option(help="Write the preview PNG here.")] = None,
         as_: AsOption = _DEFAULT_MEMBER) -> None:
    """A listing: description, cast, relationships, scenarios, ratings and reviews."""
    from engine.services import marketplace as mp

    with friendly_errors():
        deps = _deps()
        v = mp.view(deps, ref, _member(as_))
        png = mp.preview_png(deps, ref, _member(as_)) if preview else None
    p = v.listing
    typer.echo(_line(p))
    typer.echo(f"versions: {', '.join(v.versions)}; tags: {', '.join(p.tags) or '-'}"
               + ("" if p.status == "active" else f"; TAKEN DOWN: {p.takedown_reason}"))
    if p.description:
        typer.echo(p.description)
    for name, line in v.cast:
        typer.echo(f"  • {name}" + (f" — {line}" if line else ""))
    for a, label, b in v.relationships:
        typer.echo(f"  {a} → {b}: {label}")
    for title in v.scenarios:
        typer.echo(f"  scenario: {title}")
    for r in v.reviews:
        typer.echo(f"  {'★' * r.stars}{'☆' * (5 - r.stars)} {r.member_name}: {r.review}")
    if preview is not None:
        if png is None:
            typer.echo("(no preview image)")
        else:
            preview.write_bytes(png)
            typer.echo(f"Wrote the preview to {preview}.")


@marketplace_app.command("install")
def install(ref: Ref, space: SpaceOption = "console:local",
            channel: Annotated[list[str], typer.Option(help="A channel the characters join (repeat).")] = [],  # noqa: B006
            as_: AsOption = _DEFAULT_MEMBER) -> None:
    """Install a package into a community."""
    from engine.services import marketplace as mp

    with friendly_errors():
        deps, eco = _ecosystem(space)
        ids = []
        with deps.uow() as uow:
            for name in channel:
                found = uow.spaces.find_channel(eco.id, name)
                if found is None:
                    fail(f"No channel {name!r} in this community.")
                ids.append(found.id)
        out = mp.install(deps, eco.id, ref, by=_member(as_), channel_ids=ids)
    renamed = [f"{a} as {b}" for a, b in out.names.items() if a != b]
    typer.echo(f"Installed {out.listing.name} {out.installation.version}: "
               f"{len(out.names)} characters, {out.relationships} relationships, "
               f"{len(out.scenarios)} scenarios"
               + (f" (renamed: {', '.join(renamed)})" if renamed else "") + ".")
    for note in out.notes:
        typer.echo(note)


@marketplace_app.command("uninstall")
def uninstall(ref: Ref, space: SpaceOption = "console:local") -> None:
    """Remove what a package installed."""
    from engine.services import marketplace as mp

    with friendly_errors():
        deps, eco = _ecosystem(space)
        removed = mp.uninstall(deps, eco.id, ref)
    typer.echo(f"Uninstalled: removed {', '.join(removed) or 'no characters'}.")


@marketplace_app.command("update")
def update(ref: Ref, space: SpaceOption = "console:local") -> None:
    """Update an installed package to its latest version (memories are kept)."""
    from engine.services import marketplace as mp

    with friendly_errors():
        deps, eco = _ecosystem(space)
        out = mp.update(deps, eco.id, ref)
    typer.echo(f"Updated {out.listing.name} to {out.installation.version}: "
               f"{', '.join(out.updated) or 'nothing changed'}.")
    for note in out.notes:
        typer.echo(note)


@marketplace_app.command("installed")
def installed(space: SpaceOption = "console:local") -> None:
    """Packages installed in a community."""
    from engine.services import marketplace as mp

    with friendly_errors():
        deps, eco = _ecosystem(space)
        rows = mp.installed(deps, eco.id)
    for inst, p in rows:
        newer = " (update available)" if p.latest_version != inst.version else ""
        typer.echo(f"{p.share_code}  {p.name} {inst.version}{newer}")
    if not rows:
        typer.echo("No packages installed.")


@marketplace_app.command("refresh-avatars")
def refresh_avatars(
        space: Annotated[str | None, typer.Option(
            help="Only this community (PLATFORM:ID); every community by default.")] = None,
) -> None:
    """Make installed packages' images their characters' avatars (after setting
    PERSONAE_PUBLIC_BASE_URL; an avatar a community chose itself is kept)."""
    from engine.services import marketplace as mp

    with friendly_errors():
        if space is None:
            changed = mp.refresh_avatars(_deps())
        else:
            deps, eco = _ecosystem(space)
            changed = mp.refresh_avatars(deps, [eco.id])
    typer.echo(f"Avatars set for {len(changed)} characters"
               + (f": {', '.join(changed)}." if changed else "."))


@marketplace_app.command("rate")
def rate(ref: Ref, stars: int, review: str = "", as_: AsOption = _DEFAULT_MEMBER) -> None:
    """Rate a package 1-5 stars (again: edits your rating)."""
    from engine.services import marketplace as mp

    with friendly_errors():
        mp.rate(_deps(), ref, _member(as_), stars, review)
    typer.echo(f"Rated {ref}: {stars}★.")


@marketplace_app.command("report")
def report(ref: Ref, reason: str, as_: AsOption = _DEFAULT_MEMBER) -> None:
    """Report a package to the moderators."""
    from engine.services import marketplace as mp

    with friendly_errors():
        number = mp.report(_deps(), ref, _member(as_), reason)
    typer.echo(f"Reported (#{number}); a moderator will look at it.")


@marketplace_app.command("reports")
def reports() -> None:
    """Open reports (moderators)."""
    from engine.services import marketplace as mp

    with friendly_errors():
        rows = mp.open_reports(_deps(), _member("console:operator", moderator=True))
    for r, p in rows:
        typer.echo(f"#{r.id} {p.share_code} {p.name}: {r.reason}")
    if not rows:
        typer.echo("No open reports.")


@marketplace_app.command("takedown")
def takedown(ref: Ref, reason: str) -> None:
    """Take a package down (hidden, not installable; installed copies stay)."""
    from engine.services import marketplace as mp

    with friendly_errors():
        p = mp.take_down(_deps(), ref, _member("console:operator", moderator=True), reason)
    typer.echo(f"Took down {p.share_code} {p.name}.")


@marketplace_app.command("restore")
def restore(ref: Ref) -> None:
    """Put a taken-down package back."""
    from engine.services import marketplace as mp

    with friendly_errors():
        p = mp.restore(_deps(), ref, _member("console:operator", moderator=True))
    typer.echo(f"Restored {p.share_code} {p.name}.")


@marketplace_app.command("stats")
def stats(as_: AsOption = _DEFAULT_MEMBER) -> None:
    """A creator's packages: installs and active use (characters that spoke in 30 days)."""
    from engine.services import marketplace as mp

    with friendly_errors():
        out = mp.creator_stats(_deps(), _member(as_).key)
    for p in out.packages:
        rating = f"{p.rating:.1f}★ ({p.rating_count})" if p.rating is not None else "unrated"
        typer.echo(f"{p.share_code}  {p.name} {p.latest_version} [{p.status}]: {p.installs} "
                   f"installs, {p.active_installs} active, {p.active_characters} characters "
                   f"active in 30 days, {rating}")
    if not out.packages:
        typer.echo("No packages published.")


@marketplace_app.command("export")
def export(ref: Ref, output: Annotated[Path, typer.Option("-o", "--output")] = Path("package.json"),
           version: str | None = None, as_: AsOption = _DEFAULT_MEMBER) -> None:
    """Write a package's JSON (the latest version by default)."""
    from engine.services import marketplace as mp

    with friendly_errors():
        doc = mp.export_package(_deps(), ref, version, _member(as_))
    output.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"Wrote {output}.")
