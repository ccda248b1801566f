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

On the compiled engine the latent disputes are arrays (``kernel.latent``) and each step's draws, patrol,
surfacing and petition filters are kernel calls whose batches are filed here in the reference's order.
The grid workers' patrol and the latent disputes' store are ``patrol``'s.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from . import patrol as _patrol
from .cases import GRID_REPORT, HOTLINE, constant_column
from .catalogue import DISPUTE, DISPUTE_ESCALATED, DISPUTE_GENERAL, DISPUTE_MEDIATION, LOCAL_PROBLEMS
from .metrics.numeric import reports_written
from .params import HOURS_PER_DAY, Params
from .resolution import mediation_success

_DISPUTE = int(DISPUTE)  # a plain int: numpy looks an enum member's attributes up on every use

REFERENCE_SATISFACTION = 0.7
"""Satisfaction at which a dragging dispute is petitioned with probability ``petition_propensity``."""


def initial_reporting(params: Params) -> float:
    """r_0: a resident's starting propensity to report through the app."""
    return min(1.0, params.app_reporting * (1.0 + params.points_incentive))


def detection_probability(params: Params) -> float:
    """Chance a new dispute is detected early (app report, or a patrol before it surfaces), at the
    starting reporting propensity."""
    lam = _patrol.find_rate(params)
    mu = 1.0 / params.dispute_surface_days
    found = params.grid_coverage * lam / (lam + mu)
    return 1.0 - (1.0 - found) * (1.0 - initial_reporting(params))


def on_reform(model, before: Params) -> None:
    """The reform launches (or changes) the app and points bank: residents start again from its r_0."""
    r0 = initial_reporting(model.params)
    if r0 != initial_reporting(before):
        model.citizen_state["report"][:] = r0
        reports_written(model)


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
    reports), keep the rest latent until the grid finds them (``patrol``) or they surface.

    A few a township a day: plain lists, the draws in the order and sizes of the array form (the
    residents' and the onsets' uniforms one call: the same doubles); on the compiled engine the draws and
    their arithmetic in one kernel call (``kernel.disputes.today``, :func:`_new_disputes_compiled`)."""
    p = model.params
    if p.dispute_rate <= 0 and p.local_problem_rate <= 0:
        return 0
    if model.compiled:
        return _new_disputes_compiled(model, day)
    drawn = _draws(model, day)
    if drawn is None:
        return 0
    town, matter, cit, onset, reported = drawn
    e = [i for i, r in enumerate(reported) if r]
    if e:
        e.sort(key=onset.__getitem__)  # by onset (a stable sort)
        town_e, filed = np.array([town[i] for i in e], np.int32), np.array([matter[i] for i in e], np.int32)
        _file_reported(model, town_e, filed, np.array([cit[i] for i in e], np.int64), np.array([onset[i] for i in e]))
    _patrol.keep_latent(model, [i for i, r in enumerate(reported) if not r], cit, town, onset, matter)
    return len(town)


def _file_reported(model, town: np.ndarray, matter: np.ndarray, cit: np.ndarray, onset: np.ndarray) -> None:
    """File the disputes reported by app (in filing order) as grid reports: a dispute the mediators refuse
    (``mediation_accept_threshold`` > 0; none at 0) as a general one."""
    if model.params.mediation_accept_threshold > 0:
        matter = refuse_disputes(model, town, matter, np.zeros(len(town)))
    ids = model.admit(constant_column(_DISPUTE, len(town), np.int8), cit, town, matter, onset, source=GRID_REPORT)
    model.cases.reported[ids] = True


def _new_disputes_compiled(model, day: int) -> int:
    """``new_disputes`` on the compiled engine: the draws and the reported ones' filing order in one kernel call
    (``kernel.disputes.day_disputes``), their filing, then the others kept latent in another
    (``kernel.latent.keep``: its draws follow the filing's)."""
    kernel = _patrol.kernel()
    filed, drawn = kernel.disputes.today(model, day, LOCAL_PROBLEMS, DISPUTE_MEDIATION, HOURS_PER_DAY)
    if len(filed[0]):
        _file_reported(model, *filed)
    kernel.latent.keep_latent(model, drawn, HOURS_PER_DAY)
    return len(drawn[0])


def _draws(model, day: int) -> tuple[list, list, list, list, list] | None:
    """Today's disputes and local problems as lists (township, matter, resident, onset hours, reported by app),
    a township's disputes then its local problems, township by township; None when there are none."""
    p = model.params
    rng = model.rng
    cat = model.catalogue
    residents = model.township_residents.tolist()
    pois = rng.poisson  # a scalar call a township: the draws of the array call, without its checks' cost
    n_d = [pois(r * p.dispute_rate) for r in residents] if p.dispute_rate > 0 else [0] * len(residents)
    n_l = [pois(r * p.local_problem_rate) for r in residents] if p.local_problem_rate > 0 else [0] * len(residents)
    total = sum(n_d) + sum(n_l)
    if total == 0:
        return None
    # per township, its disputes then its local problems
    town: list[int] = []
    is_local: list[bool] = []
    for t, (a, b) in enumerate(zip(n_d, n_l)):
        if a or b:
            town += [t] * (a + b)
            is_local += [False] * a + [True] * b
    local_ids = [cat.dispute_id(k) for k in LOCAL_PROBLEMS]
    mediation = cat.dispute_id(DISPUTE_MEDIATION)
    pick = rng.integers(len(local_ids), size=total).tolist()
    matter = [local_ids[k] if loc else mediation for k, loc in zip(pick, is_local)]
    u = rng.random(2 * total).tolist()  # the residents' uniforms, then the onsets'
    start, count = model.citizen_start.tolist(), model.citizen_count.tolist()
    cit = [start[t] + math.floor(x * count[t]) for t, x in zip(town, u)]
    onset = [(day + x) * HOURS_PER_DAY for x in u[total:]]
    reported = model.Citizen.report(model, np.array(cit, np.int64)).tolist()
    return town, matter, cit, onset, reported


def surface(model, day: int) -> int:
    """Today's grid patrol (``patrol``), then the latent problems that surface today on their own: a
    dispute as an escalated case, a local problem as itself, both by a resident's call (hotline)."""
    if model.compiled:
        return _patrol.grid_day_compiled(model, day, True)[1]
    _patrol.patrol(model, day)
    q = model.latent_disputes
    t0, end = day * HOURS_PER_DAY, (day + 1) * HOURS_PER_DAY
    latent = model.latent
    rows = []
    while q and q[0][0] < end:
        t, lid = heapq.heappop(q)
        entry = latent.pop(lid, None)
        if entry is not None:  # not found by the grid meanwhile
            rows.append((t, *entry))
    if not rows:
        return 0
    cat = model.catalogue
    mediation, escalated = cat.dispute_id(DISPUTE_MEDIATION), cat.dispute_id(DISPUTE_ESCALATED)
    model.admit(
        np.full(len(rows), _DISPUTE, np.int8),
        np.array([r[1] for r in rows], np.int64),
        np.array([r[2] for r in rows], np.int32),
        np.array([escalated if r[4] == mediation else r[4] for r in rows], np.int32),
        np.maximum(np.array([r[0] for r in rows], float), t0),
        onset=np.array([r[3] for r in rows], float),
        source=HOTLINE,
    )
    return len(rows)


def petitions(model, t: float) -> int:
    """Residents of open disputes older than their patience decide whether to petition; return today's petitions.

    The open cases filtered as arrays (hundreds a day, thousands at scale), the few due ones on plain lists."""
    cases = model.cases
    ids = model.open_ids
    if len(ids) == 0:
        return 0
    if model.compiled:  # the filters and the marks in kernel calls (``kernel.disputes.petition``)
        return _patrol.kernel().disputes.petition(model, t, _DISPUTE, HOURS_PER_DAY)
    ids = ids[cases.requester_kind[ids] == _DISPUTE]
    if len(ids) == 0:
        return 0
    ids = ids[model.catalogue.is_dispute[cases.matter[ids]] & ~cases.petition_decided[ids]]
    patience = model.citizen_state["patience"][cases.requester[ids]] * HOURS_PER_DAY
    due = ids[t - cases.onset[ids] > patience].tolist()
    if not due:
        return 0
    repeat_of, petitioned = cases.repeat_of[due].tolist(), cases.petitioned
    root = [r if r >= 0 else i for i, r in zip(due, repeat_of)]  # the chain's first case (``resolution.root_of``)
    keep = [not b for b in petitioned[root].tolist()]
    due = [i for i, k in zip(due, keep) if k]
    root = [r for r, k in zip(root, keep) if k]
    if not due:
        return 0
    cases.petition_decided[due] = True
    go = model.Citizen.decide_petition(model, cases.requester[due]).tolist()
    new_root = [r for r, g in zip(root, go) if g]
    petitioned[[i for i, g in zip(due, go) if g]] = True
    petitioned[new_root] = True
    return len(set(new_root))
