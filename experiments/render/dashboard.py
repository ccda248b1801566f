"""The run dashboard: the main daily KPIs of one run on one page, readable by a planner.

``dashboard_figure(timeseries, title)`` returns a matplotlib figure of the
registry's ``dashboard`` panels (twelve: flows, backlog, 135 on-time rate, escalations, trips,
dumping, workload, overload, satisfaction, effort, enterprises), each with a title, axis units and a
legend; ``save_dashboard`` writes it as a PNG. Flows and rates (the KPI's kind) are drawn faintly
with a bold rolling mean, stocks as they are. Columns missing from the table are skipped; a panel
without data says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from townsim.experiments.render import fmt
from townsim.experiments.render.fonts import figure
from townsim.model import metrics
from townsim.model.metrics import kpi

SMOOTH_DAYS = 10
"""Window (working days) of the rolling mean drawn over noisy daily series."""

VIEW = "dashboard"
"""The registry's view whose groups are the panels (titles, axes and colours: ``metrics.GROUPS``)."""

Panel = tuple[str, str, str, str, list[tuple[str, str]], str]
"""(title en, title zh, y-axis en, y-axis zh, [(column, colour)], axis style)."""


def panels() -> list[Panel]:
    """The dashboard's panels, from the registry: one per group of the ``dashboard`` view, its series the
    KPIs that declare it. Axis style: "share" (0–1 shown in %), "index" (a 0–1 score), "stock" (a level
    whose axis need not start at 0) or "count" (from 0). Whether a series is smoothed is its KPI's kind."""
    out = []
    for name, cols in metrics.groups(VIEW):
        g = metrics.group(VIEW, name)
        series = [(c, g.colour(i)) for i, c in enumerate(cols)]
        out.append((g.en, g.zh, g.axis_en, g.axis_zh, series, _style([metrics.kpi(c) for c in cols], g.zero)))
    return out


def _style(ks: list[metrics.Kpi], zero: bool) -> str:
    """A panel's axis style from its KPIs' formats and units and its group's ``zero``."""
    if all(k.fmt == "pct" for k in ks):
        return "share"
    if all(k.unit == "0–1" for k in ks):
        return "index"
    return "count" if zero else "stock"


PANELS = panels()
"""The shipped panels (:func:`panels` reads the registry again at each drawing)."""

TEXT = {
    "en": {
        "x": "working day (1 day = 8 working hours; 250 ≈ one year)",
        "none": "no data in this run",
        "note": "Faint lines: daily values; bold lines: {}-day rolling mean.   ",
        "title": "townsim — scenario {}, seed {}, {} working days",
        "set": "  (with {} --set override(s))",
    },
    "zh": {
        "x": "工作日（1 日 = 8 个工作小时；250 ≈ 一年）",
        "none": "本次运行无数据",
        "note": "浅色线：逐日值；粗线：{} 日滚动平均。   ",
        "title": "townsim — 情景 {}，种子 {}，{} 个工作日",
        "set": "（含 {} 项 --set 参数覆盖）",
    },
}
"""Dashboard texts other than KPI labels (those come from the registry)."""


def dashboard_title(scenario: str, seed: int, days: int, overrides: int = 0, lang: str = "en") -> str:
    """The dashboard's title line in ``lang``."""
    t = TEXT[lang]
    return t["title"].format(scenario, seed, days) + (t["set"].format(overrides) if overrides else "")


def dashboard_figure(ts: pd.DataFrame, title: str = "townsim run", lang: str = "en") -> Figure:
    """The dashboard panels of the daily KPI table ``ts`` (one row per working day); draw it inside
    :func:`~townsim.experiments.render.fonts.figure` for Chinese text."""
    t = TEXT[lang]
    days = ts["day"].to_numpy() if "day" in ts.columns else np.arange(1, len(ts) + 1)
    shown = panels()
    rows = max(1, -(-len(shown) // 3))
    fig = Figure(figsize=(19, 15 * rows / 4), layout="constrained")
    axes = fig.subplots(rows, 3, sharex=True, squeeze=False)
    fig.suptitle(title, fontsize=15, fontweight="bold")
    for ax, (ten, tzh, yen, yzh, series, kind) in zip(axes.flat, shown):
        _panel(ax, ts, days, ten if lang == "en" else tzh, yen if lang == "en" else yzh, series, kind, lang)
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(t["x"])
    fig.text(
        0.5,
        -0.005,
        t["note"].format(SMOOTH_DAYS) + "   ".join(footnotes(ts, lang)),
        ha="center",
        va="top",
        fontsize=10,
        color="dimgray",
    )
    return fig


def footnotes(ts: pd.DataFrame, lang: str = "en") -> list[str]:
    """The dashboard's closing notes on the daily table ``ts``: the registry's ``footnote`` view, each KPI
    worded by its group with its short label: ``end`` its last day's value, ``total`` its sum over the run,
    ``change`` its first and last day's values (whole numbers)."""
    notes = []
    for name, members in metrics.groups("footnote"):
        words = metrics.group("footnote", name).title(lang)
        for k in (k for k in members if k in ts.columns):
            col = ts[k]
            values = {"total": (np.nansum(col),), "change": (col.iloc[0], col.iloc[-1])}.get(name, (col.iloc[-1],))
            notes.append(words.format(kpi(k).short_text(lang), *(fmt.number(v, 0) for v in values)))
    return notes


def _panel(ax, ts, days, title, ylabel, series, kind, lang) -> None:
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    drawn = 0
    for col, colour in series:
        if col not in ts.columns:
            continue
        k = kpi(col)
        label = k.text(lang)
        y = pd.to_numeric(ts[col], errors="coerce").astype(float)
        if y.isna().all():
            continue
        if not k.smoothed:  # a stock, drawn as it is; a panel's total (black) and scores in bold
            ax.plot(days, y, color=colour, lw=2.2 if colour == "black" or kind == "index" else 1.4, label=label)
        else:
            ax.plot(days, y, color=colour, lw=0.8, alpha=0.3)
            smooth = y.rolling(SMOOTH_DAYS, min_periods=1).mean()
            ax.plot(days, smooth, color=colour, lw=2, label=label)
        drawn += 1
    if kind == "share":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        hi = ax.get_ylim()[1]
        ax.set_ylim(0, max(1.0, hi) * 1.25)  # 0–100 %, headroom above for the legend
        ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= max(1.0, hi) + 1e-9])
    elif kind == "index":
        ax.set_ylim(0, 1.3)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    elif kind == "stock":  # a stock whose changes matter more than its size: do not start at 0
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, hi + 0.3 * (hi - lo))
    elif drawn:
        hi = ax.get_ylim()[1]
        ax.set_ylim(0, hi * 1.3 if hi > 0 else 1)  # headroom above the data for the legend
    if drawn:
        ax.legend(loc="upper left", fontsize=9, framealpha=0.85, ncol=2 if len(series) > 2 else 1)
    else:
        ax.text(0.5, 0.5, TEXT[lang]["none"], transform=ax.transAxes, ha="center", va="center", color="gray")


def save_dashboard(
    ts: pd.DataFrame, path: Path | str, title: str = "townsim run", dpi: int = 100, lang: str = "en"
) -> Path:
    """Write the dashboard of ``ts`` as a PNG to ``path`` (folders created); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with figure(lang):
        dashboard_figure(ts, title, lang).savefig(path, dpi=dpi, bbox_inches="tight")
    return path
