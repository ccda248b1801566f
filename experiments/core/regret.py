"""Regret of options across plausible worlds, and their minimax-regret ranking.

In each world, an option's **regret** on a KPI is how far its mean over the world's replications
falls short of the best option's mean in that world (in the KPI's units, ≥ 0; "best" by the KPI's
direction). The best option's regret is 0. An option is **tied with the best** when, by the tie rule
of :mod:`~townsim.experiments.core.robustness`, the 95 % interval of its paired difference from the best
contains 0: its regret is then within seed noise, and is reported with that flag.

Options are ranked by maximum regret over worlds (minimax regret), then by the 90th percentile of
regret, then by mean regret, then by name (so that equal options keep a fixed order).

An option that **collapsed** in a world (the stop rule stopped one of its runs there: its queues grew without
bound) has no value there: it is never that world's best, its regret there is NaN and flagged ``collapsed``,
and options are ranked first by how many worlds they collapsed in (fewer first), then as above over the
worlds where they did not.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from townsim.experiments.core.stats import difference

REGRET_COLUMNS = ["world", "option", "value", "best_option", "best_value", "regret", "tied_with_best", "collapsed"]
RANKING_COLUMNS = [
    "rank",
    "option",
    "max_regret",
    "p90_regret",
    "mean_regret",
    "worlds",
    "worlds_best_or_tied",
    "worlds_collapsed",
]


def regret_table(values: pd.DataFrame, direction: int, paired: bool = True) -> pd.DataFrame:
    """Per world and option: mean value, the world's best option, regret, tied-with-best flag.

    ``values`` has columns world, option, replication, value (replications paired by index across the
    options of a world), and optionally collapsed (bool: the stop rule stopped that run). ``direction``: +1
    higher is better, −1 lower is better (0 is refused: regret needs a direction).
    """
    if direction not in (1, -1):
        raise ValueError(f"direction {direction}: regret needs a KPI where higher or lower is better")
    rows = []
    if "collapsed" not in values.columns:
        values = values.assign(collapsed=False)
    for w, sub in values.groupby("world", sort=True):
        down = sub.groupby("option", sort=False)["collapsed"].any()
        down = down[down]
        for option in down.index:
            rows.append(_collapsed(int(w), str(option)))
        sub = sub[~sub["option"].isin(down.index)]
        means = sub.groupby("option", sort=False)["value"].mean()
        means = means[np.isfinite(means.to_numpy(float))]
        if means.empty:
            continue
        signed = means * direction
        best_value_signed = signed.max()
        # the best option: highest signed mean; among exact ties, the first by name
        best = sorted(n for n in signed.index if signed[n] == best_value_signed)[0]
        best_runs = sub[sub["option"] == best].set_index("replication").sort_index()["value"]
        for option, mean in means.items():
            regret = float(best_value_signed - signed[option])
            runs = sub[sub["option"] == option].set_index("replication").sort_index()["value"]
            if option == best:
                tied = True
            else:
                if paired:
                    common = runs.index.intersection(best_runs.index)
                    a, b = runs.loc[common].to_numpy(float), best_runs.loc[common].to_numpy(float)
                else:
                    a, b = runs.to_numpy(float), best_runs.to_numpy(float)
                d = difference(a, b, paired)
                lo, hi = float(d["ci_low"]), float(d["ci_high"])
                tied = not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0.0 <= hi
            rows.append(
                {
                    "world": int(w),
                    "option": option,
                    "value": float(mean),
                    "best_option": best,
                    "best_value": float(means[best]),
                    "regret": max(regret, 0.0),
                    "tied_with_best": bool(tied),
                    "collapsed": False,
                }
            )
    return pd.DataFrame(rows, columns=REGRET_COLUMNS)


def _collapsed(world: int, option: str) -> dict[str, object]:
    nan = math.nan
    return {
        "world": world,
        "option": option,
        "value": nan,
        "best_option": "",
        "best_value": nan,
        "regret": nan,
        "tied_with_best": False,
        "collapsed": True,
    }


def rank_options(regret: pd.DataFrame) -> pd.DataFrame:
    """Options ranked by the worlds they collapsed in, then maximum regret, then 90th-percentile regret, then
    mean regret (each over the worlds where they did not collapse), then name."""
    rows = []
    for option, sub in regret.groupby("option", sort=False):
        down = sub["collapsed"].to_numpy(bool) if "collapsed" in sub.columns else np.zeros(len(sub), bool)
        r = sub["regret"].to_numpy(float)[~down]
        if not r.size:
            r = np.array([math.nan])
        rows.append(
            {
                "option": option,
                "max_regret": float(r.max()),
                "p90_regret": float(np.quantile(r, 0.9)),
                "mean_regret": float(r.mean()),
                "worlds": int(len(sub)),
                "worlds_best_or_tied": int(sub["tied_with_best"].sum()),
                "worlds_collapsed": int(down.sum()),
            }
        )
    df = pd.DataFrame(rows, columns=RANKING_COLUMNS[1:])
    if df.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    keys = ["worlds_collapsed", "max_regret", "p90_regret", "mean_regret", "option"]
    df = df.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df
