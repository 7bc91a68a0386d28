"""The relationship graph PNG: valid images of the requested size for any cast, never a crash."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from matplotlib.image import imread, imsave

from engine.relationships import Relationship
from engine.social.graph_image import NodeInfo, render_graph_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_warnings() -> Iterator[None]:
    """Missing glyphs or a bad layout would surface as warnings: none is expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def rel(a: int, b: int, label: str, **values: Any) -> Relationship:
    return Relationship(source_id=a, target_id=b, ecosystem_id=1, label=label, **values)


def decode(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_SIGNATURE)
    return np.asarray(imread(io.BytesIO(png), format="png"))


def avatar_png(colour: tuple[float, float, float], shape: tuple[int, int] = (40, 60)) -> bytes:
    out = io.BytesIO()
    imsave(out, np.ones((*shape, 3)) * np.array(colour), format="png")
    return out.getvalue()


CAST = [
    NodeInfo(1, "Ada Vale", avatar_png((0.9, 0.2, 0.2)), "😊"),
    NodeInfo(2, "愛子", None, "💕"),
    NodeInfo(3, "Bram 🐉 Reed", None, "😠"),
    NodeInfo(4, "Zoë Ünal", b"not a png at all", "🤖"),
]
TIES = [
    rel(1, 2, "close friend", affinity=0.7, trust=0.5, familiarity=0.8),
    rel(2, 1, "crush", affinity=0.5, romance=0.6, familiarity=0.6),
    rel(1, 3, "enemy", affinity=-0.8),
    rel(3, 1, "rival", rivalry=0.7),
    rel(3, 4, "estranged", affinity=0.1, familiarity=0.5),
    rel(4, 2, "acquaintance", familiarity=0.3),
    rel(2, 4, "stranger"),
]


@pytest.mark.parametrize("count", [0, 1, 2])
def test_tiny_casts_render_to_the_requested_size(count: int) -> None:
    nodes = CAST[:count]
    ties = [t for t in TIES if t.source_id <= count and t.target_id <= count]
    image = decode(render_graph_png(ties, nodes, title="Tiny", size_px=320))
    assert image.shape[:2] == (320, 320)


def test_a_full_cast_with_communities_emoji_and_cjk() -> None:
    png = render_graph_png(TIES, CAST, communities=[frozenset({1, 2}), {3, 4}],
                           title="Ties 🎭 关系", size_px=640)
    image = decode(png)
    assert image.shape[:2] == (640, 640)
    assert image[..., :3].std() > 0.05  # something was drawn


def test_nodes_without_edges_and_unknown_ids() -> None:
    assert decode(render_graph_png([], CAST, size_px=200)).shape[:2] == (200, 200)
    ties = [rel(1, 99, "friend", affinity=0.4, familiarity=0.5)]  # 99 is not in the cast
    assert decode(render_graph_png(ties, CAST[:1], size_px=200)).shape[:2] == (200, 200)


def test_rendering_is_deterministic() -> None:
    first = render_graph_png(TIES, CAST, communities=[{1, 2}], size_px=300)
    assert render_graph_png(list(reversed(TIES)), CAST, communities=[{1, 2}], size_px=300) == (
        first
    )


def test_many_ties_and_labels_stay_fast_enough_to_render() -> None:
    rng = np.random.default_rng(0)
    nodes = [NodeInfo(i, f"Character {i}") for i in range(30)]
    ties = [rel(int(a), int(b), "friend", affinity=0.4, familiarity=float(f))
            for a, b, f in zip(rng.integers(0, 30, 150), rng.integers(0, 30, 150),
                               rng.random(150), strict=True) if a != b]
    assert decode(render_graph_png(ties, nodes, size_px=500)).shape[:2] == (500, 500)


def test_a_nonsense_size_is_clamped() -> None:
    assert decode(render_graph_png(TIES, CAST, size_px=10)).shape[:2] == (64, 64)
