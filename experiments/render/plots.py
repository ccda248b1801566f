"""Figures of scenario comparisons and sweeps (matplotlib; PNG at 130 dpi), in English or Chinese.

Every figure stands on its own: a title saying what is compared, axis labels
with units, a legend, and a note of the number of runs behind each estimate.
Scenario colours are fixed by the scenario's position in the experiment (baseline
always black) so that one scenario has one colour in every figure; scenarios are shown by their
titles (labels), KPIs by the registry's label and unit in the figure's language. Figures are
:class:`matplotlib.figure.Figure` objects drawn without pyplot: no backend is chosen or switched.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as st

from townsim.experiments.render import fmt
from townsim.experiments.render.fonts import figure
from townsim.model.metrics import kpi as _registry

DPI = 130


HEADLINE = (
    "on_time_rate",
    "mean_resolution_days",
    "trips_per_case",
    "backlog_end",
    "township_utilisation",
    "overloaded_townships",
    "staff_hours",
    "enterprise_satisfaction",
    "citizen_satisfaction",
    "petitions",
    "dumped_tasks",
    "escalations",
)
"""KPIs of the report's headline table and forest plot (those present in the runs)."""

TIMESERIES = (
    "backlog",
    "on_time_rate",
    "township_utilisation",
    "overloaded_townships",
    "enterprise_satisfaction",
    "citizen_satisfaction",
)
"""Daily KPIs drawn as time series (those present)."""

FLOW_SMOOTH_DAYS = 10
"""Daily rates and flows are drawn as a trailing moving average over this many working days."""

STOCKS = {
    "backlog",
    "backlog_department",
    "backlog_township",
    "backlog_desk",
    "enterprises",
    "enterprise_satisfaction",
    "citizen_satisfaction",
    "department_effort",
    "overloaded_townships",
}
"""Daily KPIs that are levels (drawn as they are), not flows or rates (smoothed)."""


info = _registry
"""Display information of a KPI (a readable fall-back for unknown names)."""


def scale(kpi: str) -> float:
    """Factor from stored value to displayed value (shares → %)."""
    return 100.0 if info(kpi).fmt == "pct" else 1.0


def clip_bounds(kpi: str, lo, hi):
    """Cut interval ends at a KPI's natural bounds (shares in [0, 1], counts and levels >= 0)."""
    k = info(kpi)
    top = 1.0 if k.fmt == "pct" or k.unit == "0–1" else np.inf
    return np.clip(lo, 0.0, top), np.clip(hi, 0.0, top)


def axis_label(kpi: str, difference: bool = False, lang: str = "en") -> str:
    """``label (unit)`` in ``lang``; for differences of percentages the unit is percentage points."""
    return fmt.axis_label(kpi, lang, difference)


TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "baseline": "{} (baseline)",
        "day": "working day",
        "better": "better",
        "worse": "worse",
        "dir": {1: "higher is better", -1: "lower is better", 0: "neither is better"},
        "smooth": "; {}-day moving average",
        "vs": " against the baseline {} (black)",
        "ts": "{} day by day: each scenario{}\nline: mean of {} runs; shaded: 95% confidence band{}",
        "diff": "difference: {}",
        "forest": "Difference from the baseline {} (scenario − baseline), with 95% confidence intervals\n"
        "filled dot: significant after Holm correction for all comparisons; hollow: not significant "
        "(intervals are not adjusted, so one can miss 0 and still be hollow)",
        "left_out": "\n(left out, a different county size: {})",
        "scenario": "scenario",
        "tradeoffs": "Trade-offs between reform scenarios (mean of {} runs each; bars: 95% confidence intervals)",
        "mean": "mean",
        "band": "95% confidence band",
        "line": "{}\n{} against {} (mean of {} runs per point)",
        "heat": "{}\n{}: mean of {} runs per cell",
        "sweep": "Sweep of scenario {}",
        "pairs": (
            "Cost against speed: better is up and to the left",
            "Township load against enterprise satisfaction",
            "Township load against citizen satisfaction",
        ),
    },
    "zh": {
        "baseline": "{}（基准）",
        "day": "工作日",
        "better": "更好",
        "worse": "更差",
        "dir": {1: "越高越好", -1: "越低越好", 0: "无好坏方向"},
        "smooth": "；{} 日移动平均",
        "vs": "，与基准{}（黑色）对比",
        "ts": "{}逐日变化：各情景{}\n线：{} 次运行的均值；阴影：95% 置信带{}",
        "diff": "差异：{}",
        "forest": "与基准{}的差异（情景 − 基准）及 95% 置信区间\n"
        "实心点：经 Holm 多重比较校正后显著；空心点：不显著（区间未校正，故不含 0 的区间也可能为空心）",
        "left_out": "\n（未列入，县域规模不同：{}）",
        "scenario": "情景",
        "tradeoffs": "改革情景之间的权衡（各 {} 次运行的均值；误差线：95% 置信区间）",
        "mean": "均值",
        "band": "95% 置信带",
        "line": "{}\n{}随 {} 的变化（每点 {} 次运行的均值）",
        "heat": "{}\n{}：每格 {} 次运行的均值",
        "sweep": "情景{}的参数扫描",
        "pairs": ("成本与速度：越靠左上越好", "乡镇负荷与企业满意度", "乡镇负荷与群众满意度"),
    },
}
"""Figure texts other than KPI labels and units (those come from the registry)."""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def scenario_colours(order: Sequence[str], baseline: str | None = None) -> dict[str, tuple]:
    """One fixed colour per scenario; the baseline is black."""
    cmap = matplotlib.colormaps["tab10"]
    colours, i = {}, 0
    for name in order:
        if name == baseline:
            colours[name] = (0.0, 0.0, 0.0, 1.0)
        else:
            colours[name] = cmap(i % 10)
            i += 1
    return colours


MARKERS = "osD^vP*Xh<>p"


_KEEPERS: list[dict[Path, Figure]] = []
"""Open :func:`keep_figures` contexts (innermost last)."""


@contextlib.contextmanager
def keep_figures() -> Iterator[dict[Path, Figure]]:
    """Inside, every Figure that :func:`save_figure` writes is also kept, live: PNG path (resolved) → Figure.

    The figure functions of every experiment write through :func:`save_figure`, so a caller in Python (the
    notebook API) gets the very Figures they drew, to show or restyle, without drawing anything twice."""
    kept: dict[Path, Figure] = {}
    _KEEPERS.append(kept)
    try:
        yield kept
    finally:
        _KEEPERS.remove(kept)


def save_figure(fig, path: Path, dpi: int = DPI) -> Path:
    """Write ``fig`` as a PNG with the one atomic writer (and keep it in any open :func:`keep_figures`)."""
    from townsim.experiments.core import atomic

    for kept in _KEEPERS:
        kept[Path(path).resolve()] = fig
    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, bbox_inches="tight", format="png")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(Path(path), buf.getvalue())
    return Path(path)


def _mean_band(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise mean and 95% t-interval across columns (replications), NaN-aware."""
    v = values.to_numpy(dtype=float)
    n = np.sum(np.isfinite(v), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(np.where(n[:, None] > 0, v, 0.0), axis=1)
        mean[n == 0] = np.nan
        sd = np.nanstd(v, axis=1, ddof=1) if v.shape[1] > 1 else np.full(len(v), np.nan)
        half = st.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
    half[n < 2] = np.nan
    return mean, mean - half, mean + half


# --- comparison figures ---------------------------------------------------------------------------
def _thousands(ax, axis: str = "both") -> None:
    """Tick labels with thousands separators instead of matplotlib's '1e6' offset."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
    for which in ("x", "y"):
        if axis in (which, "both"):
            lo, hi = getattr(ax, f"get_{which}lim")()
            if max(abs(lo), abs(hi)) >= 10_000:
                getattr(ax, f"{which}axis").set_major_formatter(fmt)


def _daily_band(ts: pd.DataFrame, name: str, kpi: str, smooth: bool):
    sub = ts[ts["scenario"] == name]
    if sub.empty:
        return None
    wide = sub.pivot_table(index="day", columns="replication", values=kpi, aggfunc="first", dropna=False)
    if smooth:
        wide = wide.rolling(FLOW_SMOOTH_DAYS, min_periods=1).mean()
    mean, lo, hi = _mean_band(wide)
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
    smooth = kpi not in STOCKS
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
            _thousands(ax, "y")
        for ax in list(axes.flat)[len(others) :]:
            ax.set_visible(False)
        note = t["smooth"].format(FLOW_SMOOTH_DAYS) if smooth else ""
        vs = t["vs"].format(titles.get(baseline, baseline)) if baseline and others != list(order) else ""
        fig.suptitle(t["ts"].format(_cap(info(kpi).text(lang)), vs, reps, note), fontsize=11)
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
            skip = [n for n in size_outliers if n in names] if _grows_with_size(kpi) else []
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


def _grows_with_size(kpi: str) -> bool:
    """A total that grows with the county's size (not comparable across county sizes)."""
    return kpi in SIZE_DRIVEN or info(kpi).fmt == "count" or kpi == "overloaded_townships"


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
    _thousands(ax, "x")


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
    _thousands(ax)


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
            skip = [n for n in size_outliers if n in order] if xk in SIZE_DRIVEN else []
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


SIZE_DRIVEN = {"staff_hours", "worked_hours", "cases_created", "cases_closed"}
"""Totals that scale with the size of the county (not comparable across county sizes)."""

TRADEOFFS = (
    ("staff_hours", "on_time_rate"),
    ("township_utilisation", "enterprise_satisfaction"),
    ("township_utilisation", "citizen_satisfaction"),
)
"""KPI pairs (x, y) of the trade-off figure; panel titles in ``TEXT[lang]["pairs"]``."""


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
    for kpi in TIMESERIES:
        if kpi in ts.columns:
            out.append(
                timeseries_figure(
                    folder / f"timeseries_{kpi}.png", ts, kpi, order, colours, reps, baseline, titles, lang
                )
            )
    if len(comparison):
        kpis = [k for k in HEADLINE if k in set(comparison["kpi"])]
        out.append(
            forest_figure(
                folder / "forest_differences.png",
                comparison,
                kpis,
                order,
                colours,
                baseline,
                titles,
                lang,
                size_outliers=size_outliers,
            )
        )
    present = set(summary["kpi"]) if len(summary) else set()
    pairs = [(x, y, title) for (x, y), title in zip(TRADEOFFS, TEXT[lang]["pairs"]) if {x, y} <= present]
    if pairs:
        out.append(
            tradeoff_figure(
                folder / "tradeoffs.png", summary, pairs, order, colours, baseline, reps, size_outliers, titles, lang
            )
        )
    return out


# --- sweep figures --------------------------------------------------------------------------------
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
        _thousands(ax, "y")
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
        ax.set_xticks(range(len(grid.columns)), [_tick(v) for v in grid.columns], fontsize=8)
        ax.set_yticks(range(len(grid.index)), [_tick(v) for v in grid.index], fontsize=8)
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
        from townsim.model.params import Params

        unit = (Params.model_fields[name].json_schema_extra or {}).get("unit", "")
    except (ImportError, KeyError):
        unit = ""
    return f"{name} ({unit})" if unit and unit != "-" else name


def _tick(v) -> str:
    v = float(v)
    return (f"{v:.0f}" if v.is_integer() else f"{v:.3g}").replace("-", fmt.MINUS)
