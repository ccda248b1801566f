"""Figures of scenario comparisons (matplotlib; PNG at 130 dpi), in English or Chinese.

Every figure stands on its own: a title saying what is compared, axis labels
with units, a legend, and a note of the number of runs behind each estimate.
Scenario colours are fixed by the scenario's position in the experiment (baseline
always black) so that one scenario has one colour in every figure; scenarios are shown by their
titles (labels), KPIs by the registry's label and unit in the figure's language, and the KPIs shown are
the registry's views (``timeseries``, ``headline``). What all figures share: :mod:`.figkit`; the
sweep's figures: :mod:`.sweep_plots` (both re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from townsim.experiments.render.figkit import (  # noqa: F401 - re-exported: one import for every figure
    DPI,
    FLOW_SMOOTH_DAYS,
    MARKERS,
    TEXT,
    axis_label,
    cap,
    clip_bounds,
    grows_with_county,
    info,
    keep_figures,
    mean_band,
    save_figure,
    scale,
    scenario_colours,
    thousands,
)
from townsim.experiments.render.fonts import figure
from townsim.experiments.render.sweep_plots import (  # noqa: F401 - re-exported
    param_axis_label,
    sweep_heatmap_figure,
    sweep_line_figure,
)
from townsim.model.metrics import group, groups, kpis

HEADLINE = kpis("headline")
"""KPIs of the report's headline table and forest plot (the registry's ``headline`` view, read again at
each :func:`compare_figures`; those present in the runs)."""

TIMESERIES = kpis("timeseries")
"""Daily KPIs drawn as time series (the registry's ``timeseries`` view; those present)."""


def _daily_band(ts: pd.DataFrame, name: str, kpi: str, smooth: bool):
    sub = ts[ts["scenario"] == name]
    if sub.empty:
        return None
    wide = sub.pivot_table(index="day", columns="replication", values=kpi, aggfunc="first", dropna=False)
    if smooth:
        wide = wide.rolling(FLOW_SMOOTH_DAYS, min_periods=1).mean()
    mean, lo, hi = mean_band(wide)
    lo, hi = clip_bounds(kpi, lo, hi)
    f = scale(kpi)
    return wide.index.to_numpy(), mean * f, lo * f, hi * f


def timeseries_figure(
    path: Path,
    ts: pd.DataFrame,
    kpi: str,
    order: Sequence[str],
    colours: dict[str, tuple],
    reps: int,
    baseline: str | None = None,
    titles: dict[str, str] | None = None,
    lang: str = "en",
) -> Path:
    """Daily ``kpi``: one panel per scenario, each against the baseline (mean of runs, 95% band)."""
    t, titles = TEXT[lang], titles or {}
    smooth = info(kpi).smoothed
    others = [n for n in order if n != baseline] or list(order)
    ncol = min(4, len(others))
    nrow = math.ceil(len(others) / ncol)
    with figure(lang):
        fig = Figure(figsize=(3.6 * ncol + 0.6, 2.9 * nrow + 1.3))
        axes = fig.subplots(nrow, ncol, squeeze=False, sharex=True, sharey=True)
        base = _daily_band(ts, baseline, kpi, smooth) if baseline else None
        for ax, name in zip(axes.flat, others):
            if base is not None:
                x, m, lo, hi = base
                ax.fill_between(x, lo, hi, color="black", alpha=0.12, lw=0)
                ax.plot(x, m, color="black", lw=1.4, label=t["baseline"].format(titles.get(str(baseline), baseline)))
            band = _daily_band(ts, name, kpi, smooth)
            if band is not None:
                x, m, lo, hi = band
                ax.fill_between(x, lo, hi, color=colours[name], alpha=0.25, lw=0)
                ax.plot(x, m, color=colours[name], lw=1.6, label=titles.get(name, name))
            ax.set_title(titles.get(name, name), fontsize=10, color=colours[name] if name != baseline else "black")
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
            ax.legend(fontsize=7, loc="best", frameon=False)
        for ax in axes[-1]:
            ax.set_xlabel(t["day"], fontsize=9)
        for ax in axes[:, 0]:
            ax.set_ylabel(axis_label(kpi, lang=lang), fontsize=9)
            thousands(ax, "y")
        for ax in list(axes.flat)[len(others) :]:
            ax.set_visible(False)
        note = t["smooth"].format(FLOW_SMOOTH_DAYS) if smooth else ""
        vs = t["vs"].format(titles.get(baseline, baseline)) if baseline and others != list(order) else ""
        fig.suptitle(t["ts"].format(cap(info(kpi).text(lang)), vs, reps, note), fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.1 / fig.get_figheight()))
        return save_figure(fig, path)


def forest_figure(
    path: Path,
    comparison: pd.DataFrame,
    kpis: Sequence[str],
    order: Sequence[str],
    colours: dict[str, tuple],
    baseline: str,
    titles: dict[str, str] | None = None,
    lang: str = "en",
    size_outliers: Sequence[str] = (),
) -> Path:
    """Differences from the baseline with 95% CIs, one panel per KPI (own units); filled = significant.

    ``size_outliers`` (scenarios of a different county size) are left out of the panels of totals that
    grow with the county (their difference mixes size and reform, and would squash the others)."""
    t, titles = TEXT[lang], titles or {}
    names = [n for n in order if n != baseline and (comparison["scenario"] == n).any()]
    ncol, nrow = 3, math.ceil(len(kpis) / 3)
    y = np.arange(len(names))[::-1]
    with figure(lang):
        fig = Figure(figsize=(5.2 * ncol, 0.42 * len(names) * nrow + 1.4 * nrow + 1.0))
        axes = fig.subplots(nrow, ncol, squeeze=False)
        for ax, kpi in zip(axes.flat, kpis):
            skip = [n for n in size_outliers if n in names] if grows_with_county(kpi) else []
            shown = [n for n in names if n not in skip]
            ys = np.array([yy for yy, n in zip(y, names) if n in shown])
            _forest_panel(ax, comparison[comparison["kpi"] == kpi].set_index("scenario"), kpi, shown, ys, colours, t)
            ax.set_ylim(-0.7, len(names) - 0.3)  # every scenario keeps its row
            ax.set_yticks(y, [titles.get(n, n) if n in shown else "" for n in names], fontsize=8)
            left = t["left_out"].format(", ".join(titles.get(n, n) for n in skip)) if skip else ""
            ax.set_title(f"{info(kpi).text(lang)}\n({t['dir'][info(kpi).better]}){left}", fontsize=9)
            ax.set_xlabel(t["diff"].format(axis_label(kpi, difference=True, lang=lang)), fontsize=8)
        for ax in list(axes.flat)[len(kpis) :]:
            ax.set_visible(False)
        fig.suptitle(t["forest"].format(titles.get(baseline, baseline)), fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
        return save_figure(fig, path)


def _forest_panel(ax, sub: pd.DataFrame, kpi: str, names: Sequence[str], y, colours, t) -> None:
    f, better = scale(kpi), info(kpi).better
    for yi, name in zip(y, names):
        if name not in sub.index:
            continue
        r = sub.loc[name]
        d, lo, hi = r["difference"] * f, r["ci_low"] * f, r["ci_high"] * f
        sig, colour = bool(r["significant"]), colours[name]
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [yi, yi], color=colour, lw=2)
        ax.plot(
            [d], [yi], marker="o", ms=7, color=colour, markerfacecolor=colour if sig else "white", markeredgewidth=1.6
        )
        if sig and better and d != 0:
            good = (d > 0) == (better > 0)
            ax.annotate(
                t["better"] if good else t["worse"],
                (d, yi),
                xytext=(0, 6),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="#1a7f37" if good else "#b42318",
            )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    thousands(ax, "x")


def _scatter_panel(
    ax,
    summary: pd.DataFrame,
    xk: str,
    yk: str,
    order: Sequence[str],
    colours: dict[str, tuple],
    baseline: str | None,
    names: Sequence[str],
    titles: dict[str, str],
    lang: str,
) -> None:
    s = summary.set_index(["scenario", "kpi"])
    fx, fy = scale(xk), scale(yk)
    for i, name in enumerate(order):
        if name not in names or (name, xk) not in s.index or (name, yk) not in s.index:
            continue
        x, y = s.loc[(name, xk)], s.loc[(name, yk)]
        xerr = [[(x["mean"] - x["ci_low"]) * fx], [(x["ci_high"] - x["mean"]) * fx]]
        yerr = [[(y["mean"] - y["ci_low"]) * fy], [(y["ci_high"] - y["mean"]) * fy]]
        label = titles.get(name, name)
        ax.errorbar(
            x["mean"] * fx,
            y["mean"] * fy,
            xerr=np.nan_to_num(xerr),
            yerr=np.nan_to_num(yerr),
            fmt=MARKERS[i % len(MARKERS)],
            ms=10,
            markeredgecolor="white",
            markeredgewidth=0.8,
            alpha=0.85,
            color=colours[name],
            capsize=3,
            label=TEXT[lang]["baseline"].format(label) if name == baseline else label,
        )
    ax.set_xlabel(axis_label(xk, lang=lang))
    ax.set_ylabel(axis_label(yk, lang=lang))
    ax.grid(alpha=0.3)
    thousands(ax)


def tradeoff_figure(
    path: Path,
    summary: pd.DataFrame,
    pairs: Sequence[tuple[str, str, str]],
    order: Sequence[str],
    colours: dict[str, tuple],
    baseline: str | None,
    reps: int,
    size_outliers: Sequence[str] = (),
    titles: dict[str, str] | None = None,
    lang: str = "en",
) -> Path:
    """Scenario means (95% CI bars both ways) on pairs of KPIs: ``(x, y, panel title)``.

    ``size_outliers`` (scenarios of a different county size) are left out of panels
    whose x axis is a size-driven total (staff hours), with a note in the panel title.
    """
    t, titles = TEXT[lang], titles or {}
    with figure(lang):
        fig = Figure(figsize=(6.2 * len(pairs), 5.6))
        axes = fig.subplots(1, len(pairs), squeeze=False)
        for ax, (xk, yk, title) in zip(axes.flat, pairs):
            skip = [n for n in size_outliers if n in order] if grows_with_county(xk) else []
            names = [n for n in order if n not in skip]
            _scatter_panel(ax, summary, xk, yk, order, colours, baseline, names, titles, lang)
            if skip:
                title += t["left_out"].format(", ".join(titles.get(n, n) for n in skip))
            ax.set_title(title, fontsize=10)
        seen: dict[str, Any] = {}
        for ax in axes.flat:  # every scenario once, even if left out of a panel
            for h, lab in zip(*ax.get_legend_handles_labels()):
                seen.setdefault(lab, h)
        fig.legend(
            list(seen.values()),
            list(seen.keys()),
            title=t["scenario"],
            loc="lower center",
            ncol=min(3, max(1, len(seen))),
            fontsize=8,
            title_fontsize=9,
            frameon=False,
            bbox_to_anchor=(0.5, -0.02),
        )
        fig.suptitle(t["tradeoffs"].format(reps), fontsize=11)
        fig.tight_layout(rect=(0, 0.1, 1, 1))
        return save_figure(fig, path)


def tradeoffs(lang: str = "en") -> list[tuple[str, str, str]]:
    """The trade-off figure's panels ``(x, y, title)``: the registry's ``tradeoff`` view, a group per panel
    (its KPIs x then y, its title the panel's)."""
    return [(*names[:2], group("tradeoff", g).title(lang)) for g, names in groups("tradeoff") if len(names) >= 2]


def compare_figures(
    folder: Path,
    runs: pd.DataFrame,
    ts: pd.DataFrame,
    summary: pd.DataFrame,
    comparison: pd.DataFrame,
    baseline: str,
    order: Sequence[str],
    size_outliers: Sequence[str] = (),
    titles: dict[str, str] | None = None,
    lang: str = "en",
) -> list[Path]:
    """All figures of a comparison in ``lang``; returns their paths (old PNGs in ``folder`` are replaced)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    colours = scenario_colours(order, baseline)
    reps = int(runs.groupby("scenario").size().max()) if len(runs) else 0
    out = []
    for kpi in kpis("timeseries"):
        if kpi in ts.columns:
            out.append(
                timeseries_figure(
                    folder / f"timeseries_{kpi}.png", ts, kpi, order, colours, reps, baseline, titles, lang
                )
            )
    if len(comparison):
        heads = [k for k in kpis("headline") if k in set(comparison["kpi"])]
        out.append(
            forest_figure(
                folder / "forest_differences.png",
                comparison,
                heads,
                order,
                colours,
                baseline,
                titles,
                lang,
                size_outliers=size_outliers,
            )
        )
    present = set(summary["kpi"]) if len(summary) else set()
    pairs = [(x, y, title) for x, y, title in tradeoffs(lang) if {x, y} <= present]
    if pairs:
        out.append(
            tradeoff_figure(
                folder / "tradeoffs.png", summary, pairs, order, colours, baseline, reps, size_outliers, titles, lang
            )
        )
    return out
