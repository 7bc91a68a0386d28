"""``/personae enterprise show|model|model-clear|brand NAME [AVATAR_URL]|brand-clear``: an
Enterprise workspace's own model endpoint and key, and the bot's white label
(``engine.services.enterprise``).

Workspace admins and owners only (the key is theirs to give; the bot's name is the workspace's
face). Where the tier does not include a feature the answer says so and how to lift it, before
anything is asked.

* ``model`` opens a modal (endpoint URL, model name, API key). On submit, the modal turns into
  "Checking…" at once (Slack wants an answer within 3 seconds; the endpoint may take longer),
  the endpoint must answer one tiny completion before anything is saved, and the modal then
  says what happened. The key is stored encrypted and never shown again.
* ``brand NAME [AVATAR_URL]``: Slack cannot rename the bot user per workspace, so the white
  label here is what the bot posts itself — notices (``engine.services.notices``) go out with
  ``username`` = the name and ``icon_url`` = the avatar (``chat:write.customize``) — and the
  App Home's header. A name alone keeps the avatar; a URL alone keeps the name.
* ``brand-clear``: "Personae" and the app's own icon again.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots.slack.commands.base import Invocation, NotAllowed
from bots.slack.commands.stories import escape
from bots.slack.context import SlackContext, personae_of
from bots.slack.views import ACTION, metadata_of, value_of
from engine.errors import InvalidInput, UserFacingError
from engine.services import enterprise as service

__all__ = ["enterprise", "register", "model_modal", "on_model", "MODEL_CALLBACK", "USAGE",
           "parse_brand"]

log = logging.getLogger(__name__)

MODEL_CALLBACK = "personae_enterprise_model"
USAGE = ("Usage (workspace admins): `/personae enterprise show` · `model` · `model-clear` · "
         "`brand NAME [AVATAR_URL]` · `brand-clear`")
_ADMINS_ONLY = ("Only workspace admins and owners can change Personae's Enterprise settings "
                "(its own model, the bot's name). Nothing was changed.")


def _plain(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value}


def _is_admin(personae: SlackContext, client: WebClient, user_id: str) -> bool:
    return personae.directory.member(client, user_id).is_admin


def _unescape(text: str) -> str:
    """Slack's escaping of ``&``, ``<`` and ``>`` in command text undone."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_brand(words: list[str]) -> tuple[str | None, str | None]:
    """``NAME [AVATAR_URL]`` → (name or None, URL or None). Slack sends a typed link as
    ``<https://…>`` (or ``<https://…|label>``); a last word that is a link, or looks like one,
    is the avatar (the engine refuses it if it is not an http(s) URL)."""
    url = None
    if words:
        last = words[-1]
        linked = last.startswith("<") and last.endswith(">")
        if linked:
            last = last[1:-1].split("|", 1)[0]
        if linked or "://" in last or last.lower().startswith(("http:", "https:")):
            url, words = _unescape(last), words[:-1]
    name = _unescape(" ".join(words)).strip() or None
    return name, url


# -- the modal ---------------------------------------------------------------------------------


def _input(block_id: str, label: str, *, max_length: int, optional: bool, hint: str,
           placeholder: str) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _plain(label), "optional": optional,
            "hint": _plain(hint),
            "element": {"type": "plain_text_input", "action_id": ACTION, "multiline": False,
                        "max_length": max_length, "placeholder": _plain(placeholder)}}


def model_modal(team_id: str, channel_id: str) -> dict[str, Any]:
    """The own-model form: endpoint URL, model name, API key (optional)."""
    blocks = [
        _input("endpoint", "Endpoint URL", max_length=500, optional=False,
               hint="An OpenAI-compatible API root. It must answer one tiny request before "
                    "anything is saved.", placeholder="https://llm.example.com/v1"),
        _input("model", "Model name", max_length=200, optional=False,
               hint="Sent with every request.", placeholder="gpt-4o-mini"),
        _input("key", "API key", max_length=1000, optional=True,
               hint="Stored encrypted; never shown again. Empty if the endpoint needs none.",
               placeholder="sk-…"),
    ]
    return {"type": "modal", "callback_id": MODEL_CALLBACK,
            "title": _plain("Your own model"), "submit": _plain("Check and save"),
            "close": _plain("Cancel"), "blocks": blocks,
            "private_metadata": json.dumps({"team": team_id, "channel": channel_id})}


def _message_view(title: str, text: str) -> dict[str, Any]:
    return {"type": "modal", "title": _plain(title[:24]), "close": _plain("Close"),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]}


def on_model(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
             context: Any) -> None:
    personae = personae_of(context)
    meta = metadata_of(view)
    user = str(body["user"]["id"])
    if not _is_admin(personae, client, user):
        ack(response_action="errors", errors={"endpoint": _ADMINS_ONLY})
        return
    endpoint = str(value_of(view, "endpoint") or "").strip()
    model = str(value_of(view, "model") or "").strip()
    key = str(value_of(view, "key") or "").strip() or None
    if not endpoint.lower().startswith(("http://", "https://")) or any(
            c.isspace() for c in endpoint):
        ack(response_action="errors",
            errors={"endpoint": "An http(s) URL, e.g. https://llm.example.com/v1"})
        return
    if not model:
        ack(response_action="errors", errors={"model": "The model's name, e.g. gpt-4o-mini"})
        return
    # The check may take longer than Slack's 3 seconds: say so now, the outcome follows.
    ack(response_action="update", view=_message_view(
        "Your own model", f"Checking that `{model}` answers at {endpoint}…"))
    eco = personae.ecosystem(str(meta.get("team") or body["team"]["id"]))
    try:
        saved = service.set_model(personae.deps, eco.id, endpoint, model, key,
                                  by=f"slack:{user}")
    except UserFacingError as exc:
        outcome = f"*Not saved.* {exc}\nRun `/personae enterprise model` to try again."
        title = "Not saved"
    else:
        outcome = ("*Saved:* the endpoint answered. The characters here now speak through "
                   "it.\n" + "\n".join(saved.lines()))
        title = "Saved"
    try:
        client.views_update(view_id=str(view.get("id") or ""),
                            view=_message_view(title, outcome))
    except SlackApiError as exc:  # the modal was closed meanwhile: tell them in the channel
        log.info("views.update after the model check: %s", exc.response.get("error"))
        try:
            client.chat_postEphemeral(channel=str(meta.get("channel") or ""), user=user,
                                      text=outcome)
        except SlackApiError as again:
            log.info("could not tell %s the outcome: %s", user, again.response.get("error"))


def register(app: App) -> None:
    app.view(MODEL_CALLBACK)(on_model)


# -- the subcommand ----------------------------------------------------------------------------


def enterprise(inv: Invocation) -> None:
    action = inv.args[0].lower() if inv.args else "show"
    if action not in ("show", "model", "model-clear", "brand", "brand-clear"):
        raise InvalidInput(USAGE)
    if not _is_admin(inv.personae, inv.client, inv.user_id):
        raise NotAllowed(_ADMINS_ONLY)
    deps, eco = inv.deps, inv.ecosystem.id
    by = f"slack:{inv.user_id}"
    if action == "show":
        inv.reply("\n".join(service.view(deps, eco).lines()))
    elif action == "model":
        service.require(deps, eco, "model")  # before a key is typed
        inv.open_view(model_modal(inv.team_id, inv.channel_id))
    elif action == "model-clear":
        cleared = service.clear_model(deps, eco, by=by)
        inv.reply("The characters speak through Personae's model again; the key was erased.\n"
                  + "\n".join(cleared.lines()))
    elif action == "brand":
        name, url = parse_brand(inv.args[1:])
        if name is None and url is None:
            raise InvalidInput("Usage: `/personae enterprise brand NAME [AVATAR_URL]`, e.g. "
                               "`/personae enterprise brand Acme Helper "
                               "https://acme.example/bot.png`")
        brand = service.set_brand(deps, eco, name, url, by=by)
        icon = f" and the icon {escape(brand.avatar_url)}" if brand.avatar_url else ""
        inv.reply(f"Personae's notices here now go out as *{escape(brand.name)}*{icon}; the "
                  "App Home shows that name too.")
    else:
        service.clear_brand(deps, eco, by=by)
        inv.reply("Personae's notices here go out as *Personae* again, with the app's icon.")
