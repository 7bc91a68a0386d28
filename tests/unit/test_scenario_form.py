"""Objectives typed one per line, as every front door's scenario form takes them."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInput
from engine.scenarios.form import objectives_from_lines


def test_lines_become_objectives_with_kinds_texts_and_ids() -> None:
    found = objectives_from_lines(
        "Lydia tells the truth | act Lydia confide Elizabeth\n\n"
        "- subplot: Bingley comforts Jane | act Bingley help Jane\n"
        "secret: objective o1 and goal Elizabeth achieved \"locket\"\n")
    assert [(o["id"], o["kind"]) for o in found] == [
        ("o1", "primary"), ("o2", "subplot"), ("o3", "hidden")]
    assert found[0]["text"] == "Lydia tells the truth"
    assert found[2]["text"] == found[2]["condition"]  # a condition alone is its own text


def test_a_bad_condition_names_its_line_and_hints_at_the_bar() -> None:
    with pytest.raises(InvalidInput, match=r"Objective line 2: .*after '\|'"):
        objectives_from_lines("act Lydia confide Elizabeth\nLydia tells the truth")


def test_a_reference_to_a_missing_objective_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no objective 'o7'"):
        objectives_from_lines("act Lydia confide Elizabeth\nhidden: objective o7")


def test_no_lines_no_objectives() -> None:
    assert objectives_from_lines("  \n") == []
