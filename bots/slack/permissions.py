"""Who may direct in a workspace: what Slack says about the member (admin or owner; their user
groups), judged by the engine's rule (``engine.services.community.may_direct``)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots.slack.context import SlackContext
from engine.services import community

__all__ = ["may_direct", "user_groups", "find_group"]

log = logging.getLogger(__name__)


def user_groups(client: WebClient, user_id: str) -> list[dict[str, str]]:
    """The user groups (id, handle) the member belongs to (``usergroups:read``)."""
    try:
        groups = client.usergroups_list(include_users=True)["usergroups"]
    except SlackApiError as exc:
        log.info("usergroups.list: %s", exc.response.get("error"))
        return []
    return [{"id": g["id"], "handle": g.get("handle", "")} for g in groups
            if user_id in (g.get("users") or [])]


def find_group(client: WebClient, handle: str) -> dict[str, str] | None:
    """A user group by handle (with or without ``@``) or id."""
    wanted = handle.strip().lstrip("@").casefold()
    try:
        groups = client.usergroups_list()["usergroups"]
    except SlackApiError as exc:
        log.info("usergroups.list: %s", exc.response.get("error"))
        return None
    for group in groups:
        if wanted in (str(group.get("handle", "")).casefold(), str(group["id"]).casefold()):
            return {"id": group["id"], "handle": group.get("handle", "")}
    return None


def may_direct(personae: SlackContext, client: WebClient, ecosystem_id: int,
               user_id: str) -> bool:
    member = personae.directory.member(client, user_id)
    if member.is_admin:
        return True
    settings = community.community_settings(personae.deps, ecosystem_id)
    groups = user_groups(client, user_id)
    return community.may_direct(
        is_admin=False,
        role_ids=[g["id"] for g in groups],
        role_names=[g["handle"] for g in groups],
        director_role_id=settings.director_role_id,
        default_role_name=personae.deps.settings.slack_director_group,
    )
