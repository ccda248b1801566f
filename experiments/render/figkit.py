"""What every figure of the project shares: scenario colours, figure texts, KPI scaling, the atomic PNG writer.

Figures are :class:`matplotlib.figure.Figure` objects drawn without pyplot: no backend is chosen or
switched. KPIs are shown by the registry's label and unit in the figure's language.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as st

from townsim.experiments.core import atomic
from townsim.experiments.render import fmt
from townsim.model.metrics import kpi as _registry

DPI = 130

FLOW_SMOOTH_DAYS = 10
"""Daily rates and flows (the registry's kinds ``flow`` and ``rate``) are drawn as a trailing moving
average over this many working days; stocks are drawn as they are."""

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
    },
}
"""Figure texts other than KPI labels and units (those come from the registry)."""


def cap(text: str) -> str:
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
    for kept in _KEEPERS:
        kept[Path(path).resolve()] = fig
    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, bbox_inches="tight", format="png")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(Path(path), buf.getvalue())
    return Path(path)


def mean_band(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def thousands(ax, axis: str = "both") -> None:
    """Tick labels with thousands separators instead of matplotlib's '1e6' offset."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
    for which in ("x", "y"):
        if axis in (which, "both"):
            lo, hi = getattr(ax, f"get_{which}lim")()
            if max(abs(lo), abs(hi)) >= 10_000:
                getattr(ax, f"{which}axis").set_major_formatter(fmt)


def grows_with_county(kpi: str) -> bool:
    """A total that grows with the county's size (not comparable across county sizes): the registry's
    :attr:`~townsim.model.metrics.Kpi.grows_with_county`."""
    return info(kpi).grows_with_county
