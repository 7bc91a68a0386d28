"""Stripe through the ``stripe`` package: Checkout Sessions (subscriptions and one-off package
purchases), Customer Portal sessions, subscriptions re-read from the API, and webhook events
verified by their signature.

Tests point ``PERSONAE_STRIPE_API_BASE`` at a fake Stripe API on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import stripe

from engine.errors import InvalidInput, ServiceUnavailable

__all__ = ["StripeBilling", "Subscription", "InvalidSignature", "TOLERANCE_S"]

#: Signatures older than this (seconds) are refused, as Stripe's own libraries do.
TOLERANCE_S = 300


class InvalidSignature(Exception):
    """A webhook whose signature does not verify (forged, or older than the tolerance)."""


@dataclass(frozen=True)
class Subscription:
    """What billing needs of a Stripe subscription, as the API says it is now."""

    id: str
    status: str
    customer: str | None
    price: str | None
    metadata: dict[str, str] = field(default_factory=dict)


class StripeBilling:
    """The Stripe side of billing (one ``StripeClient``)."""

    def __init__(self, api_key: str, webhook_secret: str | None = None,
                 api_base: str | None = None) -> None:
        bases: dict[str, str] = {"api": api_base} if api_base else {}
        self._client = stripe.StripeClient(api_key, base_addresses=bases,  # type: ignore[arg-type]
                                           max_network_retries=2)
        self._secret = webhook_secret

    @classmethod
    def from_settings(cls, settings: Any) -> StripeBilling:
        """Raises ``InvalidInput`` naming the setting when no Stripe key is configured."""
        if not settings.stripe_api_key:
            raise InvalidInput("Billing is not set up here (no PERSONAE_STRIPE_API_KEY).")
        return cls(settings.stripe_api_key, settings.stripe_webhook_secret,
                   settings.stripe_api_base)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except stripe.InvalidRequestError as exc:
            raise InvalidInput(f"Stripe refused the request: {exc.user_message or exc}") from exc
        except stripe.StripeError as exc:
            raise ServiceUnavailable(f"Stripe is unavailable: {exc}") from exc

    def checkout_subscription(self, *, ecosystem_id: int, price: str, tier: str,
                              success_url: str, cancel_url: str, customer: str | None,
                              idempotency_key: str) -> tuple[str, str]:
        """(session id, URL) of a Checkout Session that subscribes the ecosystem."""
        meta = {"ecosystem_id": str(ecosystem_id), "tier": tier}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": price, "quantity": 1}],
            "success_url": success_url, "cancel_url": cancel_url,
            "client_reference_id": str(ecosystem_id),
            "metadata": meta, "subscription_data": {"metadata": meta},
        }
        if customer:
            params["customer"] = customer
        session = self._call(self._client.v1.checkout.sessions.create, params=params,
                             options={"idempotency_key": idempotency_key})
        return str(session.id), str(session.url)

    def checkout_payment(self, *, ecosystem_id: int, package_id: int, name: str,
                         amount_cents: int, currency: str, success_url: str, cancel_url: str,
                         customer: str | None, idempotency_key: str) -> tuple[str, str]:
        """(session id, URL) of a Checkout Session that buys a premium package once."""
        meta = {"ecosystem_id": str(ecosystem_id), "package_id": str(package_id)}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency, "unit_amount": amount_cents,
                "product_data": {"name": name[:250]}}}],
            "success_url": success_url, "cancel_url": cancel_url,
            "client_reference_id": str(ecosystem_id), "metadata": meta,
        }
        if customer:
            params["customer"] = customer
        session = self._call(self._client.v1.checkout.sessions.create, params=params,
                             options={"idempotency_key": idempotency_key})
        return str(session.id), str(session.url)

    def portal(self, customer: str, return_url: str) -> str:
        session = self._call(self._client.v1.billing_portal.sessions.create,
                             params={"customer": customer, "return_url": return_url})
        return str(session.url)

    def subscription(self, subscription_id: str) -> Subscription:
        """The subscription as it is now (webhooks arrive out of order: this is the truth)."""
        sub = self._call(self._client.v1.subscriptions.retrieve, subscription_id)
        data = sub.to_dict() if hasattr(sub, "to_dict") else dict(sub)
        items = (data.get("items") or {}).get("data") or []
        price = (items[0].get("price") or {}).get("id") if items else None
        customer = data.get("customer")
        if isinstance(customer, dict):
            customer = customer.get("id")
        return Subscription(id=str(data["id"]), status=str(data.get("status", "")),
                            customer=customer, price=price,
                            metadata={str(k): str(v) for k, v in
                                      (data.get("metadata") or {}).items()})

    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event of a webhook request, as a plain dict, once its signature verified.

        Raises:
            InvalidSignature: No secret configured, no or a bad signature, or a stale one.
            ValueError: The payload is not JSON.
        """
        if not self._secret:
            raise InvalidSignature("no webhook secret configured")
        if not signature:
            raise InvalidSignature("no Stripe-Signature header")
        text = payload.decode("utf-8")
        try:
            event = stripe.Webhook.construct_event(text, signature, self._secret, TOLERANCE_S)
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature(str(exc)) from exc
        except (AttributeError, TypeError) as exc:  # signed, but JSON that is not an object
            raise ValueError("not a Stripe event") from exc
        data: dict[str, Any] = event.to_dict()
        if "id" not in data or "type" not in data:
            raise ValueError("not a Stripe event")
        return data
