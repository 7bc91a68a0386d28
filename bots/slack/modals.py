"""Modal submissions: a character created or edited, a card imported, the community set up.

The engine validates (the same rules as an imported card); a refusal goes back to the modal
as the field's error (``response_action: errors``), so the member fixes it in place. Only
when everything is accepted is the modal closed and the channel told. The submitter's right
to direct is checked again on submission (a modal can stay open while rights change).
"""

from __future__ import annotations

import logging
import urllib.request
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots.slack.context import personae_of
from bots.slack.permissions import find_group, may_direct
from bots.slack.views import (
    CHARACTER_CALLBACK,
    IMPORT_CALLBACK,
    SETUP_CALLBACK,
    metadata_of,
    value_of,
)
from engine.card_validation import read_url
from engine.errors import InvalidCard, UserFacingError
from engine.services import casting, community
from engine.services import characters as service
from engine.services.community import ChannelRef

__all__ = ["register", "on_character", "on_import", "on_setup", "field_of"]

log = logging.getLogger(__name__)

_BLOCK_OF_LABEL = {label: key for key, label in service.FIELD_LABELS.items()}


def field_of(exc: UserFacingError, default: str) -> str:
    """The modal block an engine refusal is about."""
    if isinstance(exc, InvalidCard):
        name = exc.field.removeprefix("data.")
        return _BLOCK_OF_LABEL.get(name, name if name in service.FORM_FIELDS else default)
    return default


def _errors(ack: Ack, block: str, message: str) -> None:
    ack(response_action="errors", errors={block: message[:2000]})


#: What a submitter who may no longer direct is told, on the modal's first field.
NOT_DIRECTOR = ("Only workspace admins and members of the director user group can do that; "
                "nothing was changed.")


def _directs(ack: Ack, body: dict[str, Any], client: WebClient, personae: Any, eco_id: int,
             block: str) -> bool:
    if may_direct(personae, client, eco_id, str(body["user"]["id"])):
        return True
    _errors(ack, block, NOT_DIRECTOR)
    return False


def _tell(client: WebClient, channel: str, user: str, text: str) -> None:
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as exc:
        log.info("could not confirm in %s: %s", channel, exc.response.get("error"))


def on_character(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                 context: Any) -> None:
    personae = personae_of(context)
    meta = metadata_of(view)
    fields = {key: str(value_of(view, key) or "") for key in service.FORM_FIELDS}
    avatar = str(value_of(view, "avatar_url") or "").strip() or None
    try:
        avatar = read_url({"avatar_url": avatar}, "avatar_url", "")
    except InvalidCard as exc:
        _errors(ack, "avatar_url", exc.problem)
        return
    eco = personae.ecosystem(str(meta.get("team") or body["team"]["id"]))
    if not _directs(ack, body, client, personae, eco.id, "name"):
        return
    editing = meta.get("name")
    try:
        if editing:
            character = service.edit_character(personae.deps, eco.id, editing, fields)
        else:
            character = service.create_character(personae.deps, eco.id, fields)
    except UserFacingError as exc:
        _errors(ack, field_of(exc, "name"), str(exc))
        return
    ack()
    if avatar != character.persona.avatar_url:
        service.set_avatar(personae.deps, eco.id, character.name, avatar)
    channel, user = str(meta.get("channel") or ""), str(body["user"]["id"])
    if editing:
        _tell(client, channel, user, f"{character.name} was updated.")
        return
    if channel:
        casting.add_to_channel(personae.deps, eco.id, ChannelRef(channel), character.name)
    _tell(client, channel, user, f"{character.name} was created and lives in <#{channel}>. "
                                 f"{service.AI_DISCLOSURE}")


def _card_bytes(client: WebClient, view: dict[str, Any]) -> tuple[bytes, str]:
    """The card's bytes (at most one over the limit, so that a lying size is still caught)
    and the block they came from: the attached file, else the pasted JSON."""
    files = value_of(view, "card_file") or []
    if files:
        file = files[0]
        service.check_card_size(int(file.get("size") or 0))
        url = file.get("url_private_download") or file.get("url_private")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - Slack's URL
            return bytes(response.read(service.MAX_CARD_BYTES + 1)), "card_file"
    return str(value_of(view, "card_json") or "").encode("utf-8"), "card_json"


def on_import(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
              context: Any) -> None:
    personae = personae_of(context)
    meta = metadata_of(view)
    eco = personae.ecosystem(str(meta.get("team") or body["team"]["id"]))
    if not _directs(ack, body, client, personae, eco.id, "card_file"):
        return
    try:
        raw, block = _card_bytes(client, view)
    except InvalidCard as exc:
        _errors(ack, "card_file", f"That file cannot be imported: it {exc.problem}.")
        return
    except (UserFacingError, OSError) as exc:
        _errors(ack, "card_file", f"That file could not be read: {exc}")
        return
    if not raw.strip():
        _errors(ack, block, "That file is empty." if block == "card_file" else
                "Attach a card file or paste its JSON.")
        return
    try:
        character = service.import_card(personae.deps, eco.id, raw)
    except UserFacingError as exc:
        _errors(ack, block, str(exc))
        return
    ack()
    channel = str(meta.get("channel") or "")
    if channel:
        casting.add_to_channel(personae.deps, eco.id, ChannelRef(channel), character.name)
    _tell(client, channel, str(body["user"]["id"]),
          f"{character.name} was imported and lives in <#{channel}>.")


def on_setup(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
             context: Any) -> None:
    personae = personae_of(context)
    meta = metadata_of(view)
    eco = personae.ecosystem(str(meta.get("team") or body["team"]["id"]))
    if not _directs(ack, body, client, personae, eco.id, "cast_channels"):
        return
    channels = [ChannelRef(c) for c in (value_of(view, "cast_channels") or [])]
    handle = str(value_of(view, "director_group") or "").strip()
    group_id = None
    if handle:
        group = find_group(client, handle)
        if group is None:
            _errors(ack, "director_group", f"No user group '{handle}' in this workspace.")
            return
        group_id = group["id"]
    admin = value_of(view, "admin_channel")
    try:
        report = community.configure(personae.deps, eco.id, cast_channels=channels,
                                     director_role_id=group_id,
                                     admin_channel=ChannelRef(str(admin)) if admin else None)
    except UserFacingError as exc:
        _errors(ack, "cast_channels", str(exc))
        return
    ack()
    where = ", ".join(f"<#{c.external_id}>" for c in report.settings.cast_channels)
    _tell(client, str(meta.get("channel") or ""), str(body["user"]["id"]),
          f"Personae is set up: the cast lives in {where}. Next: `/personae character "
          "create` or `import`, then `/personae cast add NAME` in a channel.")


def register(app: App) -> None:
    app.view(CHARACTER_CALLBACK)(on_character)
    app.view(IMPORT_CALLBACK)(on_import)
    app.view(SETUP_CALLBACK)(on_setup)
