"""The run dashboard: the main daily KPIs of one run on one page, readable by a planner.

``dashboard_figure(timeseries, title)`` returns a matplotlib figure of twelve
panels (flows, backlog, 135 on-time rate, escalations, trips, dumping,
workload, overload, satisfaction, effort, enterprises), each with a title, axis units and a legend;
``save_dashboard`` writes it as a PNG. Noisy daily series are drawn faintly
with a bold rolling mean. Columns missing from the table are skipped; a panel
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
from townsim.model.metrics import kpi

SMOOTH_DAYS = 10
"""Window (working days) of the rolling mean drawn over noisy daily series."""

# (title en, title zh, y-axis en, y-axis zh, [(column, colour)], kind); series labels come from the KPI registry.
# kind: "count" (raw daily values, rolling mean), "level" (stock, drawn as is),
#       "share" (0–1, shown in %, rolling mean), "index" (0–1 score, drawn as is),
#       "stock" (a level whose axis need not start at 0)
PANELS: list[tuple[str, str, str, str, list[tuple[str, str]], str]] = [
    (
        "Requests: new vs closed",
        "诉求：新增与办结",
        "cases per working day",
        "件 / 工作日",
        [("cases_created", "tab:blue"), ("cases_closed", "tab:green")],
        "count",
    ),
    (
        "Open cases (backlog) by who holds them",
        "在办事项（按承办方）",
        "open at day end",
        "日终在办",
        [
            ("backlog_department", "tab:blue"),
            ("backlog_township", "tab:orange"),
            ("backlog_desk", "tab:red"),
            ("backlog", "black"),
        ],
        "level",
    ),
    (
        "Closed on time (135 deadlines: 1, 3, 5 days)",
        "按期办结（135 时限：1、3、5 日）",
        "share of cases closed that day",
        "当日办结事项占比",
        [
            ("on_time_rate", "black"),
            ("on_time_rate_tier1", "tab:green"),
            ("on_time_rate_tier3", "tab:orange"),
            ("on_time_rate_tier5", "tab:red"),
        ],
        "share",
    ),
    (
        "Escalations (tiered coordination, 135 rule)",
        "升级协调（分级协调，135 机制）",
        "cases moved up per working day",
        "件 / 工作日",
        [("escalations_level1", "tab:olive"), ("escalations_level2", "tab:orange"), ("escalations_level3", "tab:red")],
        "count",
    ),
    (
        "Trips a requester makes",
        "诉求人跑动次数",
        "trips per closed case",
        "每件办结事项跑动次数",
        [("trips_per_case", "tab:purple")],
        "count",
    ),
    (
        "Requests needing no trip (online, commissioner)",
        "零跑动诉求（网上办、专员代办）",
        "share of closed cases",
        "占办结事项",
        [("zero_trip_share", "tab:cyan")],
        "share",
    ),
    (
        "Duty tasks pushed down to townships",
        "向乡镇下压的职责任务",
        "tasks per working day",
        "项 / 工作日",
        [("dumped_tasks", "tab:brown"), ("bounced_tasks", "tab:gray")],
        "count",
    ),
    (
        "Workload: utilisation of staff hours",
        "工作负荷：人员工时利用率",
        "share of available hours",
        "占可用工时",
        [("township_utilisation", "tab:orange"), ("department_utilisation", "tab:blue")],
        "share",
    ),
    (
        "Townships overloaded, petitions",
        "超负荷乡镇与上访",
        "count",
        "数量",
        [("overloaded_townships", "tab:red"), ("petitions", "tab:purple")],
        "count",
    ),
    (
        "Satisfaction (0 = none, 1 = full)",
        "满意度（0 = 无，1 = 完全）",
        "mean satisfaction",
        "平均满意度",
        [("enterprise_satisfaction", "tab:blue"), ("citizen_satisfaction", "tab:green")],
        "index",
    ),
    (
        "County departments' effort (two-way assessment)",
        "县级部门努力程度（双向互评）",
        "work speed (1 = normal)",
        "工作速度（1 = 正常）",
        [("department_effort", "tab:gray")],
        "level",
    ),
    ("Enterprises in the county", "县内企业", "enterprises", "家", [("enterprises", "tab:blue")], "stock"),
]

TEXT = {
    "en": {
        "x": "working day (1 day = 8 working hours; 250 ≈ one year)",
        "none": "no data in this run",
        "note": "Faint lines: daily values; bold lines: {}-day rolling mean.   ",
        "over": "overloaded townships at the end: {}",
        "pet": "petitions over the run: {}",
        "ent": "enterprises: {} → {}",
        "title": "townsim — scenario {}, seed {}, {} working days",
        "set": "  (with {} --set override(s))",
    },
    "zh": {
        "x": "工作日（1 日 = 8 个工作小时；250 ≈ 一年）",
        "none": "本次运行无数据",
        "note": "浅色线：逐日值；粗线：{} 日滚动平均。   ",
        "over": "期末超负荷乡镇：{}",
        "pet": "全程上访：{}",
        "ent": "企业数：{} → {}",
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
    """A 12-panel figure of the daily KPI table ``ts`` (one row per working day); draw it inside
    :func:`~townsim.experiments.render.fonts.figure` for Chinese text."""
    t = TEXT[lang]
    days = ts["day"].to_numpy() if "day" in ts.columns else np.arange(1, len(ts) + 1)
    fig = Figure(figsize=(19, 15), layout="constrained")
    axes = fig.subplots(4, 3, sharex=True)
    fig.suptitle(title, fontsize=15, fontweight="bold")
    for ax, (ten, tzh, yen, yzh, series, kind) in zip(axes.flat, PANELS):
        _panel(ax, ts, days, ten if lang == "en" else tzh, yen if lang == "en" else yzh, series, kind, lang)
    for ax in axes[-1]:
        ax.set_xlabel(t["x"])
    extra = []
    if "overloaded_townships" in ts.columns:
        extra.append(t["over"].format(int(ts["overloaded_townships"].iloc[-1])))
    if "petitions" in ts.columns:
        extra.append(t["pet"].format(fmt.number(np.nansum(ts["petitions"]), 0)))
    if "enterprises" in ts.columns:
        extra.append(
            t["ent"].format(fmt.number(ts["enterprises"].iloc[0], 0), fmt.number(ts["enterprises"].iloc[-1], 0))
        )
    fig.text(
        0.5,
        -0.005,
        t["note"].format(SMOOTH_DAYS) + "   ".join(extra),
        ha="center",
        va="top",
        fontsize=10,
        color="dimgray",
    )
    return fig


def _panel(ax, ts, days, title, ylabel, series, kind, lang) -> None:
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    drawn = 0
    for col, colour in series:
        if col not in ts.columns:
            continue
        label = kpi(col).text(lang)
        y = pd.to_numeric(ts[col], errors="coerce").astype(float)
        if y.isna().all():
            continue
        if kind in ("level", "index", "stock"):
            ax.plot(days, y, color=colour, lw=2.2 if col == "backlog" or kind == "index" else 1.4, label=label)
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
