"""How often a reform helps across plausible worlds: the tie rule, per-world verdicts, shares with intervals.

- **Tie rule** (:func:`tie_rule`): in one world a reform is *not distinguishable* from the baseline on
  a KPI when the 95 % interval of the paired difference (reform − baseline over the world's
  replications, :func:`townsim.experiments.core.stats.difference`) contains 0; otherwise it is
  *better* or *worse* by the KPI's direction (for a KPI without a direction, higher counts as better).
- **Shares** (:func:`share_interval`): the share of worlds with each verdict and its 95 % Wilson
  score interval (statsmodels' ``proportion_confint(method="wilson")``), which stays inside [0, 1]
  and is honest at shares near 0 and 1.
- **Collapse** (the stop rule, ``--set stop_backlog_days=D``): a run that stopped because its backlog grew
  without bound has KPIs of a truncated, non-stationary run, which are never averaged into an effect. In a
  world where the reform collapsed (any replication stopped) and the baseline did not, the reform is *worse*
  on every KPI; where the baseline collapsed and the reform did not, *better*; where both did, *not
  distinguishable*. Those worlds' effects are NaN and the table says which arm collapsed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.stats as st

from townsim.experiments.core.stats import CONFIDENCE, difference

BETTER, WORSE, TIE = "better", "worse", "not distinguishable"
VERDICTS = (BETTER, WORSE, TIE)
STOPPED = "stopped_day"
"""The run summary's column that only a run stopped by the stop rule has (its backlog grew without bound)."""
COLLAPSE_VERDICT = {"reform": WORSE, "baseline": BETTER, "both": TIE}


def tie_rule(ci_low: float, ci_high: float, effect: float, direction: int) -> str:
    """The verdict of one world: :data:`TIE` when [ci_low, ci_high] contains 0 (or is undefined), else
    :data:`BETTER` or :data:`WORSE` by the sign of ``effect`` and ``direction`` (+1: higher is better,
    −1: lower is better, 0: higher counts as better)."""
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)) or ci_low <= 0.0 <= ci_high:
        return TIE
    up = effect > 0
    return BETTER if up == (direction >= 0) else WORSE


def share_interval(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(share, low, high): ``k`` of ``n`` and its Wilson score interval (NaN when n = 0)."""
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    # deferred: statsmodels is heavy, loaded only for its intervals
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(int(k), int(n), alpha=1 - confidence, method="wilson")
    return (k / n, float(lo), float(hi))


def collapsed(runs: pd.DataFrame) -> bool:
    """Whether any of ``runs`` (one arm's replications in one world) was stopped by the stop rule."""
    return STOPPED in runs.columns and bool(runs[STOPPED].notna().any())


def world_effects(
    runs: pd.DataFrame,
    baseline: str,
    reforms: Sequence[str],
    kpis: Sequence[str],
    directions: dict[str, int],
    paired: bool = True,
) -> pd.DataFrame:
    """Per world, reform and KPI: the effect (mean difference reform − baseline), its 95 % interval and the
    verdict. ``runs`` has columns world, scenario, replication and the KPIs (replications paired by index).
    ``collapsed``: which arm the stop rule stopped in that world ("reform", "baseline", "both" or "")."""
    rows = []
    for w, sub in runs.groupby("world", sort=True):
        base = sub[sub["scenario"] == baseline].set_index("replication").sort_index()
        for name in reforms:
            ref = sub[sub["scenario"] == name].set_index("replication").sort_index()
            if ref.empty or base.empty:
                continue
            if paired:
                common = ref.index.intersection(base.index)
                a_al, b_al = ref.loc[common], base.loc[common]
            else:
                a_al, b_al = ref, base
            arm = {(True, False): "reform", (False, True): "baseline", (True, True): "both"}.get(
                (collapsed(a_al), collapsed(b_al)), ""
            )
            if arm:
                rows += [_collapsed_row(int(w), name, k, len(a_al), arm) for k in kpis]
                continue
            found = _differences(a_al[list(kpis)].to_numpy(float), b_al[list(kpis)].to_numpy(float), paired)
            for k, (eff, lo, hi, n) in zip(kpis, found):
                rows.append(
                    {
                        "world": int(w),
                        "reform": name,
                        "kpi": k,
                        "effect": eff,
                        "ci_low": lo,
                        "ci_high": hi,
                        "n": n,
                        "verdict": tie_rule(lo, hi, eff, directions.get(k, 0)),
                        "collapsed": "",
                    }
                )
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def _differences(a: np.ndarray, b: np.ndarray, paired: bool) -> list[tuple[float, float, float, int]]:
    """(difference, ci_low, ci_high, n) of :func:`~townsim.experiments.core.stats.difference` for each column of
    ``a`` (reform) and ``b`` (baseline), rows the replications. The paired t-test columns of fewer than 8
    replications (a robustness world's usual 3) are taken in one vectorised call, which gives the same floats
    (a sum of fewer than 8 numbers is added in the same order along either axis; checked on whole analyses): a
    256-world analysis had made ~77,000 separate calls. Every other column goes through ``difference``."""
    simple = np.zeros(a.shape[1], dtype=bool)
    if paired and 2 <= a.shape[0] < 8:
        tol = 1e-9 * np.maximum(1.0, np.maximum(np.abs(a).max(axis=0), np.abs(b).max(axis=0)))
        with np.errstate(invalid="ignore"):
            simple = np.isfinite(a).all(axis=0) & np.isfinite(b).all(axis=0)
            simple &= np.std(a - b, axis=0, ddof=1) > tol
    out: list[tuple[float, float, float, int]] = [(math.nan, math.nan, math.nan, 0)] * a.shape[1]
    cols = np.flatnonzero(simple)
    if len(cols):
        x, y = a[:, cols], b[:, cols]
        eff = x.mean(axis=0) - y.mean(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ci = st.ttest_rel(x, y, axis=0).confidence_interval(confidence_level=CONFIDENCE)
        for i, j in enumerate(cols.tolist()):
            out[j] = (float(eff[i]), float(ci.low[i]), float(ci.high[i]), a.shape[0])
    for j in np.flatnonzero(~simple).tolist():
        d = difference(a[:, j], b[:, j], paired)
        out[j] = (float(d["difference"]), float(d["ci_low"]), float(d["ci_high"]), int(d["n"]))
    return out


EFFECT_COLUMNS = ["world", "reform", "kpi", "effect", "ci_low", "ci_high", "n", "verdict", "collapsed"]


def _collapsed_row(world: int, reform: str, k: str, n: int, arm: str) -> dict[str, object]:
    """The effect row of a world where ``arm`` collapsed: no effect, the collapse's verdict."""
    nan = math.nan
    return {
        "world": world,
        "reform": reform,
        "kpi": k,
        "effect": nan,
        "ci_low": nan,
        "ci_high": nan,
        "n": n,
        "verdict": COLLAPSE_VERDICT[arm],
        "collapsed": arm,
    }


ROBUSTNESS_COLUMNS = [
    "reform",
    "kpi",
    "direction",
    "worlds",
    "share_better",
    "better_low",
    "better_high",
    "share_worse",
    "worse_low",
    "worse_high",
    "share_not_distinguishable",
    "not_distinguishable_low",
    "not_distinguishable_high",
    "effect_median",
    "effect_p05",
    "effect_p95",
    "share_collapsed",
    "baseline_collapsed",
]


def robustness_table(effects: pd.DataFrame, directions: dict[str, int]) -> pd.DataFrame:
    """Per reform and KPI: shares of worlds better / worse / not distinguishable with Wilson intervals,
    and the median and 5–95 % range of the effect over worlds (``direction``: +1, −1 or 0); the shares of
    worlds where the reform, and where the baseline, collapsed (stopped by the stop rule)."""
    rows = []
    for (reform, k), sub in effects.groupby(["reform", "kpi"], sort=False):
        n = int(len(sub))
        row: dict[str, object] = {"reform": reform, "kpi": k, "direction": int(directions.get(k, 0)), "worlds": n}
        for verdict, col, lo, hi in (
            (BETTER, "share_better", "better_low", "better_high"),
            (WORSE, "share_worse", "worse_low", "worse_high"),
            (TIE, "share_not_distinguishable", "not_distinguishable_low", "not_distinguishable_high"),
        ):
            row[col], row[lo], row[hi] = share_interval(int((sub["verdict"] == verdict).sum()), n)
        eff = sub["effect"].to_numpy(float)
        eff = eff[np.isfinite(eff)]
        q = np.quantile(eff, [0.5, 0.05, 0.95]) if eff.size else [math.nan] * 3
        row.update(effect_median=float(q[0]), effect_p05=float(q[1]), effect_p95=float(q[2]))
        arm = sub["collapsed"] if "collapsed" in sub.columns else pd.Series("", index=sub.index)
        row["share_collapsed"] = float(arm.isin(["reform", "both"]).mean()) if n else math.nan
        row["baseline_collapsed"] = float(arm.isin(["baseline", "both"]).mean()) if n else math.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)
