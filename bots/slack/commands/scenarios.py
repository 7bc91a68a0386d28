"""``/personae scenario …``: the scenario director in Slack (``engine.services.scenarios``).

Everyone may ``list`` the scenarios and see one's ``status`` (hidden objectives only once
complete); directors create one (a modal), start, pause, resume and stop it, direct a scene
("a storm breaks"), and share or install templates by code. Without an id, a command means the
scenario of this channel (the running one first).

The creation modal takes the title, setting, mood, the cast (one per line, ``Name: role |
goal; goal``; empty: whoever lives in the channel) and the objectives, one per line::

    primary: The truth comes out | act Lydia confide Elizabeth
    subplot: Bingley comforts Jane | act Bingley help Jane
    hidden: Elizabeth learns the secret | objective o1 and goal Elizabeth achieved "locket"

(no prefix: primary; the part after ``|`` is the condition, ``engine.scenarios.conditions``,
and a line without ``|`` is a condition that is its own text; ``o1``, ``o2``… are the lines'
ids; the same form as Discord's). A refused field comes back as that field's error.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots.slack.commands.base import Invocation
from bots.slack.commands.stories import FORMATS, escape, upload_story
from bots.slack.context import SlackContext, personae_of
from bots.slack.permissions import may_direct
from bots.slack.views import ACTION, SLACK_INPUT_MAX, metadata_of, value_of
from engine.errors import InvalidInput, NotFound, UserFacingError
from engine.scenarios.form import objectives_from_lines
from engine.scenarios.model import Scenario, ScenarioStatus, visible_objectives
from engine.services import casting
from engine.services import scenarios as service
from engine.services.deps import Deps
from engine.services.scenario_export import scenario_story

__all__ = ["scenario", "register", "on_create", "scenario_modal", "definition_from_form",
           "SCENARIO_CALLBACK", "USAGE", "status_text"]

log = logging.getLogger(__name__)

SCENARIO_CALLBACK = "personae_scenario"
USAGE = ("Usage: `/personae scenario list` · `status [ID]` · `export [ID] [md|html]` — and "
         "for directors: `create` · "
         "`start|pause|resume|stop [ID]` (`start garden-conspiracy`: a bundled one) · "
         "`direct [ID] TEXT` · `templates` · `share [ID]` · "
         "`install CODE`")
_MARK = {True: "✅", False: "⬜"}


# -- the modal ---------------------------------------------------------------------------------
def _plain(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value}


def _input(block_id: str, label: str, *, multiline: bool, optional: bool, hint: str,
           max_length: int = SLACK_INPUT_MAX, placeholder: str | None = None
           ) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ACTION,
                               "multiline": multiline, "max_length": max_length}
    if placeholder:
        element["placeholder"] = _plain(placeholder[:150])
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element,
            "optional": optional, "hint": _plain(hint)}


def scenario_modal(team_id: str, channel_id: str) -> dict[str, Any]:
    """A new scenario: title, setting, mood, cast, objectives (one per line)."""
    blocks = [
        _input("title", "Title", multiline=False, optional=False, max_length=150,
               hint="What the story is called.", placeholder="The Garden Conspiracy"),
        _input("setting", "Setting", multiline=True, optional=True,
               hint="Where and when; what just happened. Narrated when it starts."),
        _input("mood", "Mood", multiline=False, optional=True, max_length=300,
               hint="A few words: hushed, suspicious…"),
        _input("cast", "Cast", multiline=True, optional=True,
               hint="One per line: Name: role | goal; goal. Empty: everyone living in "
                    "this channel."),
        _input("objectives", "Objectives", multiline=True, optional=False,
               hint="One per line: primary|subplot|hidden: TEXT | CONDITION, e.g. "
                    "'hidden: The secret is out | act Lydia confide Elizabeth'. Hidden ones "
                    "only directors see. Lines are o1, o2…: 'objective o1' refers to one.",
               placeholder="primary: The truth comes out | act Lydia confide Elizabeth"),
    ]
    return {"type": "modal", "callback_id": SCENARIO_CALLBACK, "title": _plain("New scenario"),
            "submit": _plain("Create"), "close": _plain("Cancel"), "blocks": blocks,
            "private_metadata": json.dumps({"team": team_id, "channel": channel_id})}


def _objectives(text: str) -> tuple[list[dict[str, str]], str | None]:
    """Objective definitions from the lines (``engine.scenarios.form``), or the problem."""
    try:
        found = objectives_from_lines(text)
    except InvalidInput as exc:
        return [], str(exc)
    if not found:
        return [], "At least one objective: the scenario is complete when they are."
    return found, None


def _cast(text: str) -> list[dict[str, Any]]:
    cast = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        who, _, goals = line.partition("|")
        name, _, role = who.partition(":")
        cast.append({"name": name.strip(), "role": role.strip(),
                     "goals": [g.strip() for g in goals.split(";") if g.strip()]})
    return cast


def definition_from_form(fields: dict[str, str], channel_cast: list[str]
                         ) -> tuple[dict[str, Any], dict[str, str]]:
    """A scenario definition from the modal's fields, and the fields' errors (block → text)."""
    errors: dict[str, str] = {}
    title = fields.get("title", "").strip()
    if not title:
        errors["title"] = "A scenario needs a title."
    objectives, problem = _objectives(fields.get("objectives", ""))
    if problem:
        errors["objectives"] = problem
    cast = _cast(fields.get("cast", "")) or [{"name": n} for n in channel_cast]
    if not cast:
        errors["cast"] = ("Nobody lives in this channel: name the cast, or `/personae cast add "
                          "NAME` first.")
    elif any(not c["name"] for c in cast):
        errors["cast"] = "Every cast line starts with a character's name."
    definition = {"title": title, "setting": fields.get("setting", "").strip(),
                  "mood": fields.get("mood", "").strip(), "cast": cast,
                  "objectives": objectives}
    return definition, errors


def _engine_channel(deps: Deps, ecosystem_id: int, external_id: str) -> int | None:
    with deps.uow() as uow:
        found = uow.spaces.find_channel(ecosystem_id, external_id)
    return found.id if found is not None else None


def on_create(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
              context: Any) -> None:
    personae = personae_of(context)
    meta = metadata_of(view)
    user = str(body["user"]["id"])
    eco = personae.ecosystem(str(meta.get("team") or body["team"]["id"]))
    channel = str(meta.get("channel") or "")
    if not may_direct(personae, client, eco.id, user):
        ack(response_action="errors", errors={"title": "Only directors create scenarios."})
        return
    fields = {key: str(value_of(view, key) or "") for key in
              ("title", "setting", "mood", "cast", "objectives")}
    names = [m.name for m in casting.cast_of_channel(personae.deps, eco.id, channel)]
    definition, errors = definition_from_form(fields, names)
    if errors:
        ack(response_action="errors", errors={k: v[:2000] for k, v in errors.items()})
        return
    try:
        created = service.create(personae.deps, eco.id, definition,
                                 channel_id=_engine_channel(personae.deps, eco.id, channel))
    except UserFacingError as exc:
        block = "cast" if "character" in str(exc).lower() or "cast" in str(exc).lower() \
            else "title"
        ack(response_action="errors", errors={block: str(exc)[:2000]})
        return
    ack()
    _tell(client, channel, user, f"Scenario #{created.id} “{created.title}” is ready (a "
                                 f"draft): `/personae scenario start {created.id}`.")


def _tell(client: WebClient, channel: str, user: str, text: str) -> None:
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as exc:
        log.info("could not confirm in %s: %s", channel, exc.response.get("error"))


def register(app: App) -> None:
    app.view(SCENARIO_CALLBACK)(on_create)


# -- the subcommands ---------------------------------------------------------------------------
def _is_director(inv: Invocation) -> bool:
    personae: SlackContext = inv.personae
    return may_direct(personae, inv.client, inv.ecosystem.id, inv.user_id)


def _here(inv: Invocation) -> Scenario:
    """This channel's scenario: the running one, else paused, else the newest."""
    eco = inv.ecosystem.id
    channel = _engine_channel(inv.deps, eco, inv.channel_id)
    here = [s for s in service.list_scenarios(inv.deps, eco) if s.channel_id == channel]
    for status in (ScenarioStatus.RUNNING, ScenarioStatus.PAUSED):
        live = [s for s in here if s.status is status]
        if live:
            return live[-1]
    if not here:
        raise NotFound("No scenario in this channel yet. `/personae scenario list` shows the "
                       "workspace's; directors `/personae scenario create` one.")
    return here[-1]


def _pick(inv: Invocation, ref: list[str]) -> Scenario:
    return service.find(inv.deps, inv.ecosystem.id, " ".join(ref)) if ref else _here(inv)


def _startable(inv: Invocation, ref: list[str]) -> Scenario:
    """The scenario to start: by id, slug or title; a bundled one by its slug is created in
    this channel first (``garden-conspiracy``)."""
    try:
        return _pick(inv, ref)
    except NotFound:
        slug = " ".join(ref).strip().lower()
        if slug not in service.bundled_scenarios():
            raise
    eco = inv.ecosystem.id
    return service.create(inv.deps, eco, slug,
                          channel_id=_engine_channel(inv.deps, eco, inv.channel_id))


def status_text(s: Scenario, director: bool) -> str:
    lines = [f"*{escape(s.title)}* — {s.status.value} (#{s.id})"]
    if s.setting:
        lines.append(f"*Setting:* {escape(s.setting)}")
    if s.mood:
        lines.append(f"*Mood:* {escape(s.mood)}")
    if s.cast:
        lines.append("*Cast:* " + "; ".join(
            escape(c.name + (f" — {c.role}" if c.role else "")) for c in s.cast))
    shown = visible_objectives(s, director)
    if shown:
        lines.append("*Objectives*")
        lines += [f"{_MARK[o.done]} {o.kind.value}: {escape(o.text)}" for o in shown]
    return "\n".join(lines)


def scenario(inv: Invocation) -> None:
    action = inv.args[0].lower() if inv.args else "status"
    rest = inv.args[1:]
    eco = inv.ecosystem.id
    if action == "list":
        found = service.list_scenarios(inv.deps, eco)
        inv.reply("\n".join(f"`#{s.id}` *{escape(s.title)}* — {s.status.value}" for s in found)
                  or "No scenarios yet (directors: `/personae scenario create`).")
    elif action in ("status", "show"):
        inv.reply(status_text(_pick(inv, rest), _is_director(inv)))
    elif action == "create" and not rest:
        inv.require_director()
        inv.open_view(scenario_modal(inv.team_id, inv.channel_id))
    elif action == "start":
        inv.require_director()
        _lifecycle(inv, action, _startable(inv, rest))
    elif action in ("pause", "resume", "stop"):
        inv.require_director()
        _lifecycle(inv, action, _pick(inv, rest))
    elif action == "direct" and rest:
        inv.require_director()
        _direct(inv, rest)
    elif action == "templates" and not rest:
        inv.require_director()
        shared = service.templates(inv.deps, eco)
        inv.reply("\n".join(f"`{code}` {escape(title)}" for code, title in shared)
                  or "No templates yet: `/personae scenario share ID` saves one.")
    elif action == "share":
        inv.require_director()
        chosen = _pick(inv, rest)
        code = service.share(inv.deps, chosen.id or 0)
        inv.reply(f"“{chosen.title}” is saved as a template. Its code: `{code}` — "
                  f"`/personae scenario install {code}` in any community.")
    elif action == "export":
        fmt = rest[-1].lower() if rest and rest[-1].lower() in FORMATS else None
        chosen = _pick(inv, rest[:-1] if fmt else rest)
        # Hidden objectives are written into the story for directors only.
        built = scenario_story(inv.deps, chosen.id or 0, include_hidden=_is_director(inv))
        upload_story(inv, built, (fmt,) if fmt else FORMATS, "the whole scenario as a story")
    elif action == "install" and len(rest) == 1:
        inv.require_director()
        made = service.install(inv.deps, eco, rest[0],
                               channel_id=_engine_channel(inv.deps, eco, inv.channel_id))
        inv.reply(f"Installed scenario #{made.id} “{made.title}” (a draft): "
                  f"`/personae scenario start {made.id}`.")
    else:
        raise InvalidInput(USAGE)


def _lifecycle(inv: Invocation, action: str, chosen: Scenario) -> None:
    changed = getattr(service, action)(inv.deps, chosen.id or 0)
    if action == "start":
        opening = " ".join(p for p in (changed.setting, changed.mood and f"({changed.mood})")
                           if p)
        inv.reply(f"*{escape(changed.title)}* begins." + (f"\n_{escape(opening)}_"
                                                          if opening else ""), public=True)
    else:
        inv.reply(f"*{escape(changed.title)}* is {changed.status.value}.", public=True)


def _direct(inv: Invocation, words: list[str]) -> None:
    chosen: Scenario | None = None
    text = " ".join(words)
    if len(words) > 1:
        try:
            chosen = service.find(inv.deps, inv.ecosystem.id, words[0])
            text = " ".join(words[1:])
        except NotFound:
            chosen = None
    if chosen is None:
        chosen = _here(inv)
    result = service.direct(inv.deps, chosen.id or 0, text)
    inv.reply(f"✦ _{escape(text.strip())}_", public=True)
    lines = [f"Witnessed by {', '.join(result.witnesses) or 'nobody'}."]
    lines += [f"{_MARK[True]} Objective complete ({o.kind.value}): {escape(o.text)}"
              for o in result.completed]
    inv.reply("\n".join(lines))
