"""Marketplace search: the query, the words it matches, and the rating order.

The contract, the same on every backend: each word of the text query must begin a word of
the listing's name, description or tags (``"vamp"`` finds "Vampire Court"); a tag filter
matches a tag exactly (case-insensitive); a genre filter matches the genre; ``min_rating``
keeps listings whose mean stars reach it. Orders: ``rating`` (Bayesian mean, so one 5-star
rating does not beat a hundred 4.8s), ``popular`` (installs), ``new``; ties by newest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import InvalidInput

__all__ = ["SORTS", "SearchQuery", "search_words", "bayesian_score", "PRIOR_MEAN",
           "PRIOR_WEIGHT", "MAX_QUERY_WORDS"]

SORTS = ("rating", "popular", "new")
#: The Bayesian mean's prior: as if every listing had ``PRIOR_WEIGHT`` ratings of
#: ``PRIOR_MEAN`` stars before its own.
PRIOR_MEAN = 3.0
PRIOR_WEIGHT = 3
MAX_QUERY_WORDS = 8
MAX_PER_PAGE = 50
_WORDS = re.compile(r"[^\W_]+")


def search_words(*texts: str) -> list[str]:
    """Lower-case words of the texts, in order, without repeats (what search matches)."""
    out: dict[str, None] = {}
    for text in texts:
        for word in _WORDS.findall(text.lower()):
            out.setdefault(word[:40])
    return list(out)


def bayesian_score(rating_sum: int, rating_count: int) -> float:
    return (PRIOR_MEAN * PRIOR_WEIGHT + rating_sum) / (PRIOR_WEIGHT + rating_count)


@dataclass(frozen=True)
class SearchQuery:
    """One page of a marketplace search (every filter optional)."""

    text: str = ""
    tag: str = ""
    genre: str = ""
    kind: str = ""
    min_rating: float = 0.0
    sort: str = "rating"
    page: int = 1
    per_page: int = 10

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise InvalidInput(f"Sort by one of {', '.join(SORTS)}, not {self.sort!r}.")
        if not 0 <= self.min_rating <= 5:
            raise InvalidInput("The minimum rating is between 0 and 5 stars.")
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidInput(f"Pages start at 1 and hold 1 to {MAX_PER_PAGE} listings.")

    @property
    def words(self) -> list[str]:
        return search_words(self.text)[:MAX_QUERY_WORDS]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page
