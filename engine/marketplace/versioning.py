"""Package versions: semantic versions (``MAJOR.MINOR.PATCH``, optional ``-prerelease``).

A new version of a package must be greater than its latest; a pre-release sorts before its
release (``1.2.0-beta < 1.2.0``), pre-release labels compare as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import InvalidInput

__all__ = ["Version", "parse_version", "next_version"]

_SEMVER = re.compile(r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})"
                     r"(?:-([0-9A-Za-z][0-9A-Za-z.-]{0,19}))?$")


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int
    #: 1 for a release, 0 for a pre-release (which sorts first), then its label.
    release: int = 1
    label: str = ""

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return core if self.release else f"{core}-{self.label}"


def parse_version(text: str, field: str = "manifest.version") -> Version:
    """Parse ``"1.2.3"`` or ``"1.2.3-beta.1"``; ``InvalidInput`` naming ``field`` otherwise."""
    match = _SEMVER.match(str(text).strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidInput(f"Package field '{field}' must be a version like 1.0.0 "
                           f"(major.minor.patch), not {text!r}.")
    major, minor, patch, label = match.groups()
    return Version(int(major), int(minor), int(patch), 0 if label else 1, label or "")


def next_version(latest: Version) -> Version:
    """The next minor release after ``latest`` (what publishing without a version means)."""
    return Version(latest.major, latest.minor + 1, 0)
