"""Figures of a parameter sweep: a KPI against one parameter (line and 95% band) or on a two-parameter grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from townsim.experiments.render import fmt
from townsim.experiments.render.figkit import TEXT, axis_label, clip_bounds, info, save_figure, scale, thousands
from townsim.experiments.render.fonts import figure
from townsim.model.params import Params


def sweep_line_figure(
    path: Path,
    summary: pd.DataFrame,
    param: str,
    kpi: str,
    title: str,
    reps: int,
    param_label: str = "",
    lang: str = "en",
) -> Path:
    """KPI mean against one parameter with a 95% confidence band."""
    t = TEXT[lang]
    sub = summary[summary["kpi"] == kpi].sort_values(param)
    f = scale(kpi)
    lo, hi = clip_bounds(kpi, sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float))
    with figure(lang):
        fig = Figure(figsize=(8, 5))
        ax = fig.subplots()
        ax.plot(sub[param], sub["mean"] * f, marker="o", color="tab:blue", lw=2, label=t["mean"])
        ax.fill_between(sub[param], lo * f, hi * f, color="tab:blue", alpha=0.2, lw=0, label=t["band"])
        ax.set_xlabel(param_label or param_axis_label(param))
        ax.set_ylabel(axis_label(kpi, lang=lang))
        ax.set_title(t["line"].format(title, info(kpi).text(lang), param, reps), fontsize=11)
        ax.grid(alpha=0.3)
        thousands(ax, "y")
        ax.legend(fontsize=8)
        return save_figure(fig, path)


def sweep_heatmap_figure(
    path: Path,
    summary: pd.DataFrame,
    px: str,
    py: str,
    kpi: str,
    title: str,
    reps: int,
    x_label: str = "",
    y_label: str = "",
    lang: str = "en",
) -> Path:
    """KPI mean on a two-parameter grid, values written in the cells."""
    sub = summary[summary["kpi"] == kpi]
    grid = sub.pivot_table(index=py, columns=px, values="mean", aggfunc="first").sort_index(ascending=False)
    vals = grid.to_numpy(dtype=float) * scale(kpi)
    better = info(kpi).better
    cmap = "RdYlGn" if better > 0 else ("RdYlGn_r" if better < 0 else "viridis")
    with figure(lang):
        fig = Figure(figsize=(1.1 * len(grid.columns) + 3.5, 0.75 * len(grid.index) + 2.5))
        ax = fig.subplots()
        im = ax.imshow(vals, cmap=cmap, aspect="auto")
        ax.set_xticks(range(len(grid.columns)), [fmt.tick(v) for v in grid.columns], fontsize=8)
        ax.set_yticks(range(len(grid.index)), [fmt.tick(v) for v in grid.index], fontsize=8)
        ax.set_xlabel(x_label or param_axis_label(px))
        ax.set_ylabel(y_label or param_axis_label(py))
        for (i, j), v in np.ndenumerate(vals):
            if np.isfinite(v):
                shade = im.cmap(im.norm(v))
                lum = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2]
                ax.text(
                    j,
                    i,
                    fmt.number(v, 0 if abs(v) >= 100 else info(kpi).digits),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if lum > 0.5 else "white",
                )
        fig.colorbar(im, ax=ax).set_label(axis_label(kpi, lang=lang))
        ax.set_title(TEXT[lang]["heat"].format(title, info(kpi).text(lang), reps), fontsize=11)
        return save_figure(fig, path)


def param_axis_label(name: str) -> str:
    """``name (unit)`` of a Params field, from its documented unit."""
    try:
        unit = (Params.model_fields[name].json_schema_extra or {}).get("unit", "")
    except (ImportError, KeyError):
        unit = ""
    return f"{name} ({unit})" if unit and unit != "-" else name
