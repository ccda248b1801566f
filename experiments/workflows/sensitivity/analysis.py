"""Sensitivity indices (SALib), their convergence, seed noise, and lever rankings.

Every function works on one output vector per (scenario, output): ``y`` is the
replication mean at each design point (length = design rows). Index rows have
the columns of ``indices.csv``: ``scenario, output, parameter, index, value, conf``
where ``conf`` is the half-width of the 95 % bootstrap interval (SALib) or NaN
where SALib gives none (Morris ``mu``/``sigma``). Second-order Sobol' indices
are rows with ``parameter = "a:b"``.

The *importance* of a lever is ``ST`` (Sobol', eFAST) or ``mu_star`` (Morris).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import fast as fast_analyzer
from SALib.analyze import morris as morris_analyzer
from SALib.analyze import sobol as sobol_analyzer
from scipy import stats

from .sampling import nested_sizes, rows_for
from .spec import SensitivitySpec

INDEX_COLUMNS = ["scenario", "output", "parameter", "index", "value", "conf"]
CONF_LEVEL = 0.95
NUM_RESAMPLES = 200
NOISE_TARGET = 0.05
"""Seed-noise share of the analysed (replication-mean) variance that the advice aims below."""
NOISE_HIGH = 0.20
SOBOL_CONF_HIGH = 0.10
MORRIS_REL_CONF_HIGH = 0.25
INFLUENTIAL_ST = 0.05
INFLUENTIAL_MU_REL = 0.10


def importance_index(method: str) -> str:
    """Index used to rank levers: ``mu_star`` for Morris, ``ST`` otherwise."""
    return "mu_star" if method == "morris" else "ST"


def _bootstrap_seed(spec: SensitivitySpec) -> int:
    # SALib treats seed 0 as "unseeded"; keep the bootstrap reproducible for every spec seed.
    return int(spec.seed) % (2**32 - 1) + 1


def compute_indices(spec: SensitivitySpec, X: np.ndarray, y: np.ndarray, n: int | None = None) -> list[dict]:
    """Index rows (parameter, index, value, conf) of one output, on the first ``n`` blocks of the design."""
    problem = spec.problem()
    names = spec.names
    if n is not None:
        rows = rows_for(spec, n)
        X, y = X[:rows], y[:rows]
    y = np.asarray(y, dtype=float)
    out: list[dict] = []

    def add(param, index, value, conf=math.nan):
        out.append(
            {
                "parameter": param,
                "index": index,
                "value": float(value),
                "conf": float(conf) if conf is not None else math.nan,
            }
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's eFAST CI warning is repeated in report.md once
        if spec.method == "sobol":
            Si = sobol_analyzer.analyze(
                problem,
                y,
                calc_second_order=spec.second_order,
                num_resamples=NUM_RESAMPLES,
                conf_level=CONF_LEVEL,
                seed=_bootstrap_seed(spec),
            )
            for j, name in enumerate(names):
                add(name, "S1", Si["S1"][j], Si["S1_conf"][j])
                add(name, "ST", Si["ST"][j], Si["ST_conf"][j])
            if spec.second_order:
                for j in range(len(names)):
                    for k in range(j + 1, len(names)):
                        add(f"{names[j]}:{names[k]}", "S2", Si["S2"][j, k], Si["S2_conf"][j, k])
        elif spec.method == "morris":
            Si = morris_analyzer.analyze(
                problem,
                np.asarray(X, dtype=float),
                y,
                num_resamples=NUM_RESAMPLES,
                conf_level=CONF_LEVEL,
                num_levels=spec.num_levels,
                seed=_bootstrap_seed(spec),
            )
            for j, name in enumerate(names):
                add(name, "mu_star", Si["mu_star"][j], Si["mu_star_conf"][j])
                add(name, "sigma", Si["sigma"][j])
                add(name, "mu", Si["mu"][j])
        else:
            Si = fast_analyzer.analyze(
                problem, y, M=spec.M, num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL, seed=_bootstrap_seed(spec)
            )
            for j, name in enumerate(names):
                add(name, "S1", Si["S1"][j], Si["S1_conf"][j])
                add(name, "ST", Si["ST"][j], Si["ST_conf"][j])
    return out


def usable(y: np.ndarray) -> str | None:
    """Why an output cannot be analysed (NaN at some points, or constant), or None if it can."""
    y = np.asarray(y, dtype=float)
    bad = int(np.count_nonzero(~np.isfinite(y)))
    if bad:
        return f"undefined (NaN) at {bad} of {y.size} points"
    if np.ptp(y) == 0:
        return "constant over the design (no variation to attribute)"
    return None


def replication_mean(Yreps: np.ndarray) -> np.ndarray:
    """Mean over replications (axis 1) ignoring undefined replications; NaN when all are undefined."""
    Yreps = np.asarray(Yreps, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(Yreps, axis=1)


def indices_table(
    spec: SensitivitySpec, X: np.ndarray, means: dict[tuple[str, str], np.ndarray]
) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """``indices.csv`` rows for every (scenario, output), and the reasons outputs were skipped."""
    rows, skipped = [], {}
    for (scenario, output), y in means.items():
        why = usable(y)
        if why:
            skipped[(scenario, output)] = why
            continue
        for r in compute_indices(spec, X, y):
            rows.append({"scenario": scenario, "output": output, **r})
    return pd.DataFrame(rows, columns=INDEX_COLUMNS), skipped


def convergence_table(spec: SensitivitySpec, X: np.ndarray, means: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """Importance (and S1 for Sobol') on nested designs of growing size ``n`` (base samples / trajectories)."""
    keep = {importance_index(spec.method), "S1"}
    rows = []
    sizes = nested_sizes(spec)
    for (scenario, output), y in means.items():
        if usable(y):
            continue
        for n in sizes:
            for r in compute_indices(spec, X, y, n=n):
                if r["index"] in keep:
                    rows.append(
                        {
                            "scenario": scenario,
                            "output": output,
                            "n": n,
                            "runs": rows_for(spec, n) * spec.replications,
                            **r,
                        }
                    )
    return pd.DataFrame(rows, columns=["scenario", "output", "n", "runs", *INDEX_COLUMNS[2:]])


# ------------------------------------------------------------------------------------------
# seed noise
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Noise:
    """Seed noise of one output in one scenario (variances in the output's unit²)."""

    replications: int
    var_single: float
    """Variance of single runs over all points and replications."""
    var_seed: float
    """Mean within-point variance between replications (seed noise of one run)."""
    var_mean: float
    """Variance of the replication means (what the indices decompose)."""
    share_single: float
    """Seed-noise share of a single run's variance."""
    share_mean: float
    """Seed-noise share of the analysed variance: (var_seed / R) / var_mean."""
    replications_needed: int | None
    """Replications that would bring ``share_mean`` below :data:`NOISE_TARGET` (None: not estimable)."""


def seed_noise(Yreps: np.ndarray) -> Noise:
    """Estimate seed noise from the replications at each point (``Yreps``: points × replications)."""
    Yreps = np.asarray(Yreps, dtype=float)
    R = Yreps.shape[1]
    nan = math.nan
    flat = Yreps[np.isfinite(Yreps)]
    var_single = float(np.var(flat, ddof=1)) if flat.size > 1 else nan
    ymean = replication_mean(Yreps)
    fm = ymean[np.isfinite(ymean)]
    var_mean = float(np.var(fm, ddof=1)) if fm.size > 1 else nan
    if R < 2:
        return Noise(R, var_single, nan, var_mean, nan, nan, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        within = np.nanvar(Yreps, axis=1, ddof=1)
    within = within[np.isfinite(within)]
    var_seed = float(within.mean()) if within.size else nan
    share_single = _ratio(var_seed, var_single)
    share_mean = _ratio(var_seed / R, var_mean)
    needed = None
    if math.isfinite(var_seed) and math.isfinite(var_mean):
        var_param = var_mean - var_seed / R
        if var_seed == 0:
            needed = 1
        elif var_param > 0:
            needed = max(1, math.ceil(var_seed * (1 - NOISE_TARGET) / (NOISE_TARGET * var_param)))
    return Noise(R, var_single, var_seed, var_mean, share_single, share_mean, needed)


def _ratio(a: float, b: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.nan
    if b <= 0:
        return 0.0 if a <= 0 else 1.0
    return float(min(1.0, a / b))


def noise_table(spec: SensitivitySpec, reps: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """One row per (scenario, output): the :class:`Noise` fields and a one-line advice."""
    rows = []
    for (scenario, output), Y in reps.items():
        nz = seed_noise(Y)
        rows.append({"scenario": scenario, "output": output, **nz.__dict__, "advice": noise_advice(nz)})
    return pd.DataFrame(rows)


def noise_advice(nz: Noise) -> str:
    """What to do about the seed noise of one output (empty when it is small)."""
    if nz.replications < 2:
        return "one replication per point: seed noise cannot be measured; use replications >= 2"
    if not math.isfinite(nz.share_mean):
        return "seed noise not estimable (output undefined or constant)"
    if nz.replications_needed is None and nz.share_mean >= NOISE_HIGH:
        return "the parameters explain no variance beyond seed noise: widen the bounds or drop this output"
    if nz.share_mean >= NOISE_HIGH:
        return (
            f"seed noise dominates ({nz.share_mean:.0%} of the analysed variance): indices are unreliable; "
            f"raise replications to about {nz.replications_needed}"
        )
    if nz.share_mean >= NOISE_TARGET:
        return (
            f"seed noise is {nz.share_mean:.0%} of the analysed variance: levers explaining less than "
            f"about that share (ST below {nz.share_mean:.2f}, or the smallest μ*) cannot be told from "
            f"noise; raise replications to about {nz.replications_needed} for < {NOISE_TARGET:.0%}"
        )
    return ""


# ------------------------------------------------------------------------------------------
# rankings and regime differences
# ------------------------------------------------------------------------------------------
def rankings(spec: SensitivitySpec, indices: pd.DataFrame) -> pd.DataFrame:
    """Levers ranked by importance per (scenario, output), with an ``influential`` flag.

    Influential: ``ST ≥ 0.05`` (Sobol', eFAST) or ``mu_star ≥ 10 %`` of the output's largest
    ``mu_star`` (Morris, whose values are in the output's unit).
    """
    key = importance_index(spec.method)
    imp = indices[indices["index"] == key].copy()
    if imp.empty:
        return imp.assign(rank=[], influential=[], relative=[])
    parts = []
    for (_scenario, _output), g in imp.groupby(["scenario", "output"], sort=False):
        g = g.sort_values("value", ascending=False).copy()
        g["rank"] = np.arange(1, len(g) + 1)
        top = g["value"].max()
        g["relative"] = g["value"] / top if top > 0 else 0.0
        if key == "ST":
            g["influential"] = g["value"] >= INFLUENTIAL_ST
        else:
            g["influential"] = g["relative"] >= INFLUENTIAL_MU_REL
        parts.append(g)
    return pd.concat(parts, ignore_index=True)


def regime_differences(rank: pd.DataFrame, scenarios: tuple[str, ...]) -> pd.DataFrame:
    """Per output and pair of scenarios: Kendall's τ of the lever importances and the levers that change.

    A lever *changes* when it is influential in one regime only, or when its rank moves by 3 or
    more places among the top half. ``changed`` lists those whose importance differs by more than
    the combined 95 % half-widths ``sqrt(conf_a² + conf_b²)`` (a real difference); ``suggestive``
    those whose difference is still within the intervals (raise N to tell).
    """
    cols = ["output", "a", "b", "kendall_tau", "top_a", "top_b", "changed", "suggestive"]
    rows: list[dict] = []
    if len(scenarios) < 2 or rank.empty:
        return pd.DataFrame(rows, columns=cols)
    for output, g in rank.groupby("output", sort=False):
        for i, a in enumerate(scenarios):
            for b in scenarios[i + 1 :]:
                ga = g[g["scenario"] == a].set_index("parameter")
                gb = g[g["scenario"] == b].set_index("parameter")
                common = ga.index.intersection(gb.index)
                if len(common) < 2:
                    continue
                tau = stats.kendalltau(ga.loc[common, "value"], gb.loc[common, "value"]).statistic
                half = max(3, len(common) // 2)
                changed: list[str] = []
                suggestive: list[str] = []
                for p in common:
                    ia, ib = bool(ga.at[p, "influential"]), bool(gb.at[p, "influential"])
                    ra, rb = int(ga.at[p, "rank"]), int(gb.at[p, "rank"])
                    va, vb = float(ga.at[p, "value"]), float(gb.at[p, "value"])
                    where = f"rank {ra} in both" if ra == rb else f"rank {ra} vs {rb}"
                    if ia != ib:
                        text = f"{p} (influential only in {a if ia else b}; {where}; {va:.3g} vs {vb:.3g})"
                    elif abs(ra - rb) >= 3 and min(ra, rb) <= half:
                        text = f"{p} ({where}; {va:.3g} vs {vb:.3g})"
                    else:
                        continue
                    ca, cb = (float(x) if np.isfinite(x) else 0.0 for x in (ga.at[p, "conf"], gb.at[p, "conf"]))
                    (changed if abs(va - vb) > math.hypot(ca, cb) else suggestive).append(text)
                rows.append(
                    {
                        "output": output,
                        "a": a,
                        "b": b,
                        "kendall_tau": float(tau),
                        "top_a": ", ".join(ga.sort_values("rank").index[:3]),
                        "top_b": ", ".join(gb.sort_values("rank").index[:3]),
                        "changed": "; ".join(changed),
                        "suggestive": "; ".join(suggestive),
                    }
                )
    return pd.DataFrame(rows, columns=cols)


def size_advice(spec: SensitivitySpec, indices: pd.DataFrame, conv: pd.DataFrame) -> pd.DataFrame:
    """Per (scenario, output): widest interval of the importance index, change over the last doubling, advice."""
    key = importance_index(spec.method)
    rows = []
    imp = indices[indices["index"] == key]
    for (scenario, output), g in imp.groupby(["scenario", "output"], sort=False):
        top = float(g["value"].abs().max()) or 1.0
        widest = float(g["conf"].max())
        rel = widest / top if key == "mu_star" else widest
        drift = math.nan
        c = conv[(conv["scenario"] == scenario) & (conv["output"] == output) & (conv["index"] == key)]
        ns = sorted(c["n"].unique())
        if len(ns) >= 2:
            last = c[c["n"] == ns[-1]].set_index("parameter")["value"]
            prev = c[c["n"] == ns[-2]].set_index("parameter")["value"]
            drift = float((last - prev).abs().max())
            if key == "mu_star":
                drift /= top
        advice = ""
        limit = MORRIS_REL_CONF_HIGH if key == "mu_star" else SOBOL_CONF_HIGH
        unit = "trajectories" if key == "mu_star" else "samples"
        if rel > limit:
            advice = (
                f"wide intervals (±{rel:.2f}{' of the top μ*' if key == 'mu_star' else ''}): "
                f"raise N (4× the {unit} halves them)"
            )
        elif math.isfinite(drift) and drift > max(limit / 2, 0.05):
            advice = f"indices still moved by {drift:.2f} when N doubled: raise N"
        rows.append(
            {
                "scenario": scenario,
                "output": output,
                "index": key,
                "widest_conf": rel,
                "last_doubling_change": drift,
                "advice": advice,
            }
        )
    return pd.DataFrame(rows)
