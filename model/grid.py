"""Grid reporting, local mediation and petitions (网格化管理, 枫桥经验, 上访; G7–G9).

Citizen disputes arise per township at ``residents_t × dispute_rate`` a day.
Each is detected early with probability

    p_detect = 1 − (1 − grid_coverage) · (1 − min(1, app_reporting · (1 + points_incentive)))

An early dispute is settled by local mediation (probability
``local_mediation``: a short township case) or becomes a general township
case. An undetected dispute surfaces ``Exp(dispute_surface_days)`` days later
as a harder case that needs the township and a department. A dispute still
open longer than its citizen's patience after it arose becomes a petition
(上访), counted once.
"""

from __future__ import annotations

import heapq

import numpy as np

from .catalogue import DISPUTE, DISPUTE_ESCALATED, DISPUTE_GENERAL, DISPUTE_MEDIATION
from .params import HOURS_PER_DAY, Params


def detection_probability(params: Params) -> float:
    app = min(1.0, params.app_reporting * (1.0 + params.points_incentive))
    return 1.0 - (1.0 - params.grid_coverage) * (1.0 - app)


def new_disputes(model, day: int) -> int:
    """Draw today's disputes; admit the early ones as cases, schedule the rest to surface later."""
    p = model.params
    if p.dispute_rate <= 0:
        return 0
    rng = model.rng
    n = rng.poisson(model.township_residents * p.dispute_rate)
    total = int(n.sum())
    if total == 0:
        return 0
    town = np.repeat(np.arange(len(n)), n).astype(np.int32)
    cit = model.citizen_start[town] + np.floor(rng.random(total) * model.citizen_count[town]).astype(np.int64)
    onset = (day + rng.random(total)) * HOURS_PER_DAY
    early = rng.random(total) < detection_probability(p)
    settled = rng.random(total) < p.local_mediation
    cat = model.catalogue
    matter = np.where(settled, cat.dispute_id(DISPUTE_MEDIATION), cat.dispute_id(DISPUTE_GENERAL)).astype(np.int32)
    e = np.flatnonzero(early)
    if len(e):
        order = e[np.argsort(onset[e], kind="stable")]
        model.admit(np.full(len(order), DISPUTE, np.int8), cit[order], town[order], matter[order], onset[order])
    late = np.flatnonzero(~early)
    delay = rng.exponential(p.dispute_surface_days, len(late)) * HOURS_PER_DAY
    for i, dt in zip(late.tolist(), delay.tolist()):
        heapq.heappush(model.latent_disputes, (onset[i] + dt, int(cit[i]), int(town[i]), float(onset[i])))
    return total


def surface(model, day: int) -> int:
    """Admit the undetected disputes that surface today as escalated cases."""
    q = model.latent_disputes
    end = (day + 1) * HOURS_PER_DAY
    rows = []
    while q and q[0][0] < end:
        rows.append(heapq.heappop(q))
    if not rows:
        return 0
    t, cit, town, onset = (np.array(x) for x in zip(*rows))
    m = model.catalogue.dispute_id(DISPUTE_ESCALATED)
    model.admit(np.full(len(rows), DISPUTE, np.int8), cit.astype(np.int64), town.astype(np.int32),
                np.full(len(rows), m, np.int32), np.maximum(t, day * HOURS_PER_DAY), onset=onset)
    return len(rows)


def petitions(model, t: float) -> int:
    """Mark open disputes older than their citizen's patience as petitions; return how many today."""
    cases = model.cases
    ids = model.open_ids
    if len(ids) == 0:
        return 0
    ids = ids[(cases.requester_kind[ids] == DISPUTE) & ~cases.petitioned[ids]]
    if len(ids) == 0:
        return 0
    patience = model.citizen_state["patience"][cases.requester[ids]] * HOURS_PER_DAY
    new = ids[t - cases.onset[ids] > patience]
    cases.petitioned[new] = True
    return len(new)
