"""Encrypting secrets kept in the database (an Enterprise community's own model key).

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under a key derived from
``PERSONAE_SECRETS_KEY``: any long random string. Losing or changing that string makes the
stored secrets unreadable: they are then reported as needing to be set again, never sent
anywhere garbled.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from engine.errors import InvalidInput

__all__ = ["SecretBox", "SecretUnreadable", "MIN_PASSPHRASE"]

#: The shortest ``PERSONAE_SECRETS_KEY`` accepted.
MIN_PASSPHRASE = 16


class SecretUnreadable(Exception):
    """A stored secret that this key cannot decrypt (the key changed, or the value is bad)."""


class SecretBox:
    def __init__(self, passphrase: str | None) -> None:
        if not passphrase:
            raise InvalidInput("Secrets cannot be stored: set PERSONAE_SECRETS_KEY (any long "
                               "random string) on every Personae process, then try again.")
        if len(passphrase) < MIN_PASSPHRASE:
            raise InvalidInput(f"PERSONAE_SECRETS_KEY is too short: use at least "
                               f"{MIN_PASSPHRASE} random characters.")
        digest = hashlib.sha256(b"personae-secrets:" + passphrase.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError, UnicodeError) as exc:
            raise SecretUnreadable("the stored secret cannot be decrypted with "
                                   "PERSONAE_SECRETS_KEY (was it changed?)") from exc
