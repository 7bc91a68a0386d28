"""Block Kit modals: create or edit a character, import a card, set the community up.

Each modal's ``private_metadata`` carries what its submission needs (workspace, channel, the
character being edited) as JSON; ``bots.slack.modals`` reads it back.
"""

from __future__ import annotations

import json
from typing import Any

from engine.card_validation import MAX_NAME_CHARS
from engine.personas import Character
from engine.services.characters import FIELD_LABELS, FORM_FIELDS
from engine.services.community import CommunitySettings

__all__ = [
    "CHARACTER_CALLBACK",
    "IMPORT_CALLBACK",
    "SETUP_CALLBACK",
    "SLACK_INPUT_MAX",
    "character_modal",
    "import_modal",
    "setup_modal",
    "metadata_of",
    "value_of",
]

CHARACTER_CALLBACK = "personae_character"
IMPORT_CALLBACK = "personae_import"
SETUP_CALLBACK = "personae_setup"
#: Slack's own cap on a plain-text input (and on an initial value).
SLACK_INPUT_MAX = 3000
ACTION = "value"

_HINTS = {
    "description": "Who they are: appearance, history, situation.",
    "personality": "A few words: witty, proud, kind…",
    "first_mes": "How they greet the channel.",
    "scenario": "Where and when they live.",
}


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value}


def _input(block_id: str, label: str, *, multiline: bool, optional: bool,
           max_length: int = SLACK_INPUT_MAX, initial: str | None = None,
           hint: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ACTION,
                               "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": _text(label),
                             "element": element, "optional": optional}
    if hint:
        block["hint"] = _text(hint)
    return block


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]],
           metadata: dict[str, Any]) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback_id, "title": _text(title[:24]),
            "submit": _text(submit), "close": _text("Cancel"), "blocks": blocks,
            "private_metadata": json.dumps(metadata)}


def character_modal(team_id: str, channel_id: str,
                    current: Character | None = None) -> dict[str, Any]:
    """Create (``current`` None) or edit a character: its card's form fields and avatar."""
    blocks = []
    for key in FORM_FIELDS:
        blocks.append(_input(
            key, FIELD_LABELS[key], multiline=key != "name", optional=key != "name",
            max_length=MAX_NAME_CHARS if key == "name" else SLACK_INPUT_MAX,
            initial=str(getattr(current, key, "") or "") if current else None,
            hint=_HINTS.get(key)))
    blocks.append(_input("avatar_url", "Avatar image URL", multiline=False, optional=True,
                         initial=current.persona.avatar_url if current else None,
                         hint="An https:// image: the character's icon on its posts."))
    metadata = {"team": team_id, "channel": channel_id,
                "name": current.name if current else None}
    if current is None:
        return _modal(CHARACTER_CALLBACK, "New character", "Create", blocks, metadata)
    return _modal(CHARACTER_CALLBACK, "Edit character", "Save", blocks, metadata)


def import_modal(team_id: str, channel_id: str) -> dict[str, Any]:
    """Import a Character Card (V1/V2/V3 JSON): a file, or pasted."""
    blocks = [
        {"type": "input", "block_id": "card_file", "optional": True,
         "label": _text("Card file (.json)"),
         "element": {"type": "file_input", "action_id": ACTION, "filetypes": ["json"],
                     "max_files": 1}},
        _input("card_json", "…or paste the card's JSON", multiline=True, optional=True),
    ]
    return _modal(IMPORT_CALLBACK, "Import a character", "Import", blocks,
                  {"team": team_id, "channel": channel_id})


def setup_modal(team_id: str, channel_id: str, current: CommunitySettings,
                default_group: str) -> dict[str, Any]:
    """Cast channels, the director user group, and the channel for delivery problems."""
    cast = [c.external_id for c in current.cast_channels] or [channel_id]
    channels: dict[str, Any] = {"type": "multi_conversations_select", "action_id": ACTION,
                                "initial_conversations": cast[:100],
                                "filter": {"include": ["public", "private"],
                                           "exclude_bot_users": True}}
    admin: dict[str, Any] = {"type": "conversations_select", "action_id": ACTION,
                             "filter": {"include": ["public", "private"],
                                        "exclude_bot_users": True}}
    if current.admin_channel_id:
        admin["initial_conversation"] = current.admin_channel_id
    blocks = [
        {"type": "input", "block_id": "cast_channels", "label": _text("Cast channels"),
         "element": channels,
         "hint": _text("Where the characters live and talk (invite the app there).")},
        _input("director_group", "Director user group", multiline=False, optional=True,
               max_length=80, initial=current.director_role_id or None,
               hint=f"Handle of the user group whose members direct, besides admins "
                    f"(empty: @{default_group})."),
        {"type": "input", "block_id": "admin_channel", "optional": True,
         "label": _text("Admin channel"), "element": admin,
         "hint": _text("Where Personae reports problems (e.g. removed from a channel).")},
    ]
    return _modal(SETUP_CALLBACK, "Personae setup", "Save", blocks,
                  {"team": team_id, "channel": channel_id})


def metadata_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def value_of(view: dict[str, Any], block_id: str) -> Any:
    """The submitted value of one input (text, selected conversation(s) or files)."""
    state = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    element = state.get(ACTION) or {}
    for key in ("value", "selected_conversation", "selected_conversations", "files"):
        if key in element:
            return element[key]
    return None
