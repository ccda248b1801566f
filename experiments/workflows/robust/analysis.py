"""The tables of a robustness experiment from its runs: effects per world, robustness, regret, vulnerabilities.

Statistics, the tie rule, regret and PRIM are the shared ones of ``experiments/core``. A reform's
**vulnerability** on a headline KPI: when the effect's sign differs between worlds, and in at least one
world the reform is distinguishably (tie rule) on the side opposite to the median effect, the worlds
where the effect has the sign opposite to the median's (where the usual conclusion fails) are the cases
of interest; PRIM (:mod:`townsim.experiments.core.prim`) searches boxes of the varied assumptions (on their
[0, 1] scale) on the training worlds, and each box is scored on the held-out worlds it never saw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core import prim
from townsim.experiments.core.executors import Failure
from townsim.experiments.core.regret import rank_options, regret_table
from townsim.experiments.core.robustness import STOPPED, robustness_table, world_effects
from townsim.experiments.core.stats import kpi_columns
from townsim.model.metrics import kpi

from .worlds import Worlds

MIN_DENSITY = 0.9
"""A failure box must hold at least this share of failing worlds (on the training worlds); at 0.8 a box
would stretch a quarter beyond a sharp threshold (0.3 / 0.375 = 0.8), at 0.9 a ninth."""
MAX_BOXES = 2

VULNERABILITY_COLUMNS = [
    "reform",
    "kpi",
    "usual",
    "worlds",
    "failing_worlds",
    "box",
    "assumption",
    "lower",
    "upper",
    "lower_unit",
    "upper_unit",
    "train_coverage",
    "train_density",
    "heldout_worlds",
    "heldout_coverage",
    "heldout_density",
    "note",
]


def directions(names: Sequence[str]) -> dict[str, int]:
    """KPI → +1 (higher is better), −1 (lower is better), 0 (neither), from the KPI registry."""
    return {n: int(kpi(n).better) for n in names}


def directed_kpis(runs: pd.DataFrame) -> list[str]:
    """KPI columns of ``runs`` that have a direction (better/worse is defined for them)."""
    kpis = kpi_columns(runs, exclude=("world", "scenario", "param_hash", "replication", "seed"))
    d = directions(kpis)
    return [k for k in kpis if d[k] != 0]


def effects_and_robustness(
    runs: pd.DataFrame, baseline: str, reforms: Sequence[str], paired: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-world effects of every reform on every directed KPI, and ``robustness.csv``."""
    kpis = directed_kpis(runs)
    dirs = directions(kpis)
    effects = world_effects(runs, baseline, reforms, kpis, dirs, paired=paired)
    return effects, robustness_table(effects, dirs)


def regret(runs: pd.DataFrame, options: Sequence[str], kpi: str, paired: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``regret.csv`` (per world and option) and the ranking (minimax regret) on ``kpi``."""
    sub = runs[runs["scenario"].isin(options)]
    values = pd.DataFrame(
        {
            "world": sub["world"].to_numpy(),
            "option": sub["scenario"].to_numpy(),
            "replication": sub["replication"].to_numpy(),
            "value": sub[kpi].to_numpy(float),
            "collapsed": sub[STOPPED].notna().to_numpy() if STOPPED in sub.columns else False,
        }
    )
    table = regret_table(values, directions([kpi])[kpi], paired=paired)
    table.insert(2, "kpi", kpi)
    return table, rank_options(table)


def failing(effects: pd.DataFrame, direction: int = 0) -> tuple[np.ndarray, int] | None:
    """(cases, usual sign) of one reform and KPI (rows: worlds; columns effect, ci_low, ci_high, and
    optionally collapsed).

    Cases are the worlds whose effect has the sign opposite to the median's, and the worlds where a collapse
    (the stop rule) decided the verdict against the usual conclusion: the reform collapsing where its usual
    effect is good for the KPI (``direction``: +1 higher is better, −1 lower, 0 counts higher as better), the
    baseline collapsing where it is bad. None when the median is 0, or no world's 95 % interval lies wholly
    on the opposite side and no collapse fails it (sign flips within seed noise only).
    """
    e = effects["effect"].to_numpy(float)
    sign = np.sign(np.where(np.isfinite(e), e, 0.0))
    med = float(np.sign(np.median(e[np.isfinite(e)]))) if np.isfinite(e).any() else 0.0
    lo, hi = effects["ci_low"].to_numpy(float), effects["ci_high"].to_numpy(float)
    opposite = (hi < 0) if med > 0 else (lo > 0)
    arm = effects["collapsed"].to_numpy(str) if "collapsed" in effects.columns else np.full(len(e), "")
    good = med * (direction or 1) > 0
    against = (arm == "reform") if good else (arm == "baseline")
    if med == 0 or not (opposite.any() or against.any()):
        return None
    return (sign == -med) | against, int(med)


def vulnerabilities(
    effects: pd.DataFrame,
    worlds: Worlds,
    kpis: Sequence[str],
    held_out: float,
    seed: int,
    reforms: Sequence[str] | None = None,
    mapper: Callable[[Callable[[Any], Any], list[Any]], list[Any]] | None = None,
) -> pd.DataFrame:
    """``vulnerabilities.csv``: per reform and KPI whose effect changes sign, the PRIM boxes of the failing worlds.

    ``effects`` has columns world, reform, kpi, effect, ci_low, ci_high; ``worlds.unit`` the worlds' normalised values.
    One row per restricted assumption of each box (a box without restrictions, or no box: one row with
    a note). Held-out worlds (``held_out`` of them, fixed by ``seed``) never enter the search. ``mapper(fn,
    items)``: how the searches (independent, seconds each over hundreds of worlds) are made, e.g. on the
    experiment's workers; the outcomes in item order (default: one after another, here).
    """
    held = prim.holdout_split(len(worlds.unit), held_out, seed)
    levers = [prim.Lever(a.name, 0.0, 1.0) for a in worlds.varied]
    searches = []
    names = list(reforms) if reforms is not None else list(dict.fromkeys(effects["reform"]))
    for reform in names:
        for k in kpis:
            sub = effects[(effects["reform"] == reform) & (effects["kpi"] == k)].sort_values("world")
            if sub.empty:
                continue
            found = failing(sub, directions([k])[k])
            if found is None:
                continue
            cases, usual = found
            idx = sub["world"].to_numpy(int)
            x = worlds.unit.iloc[idx].reset_index(drop=True)
            train, test = ~held[idx], held[idx]
            common = {
                "reform": reform,
                "kpi": k,
                "usual": "raises" if usual > 0 else "lowers",
                "worlds": len(sub),
                "failing_worlds": int(cases.sum()),
                "heldout_worlds": int(test.sum()),
            }
            search = Search(x[train].reset_index(drop=True), cases[train], tuple(levers), reform)
            searches.append((common, search, x[test].reset_index(drop=True), cases[test]))
    items = [s for _, s, _, _ in searches]
    found_boxes = (mapper or _one_by_one)(Search.run, items) if items else []
    rows = []
    for (common, _, x_test, cases_test), disc in zip(searches, found_boxes):
        if isinstance(disc, Failure):
            raise RuntimeError(f"the vulnerability search of {common['reform']} on {common['kpi']}: {disc.error}")
        rows += _box_rows(common, disc, x_test, cases_test, {a.name: a for a in worlds.varied})
    return pd.DataFrame(rows, columns=VULNERABILITY_COLUMNS)


@dataclass(frozen=True)
class Search:
    """One PRIM search of :func:`vulnerabilities` (picklable: it may run on a worker)."""

    x: pd.DataFrame
    cases: np.ndarray
    levers: tuple[prim.Lever, ...]
    reform: str

    def run(self) -> prim.Discovery:
        return prim.find_boxes(
            self.x, self.cases, self.levers, scenario=self.reform, min_density=MIN_DENSITY, max_boxes=MAX_BOXES
        )


def _one_by_one(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [fn(item) for item in items]


def _box_rows(common: dict, disc: prim.Discovery, x_test: pd.DataFrame, cases_test: np.ndarray, by_name: dict) -> list:
    """The rows of one search's boxes, each scored on the held-out worlds (``x_test``, ``cases_test``)."""
    if not disc.boxes:
        return [{**common, "box": 0, "note": disc.note or "no box"}]
    rows = []
    for b in disc.boxes:
        score = prim.score_box(x_test, cases_test, b.restrictions)
        boxrow = {
            **common,
            "box": b.number,
            "train_coverage": b.coverage,
            "train_density": b.density,
            "heldout_coverage": score["coverage"],
            "heldout_density": score["density"],
            "note": disc.note if not b.restrictions else "",
        }
        if not b.restrictions:
            rows.append({**boxrow, "assumption": ""})
        for r in b.restrictions:
            a = by_name[r.lever.name]
            rows.append(
                {
                    **boxrow,
                    "assumption": a.name,
                    "lower_unit": r.lower,
                    "upper_unit": r.upper,
                    "lower": a.value(r.lower) if r.lower is not None else math.nan,
                    "upper": a.value(r.upper) if r.upper is not None else math.nan,
                }
            )
    return rows
