"""The relationship graph as a PNG: characters as avatar circles, ties as coloured arcs.

matplotlib's object API (``Figure`` + ``FigureCanvasAgg``): no pyplot, no global state, safe in
worker threads; the layout is deterministic. Text keeps only glyphs the installed fonts have
(DejaVu Sans plus any CJK or emoji font found), so nothing renders as boxes; a name with nothing
drawable becomes ``#id``. Strangers are not drawn; the strongest ties with room get a label.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence, Set
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import networkx as nx
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.image import imread
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Polygon
from scipy.sparse import csgraph
from scipy.spatial import ConvexHull, QhullError

from engine.relationships import Relationship
from engine.social.network import negative_kind, tie_strength

__all__ = ["NodeInfo", "render_graph_png", "EDGE_STYLES", "MAX_EDGE_LABELS"]

logger = logging.getLogger(__name__)

#: label -> (colour, line style, the value shown beside the label).
EDGE_STYLES: dict[str, tuple[str, Literal["-", "--"], str]] = {
    "partner": ("#d81b60", "-", "romance"), "crush": ("#f48fb1", "-", "romance"),
    "close friend": ("#2e7d32", "-", "affinity"), "friend": ("#66bb6a", "-", "affinity"),
    "rival": ("#fb8c00", "-", "rivalry"), "enemy": ("#8b0000", "-", "affinity"),
    "estranged": ("#8d8d8d", "--", "affinity"), "acquaintance": ("#c8c8c8", "-", "familiarity"),
}
#: At most this many ties carry a text label ("friend 0.6"): the strongest that have room.
MAX_EDGE_LABELS = 40
_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759", "#76b7b2", "#edc948",
            "#9c755f", "#ff9da7", "#bab0ac")
_EXTRA_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans JP", "Noto Sans SC",
                "WenQuanYi Zen Hei", "Droid Sans Fallback", "Noto Emoji", "Symbola")
_SUBSTITUTES = {"💕": "♥", "💖": "♥", "💗": "♥", "🥰": "☺", "🙂": "☺"}
_BACKGROUND, _INK, _LONE = "#fbfaf6", "#2b2b2b", "#9a9a9a"
_KAMADA_KAWAI_MAX = 150
_T = np.linspace(0.0, 1.0, 14)
_BERNSTEIN = np.stack([(1 - _T) ** 2, 2 * (1 - _T) * _T, _T**2], axis=1)  # quadratic Bezier


@dataclass(frozen=True)
class NodeInfo:
    """A character to draw: its id, display name, optional PNG avatar and mood emoji."""

    id: int
    name: str
    avatar_png: bytes | None = None
    mood_emoji: str = ""


def render_graph_png(
    rels: Sequence[Relationship],
    nodes: Sequence[NodeInfo],
    *,
    communities: Sequence[Set[int]] | None = None,
    title: str = "",
    size_px: int = 1200,
) -> bytes:
    """Draw the relationship graph and return the PNG bytes of a ``size_px`` square.

    Args:
        rels: Directed views (``source`` about ``target``); both directions of a pair are drawn
            as two arcs. Ties to ids missing from ``nodes`` bring their own plain node.
        nodes: The characters, drawn as circles with their avatar (clipped) or initials.
        communities: Groups to shade as soft hulls and colour (e.g. ``Analytics.communities``).
        title: Shown at the top.
        size_px: Width and height of the image in pixels (at least 64).
    """
    size_px, info = max(64, int(size_px)), {n.id: n for n in nodes}
    info.update({i: NodeInfo(i, f"#{i}") for r in rels for i in (r.source_id, r.target_id)
                 if i not in info})
    ids = sorted(info)
    groups = {m: k for k, group in enumerate(communities or ()) for m in group if len(group) > 1}
    drawn = sorted((r for r in rels if r.label != "stranger" and r.source_id != r.target_id),
                   key=_strength)  # the strongest are drawn last, on top
    radius = _radius(len(ids))
    grow, lim = min(1.5, max(1.0, radius / 0.057)), 1 + 2 * radius  # small casts: larger text
    pos = _layout(ids, drawn, groups, 3.3 * radius * grow)
    fig, scale = Figure(figsize=(size_px / 100,) * 2, facecolor=_BACKGROUND), size_px / 1200
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.03, 0.07, 0.94, 0.86), xlim=(-lim, lim), ylim=(-lim - 0.04, lim),
                      aspect="equal")
    ax.set_axis_off()
    text = {"family": _fonts()[0], "color": _INK}
    for k, group in enumerate(communities or ()):
        _hull(ax, [pos[m] for m in group if m in pos], radius, _PALETTE[k % len(_PALETTE)], scale)
    _edges(ax, drawn, pos, radius, scale * grow, grow, text)
    for node_id in ids:
        g = groups.get(node_id)
        colour = _PALETTE[g % len(_PALETTE)] if g is not None else _LONE
        _node(ax, info[node_id], pos[node_id], radius, colour, scale * grow, text)
    fig.text(0.5, 0.965, _drawable(title), ha="center", va="center", fontsize=max(20 * scale, 9),
             fontweight="bold", fontdict=text)
    used = {r.label for r in drawn}
    handles = [Line2D([], [], color=colour, linestyle=style, linewidth=3 * scale, label=label)
               for label, (colour, style, _) in EDGE_STYLES.items() if label in used]
    if handles:
        rows = 1 if scale >= 0.75 else 2  # small pictures: the legend on two rows
        fig.legend(handles=handles, loc="lower center", ncol=-(-len(handles) // rows),
                   frameon=False, prop={"family": text["family"], "size": max(10 * scale, 6)})
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=100, facecolor=_BACKGROUND)
    return out.getvalue()


def _strength(rel: Relationship) -> float:
    hostile = negative_kind(rel)
    return min(1.0, max(0.0, rel.rivalry, -rel.affinity) if hostile else tie_strength(rel))


def _layout(ids: list[int], rels: Sequence[Relationship], groups: dict[int, int],
            reach: float) -> dict[int, np.ndarray]:
    """Kamada-Kawai on tie lengths (strong and same-community ties short, hostile ones long),
    stretched to fill the square, then centres pushed at least ``reach`` apart."""
    n = len(ids)
    if n <= 1:
        return {i: np.zeros(2) for i in ids}
    index = {node: k for k, node in enumerate(ids)}
    length = np.zeros((n, n))
    for r in rels:
        a, b = index[r.source_id], index[r.target_id]
        tie = 2.2 if negative_kind(r) else 1.6 - tie_strength(r)
        tie *= 0.7 if groups.get(r.source_id, -1) == groups.get(r.target_id, -2) else 1.0
        length[a, b] = length[b, a] = min(length[a, b] or math.inf, tie)
    dist = csgraph.shortest_path(length, directed=False)
    apart = max(float(dist[np.isfinite(dist)].max()), 0.5) * 1.3  # between components
    dist[~np.isfinite(dist)] = apart
    if n <= _KAMADA_KAWAI_MAX:
        table = {i: dict(enumerate(row)) for i, row in enumerate(dist.tolist())}
        xy = np.array(list(nx.kamada_kawai_layout(nx.empty_graph(n), dist=table).values()))
    else:  # Kamada-Kawai is quadratic: big casts get a seeded spring layout
        pull = nx.from_numpy_array(np.divide(1.0, length, out=np.zeros((n, n)), where=length > 0))
        xy = np.array(list(nx.spring_layout(pull, seed=0, weight="weight").values()))
    for _ in range(60):
        xy -= (xy.max(axis=0) + xy.min(axis=0)) / 2
        xy /= np.maximum(np.abs(xy).max(axis=0), 1e-9)
        delta = xy[:, None, :] - xy[None, :, :]
        gap = np.hypot(delta[..., 0], delta[..., 1]) + np.eye(n)
        push = np.clip(reach - gap, 0, None) / gap / 2
        if not push.any():
            break
        xy += (delta * push[..., None]).sum(axis=1)
    return {node: xy[k] for k, node in enumerate(ids)}


def _radius(n: int) -> float:
    return float(np.clip(0.4 / math.sqrt(max(n, 1)), 0.045, 0.16))


def _hull(ax: Axes, members: list[np.ndarray], radius: float, colour: str, scale: float) -> None:
    if len(members) < 2:
        return
    angles = np.linspace(0, 2 * math.pi, 16, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius * 1.9
    cloud = np.concatenate([p + ring for p in members])
    try:
        outline = cloud[ConvexHull(cloud).vertices]
    except QhullError:
        return
    ax.add_patch(Polygon(outline, closed=True, facecolor=colour, edgecolor=colour, alpha=0.12,
                         linewidth=2 * scale, joinstyle="round", zorder=0))


def _edges(ax: Axes, rels: list[Relationship], pos: dict[int, np.ndarray], radius: float,
           scale: float, grow: float, text: dict[str, Any]) -> None:
    """All arcs as one line collection plus one of arrowheads (a patch per arc is 5x slower),
    then labels on the strongest arcs whose midpoint has room."""
    if not rels:
        return
    pairs = {(r.source_id, r.target_id) for r in rels}
    styles = [EDGE_STYLES.get(r.label, (_LONE, ":", "affinity")) for r in rels]
    strength = np.array([_strength(r) for r in rels])
    a, b = np.array([pos[r.source_id] for r in rels]), np.array([pos[r.target_id] for r in rels])
    bend = np.array([0.18 if (r.target_id, r.source_id) in pairs else 0.0 for r in rels])[:, None]
    normal = np.stack([b[:, 1] - a[:, 1], a[:, 0] - b[:, 0]], axis=1)
    control = (a + b) / 2 + bend * normal  # the quadratic Bezier of matplotlib's "arc3"
    start = a + _units(control - a) * radius * 1.05
    end = b + _units(control - b) * radius * 1.12
    curves = np.einsum("tk,ekd->etd", _BERNSTEIN, np.stack([start, control, end], axis=1))
    back = _units(end - control)
    size = ((0.022 + 0.012 * strength) * (0.4 + 0.6 * radius / 0.0566))[:, None]
    side = np.stack([-back[:, 1], back[:, 0]], axis=1) * size * 0.45
    heads = np.stack([end, end - back * size + side, end - back * size - side], axis=1)
    colours = [to_rgba(c, 0.55 + 0.4 * s) for (c, _, _), s in zip(styles, strength, strict=True)]
    ax.add_collection(LineCollection(list(curves), colors=colours, capstyle="round", zorder=1,
                                     linewidths=(0.7 + 3.8 * strength) * scale,
                                     linestyles=[style for _, style, _ in styles]))
    ax.add_collection(PolyCollection(list(heads), facecolors=colours, edgecolors="none",
                                     zorder=1.5))
    # Boxes (centre x, centre y, half width, half height) already taken: circles, names, labels.
    taken = [box for x, y in pos.values() for box in ((x, y, 0.8 * radius, 0.8 * radius),
             (x, y - radius * 1.12 - 0.025 * grow, 0.075 * grow, 0.022 * grow))]
    limit = len(taken) + MAX_EDGE_LABELS
    middles = (a + b) / 2 + 0.5 * bend * normal
    plain = np.array([r.label == "acquaintance" for r in rels])
    for i in np.lexsort((-strength, plain)).tolist():
        label = f"{rels[i].label} {float(getattr(rels[i], styles[i][2])):.1f}"
        box = (middles[i, 0], middles[i, 1], (0.0055 * len(label) + 0.008) * grow, 0.018 * grow)
        if len(taken) >= limit or any(
            abs(box[0] - o[0]) < box[2] + o[2] and abs(box[1] - o[1]) < box[3] + o[3]
            for o in taken
        ):
            continue
        taken.append(box)
        ax.text(box[0], box[1], label, ha="center", va="center", fontsize=max(7.5 * scale, 5),
                zorder=2, fontdict=text,
                bbox={"boxstyle": "round,pad=0.15", "fc": _BACKGROUND, "ec": "none", "alpha": 0.8})


def _units(v: np.ndarray) -> np.ndarray:
    norm = np.hypot(v[:, 0], v[:, 1])[:, None]
    return np.divide(v, norm, out=np.tile([1.0, 0.0], (len(v), 1)), where=norm > 1e-12)


def _node(ax: Axes, node: NodeInfo, xy: np.ndarray, radius: float, colour: str, scale: float,
          text: dict[str, Any]) -> None:
    x, y = float(xy[0]), float(xy[1])
    ring = tuple(0.65 * c for c in to_rgb(colour))
    ax.add_artist(circle := Circle((x, y), radius, fc=colour, ec=ring, lw=3 * scale, zorder=3))
    name = _drawable(node.name) or f"#{node.id}"
    avatar = _avatar(node)
    if avatar is not None:
        image = ax.imshow(avatar, extent=(x - radius, x + radius, y - radius, y + radius),
                          zorder=4, interpolation="antialiased")
        image.set_clip_path(circle)
        ax.add_artist(Circle((x, y), radius, fill=False, edgecolor=ring, linewidth=3 * scale,
                             zorder=4.5))
    else:
        initials = _initials(name)
        light = sum(to_rgb(colour)) / 3 > 0.62
        ax.text(x, y, initials, ha="center", va="center", zorder=5, fontweight="bold",
                fontsize=radius * 190 * scale / max(1, len(initials)) ** 0.5,
                fontdict={**text, "color": _INK if light else "white"})
    ax.text(x, y - radius * 1.12, name, ha="center", va="top", zorder=5, fontdict=text,
            fontsize=max(9.5 * scale, 6),
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75})
    mood = _drawable(node.mood_emoji)
    if mood:
        ax.text(x + radius * 0.8, y + radius * 0.8, mood, ha="center", va="center", zorder=6,
                fontsize=max(11 * scale, 6), fontdict=text,
                bbox={"boxstyle": "circle,pad=0.12", "fc": "white", "ec": ring, "lw": scale})


def _initials(name: str) -> str:
    if name.startswith("#"):
        return name[1:4]
    words = name.split()
    if len(words) >= 2 and words[0][:1].isalpha() and words[1][:1].isalpha():
        return (words[0][0] + words[1][0]).upper()
    return name[:2].upper() if name[:1].isascii() else name[:1]


def _avatar(node: NodeInfo) -> np.ndarray | None:
    if not node.avatar_png:
        return None
    try:
        image = np.asarray(imread(io.BytesIO(node.avatar_png), format="png"))
    except Exception:  # noqa: BLE001 - a broken avatar must not break the picture
        logger.warning("avatar of character %s is not a readable PNG", node.id)
        return None
    side = min(image.shape[:2])  # the centre square: the circle shows the middle of the picture
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    return image[top : top + side, left : left + side]


@cache
def _fonts() -> tuple[list[str], frozenset[int]]:
    """The font family chain and every code point it can draw (looked up once)."""
    files = {f.name: f.fname for f in font_manager.fontManager.ttflist if f.style == "normal"
             and f.weight in (400, "normal", "regular") and f.stretch == "normal"}
    families = [f for f in ("DejaVu Sans", *_EXTRA_FONTS) if f in files] or ["sans-serif"]
    points = {p for f in families if f in files for p in FT2Font(files[f]).get_charmap()}
    return families, frozenset(points)


def _drawable(text: str) -> str:
    for emoji, plain in _SUBSTITUTES.items():
        text = text.replace(emoji, plain)
    return " ".join("".join(ch for ch in text if ord(ch) in _fonts()[1]).split())
