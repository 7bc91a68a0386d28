"""A fake Stripe API on 127.0.0.1: Checkout Sessions, billing portal sessions, customers and
subscriptions (retrieve), with idempotency keys honoured as Stripe does (the same key answers
the first response again; the same key with other parameters is a 400 ``idempotency_error``).

Tests set the subscriptions the API answers (``put_subscription``) and read what was asked
(``calls``). Use with ``StripeClient(key, base_addresses={"api": fake.url})`` or
``PERSONAE_STRIPE_API_BASE``; ``signed(event)`` signs a webhook payload with ``secret``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import stripe

__all__ = ["FakeStripe", "SECRET", "API_KEY"]

SECRET = "whsec_test_personae"
API_KEY = "sk_test_personae"


class FakeStripe:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self._idempotent: dict[str, tuple[str, dict[str, str], int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- test helpers -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def put_subscription(self, sub_id: str, status: str, price: str, *,
                         customer: str = "cus_1", metadata: dict[str, str] | None = None
                         ) -> dict[str, Any]:
        sub = {"id": sub_id, "object": "subscription", "status": status, "customer": customer,
               "metadata": metadata or {},
               "items": {"object": "list", "data": [
                   {"id": f"si_{sub_id}", "object": "subscription_item",
                    "price": {"id": price, "object": "price"}}]}}
        self.subscriptions[sub_id] = sub
        return sub

    @staticmethod
    def signed(event: dict[str, Any], secret: str = SECRET, at: int | None = None
               ) -> tuple[bytes, str]:
        """(payload, Stripe-Signature header) of an event, signed at ``at`` (default now)."""
        payload = json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(
            payload, secret, timestamp=at if at is not None else int(time.time()))
        return payload.encode(), header

    def requests_to(self, path: str) -> list[tuple[str, str, dict[str, str], dict[str, str]]]:
        return [c for c in self.calls if c[1] == path]

    # -- the server -------------------------------------------------------------------------
    def __enter__(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0)).decode()
        form = dict(parse_qsl(raw, keep_blank_values=True))
        path = h.path.split("?", 1)[0]
        headers = {k: v for k, v in h.headers.items()}
        with self._lock:
            self.calls.append((method, path, headers, form))
            if h.headers.get("Authorization") != f"Bearer {API_KEY}":
                code, body = 401, _error("authentication_error", "Invalid API Key provided")
            else:
                key = h.headers.get("Idempotency-Key")
                if method == "POST" and key and key in self._idempotent:
                    was_path, was_form, code, body = self._idempotent[key]
                    if (was_path, was_form) != (path, form):
                        code, body = 400, _error(
                            "idempotency_error", "Keys for idempotent requests can only be "
                            "used with the same parameters they were first used with.")
                else:
                    code, body = self._route(method, path, form)
                    if method == "POST" and key:
                        self._idempotent[key] = (path, form, code, body)
        out = json.dumps(body).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Request-Id", f"req_{next(self._ids)}")
        h.send_header("Content-Length", str(len(out)))
        h.end_headers()
        h.wfile.write(out)

    def _route(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == "/v1/checkout/sessions":
            if form.get("mode") not in ("subscription", "payment"):
                return 400, _error("invalid_request_error", "mode is required")
            sid = f"cs_test_{next(self._ids)}"
            session = {
                "id": sid, "object": "checkout.session", "mode": form["mode"],
                "url": f"https://checkout.stripe.com/c/pay/{sid}",
                "customer": form.get("customer"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": _nested(form, "metadata"),
                "status": "open", "payment_status": "unpaid",
            }
            self.sessions[sid] = session
            return 200, session
        if method == "POST" and path == "/v1/billing_portal/sessions":
            if not form.get("customer"):
                return 400, _error("invalid_request_error", "customer is required")
            return 200, {"id": f"bps_{next(self._ids)}", "object": "billing_portal.session",
                         "customer": form["customer"], "return_url": form.get("return_url"),
                         "url": f"https://billing.stripe.com/p/session/{form['customer']}"}
        if method == "POST" and path == "/v1/customers":
            cid = f"cus_{next(self._ids)}"
            self.customers[cid] = {"id": cid, "object": "customer", "email": form.get("email"),
                                   "metadata": _nested(form, "metadata")}
            return 200, self.customers[cid]
        if method == "GET" and path.startswith("/v1/customers/"):
            found = self.customers.get(path.rsplit("/", 1)[1])
            return (200, found) if found else (404, _error("invalid_request_error",
                                                           "No such customer"))
        if method == "GET" and path.startswith("/v1/subscriptions/"):
            found = self.subscriptions.get(path.rsplit("/", 1)[1])
            return (200, found) if found else (404, _error("invalid_request_error",
                                                           "No such subscription"))
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({path})")


def _nested(form: dict[str, str], name: str) -> dict[str, str]:
    prefix = f"{name}["
    return {k[len(prefix):-1]: v for k, v in form.items() if k.startswith(prefix)
            and k.endswith("]") and "][" not in k}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
