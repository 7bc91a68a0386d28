"""``personae billing serve|status|subscribe|portal|set-tier|enforce``."""

from __future__ import annotations

from typing import Annotated

import typer

from bots.cli.errors import friendly_errors

__all__ = ["billing_app"]

billing_app = typer.Typer(help="Tiers, usage and Stripe: the webhook endpoint, status, "
                          "subscribe and the customer portal.")

SpaceOption = Annotated[str, typer.Option("--space", help="platform:space_id of the community.")]


def _ecosystem(space: str) -> tuple[object, int]:
    from engine.errors import InvalidInput
    from engine.services.setup import open_space
    from workers.bootstrap import container

    platform, sep, space_id = space.partition(":")
    if not sep or not platform or not space_id:
        raise InvalidInput(f"--space expects platform:space_id, got {space!r}")
    deps = container().deps
    eco, _ = open_space(deps, platform, space_id, [])
    return deps, eco.id


@billing_app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8090,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "0.0.0.0",
) -> None:
    """Serve the HTTP app: the Stripe webhook (POST /stripe/webhook) and the media store's
    images (GET /media/<sha256>.<ext>, characters' avatars from marketplace packages)."""
    import logging

    from bots.billing.webhook import serve
    from engine.adapters.stripe_billing import StripeBilling
    from workers.bootstrap import container

    with friendly_errors():
        c = container()
        logging.basicConfig(level=c.settings.log_level.upper())
        stripe = None
        if c.settings.stripe_webhook_secret:
            stripe = StripeBilling.from_settings(c.settings)
            typer.echo(f"Stripe webhooks on http://{host}:{port}/stripe/webhook", err=True)
        else:
            typer.echo("Stripe webhooks off: set PERSONAE_STRIPE_WEBHOOK_SECRET (whsec_…) to "
                       "serve them.", err=True)
        public = c.settings.public_base_url
        typer.echo(f"Images on http://{host}:{port}/media/"
                   + (f" (public: {public}/media/)" if public else
                      " (set PERSONAE_PUBLIC_BASE_URL to the public address so avatars use "
                      "them)"), err=True)
        serve(c.deps, stripe, host, port)


@billing_app.command("status")
def status_command(space: SpaceOption = "console:local") -> None:
    """The community's tier, subscription status, this month's usage and paused characters."""
    from engine.billing.tiers import RESOURCES
    from engine.services import billing

    with friendly_errors():
        deps, eco = _ecosystem(space)
        s = billing.status(deps, eco)  # type: ignore[arg-type]
    typer.echo(f"Tier: {s.tier.title} (subscription: {s.status})")
    if s.grace_until:
        typer.echo(f"Grace period until {s.grace_until:%Y-%m-%d %H:%M} UTC")
    for resource, label in RESOURCES.items():
        limit = s.tier.limit(resource)
        typer.echo(f"  {label}: {s.usage.get(resource, 0)} / "
                   f"{'unlimited' if limit is None else limit}")
    if s.paused:
        typer.echo(f"Paused characters: {', '.join(s.paused)}")


@billing_app.command("subscribe")
def subscribe_command(tier: Annotated[str, typer.Argument(help="pro or enterprise")] = "pro",
                      space: SpaceOption = "console:local") -> None:
    """Print a Checkout link that subscribes the community."""
    from engine.services import billing

    with friendly_errors():
        deps, eco = _ecosystem(space)
        typer.echo(billing.subscribe(deps, eco, tier))  # type: ignore[arg-type]


@billing_app.command("portal")
def portal_command(space: SpaceOption = "console:local") -> None:
    """Print a Customer Portal link (change or cancel the subscription, invoices)."""
    from engine.services import billing

    with friendly_errors():
        deps, eco = _ecosystem(space)
        typer.echo(billing.portal(deps, eco))  # type: ignore[arg-type]


@billing_app.command("set-tier")
def set_tier_command(tier: Annotated[str, typer.Argument(help="free, pro or enterprise")],
                     space: SpaceOption = "console:local") -> None:
    """Put the community on a tier by hand (downgrading pauses over-limit characters)."""
    from engine.services import billing

    with friendly_errors():
        deps, eco = _ecosystem(space)
        typer.echo(billing.set_tier(deps, eco, tier))  # type: ignore[arg-type]


@billing_app.command("enforce")
def enforce_command() -> None:
    """Downgrade communities whose grace period ended (the webhook server does it too)."""
    from engine.services import billing
    from workers.bootstrap import container

    with friendly_errors():
        done = billing.enforce_grace(container().deps)
    typer.echo(f"{len(done)} communities downgraded.")
