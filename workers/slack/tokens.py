"""Which bot token posts to a workspace: the configured one, or its OAuth installation's."""

from __future__ import annotations

from collections.abc import Callable

from engine.adapters.sql.uow import UnitOfWorkFactory

__all__ = ["token_resolver"]


def token_resolver(static_token: str | None, uow: UnitOfWorkFactory,
                   installed: Callable[[str], str | None] | None = None
                   ) -> Callable[[int], str]:
    """``ecosystem id → bot token``: the workspace's installation (OAuth, HTTP mode) when
    ``installed`` knows it, else ``static_token`` (a single-workspace app), else ``""``."""

    def token_for(ecosystem_id: int) -> str:
        if installed is not None:
            with uow() as u:
                ecosystem = u.spaces.get_ecosystem(ecosystem_id)
            if ecosystem is not None:
                token = installed(ecosystem.external_id)
                if token:
                    return token
        return static_token or ""

    return token_for
