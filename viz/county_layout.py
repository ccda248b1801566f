"""The county view's geometry and labels: rows, colours, where each handler sits, names that fit."""

from __future__ import annotations

import math

import numpy as np

from .i18n import TEXT, place_name, t

MAX_ARROWS = 30
"""Largest number of arrows drawn per flow kind (the rest are counted in the legend)."""

LOAD_MAX_DAYS = 2.0
"""Queued work (days of capacity) at which a handler is drawn fully red."""

COLOURS = {"referrals": "#1f5fbf", "escalations": "#7b3fa0", "dumped": "#d62728", "bounced": "#ff8c00"}
HANDLER_CMAP = "RdYlGn_r"
SAT_CMAP = "RdYlGn"

Y_DEPT, Y_MID, Y_TOWN, Y_MARKS = 0.80, 0.585, 0.36, (0.0, 0.16)
X_CENTRE = 0.10
X_HANDLERS = 0.42
X_DESKS = (0.60, 0.75, 0.90)


def _row_x(n: int, lo: float = 0.05, hi: float = 0.97) -> np.ndarray:
    return np.array([0.5 * (lo + hi)]) if n == 1 else np.linspace(lo, hi, n)


def queued_days(model, handler) -> float:
    """Open work of ``handler`` in days of its capacity (the overload measure of ``model.metrics``)."""
    cap = handler.capacity_hours
    if cap <= 0:
        return math.inf if handler.open_tasks else 0.0
    return (handler.open_tasks * model.mean_step_hours + handler.duty_backlog) / cap


class Layout:
    """Positions of every node of the view for one model (axes coordinates 0..1)."""

    def __init__(self, model):
        self.dept_x = _row_x(len(model.departments))
        T = len(model.townships)
        self.cell = 0.96 / max(T, 1)
        # townships placed by their distance to the county seat: nearest on the left
        self.travel = np.asarray(getattr(getattr(model, "geography", None), "travel_hours", np.zeros(T)), float)
        rank = np.empty(T, dtype=np.int64)
        rank[np.argsort(self.travel, kind="stable")] = np.arange(T)
        self.town_x = 0.02 + (rank + 0.5) * self.cell
        self.desk_xy = {lvl: (x, Y_MID) for lvl, x in zip((1, 2, 3), X_DESKS)}

    def handler_xy(self, model, hid: int) -> tuple[float, float]:
        h = model.handlers[hid]
        if h.kind == "department":
            return float(self.dept_x[h.index]), Y_DEPT
        if h.kind == "township":
            return float(self.town_x[h.index]), Y_TOWN
        return self.desk_xy[h.index]


def department_names(model, lang: str) -> list[str]:
    """Each department named by its function: the category of most of the demand among the matters it
    owns (catalogue weights), with its number (two departments may share a function)."""
    cat = model.catalogue
    owner = cat.owner
    names = []
    for d in range(len(model.departments)):
        mine = (owner == d) & (cat.requester != 2)  # disputes are the townships' (code DISPUTE)
        if not mine.any():  # owns no matter: named by the matters it takes part in
            mine = (cat.departments == d).any(axis=1) & (cat.requester != 2)
        weights: dict[str, float] = {}
        for c, w in zip(cat.category[mine], cat.weight[mine]):
            weights[c] = weights.get(c, 0.0) + float(w)
        top = max(sorted(weights), key=lambda c: weights[c]) if weights else None
        key = f"cat_{top}"
        label = TEXT[key][lang] if key in TEXT else (str(top)[:12] if top else t("dept_none", lang))
        names.append(f"{label}\n{d + 1}")
    return names


def fitted_size(text: str, width_in: float, base: float, smallest: float = 6.5) -> float:
    """A font size (pt) at which ``text``'s longest line fits in ``width_in`` inches (CJK characters
    count as one em, others as 0.6 em), at most ``base``."""
    longest = max((sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in line) for line in text.split("\n")), default=1)
    return max(min(base, 72.0 * width_in * 0.92 / max(longest, 1.0)), smallest)


def township_label(name: str, lang: str) -> str:
    """A township's name in ``lang``, its kind on a second line in English ("Tangqi\ntown")."""
    shown = place_name(name, lang)
    head, _, tail = shown.rpartition(" ")
    return f"{head}\n{tail}" if head and tail in ("subdistrict", "town", "township") else shown


def _width(n: float) -> float:
    return min(0.8 + 1.3 * math.log1p(n), 9.0)


def _arrow(ax, src, dst, n, colour, rad=0.0, label=None):
    ax.annotate(
        "",
        xy=dst,
        xytext=src,
        zorder=2,
        arrowprops=dict(
            arrowstyle="-|>,head_length=0.5,head_width=0.3",
            lw=_width(n),
            color=colour,
            alpha=0.55,
            shrinkA=9,
            shrinkB=9,
            connectionstyle=f"arc3,rad={rad}",
        ),
    )
    if label is not None:
        mx, my = (src[0] + dst[0]) / 2, (src[1] + dst[1]) / 2
        ax.text(mx, my + 0.025, label, ha="center", va="bottom", fontsize=10, color=colour, zorder=6, fontweight="bold")


def _top(flows: dict, k: int) -> tuple[list, int]:
    items = sorted(flows.items(), key=lambda kv: (-kv[1], kv[0]))
    return items[:k], max(len(items) - k, 0)
