"""Grid reporting, local mediation and petitions (网格化管理, 枫桥经验, 上访; G7–G9).

Citizen disputes arise per township at ``residents_t × dispute_rate`` a day.
A dispute is detected early when its resident reports it through the grid
app (probability ``r_i``, the resident's reporting propensity) or a grid
worker finds it (``grid_coverage``); either way it is filed as a grid report
and goes to local mediation, which settles it with probability
``local_mediation`` (decided at closure, ``resolution``); a failed mediation
comes back as a general township dispute case (a repeat contact). With
``mediation_accept_threshold`` > 0 the township's mediators take on only the
disputes whose expected success at the hours they can give reaches it
(``Township.accept_disputes``); a refused one is filed as a general township
dispute instead (``refuse_disputes``). An
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
import itertools
import math

import numpy as np

from .cases import GRID_REPORT, HOTLINE
from .catalogue import DISPUTE, DISPUTE_ESCALATED, DISPUTE_GENERAL, DISPUTE_MEDIATION, LOCAL_PROBLEMS
from .params import HOURS_PER_DAY, Params
from .resolution import mediation_success, root_of

_DISPUTE = int(DISPUTE)  # a plain int: numpy looks an enum member's attributes up on every use

_latent_seq = itertools.count()

REFERENCE_SATISFACTION = 0.7
"""Satisfaction at which a dragging dispute is petitioned with probability ``petition_propensity``."""


def initial_reporting(params: Params) -> float:
    """r_0: a resident's starting propensity to report through the app."""
    return min(1.0, params.app_reporting * (1.0 + params.points_incentive))


def find_rate(params: Params) -> float:
    """Daily hazard that a patrolling grid worker finds a latent problem in its grid (full patrol hours)."""
    return HOURS_PER_DAY * params.patrol_residents_per_hour / params.grid_worker_residents


def detection_probability(params: Params) -> float:
    """Chance a new dispute is detected early (app report, or a patrol before it surfaces), at the
    starting reporting propensity."""
    lam = find_rate(params)
    mu = 1.0 / params.dispute_surface_days
    found = params.grid_coverage * lam / (lam + mu)
    return 1.0 - (1.0 - found) * (1.0 - initial_reporting(params))


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


def expected_mediation_hours(town, grid_hours: np.ndarray) -> np.ndarray:
    """Mediator hours a township expects to give each of a batch of disputes: the catalogue hours of a
    dispute in local mediation (its mean need) × the work fraction the township last set (``workload``: the
    share of the needed work its load lets it do) + a grid worker's ``grid_hours`` on it."""
    cat = town.model.catalogue
    base = float(cat.hours[cat.dispute_id(DISPUTE_MEDIATION)])
    return base * town.work_fraction + np.asarray(grid_hours, float)


def accepts_mediation(params: Params, hours: np.ndarray) -> np.ndarray:
    """Whether mediators take on disputes expecting ``hours`` of their work: the expected success
    (``resolution.mediation_success``, the probability the closure draws against) reaches
    ``mediation_accept_threshold`` (always at the default 0)."""
    expected = np.array([mediation_success(params, h) for h in np.asarray(hours, float).tolist()])
    return expected >= params.mediation_accept_threshold


def refuse_disputes(model, town: np.ndarray, matter: np.ndarray, grid_hours: np.ndarray) -> np.ndarray:
    """``matter`` with the disputes in local mediation that their township's mediators refuse
    (``Township.accept_disputes``) turned into general township disputes (``dispute_general``)."""
    cat = model.catalogue
    med = matter == cat.dispute_id(DISPUTE_MEDIATION)
    out = matter.copy()
    for t in np.unique(town[med]).tolist():
        sel = np.flatnonzero(med & (town == t))
        ok = model.townships[t].accept_disputes(grid_hours[sel])
        out[sel[~ok]] = cat.dispute_id(DISPUTE_GENERAL)
    return out


def new_disputes(model, day: int) -> int:
    """Draw today's disputes and local problems; file the ones reported through the app at once (grid
    reports), keep the rest latent until the grid finds them (``patrol``) or they surface."""
    p = model.params
    if p.dispute_rate <= 0 and p.local_problem_rate <= 0:
        return 0
    rng = model.rng
    cat = model.catalogue
    n_d = rng.poisson(model.township_residents * p.dispute_rate) if p.dispute_rate > 0 else 0 * model.township_residents
    n_l = (
        rng.poisson(model.township_residents * p.local_problem_rate)
        if p.local_problem_rate > 0
        else 0 * model.township_residents
    )
    n = n_d + n_l
    total = int(n.sum())
    if total == 0:
        return 0
    town = np.repeat(np.arange(len(n)), n).astype(np.int32)
    # per township, its disputes then its local problems (one vectorised pass, no array per township)
    is_local = np.repeat(
        np.tile(np.array([False, True]), len(n)), np.stack([n_d, n_l], axis=1).ravel().astype(np.int64)
    )
    local_ids = np.array([cat.dispute_id(k) for k in LOCAL_PROBLEMS], np.int32)
    matter = np.where(is_local, local_ids[rng.integers(len(local_ids), size=total)], cat.dispute_id(DISPUTE_MEDIATION))
    cit = model.citizen_start[town] + np.floor(rng.random(total) * model.citizen_count[town]).astype(np.int64)
    onset = (day + rng.random(total)) * HOURS_PER_DAY
    reported = model.Citizen.report(model, cit)
    e = np.flatnonzero(reported)
    if len(e):
        order = e[np.argsort(onset[e], kind="stable")]
        filed = matter[order]
        if p.mediation_accept_threshold > 0:  # the mediators choose what they mediate (none refused at 0)
            filed = refuse_disputes(model, town[order], filed, np.zeros(len(order)))
        ids = model.admit(
            np.full(len(order), DISPUTE, np.int8),
            cit[order],
            town[order],
            filed,
            onset[order],
            source=GRID_REPORT,
        )
        model.cases.reported[ids] = True
    late = np.flatnonzero(~reported)
    covered = rng.random(len(late)) < p.grid_coverage
    delay = rng.exponential(p.dispute_surface_days, len(late)) * HOURS_PER_DAY
    for i, cov, dt in zip(late.tolist(), covered.tolist(), delay.tolist()):
        lid = next(_latent_seq)
        model.latent[lid] = (int(cit[i]), int(town[i]), float(onset[i]), int(matter[i]), cov)
        heapq.heappush(model.latent_disputes, (onset[i] + dt, lid))
        if cov:
            model.patrol_pool.setdefault(int(town[i]), []).append(lid)
    return total


def split_patrol(hours: float, lam_full: float, pool_cost: float) -> float:
    """Patrol hours ``h`` of a day of ``hours`` such that the expected finds' reports and mediation fill
    the rest: ``h + (1 − exp(−lam_full · h / hours)) · pool_cost = hours`` (bisection; h = hours when the
    pool is empty)."""
    if hours <= 0:
        return 0.0
    lo, hi = 0.0, hours
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if mid + (1.0 - math.exp(-lam_full * mid / hours)) * pool_cost > hours:
            hi = mid
        else:
            lo = mid
    return lo


def _patrol_town(model, town: int, pool: list, lam_full: float, rows: list) -> None:
    """One township's patrol over its latent problems ``pool`` (see ``patrol``): its finds appended to ``rows``
    as (latent id, citizen, township, onset, matter, covered), a dispute its mediators refuse as a general one."""
    p = model.params
    mediation = model.catalogue.dispute_id(DISPUTE_MEDIATION)
    posts = p.grid_coverage * float(model.township_residents[town]) / p.grid_worker_residents
    hours = posts * HOURS_PER_DAY
    # the township's mediators take on the disputes found today, or send them to general handling
    mediates = p.mediation_accept_threshold <= 0 or bool(
        model.townships[town].accept_disputes(np.array([p.grid_mediation_hours]))[0]
    )
    # each find costs its report, and a dispute mediated the grid worker's mediation hours too
    cost = [
        p.report_hours + (p.grid_mediation_hours if mediates and model.latent[lid][3] == mediation else 0.0)
        for lid in pool
    ]
    patrol_hours = split_patrol(hours, lam_full, sum(cost))
    d = 1.0 - math.exp(-lam_full * patrol_hours / hours) if hours > 0 else 0.0
    hit = model.rng.random(len(pool)) < d
    spent = 0.0
    for lid, h, c in zip(pool, hit.tolist(), cost):
        if not h or spent + c > hours:  # no more finds than its hours allow
            continue
        spent += c
        entry = model.latent.pop(lid)
        if not mediates and entry[3] == mediation:  # refused: a general dispute, no grid mediation hours
            entry = (*entry[:3], model.catalogue.dispute_id(DISPUTE_GENERAL), entry[4])
        rows.append((lid, *entry))
    model.grid_hours["patrol"] += max(hours - spent, 0.0)
    model.grid_hours["reports"] += spent


def patrol(model, day: int) -> int:
    """Grid workers patrol their grids: each latent problem in a covered grid is found today with
    probability ``1 − exp(−h · patrol_residents_per_hour / R)`` (``h`` the grid workers' patrol hours, the
    day's hours less the expected finds' reports and mediation, ``split_patrol``; ``R`` the covered
    residents) and filed as a grid report; return how many."""
    p = model.params
    if p.grid_coverage <= 0 or not model.patrol_pool:
        return 0
    rng = model.rng
    lam_full = find_rate(p)
    t0 = day * HOURS_PER_DAY
    rows: list = []
    mediation = model.catalogue.dispute_id(DISPUTE_MEDIATION)
    for town in sorted(model.patrol_pool):
        pool = [lid for lid in model.patrol_pool[town] if lid in model.latent and model.latent[lid][2] < t0]
        model.patrol_pool[town] = [lid for lid in model.patrol_pool[town] if lid in model.latent]
        if pool:
            _patrol_town(model, town, pool, lam_full, rows)
    if rows:
        rows.sort(key=lambda r: r[0])
        lid, cit, town_a, onset, matter, _ = (np.array(x) for x in zip(*rows))
        created = t0 + rng.random(len(rows)) * HOURS_PER_DAY
        order = np.argsort(created, kind="stable")
        ids = model.admit(
            np.full(len(rows), DISPUTE, np.int8),
            cit[order].astype(np.int64),
            town_a[order].astype(np.int32),
            matter[order].astype(np.int32),
            created[order],
            onset=onset[order].astype(float),
            source=GRID_REPORT,
        )
        for cid in ids[matter[order] == mediation].tolist():  # the grid worker mediates what it found
            model.grid_mediation[cid] = p.grid_mediation_hours
    return len(rows)


def surface(model, day: int) -> int:
    """Today's grid patrol (``patrol``), then the latent problems that surface today on their own: a
    dispute as an escalated case, a local problem as itself, both by a resident's call (hotline)."""
    patrol(model, day)
    q = model.latent_disputes
    end = (day + 1) * HOURS_PER_DAY
    rows = []
    while q and q[0][0] < end:
        t, lid = heapq.heappop(q)
        entry = model.latent.pop(lid, None)
        if entry is not None:  # not found by the grid meanwhile
            rows.append((t, *entry))
    if not rows:
        return 0
    t, cit, town, onset, matter, _ = (np.array(x) for x in zip(*rows))
    cat = model.catalogue
    matter = np.where(matter == cat.dispute_id(DISPUTE_MEDIATION), cat.dispute_id(DISPUTE_ESCALATED), matter)
    model.admit(
        np.full(len(rows), DISPUTE, np.int8),
        cit.astype(np.int64),
        town.astype(np.int32),
        matter.astype(np.int32),
        np.maximum(t, day * HOURS_PER_DAY),
        onset=onset.astype(float),
        source=HOTLINE,
    )
    return len(rows)


def petitions(model, t: float) -> int:
    """Residents of open disputes older than their patience decide whether to petition; return today's petitions."""
    cases = model.cases
    ids = model.open_ids
    if len(ids) == 0:
        return 0
    dispute = cases.requester_kind[ids] == _DISPUTE
    if not dispute.any():
        return 0
    dispute &= model.catalogue.is_dispute[cases.matter[ids]]
    ids = ids[dispute & ~cases.petition_decided[ids]]
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
