"""Figures of scenario discovery (matplotlib figures, no pyplot): peeling trajectories and box limits.

- ``trajectory_<scenario>.png``: coverage against density of every step of every
  box's peeling trajectory, coloured by the number of restricted levers, the
  chosen step of each box ringed and labelled;
- ``limits_<scenario>_box<N>.png``: each restricted lever's box limits (coloured)
  against its full sampled range (grey), with the limits and quasi-p-values;
- ``regimes.png``: the first box of every scenario side by side on the levers
  restricted in any of them (how the boxes differ between regimes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from townsim.experiments.core.prim import Box, Discovery, Lever, Restriction
from townsim.experiments.render.plots import save_figure

from .words import fmt_value, lever_label

MARKERS = "os^Dv"


def slug(text: str) -> str:
    """A file-name-safe form of a scenario label (``""`` → ``plugin``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "plugin"


def trajectory_figure(path: Path, d: Discovery, title: str) -> Path:
    """Coverage (x) against density (y) of every peeling step; chosen steps ringed.

    Over 60 lines: one figure, panel by panel, on one set of axes and labels.
    """
    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.subplots()
    shown = d.boxes or ([d.attempt] if d.attempt is not None else [])
    dims = [int(v) for b in shown for v in b.trajectory["res_dim"]]
    vmax = max(dims + [1])
    cmap = matplotlib.colormaps["viridis"].resampled(vmax + 1)
    sc = None
    for i, b in enumerate(shown):
        name = f"box {b.number}" if d.boxes else "densest box (below\nthe minimum density)"
        t = b.trajectory
        sc = ax.scatter(
            t["coverage"],
            t["density"],
            c=t["res_dim"],
            cmap=cmap,
            vmin=-0.5,
            vmax=vmax + 0.5,
            marker=MARKERS[i % len(MARKERS)],
            s=22,
            zorder=2,
            label=f"{name}: step {b.step}, coverage {b.coverage:.0%}, density {b.density:.0%}",
        )
        ax.scatter([b.coverage], [b.density], s=220, facecolors="none", edgecolors="crimson", linewidths=2, zorder=3)
        ax.annotate(
            name.split(" (")[0],
            (b.coverage, b.density),
            textcoords="offset points",
            xytext=(-12, -14) if b.coverage > 0.8 else (9, -12),
            ha="right" if b.coverage > 0.8 else "left",
            fontsize=8,
            color="crimson",
            fontweight="bold",
        )
    ax.axhline(d.min_density, color="grey", lw=0.8, ls="--")
    ax.text(
        0.01,
        d.min_density,
        f" minimum density {d.min_density:.0%}",
        va="bottom",
        fontsize=8,
        color="grey",
        transform=ax.get_yaxis_transform(),
    )
    ax.axhline(d.base_rate, color="grey", lw=0.8, ls=":")
    ax.text(
        0.01,
        d.base_rate,
        f" all runs {d.base_rate:.0%}",
        va="bottom",
        fontsize=8,
        color="grey",
        transform=ax.get_yaxis_transform(),
    )
    if sc is not None:
        cb = fig.colorbar(sc, ax=ax, ticks=range(vmax + 1))
        cb.set_label("restricted levers")
        ax.legend(loc="lower left", fontsize=7)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of all cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    fig.text(
        0.01,
        0.005,
        f"{d.runs} runs, {d.cases} cases of interest; ringed: the chosen box"
        + ("" if d.boxes else " (none is dense enough: the densest is ringed)"),
        fontsize=7,
        color="grey",
    )
    return save_figure(fig, path)


def _span(r: Restriction) -> tuple[float, float]:
    """Box limits of ``r`` as shares of the lever's full range."""
    lv = r.lever
    if r.values is not None:
        return (0.0, 0.5) if r.values == ("off",) else (0.5, 1.0)
    lo = lv.low if r.lower is None else r.lower
    hi = lv.high if r.upper is None else r.upper
    w = lv.high - lv.low
    return (lo - lv.low) / w, (hi - lv.low) / w


def _range_text(r: Restriction) -> str:
    lv = r.lever
    if r.values is not None:
        return " or ".join(r.values)
    lo = fmt_value(lv.low if r.lower is None else r.lower, lv)
    hi = fmt_value(lv.high if r.upper is None else r.upper, lv)
    return f"{lo} – {hi}"


def _qp_text(r: Restriction) -> str:
    parts = []
    if r.qp_lower is not None:
        parts.append(f"{'p' if r.values is not None else 'low'} {r.qp_lower:.1g}")
    if r.qp_upper is not None:
        parts.append(f"high {r.qp_upper:.1g}")
    return "quasi-p " + ", ".join(parts) if parts else ""


def limits_figure(path: Path, box: Box, title: str) -> Path:
    """One row per restricted lever: the full range (grey) and the box's limits (coloured)."""
    rs = box.restrictions
    fig = Figure(figsize=(7.2, 0.9 + 0.6 * max(1, len(rs))))
    ax = fig.subplots()
    for i, r in enumerate(rs):
        y = len(rs) - 1 - i
        ax.barh(y, 1.0, left=0.0, height=0.5, color="0.88", edgecolor="0.6")
        a, b = _span(r)
        ax.barh(y, max(b - a, 0.004), left=a, height=0.5, color="tab:red", alpha=0.8)
        lv = r.lever
        full = "off / on" if lv.kind == "bool" else f"{fmt_value(lv.low, lv)} – {fmt_value(lv.high, lv)}"
        ax.text(-0.02, y, f"{lever_label(lv.name)}\n(full {full})", ha="right", va="center", fontsize=8)
        ax.text(1.02, y, f"box {_range_text(r)}\n{_qp_text(r)}", ha="left", va="center", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(rs) - 0.4 if rs else 0.6)
    ax.set_yticks([])
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xticklabels(["low", "", "middle", "", "high"], fontsize=8)
    ax.set_xlabel("position in the lever's full sampled range")
    if not rs:
        ax.text(0.5, 0, "no lever restricted", ha="center", va="center")
    ax.set_title(f"{title}\ncoverage {box.coverage:.0%}, density {box.density:.0%}, mass {box.mass:.0%}", fontsize=10)
    return save_figure(fig, path)


def _first(d: Discovery) -> tuple[Box | None, bool]:
    """A scenario's first box, or its densest box when none is dense enough (flag True)."""
    if d.boxes and d.boxes[0].restrictions:
        return d.boxes[0], False
    if not d.boxes and d.attempt is not None and d.attempt.restrictions:
        return d.attempt, True
    return None, False


def regimes_figure(path: Path, discoveries: Sequence[Discovery], title: str) -> Path | None:
    """The first box of each scenario on the levers restricted in any of them (None if < 2 scenarios).

    A scenario without a dense enough box shows its densest box hatched.
    """
    firsts = [_first(d) for d in discoveries]
    if len(discoveries) < 2 or not any(b is not None for b, _ in firsts):
        return None
    levers: list[Lever] = []
    for b, _ in firsts:
        for r in b.restrictions if b is not None else []:
            if r.lever.name not in [lv.name for lv in levers]:
                levers.append(r.lever)
    n_s = len(discoveries)
    h = 0.8 / n_s
    cmap = matplotlib.colormaps["tab10"]
    fig = Figure(figsize=(7.2, 1.0 + 0.35 * n_s * len(levers) + 0.3))
    ax = fig.subplots()
    for j, lv in enumerate(levers):
        y0 = len(levers) - 1 - j
        ax.barh(y0, 1.0, height=0.9, color="0.93", edgecolor="0.8")
        ax.text(-0.02, y0, lever_label(lv.name), ha="right", va="center", fontsize=8)
        for s, (d, (box, densest)) in enumerate(zip(discoveries, firsts)):
            y = y0 + 0.4 - h * (s + 0.5)
            if box is None:
                continue
            r = next((r for r in box.restrictions if r.lever.name == lv.name), None)
            a, b = _span(r) if r is not None else (0.0, 1.0)
            label = f"{d.scenario}{' (densest box, below the minimum density)' if densest else ''}"
            ax.barh(
                y,
                max(b - a, 0.004),
                left=a,
                height=h * 0.8,
                color=cmap(s % 10),
                alpha=0.85 if r is not None else 0.25,
                hatch="///" if densest else None,
                edgecolor="white" if densest else None,
                label=label if j == 0 else None,
            )
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ax.set_xticks([0, 0.5, 1.0])
    ax.set_xticklabels(["low", "middle", "high"], fontsize=8)
    ax.set_xlabel("box limits as a share of each lever's full range (pale: not restricted)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=1)
    return save_figure(fig, path)


def all_figures(folder: Path, discoveries: Sequence[Discovery], case: str) -> list[Path]:
    """Every figure of a discovery run into ``folder``; returns the paths written."""
    out: list[Path] = []
    for d in discoveries:
        label = d.scenario or "plug-in"
        if d.boxes or d.attempt is not None:
            out.append(
                trajectory_figure(
                    folder / f"trajectory_{slug(d.scenario)}.png", d, f"Peeling trajectory, {label}: {case}"
                )
            )
        if d.attempt is not None:
            out.append(
                limits_figure(
                    folder / f"limits_{slug(d.scenario)}_densest.png",
                    d.attempt,
                    f"Densest box (below {d.min_density:.0%} density), {label}: {case}",
                )
            )
        for b in d.boxes:
            out.append(
                limits_figure(
                    folder / f"limits_{slug(d.scenario)}_box{b.number}.png", b, f"Box {b.number}, {label}: {case}"
                )
            )
    fig = regimes_figure(folder / "regimes.png", discoveries, f"First box by scenario: {case}")
    if fig is not None:
        out.append(fig)
    return out
