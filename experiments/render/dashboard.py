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

import matplotlib

matplotlib.use("Agg")  # files only; never opens a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

SMOOTH_DAYS = 10
"""Window (working days) of the rolling mean drawn over noisy daily series."""

# (title, y-axis label, [(column, legend label, colour)], kind)
# kind: "count" (raw daily values, rolling mean), "level" (stock, drawn as is),
#       "share" (0–1, shown in %, rolling mean), "index" (0–1 score, drawn as is),
#       "stock" (a level whose axis need not start at 0)
PANELS: list[tuple[str, str, list[tuple[str, str, str]], str]] = [
    ("Requests: new vs closed", "cases per working day",
     [("cases_created", "new requests", "tab:blue"), ("cases_closed", "cases closed", "tab:green")], "count"),
    ("Open cases (backlog) by who holds them", "open cases at day end",
     [("backlog_department", "county departments", "tab:blue"), ("backlog_township", "townships", "tab:orange"),
      ("backlog_desk", "escalation desks", "tab:red"), ("backlog", "total", "black")], "level"),
    ("Closed on time (135 deadlines: 1, 3, 5 days)", "share of cases closed that day",
     [("on_time_rate", "all cases", "black"), ("on_time_rate_tier1", "tier 1 (1 dept, 1 day)", "tab:green"),
      ("on_time_rate_tier3", "tier 3 (several, 3 days)", "tab:orange"),
      ("on_time_rate_tier5", "tier 5 (district, 5 days)", "tab:red")], "share"),
    ("Escalations (tiered coordination, 135 rule)", "cases moved up per working day",
     [("escalations_level1", "to chief representative", "tab:olive"),
      ("escalations_level2", "to leading-group office", "tab:orange"),
      ("escalations_level3", "to joint conference", "tab:red")], "count"),
    ("Trips a requester makes", "trips per closed case",
     [("trips_per_case", "trips per case", "tab:purple")], "count"),
    ("Requests needing no trip (online, commissioner)", "share of closed cases",
     [("zero_trip_share", "zero trips", "tab:cyan")], "share"),
    ("Duty tasks pushed down to townships", "tasks per working day",
     [("dumped_tasks", "dumped on townships", "tab:brown"), ("bounced_tasks", "bounced back (lists)", "tab:gray")],
     "count"),
    ("Workload: utilisation of staff hours", "share of available hours",
     [("township_utilisation", "townships", "tab:orange"), ("department_utilisation", "county departments",
                                                            "tab:blue")], "share"),
    ("Townships overloaded, petitions", "count",
     [("overloaded_townships", "overloaded townships", "tab:red"), ("petitions", "petitions per day", "tab:purple")],
     "count"),
    ("Satisfaction (0 = none, 1 = full)", "mean satisfaction",
     [("enterprise_satisfaction", "enterprises", "tab:blue"), ("citizen_satisfaction", "citizens", "tab:green")],
     "index"),
    ("County departments' effort (two-way assessment)", "work speed (1 = normal)",
     [("department_effort", "mean effort", "tab:gray")], "level"),
    ("Enterprises in the county", "enterprises",
     [("enterprises", "operating enterprises", "tab:blue")], "stock"),
]


def dashboard_figure(ts: pd.DataFrame, title: str = "townsim run") -> plt.Figure:
    """A 12-panel figure of the daily KPI table ``ts`` (one row per working day)."""
    days = ts["day"].to_numpy() if "day" in ts.columns else np.arange(1, len(ts) + 1)
    fig, axes = plt.subplots(4, 3, figsize=(19, 15), sharex=True, layout="constrained")
    fig.suptitle(title, fontsize=15, fontweight="bold")
    for ax, (ptitle, ylabel, series, kind) in zip(axes.flat, PANELS):
        _panel(ax, ts, days, ptitle, ylabel, series, kind)
    for ax in axes[-1]:
        ax.set_xlabel("working day (1 day = 8 working hours; 250 ≈ one year)")
    extra = []
    if "overloaded_townships" in ts.columns:
        extra.append(f"overloaded townships at the end: {int(ts['overloaded_townships'].iloc[-1])}")
    if "petitions" in ts.columns:
        extra.append(f"petitions over the run: {int(np.nansum(ts['petitions']))}")
    if "enterprises" in ts.columns:
        extra.append(f"enterprises: {int(ts['enterprises'].iloc[0]):,} → {int(ts['enterprises'].iloc[-1]):,}")
    note = (f"Faint lines: daily values; bold lines: {SMOOTH_DAYS}-day rolling mean.   " + "   ".join(extra))
    fig.text(0.5, -0.005, note, ha="center", va="top", fontsize=10, color="dimgray")
    return fig


def _panel(ax, ts, days, title, ylabel, series, kind) -> None:
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    drawn = 0
    for col, label, colour in series:
        if col not in ts.columns:
            continue
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
        ax.text(0.5, 0.5, "no data in this run", transform=ax.transAxes, ha="center", va="center", color="gray")


def save_dashboard(ts: pd.DataFrame, path: Path | str, title: str = "townsim run", dpi: int = 100) -> Path:
    """Write the dashboard of ``ts`` as a PNG to ``path`` (folders created); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = dashboard_figure(ts, title)
    try:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
