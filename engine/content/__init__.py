"""Content that ships with Personae: ready-made casts of Character Card V2 files.

A cast is a directory ``casts/<name>/`` of ``*.json`` cards that share one setting, so they can
be imported together (``[load_card_file(p) for p in bundled_cast()]``) for a demo or a new
community.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import NotFound

__all__ = ["BUNDLED_CASTS", "bundled_cast"]

_CASTS_DIR = Path(__file__).resolve().parent / "casts"

#: Names of the casts shipped with the package, sorted.
BUNDLED_CASTS: tuple[str, ...] = tuple(
    sorted(
        d.name
        for d in _CASTS_DIR.iterdir()
        if d.is_dir() and not d.name.startswith(("_", ".")) and any(d.glob("*.json"))
    )
)


def bundled_cast(name: str = "pride_and_prejudice") -> list[Path]:
    """The card files of a bundled cast.

    Args:
        name: One of ``BUNDLED_CASTS``.

    Returns:
        The paths of the cast's ``.json`` cards, sorted by file name.

    Raises:
        NotFound: No bundled cast has that name.
    """
    if name not in BUNDLED_CASTS:
        available = ", ".join(BUNDLED_CASTS) or "none"
        raise NotFound(f"There is no bundled cast named {name!r}. Available: {available}.")
    return sorted((_CASTS_DIR / name).glob("*.json"))
