"""How the command line reports errors: one clear line and a non-zero exit, never a trace."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import NoReturn

import typer

from engine.errors import ServiceUnavailable, UserFacingError

__all__ = ["fail", "friendly_errors", "EXIT_USAGE", "EXIT_UNAVAILABLE"]

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    try:
        yield
    except ServiceUnavailable as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    except UserFacingError as exc:
        fail(str(exc))
