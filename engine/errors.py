"""One exception tree.

``UserFacingError`` and its children carry a message that is safe to show in chat and says what
to do. Everything else is an internal error: logged, never shown verbatim to members.
"""

from __future__ import annotations

__all__ = [
    "UserFacingError",
    "NotFound",
    "InvalidInput",
    "InvalidCard",
    "ServiceUnavailable",
    "ModelUnavailable",
]


class UserFacingError(Exception):
    """An error whose message can be shown to a member as it is."""


class NotFound(UserFacingError):
    """A named thing (character, channel, ecosystem) does not exist."""


class InvalidInput(UserFacingError):
    """Input that cannot be accepted (empty message, bad option)."""


class InvalidCard(UserFacingError):
    """A character card that does not validate; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"Invalid character card: field '{field}' {problem}")


class ServiceUnavailable(UserFacingError):
    """A backing service (database, Redis) cannot be reached."""


class ModelUnavailable(Exception):
    """The language model timed out or failed after its bounded retries (internal)."""
