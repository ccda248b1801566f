"""Grid reporting, local mediation and petitions (网格化管理, 枫桥经验, 上访; G7–G9).

Citizen disputes arise per township at ``residents_t × dispute_rate`` a day.
A dispute is detected early when its resident reports it through the grid
app (probability ``r_i``, the resident's reporting propensity) or a grid
worker finds it (``grid_coverage``); either way it is filed as a grid report
and goes to local mediation, which settles it with probability
``local_mediation`` (decided at closure, ``resolution``); a failed mediation
comes back as a general township dispute case (a repeat contact). An
undetected dispute surfaces ``Exp(dispute_surface_days)`` days later as a
harder case (township and a department) filed by hotline.

Reporting (Citizen decision, Bush & Mosteller 1955; Macy & Flache 2002): a
resident starts at ``r_0 = min(1, app_reporting · (1 + points_incentive))``
(the points bank, G9, lifts sign-up), and again when a reform launches or
changes the app or the points bank (end of the warm-up). When its reported case closes, the
report was *acted on* if the dispute was really settled by its deadline. The
stimulus is ``x = +1`` when acted on, ``x = −(1 − points_incentive)`` when not
(points earned soften the disappointment), and

    r ← r + λ x (1 − r)  if x ≥ 0,   r ← r + λ x r  if x < 0     (λ = report_learning).

Petitions (Citizen decision): when a dispute chain is still open longer than
its resident's patience after it arose, the resident decides once whether to
petition (上访):

    P(petition) = σ( logit(petition_propensity) + petition_distrust_slope · (0.7 − s_i) )

with ``s_i`` its satisfaction (trust built from past outcomes); each chain is
counted once. So petitions follow the disputes neither settled locally nor
handled in time.
"""

from __future__ import annotations

import heapq

import numpy as np

from .cases import GRID_REPORT, HOTLINE
from .catalogue import DISPUTE, DISPUTE_ESCALATED, DISPUTE_MEDIATION
from .params import HOURS_PER_DAY, Params
from .resolution import root_of

REFERENCE_SATISFACTION = 0.7
"""Satisfaction at which a dragging dispute is petitioned with probability ``petition_propensity``."""


def initial_reporting(params: Params) -> float:
    """r_0: a resident's starting propensity to report through the app."""
    return min(1.0, params.app_reporting * (1.0 + params.points_incentive))


def detection_probability(params: Params) -> float:
    """Early detection at the starting reporting propensity."""
    return 1.0 - (1.0 - params.grid_coverage) * (1.0 - initial_reporting(params))


def on_reform(model, before: Params) -> None:
    """The reform launches (or changes) the app and points bank: residents start again from its r_0."""
    r0 = initial_reporting(model.params)
    if r0 != initial_reporting(before):
        model.citizen_state["report"][:] = r0


def report_stimulus(params: Params, acted_on: np.ndarray) -> np.ndarray:
    """+1 for a report acted on, −(1 − points_incentive) for one ignored."""
    return np.where(np.asarray(acted_on, bool), 1.0, -(1.0 - params.points_incentive))


def bush_mosteller(r: float, x: float, rate: float) -> float:
    """One reinforcement step of a propensity ``r`` with stimulus ``x`` ∈ [−1, 1]."""
    return r + rate * x * (1.0 - r) if x >= 0 else r + rate * x * r


def petition_probability(params: Params, satisfaction: np.ndarray) -> np.ndarray:
    p = min(max(params.petition_propensity, 1e-12), 1 - 1e-12)
    z = np.log(p / (1 - p)) + params.petition_distrust_slope * (REFERENCE_SATISFACTION - np.asarray(satisfaction))
    return 1.0 / (1.0 + np.exp(-z))


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
    reported = model.Citizen.report(model, cit)
    early = reported | (rng.random(total) < p.grid_coverage)
    cat = model.catalogue
    matter = np.full(total, cat.dispute_id(DISPUTE_MEDIATION), np.int32)
    e = np.flatnonzero(early)
    if len(e):
        order = e[np.argsort(onset[e], kind="stable")]
        ids = model.admit(
            np.full(len(order), DISPUTE, np.int8),
            cit[order],
            town[order],
            matter[order],
            onset[order],
            source=GRID_REPORT,
        )
        model.cases.reported[ids] = reported[order]
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
    model.admit(
        np.full(len(rows), DISPUTE, np.int8),
        cit.astype(np.int64),
        town.astype(np.int32),
        np.full(len(rows), m, np.int32),
        np.maximum(t, day * HOURS_PER_DAY),
        onset=onset,
        source=HOTLINE,
    )
    return len(rows)


def petitions(model, t: float) -> int:
    """Residents of open disputes older than their patience decide whether to petition; return today's petitions."""
    cases = model.cases
    ids = model.open_ids
    if len(ids) == 0:
        return 0
    ids = ids[(cases.requester_kind[ids] == DISPUTE) & ~cases.petition_decided[ids]]
    if len(ids) == 0:
        return 0
    patience = model.citizen_state["patience"][cases.requester[ids]] * HOURS_PER_DAY
    due = ids[t - cases.onset[ids] > patience]
    root = root_of(cases, due)
    due, root = due[~cases.petitioned[root]], root[~cases.petitioned[root]]
    if len(due) == 0:
        return 0
    cases.petition_decided[due] = True
    go = model.Citizen.decide_petition(model, cases.requester[due])
    new, new_root = due[go], root[go]
    cases.petitioned[new] = True
    cases.petitioned[new_root] = True
    return int(len(np.unique(new_root)))
