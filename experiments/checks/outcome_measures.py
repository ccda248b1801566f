"""What the outcome checks measure: the small county at the resolution ceiling, paired runs, and the
quantities read from a run (gaming decisions against lateness, fitted trends, mediation success)."""

from __future__ import annotations

import numpy as np

from ...model import Params, TownshipModel
from ...scenarios import load_scenario
from ..core.county import SMALL_COUNTY

PER_DAYS = 120
"""Span the fitted trends are stated over (change per 120 counted days)."""


CEILING = 0.9
"""resolution_base and local_mediation in these checks: the resolution of a fully worked case."""


def small(**kw) -> Params:
    return Params(**{**SMALL_COUNTY, "resolution_base": CEILING, "local_mediation": CEILING, **kw})


def runs(params: Params, reps: int, seed: int, days: int):
    return [TownshipModel(params, rng=seed + i).run(days) for i in range(reps)]


def half(ci) -> float:
    return (ci[1] - ci[0]) / 2


def kpi(models, key: str) -> np.ndarray:
    return np.array([m.summary()[key] for m in models])


def late_by_projection(m) -> tuple[float, float, int, int, bool]:
    """From the model's gaming log: share of not-gamed decisions whose case was late, among cases
    projected late (at risk) and not; number gamed; number of decisions; every gamed case at risk."""
    c = m.cases
    log = m.gaming_log
    if not log:
        return float("nan"), float("nan"), 0, 0, True
    cid = np.array([r[0] for r in log], np.int64)
    finish = np.array([r[2] for r in log])
    deadline = np.array([r[3] for r in log])
    gamed = np.array([r[4] for r in log], bool)
    risk = finish > deadline
    closed = c.view("closed")[cid]
    now = m.clock_day * 8.0
    late = np.where(np.isnan(closed), now > deadline, closed > deadline)
    keep = ~gamed
    in_risk, out_risk = keep & risk, keep & ~risk
    lr = float(late[in_risk].mean()) if in_risk.any() else float("nan")
    lo = float(late[out_risk].mean()) if out_risk.any() else float("nan")
    return lr, lo, int(gamed.sum()), len(log), bool(np.all(risk[gamed]))


def slopes(models, col: str) -> np.ndarray:
    """Fitted change of ``col`` per ``PER_DAYS`` counted days (slope × 120), one per replication."""
    out = []
    for m in models:
        y = m.timeseries()[col].to_numpy(float)
        out.append(np.polyfit(np.arange(len(y)), y, 1)[0] * PER_DAYS)
    return np.array(out)


def status_quo(**kw) -> Params:
    p = load_scenario("baseline").params
    return p.replace(**kw) if kw else p


def mediation_rate(m) -> float:
    """Share of closed local-mediation cases that were settled."""
    c = m.cases
    med = c.view("matter") == m.catalogue.dispute_id("dispute_mediation")
    closed = med & ~np.isnan(c.view("closed")) & ~c.view("gamed")
    return float(c.view("resolved")[closed].mean()) if closed.any() else float("nan")


def same_summary(a: dict, b: dict) -> bool:
    """Two run summaries are identical (NaN equals NaN)."""
    return a.keys() == b.keys() and all(x == y or (x != x and y != y) for x, y in ((a[k], b[k]) for k in a))
