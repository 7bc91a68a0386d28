"""The content check every package passes before it is stored.

What it is: a small, documented heuristic over every text of the package (manifest, cards,
scenarios), rejecting

- sexual content involving minors: a text that names both a minor term (``MINOR_TERMS``) and
  a sexual term (``SEXUAL_TERMS``) as whole words;
- scams aimed at members (``SCAM_PHRASES``: "free nitro", "token grabber", ...);
- secrets pasted by mistake (``SECRET_PATTERNS``: API keys, Discord bot tokens, Slack tokens,
  private keys), which would leak the creator's credentials to everyone who installs it.

What it is not: a moderation model. It does not judge violence, hate or adult content between
adults, does not read images, and a determined creator can word around it. Members' reports and
moderators' takedowns (``engine.services.marketplace``) are the backstop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from engine.errors import InvalidInput

__all__ = ["MINOR_TERMS", "SEXUAL_TERMS", "SCAM_PHRASES", "SECRET_PATTERNS", "check_content",
           "problem_with"]

MINOR_TERMS = frozenset({"underage", "minor", "minors", "child", "children", "kid", "kids",
                         "preteen", "loli", "shota", "toddler", "schoolgirl", "schoolboy"})
SEXUAL_TERMS = frozenset({"sex", "sexual", "sexually", "nsfw", "erotic", "nude", "naked",
                          "lewd", "porn", "explicit", "fetish"})
SCAM_PHRASES = ("free nitro", "nitro giveaway", "token grabber", "steam gift card",
                "claim your prize", "verify your account at")
SECRET_PATTERNS = {
    "an API key": re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    "a Stripe key": re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"),
    "a Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "a Discord bot token": re.compile(r"\b[MNO][A-Za-z\d_-]{23,25}\.[\w-]{6}\.[\w-]{27,}"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}
_WORD = re.compile(r"[a-z]+")


def problem_with(text: str) -> str | None:
    """What the content check finds wrong with one text, or None."""
    lowered = text.lower()
    words = set(_WORD.findall(lowered))
    if words & MINOR_TERMS and words & SEXUAL_TERMS:
        return "pairs minors with sexual content, which is never allowed"
    for phrase in SCAM_PHRASES:
        if phrase in lowered:
            return f"looks like a scam ({phrase!r})"
    for what, pattern in SECRET_PATTERNS.items():
        if pattern.search(text):
            return f"contains what looks like {what}; remove the secret before sharing"
    return None


def check_content(doc: Any, path: str = "") -> None:
    """Run ``problem_with`` over every text in a JSON document (images excluded).

    Raises:
        InvalidInput: Naming the first field that fails, and why.
    """
    for field, text in _texts(doc, path):
        problem = problem_with(text)
        if problem:
            raise InvalidInput(f"Package field '{field}' {problem}.")


def _texts(doc: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(doc, str):
        yield path, doc
    elif isinstance(doc, dict):
        for key, value in doc.items():
            if path == "images" or key == "image_data":
                continue
            yield from _texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _texts(value, f"{path}[{i}]")
