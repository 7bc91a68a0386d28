"""Emergent stories: seeds recognised in acts, threads with an arc, tension and a timeline,
and their export as readable stories. See :mod:`engine.stories.model` for the shared values."""

from engine.stories.model import (
    DEFAULT_GENRE,
    OPEN_STAGES,
    Genre,
    KeyEvent,
    Prediction,
    SeedType,
    Stage,
    StorySeed,
    StoryThread,
)

__all__ = [
    "DEFAULT_GENRE", "OPEN_STAGES", "Genre", "KeyEvent", "Prediction", "SeedType", "Stage",
    "StorySeed", "StoryThread",
]
