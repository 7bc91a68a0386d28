"""The OAuth2 URL that adds the bot to a server, with exactly what it needs.

Scopes: ``bot`` (the bot user, its gateway events and REST calls) and
``applications.commands`` (its slash commands). The permissions, each with the reason it is
asked for, are ``PERMISSIONS`` (``personae discord invite`` prints them).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import discord

from engine.errors import InvalidInput

__all__ = ["PERMISSIONS", "SCOPES", "Grant", "client_id_from_token", "invite_permissions",
           "invite_url"]

SCOPES: tuple[str, ...] = ("bot", "applications.commands")


@dataclass(frozen=True)
class Grant:
    flag: str  # the ``discord.Permissions`` attribute
    label: str  # as the Discord client shows it
    why: str


#: Exactly the permissions the bot uses. Not asked: Create Public Threads (characters answer
#: in threads members open; they never open one), Mention Everyone (posts go out with
#: ``allowed_mentions`` none), Manage Messages, Administrator.
PERMISSIONS: tuple[Grant, ...] = (
    Grant("view_channel", "View Channels", "see the cast channels and read what is said there"),
    Grant("send_messages", "Send Messages",
          "answer commands and tell admins about problems in their channel"),
    Grant("send_messages_in_threads", "Send Messages in Threads",
          "characters answer in threads of cast channels"),
    Grant("manage_webhooks", "Manage Webhooks",
          "create the one webhook per channel through which each character posts with its own "
          "name and avatar"),
    Grant("read_message_history", "Read Message History",
          "resolve replies to characters' messages"),
    Grant("attach_files", "Attach Files", "post the relationship graph PNG"),
    Grant("embed_links", "Embed Links", "the Observatory, character and memory embeds"),
)


def invite_permissions() -> discord.Permissions:
    return discord.Permissions(**{g.flag: True for g in PERMISSIONS})


def client_id_from_token(token: str) -> str:
    """The application (client) id a bot token belongs to: its first segment is the bot
    user's id in base64, and a bot user's id is its application's id.

    Raises:
        InvalidInput: The token does not look like a bot token.
    """
    first = token.strip().removeprefix("Bot ").split(".", 1)[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), altchars=b"-_",
                                   validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.isdigit():
        raise InvalidInput("That token does not look like a Discord bot token (its first part "
                           "is not a base64 user id); pass --client-id (the Application ID in "
                           "the Developer Portal).")
    return decoded


def invite_url(client_id: str) -> str:
    if not client_id.strip().isdigit():
        raise InvalidInput(f"The client id is a number (the Application ID); got {client_id!r}.")
    return discord.utils.oauth_url(client_id.strip(), permissions=invite_permissions(),
                                   scopes=SCOPES)
