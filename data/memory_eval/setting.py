"""Where the labelled set's conversations happen: the owners (characters whose memories are
evaluated), who speaks in the Regency register, and the four channels with their members,
sessions, dates and topics."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OWNERS", "REGENCY", "Channel", "CHANNELS"]

OWNERS = {"elizabeth": "Elizabeth", "darcy": "Darcy", "mira": "Mira"}

# Regency characters speak in the period register; everyone else is modern.
REGENCY = {"Elizabeth", "Jane", "Charlotte", "Darcy", "Bingley", "Georgiana"}



@dataclass
class Channel:
    name: str
    members: list[str]
    owners: list[str]
    sessions: int
    start: str
    end: str
    topics: list[str]
    days: list[str] | None = None  # fixed session dates instead of an even spread


CHANNELS = [
    Channel(
        "lounge",
        ["Elizabeth", "Jane", "Charlotte", "Tom", "Priya"],
        ["elizabeth"],
        22,
        "2025-09-04",
        "2026-03-12",
        ["weather", "food", "tv", "town", "home", "visits", "letters", "dinner"],
    ),
    Channel(
        "assembly",
        ["Elizabeth", "Darcy", "Jane", "Bingley"],
        ["elizabeth", "darcy"],
        8,
        "2025-09-13",
        "2026-03-07",
        ["weather", "visits", "letters", "dinner", "society"],
        ["2025-09-13", "2025-10-08", "2025-10-30", "2025-11-28", "2025-12-21", "2026-01-16",
         "2026-02-09", "2026-03-07"],
    ),
    Channel(
        "library",
        ["Darcy", "Bingley", "Georgiana", "Hannah", "Marcus"],
        ["darcy"],
        22,
        "2025-09-06",
        "2026-03-13",
        ["weather", "food", "tv", "tech", "town", "letters", "society", "dinner"],
    ),
    Channel(
        "studio",
        ["Mira", "Kofi", "Lena", "Sam", "Ines", "Pip"],
        ["mira"],
        28,
        "2025-09-02",
        "2026-03-14",
        ["weather", "food", "tv", "tech", "town", "home", "sky", "making"],
    ),
]
