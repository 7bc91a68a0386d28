"""The relationship graph as a PNG: characters as avatar circles, ties as coloured arcs.

Rendered with matplotlib's object API (``Figure`` + ``FigureCanvasAgg``): no pyplot, no global
state, safe in worker threads. The layout is seeded, so the same relationships give the same
picture. Text is filtered to the glyphs the installed fonts have (DejaVu Sans plus any CJK or
emoji font found), so a name never renders as empty boxes; a name with nothing drawable falls
back to ``#id``. Stranger views are not drawn; with many ties only the strongest are labelled.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence, Set
from dataclasses import dataclass
from functools import cache

import networkx as nx
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.image import imread
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Polygon
from scipy.sparse import csgraph
from scipy.spatial import ConvexHull, QhullError

from engine.relationships import Relationship
from engine.social.network import negative_kind, tie_strength

__all__ = ["NodeInfo", "render_graph_png", "EDGE_STYLES", "MAX_EDGE_LABELS"]

logger = logging.getLogger(__name__)

#: label -> (colour, line style, the value shown beside the label).
EDGE_STYLES: dict[str, tuple[str, str, str]] = {
    "partner": ("#d81b60", "-", "romance"),
    "crush": ("#f48fb1", "-", "romance"),
    "close friend": ("#2e7d32", "-", "affinity"),
    "friend": ("#66bb6a", "-", "affinity"),
    "rival": ("#fb8c00", "-", "rivalry"),
    "enemy": ("#8b0000", "-", "affinity"),
    "estranged": ("#8d8d8d", "--", "affinity"),
    "acquaintance": ("#c8c8c8", "-", "familiarity"),
}
#: Above this many drawn ties, only this many of the strongest carry a text label.
MAX_EDGE_LABELS = 60
_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7",
            "#9c755f", "#e15759", "#bab0ac")
_EXTRA_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans JP", "Noto Sans SC",
                "Source Han Sans", "WenQuanYi Zen Hei", "Droid Sans Fallback", "Noto Emoji",
                "Symbola")
_SUBSTITUTES = {"💕": "♥", "💖": "♥", "💗": "♥", "😍": "♥", "🥰": "☺", "🙂": "☺", "☹️": "☹"}
_BACKGROUND = "#fbfaf6"
_KAMADA_KAWAI_MAX = 150


@dataclass(frozen=True)
class NodeInfo:
    """A character to draw: its id, display name, optional PNG avatar and mood emoji."""

    id: int
    name: str
    avatar_png: bytes | None = None
    mood_emoji: str = ""


@cache
def _fonts() -> tuple[list[str], frozenset[int]]:
    """The font family chain and every code point it can draw (looked up once)."""
    families, points = [], set[int]()
    for family in ("DejaVu Sans", *_EXTRA_FONTS):
        try:
            path = font_manager.findfont(FontProperties(family=family), fallback_to_default=False)
            points.update(FT2Font(path).get_charmap())
            families.append(family)
        except (ValueError, RuntimeError, OSError):
            continue
    return families, frozenset(points)


def _drawable(text: str) -> str:
    families_points = _fonts()[1]
    for emoji, plain in _SUBSTITUTES.items():
        text = text.replace(emoji, plain)
    return "".join(ch for ch in text if ord(ch) in families_points or ch == " ").strip()


def _initials(name: str) -> str:
    words = name.split()
    if len(words) >= 2 and all(w[0].isalpha() for w in words[:2]):
        return (words[0][0] + words[1][0]).upper()
    return name[:2].upper() if name[:1].isascii() else name[:1]


def _layout(ids: list[int], rels: Sequence[Relationship],
            groups: dict[int, int]) -> dict[int, np.ndarray]:
    """Kamada-Kawai on tie lengths (strong and same-community ties short, hostile ones long),
    then circles pushed apart so names fit, stretched to fill the square."""
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
    finite = dist[np.isfinite(dist)]
    dist[~np.isfinite(dist)] = (finite.max() if finite.size else 1.0) * 1.3  # other components
    graph = nx.empty_graph(n)
    if n <= _KAMADA_KAWAI_MAX:
        table = {i: dict(enumerate(row)) for i, row in enumerate(dist.tolist())}
        xy = np.array(list(nx.kamada_kawai_layout(graph, dist=table).values()))
    else:
        graph.add_weighted_edges_from((a, b, 1 / d) for a, b, d in zip(*np.nonzero(length),
                                       length[np.nonzero(length)], strict=True))
        xy = np.array(list(nx.spring_layout(graph, seed=0, weight="weight").values()))
    radius = _radius(n)
    for _ in range(60):
        xy -= (xy.max(axis=0) + xy.min(axis=0)) / 2
        xy /= np.maximum(np.abs(xy).max(axis=0), 1e-9)
        delta = xy[:, None, :] - xy[None, :, :]
        gap = np.hypot(delta[..., 0], delta[..., 1]) + np.eye(n)
        push = np.clip(3.3 * radius - gap, 0, None) / gap / 2
        if not push.any():
            break
        xy += (delta * push[..., None]).sum(axis=1)
    return {node: xy[k] for k, node in enumerate(ids)}


def _radius(n: int) -> float:
    return float(np.clip(0.4 / math.sqrt(max(n, 1)), 0.045, 0.16))


def _edge_value(rel: Relationship, field: str) -> float:
    return float(getattr(rel, field))


def render_graph_png(
    rels: Sequence[Relationship],
    nodes: Sequence[NodeInfo],
    *,
    communities: Sequence[Set[int]] | None = None,
    title: str = "",
    size_px: int = 1200,
) -> bytes:
    """Draw the relationship graph and return PNG bytes of ``size_px`` × ``size_px``.

    Args:
        rels: Directed views (``source`` about ``target``); both directions of a pair are drawn
            as two arcs. Ties to ids missing from ``nodes`` bring their own plain node.
        nodes: The characters, drawn as circles with their avatar (clipped) or initials.
        communities: Groups to shade as soft hulls (e.g. ``Analytics.communities``).
        title: Shown at the top.
        size_px: Width and height of the image in pixels.
    """
    size_px = max(64, int(size_px))
    scale = size_px / 1200
    families, _ = _fonts()
    info = {n.id: n for n in nodes}
    for r in rels:
        for node_id in (r.source_id, r.target_id):
            info.setdefault(node_id, NodeInfo(node_id, f"#{node_id}"))
    ids = sorted(info)
    groups = {m: k for k, group in enumerate(communities or ()) for m in group if len(group) > 1}
    drawn = [r for r in rels if r.label != "stranger" and r.source_id != r.target_id]
    pos = _layout(ids, drawn, groups)

    fig = Figure(figsize=(size_px / 100, size_px / 100), dpi=100, facecolor=_BACKGROUND)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.03, 0.07, 0.94, 0.86))
    ax.set_axis_off()
    ax.set_xlim(-1.18, 1.18)
    ax.set_ylim(-1.18, 1.18)
    ax.set_aspect("equal")
    radius = _radius(len(ids))
    points_per_unit = 0.86 * size_px / 100 * 72 / 2.36
    text = {"family": families, "color": "#2b2b2b"}

    for k, group in enumerate(communities or ()):
        members = [pos[m] for m in group if m in pos]
        if len(members) < 2:
            continue
        angles = np.linspace(0, 2 * math.pi, 16, endpoint=False)
        ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius * 1.9
        cloud = np.concatenate([p + ring for p in members])
        try:
            hull = cloud[ConvexHull(cloud).vertices]
        except QhullError:
            continue
        colour = _PALETTE[k % len(_PALETTE)]
        ax.add_patch(Polygon(hull, closed=True, facecolor=colour, edgecolor=colour, alpha=0.13,
                             linewidth=2 * scale, joinstyle="round", zorder=0))

    pairs = {(r.source_id, r.target_id) for r in drawn}
    order = sorted(drawn, key=lambda r: _strength(r))
    labelled = set(map(id, order[-MAX_EDGE_LABELS:])) if len(order) > MAX_EDGE_LABELS else None
    shrink = radius * points_per_unit + 2
    used: set[str] = set()
    for r in order:
        colour, style, field = EDGE_STYLES.get(r.label, ("#b0b0b0", ":", "affinity"))
        used.add(r.label)
        strength = _strength(r)
        a, b = pos[r.source_id], pos[r.target_id]
        bend = 0.18 if (r.target_id, r.source_id) in pairs else 0.0
        width = (0.7 + 3.8 * strength) * scale
        ax.add_artist(FancyArrowPatch(
            tuple(a), tuple(b), connectionstyle=f"arc3,rad={bend}", arrowstyle="-|>",
            mutation_scale=(7 + 5 * strength) * scale, linewidth=width, linestyle=style,
            color=colour, alpha=0.55 + 0.4 * strength, shrinkA=shrink, shrinkB=shrink, zorder=1,
        ))
        if labelled is None or id(r) in labelled:
            d = b - a
            mid = (a + b) / 2 + 0.5 * bend * np.array([d[1], -d[0]])
            ax.text(mid[0], mid[1], f"{r.label} {_edge_value(r, field):.1f}", ha="center",
                    va="center", fontsize=7.5 * scale, zorder=2, fontdict=text,
                    bbox={"boxstyle": "round,pad=0.15", "fc": _BACKGROUND, "ec": "none",
                          "alpha": 0.8})

    for node_id in ids:
        _draw_node(ax, info[node_id], pos[node_id], radius, groups.get(node_id), scale, text)

    if title:
        fig.text(0.5, 0.965, _drawable(title) or title.encode("ascii", "replace").decode(),
                 ha="center", va="center", fontsize=20 * scale, fontweight="bold", fontdict=text)
    handles = [Line2D([], [], color=EDGE_STYLES[k][0], linestyle=EDGE_STYLES[k][1],
                      linewidth=3 * scale, label=k) for k in EDGE_STYLES if k in used]
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
                   prop={"family": families, "size": 10 * scale}, handlelength=2.2)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=100, facecolor=_BACKGROUND)
    return out.getvalue()


def _strength(rel: Relationship) -> float:
    if negative_kind(rel):
        return min(1.0, max(0.0, rel.rivalry, -rel.affinity))
    return min(1.0, tie_strength(rel))


def _draw_node(ax: object, node: NodeInfo, xy: np.ndarray, radius: float, group: int | None,
               scale: float, text: dict[str, object]) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    ring = _PALETTE[group % len(_PALETTE)] if group is not None else "#7a7a7a"
    face = _PALETTE[node.id % len(_PALETTE)]
    x, y = float(xy[0]), float(xy[1])
    circle = Circle((x, y), radius, facecolor=face, edgecolor=ring, linewidth=3 * scale,
                    zorder=3)
    ax.add_patch(circle)
    avatar = _avatar(node)
    name = _drawable(node.name) or f"#{node.id}"
    if avatar is not None:
        image = ax.imshow(avatar, extent=(x - radius, x + radius, y - radius, y + radius),
                          zorder=4, interpolation="antialiased")
        image.set_clip_path(circle)
        ax.add_patch(Circle((x, y), radius, fill=False, edgecolor=ring, linewidth=3 * scale,
                            zorder=4.5))
    else:
        initials = _initials(name)
        ax.text(x, y, initials, ha="center", va="center", zorder=5, fontweight="bold",
                fontsize=radius * 190 * scale / max(1, len(initials)) ** 0.5,
                fontdict={**text, "color": "white"})
    ax.text(x, y - radius * 1.12, name, ha="center", va="top", zorder=5,
            fontsize=9.5 * scale, fontdict=text,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75})
    mood = _drawable(node.mood_emoji)
    if mood:
        ax.text(x + radius * 0.78, y + radius * 0.78, mood, ha="center", va="center", zorder=6,
                fontsize=12 * scale, fontdict=text,
                bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": ring, "lw": scale})


def _avatar(node: NodeInfo) -> np.ndarray | None:
    if not node.avatar_png:
        return None
    try:
        image = np.asarray(imread(io.BytesIO(node.avatar_png), format="png"))
    except Exception:  # noqa: BLE001 - a broken avatar falls back to initials
        logger.warning("avatar of character %s is not a readable PNG", node.id)
        return None
    h, w = image.shape[:2]
    side = min(h, w)  # centre square, so the circle shows the middle of the picture
    return image[(h - side) // 2 : (h - side) // 2 + side, (w - side) // 2 : (w - side) // 2 + side]
