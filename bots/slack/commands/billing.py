"""``/personae subscribe [pro|enterprise]`` and ``/personae billing``
(``engine.services.billing``).

Subscribing is for workspace admins and directors: the answer is a Stripe Checkout link, as a
button. ``billing`` shows everyone the tier and this month's usage; with billing configured,
directors also get the Customer Portal link (change or cancel the plan, invoices).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bots.slack.commands.base import Invocation
from bots.slack.permissions import may_direct
from engine.billing.tiers import RESOURCES
from engine.errors import InvalidInput
from engine.services import billing as service

__all__ = ["subscribe", "billing", "register", "link_blocks", "LINK_ACTIONS"]

#: Buttons that only open a link; Slack still reports the click, and we acknowledge it.
LINK_ACTIONS = ("personae_checkout", "personae_portal", "personae_buy")


def link_blocks(text: str, label: str, url: str, action_id: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "actions", "elements": [
                {"type": "button", "action_id": action_id, "url": url, "style": "primary",
                 "text": {"type": "plain_text", "text": label}}]}]


def _configured(inv: Invocation) -> bool:
    return bool(inv.deps.settings.stripe_api_key)


def subscribe(inv: Invocation) -> None:
    if len(inv.args) > 1:
        raise InvalidInput("Usage: `/personae subscribe [pro|enterprise]`")
    tier = inv.args[0].lower() if inv.args else "pro"
    inv.require_director()
    if not _configured(inv):
        raise InvalidInput("Billing is not configured here (no Stripe key): every limit is "
                           "off. `/personae billing` shows the usage.")
    url = service.subscribe(inv.deps, inv.ecosystem.id, tier)
    text = (f"Subscribe this workspace to *{tier.title()}*: {url}\n"
            "The new limits apply as soon as Stripe confirms the payment.")
    inv.respond(text=text, blocks=link_blocks(text, f"Subscribe to {tier.title()}", url,
                                              "personae_checkout"),
                response_type="ephemeral")


def billing(inv: Invocation) -> None:
    if inv.args:
        raise InvalidInput("Usage: `/personae billing`")
    eco = inv.ecosystem.id
    status = service.status(inv.deps, eco)
    lines = [f"*Tier:* {status.tier.title} (subscription: {status.status})"]
    if status.grace_until:
        lines.append(f"Payment failed: grace period until {status.grace_until:%Y-%m-%d %H:%M} "
                     "UTC, then Free.")
    lines.append("*This month:*")
    for resource, label in RESOURCES.items():
        limit = status.tier.limit(resource) if _configured(inv) else None
        lines.append(f"• {label}: {status.usage.get(resource, 0)} / "
                     f"{'unlimited' if limit is None else limit}")
    if status.paused:
        lines.append(f"Paused characters: {', '.join(status.paused)}")
    text = "\n".join(lines)
    if not _configured(inv):
        inv.reply(text + "\nBilling is not configured here: no limits apply.")
        return
    if not may_direct(inv.personae, inv.client, eco, inv.user_id):
        inv.reply(text)
        return
    try:
        url = service.portal(inv.deps, eco)
    except InvalidInput:
        inv.reply(text + "\nNo subscription yet: `/personae subscribe pro`.")
        return
    text += f"\nManage the subscription and invoices: {url}"
    inv.respond(text=text, blocks=link_blocks(text, "Open the billing portal", url,
                                              "personae_portal"),
                response_type="ephemeral")


def _ack(ack: Ack) -> None:
    ack()


def register(app: App) -> None:
    for action_id in LINK_ACTIONS:
        app.action(action_id)(_ack)
