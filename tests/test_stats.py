"""Statistics against hand computations on small known tables (no scipy in the expected values)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from townsim.experiments.core.stats import compare_to_baseline, difference, holm, summarize, t_interval

T975_DF3 = 3.182446305284263  # Student t 97.5% quantile, 3 degrees of freedom (tables)
T975_DF2 = 4.302652729911275


def t_pdf(x, df):
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return c * (1 + x * x / df) ** (-(df + 1) / 2)


def two_sided_p(t, df):
    """2·P(T > |t|) by numerical integration of the t density (independent of scipy)."""
    x = np.linspace(abs(t), abs(t) + 400, 2_000_001)
    y = t_pdf(x, df)
    return 2 * float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)))


def test_t_interval_by_hand():
    mean, sd, lo, hi, n = t_interval([1.0, 2.0, 3.0, np.nan, 6.0])
    assert n == 4 and mean == 3.0
    assert sd == pytest.approx(math.sqrt(((1 - 3) ** 2 + 1 + 0 + 9) / 3))
    half = T975_DF3 * sd / 2
    assert (lo, hi) == pytest.approx((3 - half, 3 + half))
    one = t_interval([5.0])
    assert one[0] == 5.0 and one[4] == 1 and all(math.isnan(v) for v in one[1:4])
    assert t_interval([2.0, 2.0, 2.0])[1:4] == (0.0, 2.0, 2.0)
    assert t_interval([])[4] == 0


def test_paired_difference_by_hand():
    base = np.array([1.0, 2.0, 3.0, 4.0])
    scen = np.array([2.0, 4.0, 5.0, 5.0])  # differences 1, 2, 2, 1
    d = difference(scen, base, paired=True)
    sd = math.sqrt(1 / 3)
    t = 1.5 / (sd / 2)
    # closed-form CDF of Student t with 3 df
    u = t / math.sqrt(3)
    cdf = 0.5 + (u / (1 + u * u) + math.atan(u)) / math.pi
    assert d["test"] == "paired t" and d["n"] == 4
    assert d["difference"] == pytest.approx(1.5)
    assert d["statistic"] == pytest.approx(t) and d["df"] == 3
    assert d["p_value"] == pytest.approx(2 * (1 - cdf), rel=1e-9)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((1.5 - T975_DF3 * sd / 2, 1.5 + T975_DF3 * sd / 2))
    sd_a, sd_b = np.std(scen, ddof=1), np.std(base, ddof=1)
    assert d["effect_size"] == pytest.approx(1.5 / math.sqrt((sd_a**2 + sd_b**2) / 2))
    assert d["relative_difference"] == pytest.approx(1.5 / 2.5)


def test_welch_difference_by_hand():
    a = np.array([3.0, 5.0, 4.0, 6.0, 7.0])
    b = np.array([1.0, 2.0, 2.5])
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    d = difference(a, b, paired=False)
    assert d["test"] == "Welch t"
    assert d["statistic"] == pytest.approx(t) and d["df"] == pytest.approx(df)
    assert d["p_value"] == pytest.approx(two_sided_p(t, df), rel=1e-4)


def test_constant_and_undefined_differences():
    d = difference(np.array([2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0]), paired=True)
    assert d["test"] == "constant difference" and d["p_value"] == 0.0 and d["ci_low"] == d["ci_high"] == 1.0
    d = difference(np.zeros(3), np.zeros(3), paired=True)
    assert d["p_value"] == 1.0 and d["difference"] == 0.0
    # equal budgets summed in another order differ by rounding only: no difference, not "significant"
    a = np.full(20, 193_500.0) + 2.91e-11
    d = difference(a, np.full(20, 193_500.0), paired=True)
    assert d["difference"] == 0.0 and d["p_value"] == 1.0 and d["ci_low"] == d["ci_high"] == 0.0
    d = difference(np.array([np.nan, 1.0, 2.0, 4.0]), np.array([0.0, np.nan, 1.0, 2.0]), paired=True)
    assert d["n"] == 2 and d["difference"] == pytest.approx(1.5)  # pairs with a NaN dropped


def test_holm_by_hand():
    adj = holm([0.01, 0.04, 0.03, 0.2, np.nan])
    assert adj[:4] == pytest.approx([0.04, 0.09, 0.09, 0.2])
    assert math.isnan(adj[4])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])


def test_tables_on_known_runs():
    runs = pd.DataFrame(
        {
            "scenario": ["base"] * 4 + ["A"] * 4 + ["B"] * 4,
            "replication": [0, 1, 2, 3] * 3,
            "seed": [10, 11, 12, 13] * 3,
            "x": [1.0, 2.0, 3.0, 4.0, 2.0, 4.0, 5.0, 5.0, 1.1, 1.9, 3.2, 3.9],
            "y": [0.0] * 4 + [1.0, 1.0, 1.0, 1.0] + [0.0] * 4,
        }
    )
    summ = summarize(runs, ["x", "y"], order=["base", "A", "B"])
    row = summ[(summ.scenario == "A") & (summ.kpi == "x")].iloc[0]
    assert row["mean"] == 4.0 and row["n"] == 4
    assert row["sd"] == pytest.approx(np.std([2, 4, 5, 5], ddof=1))
    cmp_ = compare_to_baseline(runs, "base", ["x", "y"], paired=True, order=["base", "A", "B"])
    assert list(cmp_.scenario) == ["A", "A", "B", "B"]
    tested = cmp_[cmp_.test == "paired t"]
    assert len(tested) == 2  # y differences are constant: no t-test
    assert tested["p_holm"].to_numpy() == pytest.approx(holm(tested["p_value"].to_numpy()))
    ax = cmp_[(cmp_.scenario == "A") & (cmp_.kpi == "x")].iloc[0]
    assert ax["difference"] == pytest.approx(1.5) and bool(ax["significant"]) == (ax["p_holm"] < 0.05)
    ay = cmp_[(cmp_.scenario == "A") & (cmp_.kpi == "y")].iloc[0]
    assert ay["test"] == "constant difference" and ay["p_holm"] == 0.0 and ay["significant"]
    with pytest.raises(ValueError):
        compare_to_baseline(runs, "nope", ["x"])
