"""Statistics of replicated runs: means with 95% t-intervals, differences from a baseline, Holm correction.

All tests come from :mod:`scipy.stats`:

- per scenario and KPI: mean, sample standard deviation (ddof=1), 95% confidence
  interval of the mean from Student's t with n−1 degrees of freedom (the one-sample
  t-test's ``confidence_interval()``), n (runs with a defined value — undefined rates
  are NaN and left out);
- difference scenario − baseline: under common random numbers the runs are
  paired by replication (same seed) and the paired t-test is used
  (:func:`scipy.stats.ttest_rel`, on replications where both values are defined);
  with independent seeds, Welch's unequal-variance t-test
  (:func:`scipy.stats.ttest_ind` with ``equal_var=False``); the 95% interval is the
  test's own ``confidence_interval()``;
- Holm's step-down correction (:func:`statsmodels.stats.multitest.multipletests`,
  ``method="holm"``) over the whole family of t-tests in the table (every scenario × KPI
  that has one), controlling the family-wise error rate;
- effect size: Cohen's d_av = difference / √((sd_scenario² + sd_baseline²) / 2),
  the difference in units of run-to-run spread (|d| ≈ 0.2 small, 0.5 medium, 0.8 large).

When the differences have zero spread up to rounding (a KPI that a lever switches off, or a
constant), no t-test exists: the interval is the difference itself and p is 0
(constant non-zero difference) or 1 (identical values); the test column says so.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as st
from statsmodels.stats.multitest import multipletests

CONFIDENCE = 0.95
KEY_COLUMNS = ("scenario", "param_hash", "replication", "seed")


def kpi_columns(runs: pd.DataFrame, exclude: Sequence[str] = KEY_COLUMNS) -> list[str]:
    """Numeric columns of a runs table that are KPIs (not keys), in table order."""
    return [
        c
        for c in runs.columns
        if c not in exclude and pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(runs[c])
    ]


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float, float, int]:
    """(mean, sd, low, high, n) of the finite values: Student-t interval of the mean.

    n = 0 → all NaN; n = 1 → sd and interval NaN; sd = 0 → interval collapses to the mean.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return (math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return (mean, math.nan, math.nan, math.nan, 1)
    sd = float(x.std(ddof=1))
    if sd <= 1e-12 * max(1.0, abs(mean)):  # no spread: scipy's interval would be NaN
        return (mean, sd, mean, mean, n)
    ci = st.ttest_1samp(x, popmean=mean).confidence_interval(confidence_level=confidence)
    return (mean, sd, float(ci.low), float(ci.high), n)


def summarize(
    runs: pd.DataFrame, kpis: Sequence[str] | None = None, by: str = "scenario", order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per group and KPI: mean, sd, ci_low, ci_high (95%), n. Long format, groups in ``order``."""
    kpis = list(kpis) if kpis is not None else kpi_columns(runs)
    groups = list(order) if order is not None else list(dict.fromkeys(runs[by]))
    out = []
    for g in groups:
        sub = runs[runs[by] == g]
        for k in kpis:
            mean, sd, lo, hi, n = t_interval(sub[k].to_numpy(dtype=float))
            out.append({by: g, "kpi": k, "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(out, columns=[by, "kpi", "mean", "sd", "ci_low", "ci_high", "n"])


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values (statsmodels' ``multipletests``); NaN stays NaN, and the
    family is the finite p-values."""
    p = np.asarray(pvalues, dtype=float)
    adj = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        adj[ok] = multipletests(p[ok], method="holm")[1]
    return adj


def difference(
    scenario: np.ndarray, baseline: np.ndarray, paired: bool, confidence: float = CONFIDENCE
) -> dict[str, float | str | int]:
    """Difference of means scenario − baseline with CI, test, p-value and Cohen's d_av.

    ``paired=True``: arrays are aligned by replication; pairs with a NaN are dropped.
    """
    a = np.asarray(scenario, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if paired:
        keep = np.isfinite(a) & np.isfinite(b)
        a, b = a[keep], b[keep]
    else:
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    bm = float(b.mean()) if b.size else math.nan
    am = float(a.mean()) if a.size else math.nan
    diff = am - bm
    res: dict[str, float | str | int] = {
        "n": int(a.size),
        "n_baseline": int(b.size),
        "baseline_mean": bm,
        "scenario_mean": am,
    }
    res["difference"] = diff
    res["relative_difference"] = diff / abs(bm) if bm and math.isfinite(bm) else math.nan
    sd_a = float(a.std(ddof=1)) if a.size > 1 else math.nan
    sd_b = float(b.std(ddof=1)) if b.size > 1 else math.nan
    pooled = math.sqrt((sd_a**2 + sd_b**2) / 2) if math.isfinite(sd_a) and math.isfinite(sd_b) else math.nan
    tol = 1e-9 * max(1.0, float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    res["effect_size"] = diff / pooled if math.isfinite(pooled) and pooled > tol else math.nan
    res.update(test="none", statistic=math.nan, df=math.nan, ci_low=math.nan, ci_high=math.nan, p_value=math.nan)
    if a.size < 2 or b.size < 2:
        res["test"] = "too few runs"
        return res
    spread = float(np.std(a - b, ddof=1)) if paired else pooled
    if spread <= tol:  # no spread (up to rounding): no t-test exists
        if abs(diff) <= tol:  # equal up to rounding (e.g. the same budget summed in another order)
            diff = 0.0
            res.update(difference=0.0, relative_difference=0.0 if bm and math.isfinite(bm) else math.nan)
        res.update(test="constant difference", ci_low=diff, ci_high=diff, p_value=0.0 if diff != 0 else 1.0)
        return res
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-identical data: handled above
        if paired:
            r = st.ttest_rel(a, b)
            res["test"] = "paired t"
        else:
            r = st.ttest_ind(a, b, equal_var=False)
            res["test"] = "Welch t"
    ci = r.confidence_interval(confidence_level=confidence)
    res.update(
        statistic=float(r.statistic),
        df=float(r.df),
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        p_value=float(r.pvalue),
    )
    return res


COMPARISON_COLUMNS = [
    "scenario",
    "kpi",
    "n",
    "n_baseline",
    "baseline_mean",
    "scenario_mean",
    "difference",
    "relative_difference",
    "ci_low",
    "ci_high",
    "test",
    "statistic",
    "df",
    "p_value",
    "p_holm",
    "significant",
    "effect_size",
]
"""The columns of ``compare_to_baseline``'s table, in order."""


def compare_to_baseline(
    runs: pd.DataFrame,
    baseline: str,
    kpis: Sequence[str] | None = None,
    paired: bool = True,
    order: Sequence[str] | None = None,
    alpha: float = 1 - CONFIDENCE,
) -> pd.DataFrame:
    """Every scenario other than ``baseline`` against it, per KPI, with Holm-adjusted p-values.

    ``paired`` pairs runs by ``replication`` (use it under common random numbers).
    Columns: scenario, kpi, n, n_baseline, baseline_mean, scenario_mean, difference,
    relative_difference, ci_low, ci_high, test, statistic, df, p_value, p_holm,
    significant (p_holm < alpha), effect_size.
    """
    kpis = list(kpis) if kpis is not None else kpi_columns(runs)
    names = list(order) if order is not None else list(dict.fromkeys(runs["scenario"]))
    base = runs[runs["scenario"] == baseline].set_index("replication").sort_index()
    if base.empty:
        raise ValueError(f"baseline {baseline!r} has no finished runs")
    out = []
    for name in names:
        if name == baseline:
            continue
        sub = runs[runs["scenario"] == name].set_index("replication").sort_index()
        if paired:
            reps = sub.index.intersection(base.index)
            sub_al, base_al = sub.loc[reps], base.loc[reps]
        else:
            sub_al, base_al = sub, base
        for k in kpis:
            d = difference(sub_al[k].to_numpy(dtype=float), base_al[k].to_numpy(dtype=float), paired)
            out.append({"scenario": name, "kpi": k, **d})
    df = pd.DataFrame(out)
    if df.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    tested = df["test"].isin(["paired t", "Welch t"]).to_numpy()
    p = df["p_value"].to_numpy(dtype=float)
    # the family is the t-tests; deterministic (constant) differences keep their 0/1
    df["p_holm"] = np.where(tested, holm(np.where(tested, p, np.nan).tolist()), p)
    df["significant"] = df["p_holm"] < alpha
    return df[COMPARISON_COLUMNS]
