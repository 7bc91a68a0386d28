"""The search contract's pure parts: words, the rating order's Bayesian mean, query checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InvalidInput
from engine.marketplace import SearchQuery, bayesian_score, search_words


def test_words_are_lower_case_unique_and_split_on_punctuation() -> None:
    assert search_words("Sci-Fi Vampire", "vampire's COURT") == ["sci", "fi", "vampire", "s",
                                                                 "court"]
    assert search_words("Ève & Zoë") == ["ève", "zoë"]
    assert SearchQuery(text="a&b | c:* !d").words == ["a", "b", "c", "d"]  # no tsquery syntax


def test_one_five_star_rating_does_not_beat_many_good_ones() -> None:
    assert bayesian_score(5, 1) < bayesian_score(480, 100)
    assert bayesian_score(0, 0) == 3.0


@given(st.integers(0, 10_000), st.data())
def test_score_is_a_bounded_mean(count: int, data: st.DataObject) -> None:
    total = data.draw(st.integers(count, 5 * count))
    assert 1.0 <= bayesian_score(total, count) <= 5.0


@pytest.mark.parametrize("kwargs", [{"sort": "loudest"}, {"min_rating": 6}, {"page": 0},
                                    {"per_page": 500}])
def test_bad_queries(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        SearchQuery(**kwargs)  # type: ignore[arg-type]
