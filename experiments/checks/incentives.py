"""Checks of the incentives-and-outcomes mechanisms (issue 11): each a counterfactual with
common seeds and a 95 % confidence interval, able to fail.

* ``two_way_learning_needs_response`` — dumping falls over assessment periods only when the
  townships' scores respond to dumping (same estimator, score made independent of dumping);
* ``reform_relapse_half_life`` — with a finite half-life, dumping and inspection hours return
  towards their pre-reform level;
* ``deadline_gaming_widens_gap`` — tighter deadlines with ranking pressure raise the on-time rate
  and widen its gap to ``resolution_rate``;
* ``callbacks_narrow_gap_with_penalty`` — call-backs with a penalty narrow that gap; with a zero
  penalty they do not;
* ``gaming_buys_no_satisfaction`` — a scenario that games its way to a higher on-time rate gains
  no satisfaction;
* ``grid_participation_follows_response`` — residents' app reporting falls while reports go
  unanswered and recovers once they are acted on.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...model import Params, TownshipModel, grid
from ..core.county import SMALL_COUNTY
from .base import CheckResult, check, paired_difference

COUNTY = SMALL_COUNTY

# --- shared runs ------------------------------------------------------------------------


def run(values: dict, seed: int, days: int):
    """(summary, daily table) of one run; cached so that checks share their runs."""
    return _run(tuple(sorted((k, _freeze(v)) for k, v in values.items())), seed, days)


@lru_cache(maxsize=128)
def _run(items: tuple, seed: int, days: int):
    values = {k: dict(v) if k == "pre_reform" else v for k, v in items}
    m = TownshipModel(Params(**values), rng=seed).run(days)
    return m.summary(), m.timeseries()


def _freeze(v):
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, list):
        return tuple(v)
    return v


def _result(name, expected, measured, ci, passed, margin, reps, **details) -> CheckResult:
    half = (ci[1] - ci[0]) / 2 if np.all(np.isfinite(ci)) else float("inf")
    return CheckResult(
        name, expected, float(measured), (float(ci[0]), float(ci[1])), bool(passed), bool(half < margin), reps, details
    )


# --- 1 two-way assessment learns only from scores that respond -----------------------------

LEARN = dict(
    COUNTY,
    duty_tasks_per_department=2.0,
    assessment_period=10,
    two_way_weight=1.0,
    dumping_base=0.5,
    dumping_exploration_sd=1.0,
    estimator_prior_sd=0.5,
)
LEARN_DAYS = 150


def dump_share_blocks(values: dict, seed: int, days: int, block: int) -> np.ndarray:
    """Daily dumped tasks over expected duty tasks, averaged per block of days."""
    _, ts = run(values, seed, days)
    share = ts["dumped_tasks"].to_numpy() / (values["departments"] * values["duty_tasks_per_department"])
    return share[: len(share) // block * block].reshape(-1, block).mean(axis=1)


def _fall(values, seed):
    b = dump_share_blocks(values, seed, LEARN_DAYS, values["assessment_period"])
    return b[0] - b[-5:].mean()


@check(
    "two_way_learning_needs_response",
    part="verification",
    claim="Under two-way assessment dumping falls over assessment periods only when the townships' "
    "scores respond to dumping; with the score independent of dumping (same estimator) it does not fall",
    source="G5; recursive least squares (Ljung & Söderström 1983)",
    quick_reps=4,
    full_reps=10,
)
def two_way_learning_needs_response(reps: int, seed: int) -> CheckResult:
    """Both arms switch off the pressure channel of dumping (``dumping_pressure_slope = 0``) so that
    the first assessment period is the level before learning. With posts following expected work
    the departments start under little pressure: with the default slope the first period's dump
    share is 0.23 against 0.53 without it, and it climbs over the next periods in both arms as
    pressure builds, so "first period − last five" measured pressure build-up as well as learning
    (fall 0.05, CI −0.02…0.13, at 4 replications). Without the pressure channel (4 seeds, means)
    the responding arm falls 0.53 → 0.15 and the independent arm stays near 0.55."""
    seeds = range(seed, seed + reps)
    resp = np.array([_fall(dict(LEARN, score_dumping_weight=0.5, dumping_pressure_slope=0.0), s) for s in seeds])
    flat = np.array([_fall(dict(LEARN, score_dumping_weight=0.0, dumping_pressure_slope=0.0), s) for s in seeds])
    m_r, ci_r = paired_difference(resp, np.zeros(reps))
    m_f, ci_f = paired_difference(flat, np.zeros(reps))
    m, ci = paired_difference(resp, flat)
    passed = ci_r[0] > 0 and ci_f[1] < 0.5 * m_r
    return _result(
        "two_way_learning_needs_response",
        "fall in dump share (first period − last 5) > 0 when scores respond; without response "
        "its upper 95 % bound below half that fall",
        m,
        ci,
        passed,
        max(m_r / 2, 1e-9),
        reps,
        fall_responding=m_r,
        fall_responding_ci=ci_r,
        fall_independent=m_f,
        fall_independent_ci=ci_f,
    )


# --- 2 relapse ----------------------------------------------------------------------------

PRE_REFORM = {"two_way_weight": 0.0, "inspection_hours_per_week": 20.0}
RELAPSE = dict(LEARN, score_dumping_weight=0.5, inspection_hours_per_week=8.0, warmup_days=20, pre_reform=PRE_REFORM)
RELAPSE_DAYS = 200


def _late_block(values, seed):
    _, ts = run(values, seed, RELAPSE_DAYS)
    share = ts["dumped_tasks"].to_numpy() / (values["departments"] * values["duty_tasks_per_department"])
    return share[-60:].mean(), ts["inspection_hours"].to_numpy()[-60:].mean()


@check(
    "reform_relapse_half_life",
    part="verification",
    claim="With a finite reform half-life, dumping and inspection hours return towards their pre-reform level",
    source="P2 (burden cuts that crept back); half-life is an assumption",
    quick_reps=4,
    full_reps=10,
)
def reform_relapse_half_life(reps: int, seed: int) -> CheckResult:
    seeds = range(seed, seed + reps)
    fin = np.array([_late_block(dict(RELAPSE, reform_half_life_days=40.0), s) for s in seeds])
    inf = np.array([_late_block(dict(RELAPSE), s) for s in seeds])
    m, ci = paired_difference(fin[:, 0], inf[:, 0])
    insp = float(np.mean(fin[:, 1] - inf[:, 1]))
    passed = ci[0] > 0 and insp > 0 and np.all(fin[:, 1] <= PRE_REFORM["inspection_hours_per_week"])
    return _result(
        "reform_relapse_half_life",
        "dump share in the last 60 days higher with half-life 40 d than with none (95 % CI > 0); "
        "inspection hours higher, not above the pre-reform level",
        m,
        ci,
        passed,
        max(abs(m), 1e-9),
        reps,
        inspection_hours_finite=float(fin[:, 1].mean()),
        inspection_hours_infinite=float(inf[:, 1].mean()),
        inspection_difference=insp,
    )


# --- 3-5 deadline gaming ------------------------------------------------------------------

GAME_PRE = {
    "ontime_weight": 0.0,
    "ranking_pressure": 0.0,
    "callback_share": 0.0,
    "callback_penalty": 0.0,
    "tier_deadlines": (1.0, 3.0, 5.0),
}
TIGHT = (0.75, 2.0, 4.0)
GAME_BASE = dict(COUNTY, assessment_period=20, warmup_days=40, pre_reform=GAME_PRE, ontime_weight=1.0)
STATUS_QUO = dict(GAME_BASE)
PRESSED = dict(GAME_BASE, ranking_pressure=3.0, tier_deadlines=TIGHT)
CALLBACKS = dict(PRESSED, callback_share=0.5, callback_penalty=10.0)
FREE_CALLBACKS = dict(PRESSED, callback_share=0.5, callback_penalty=0.0)
HONEST = dict(PRESSED, ontime_weight=0.0)
GAME_DAYS = 100


def _kpis(values, seeds, *keys):
    out = []
    for s in seeds:
        sm = run(values, s, GAME_DAYS)[0]
        out.append([sm["on_time_rate"] - sm["resolution_rate"] if k == "gap" else sm[k] for k in keys])
    return np.array(out)


@check(
    "deadline_gaming_widens_gap",
    part="verification",
    claim="Tighter deadlines with ranking pressure widen the gap between the on-time rate and the share of "
    "closed cases really resolved; at those deadlines gaming holds the on-time rate above what it would be "
    "if on-time closures were not scored (same deadlines, no gaming)",
    source="Holmström & Milgrom 1991; F11 (135 deadlines)",
    quick_reps=4,
    full_reps=10,
)
def deadline_gaming_widens_gap(reps: int, seed: int) -> CheckResult:
    """Gaming closes only cases projected to finish late (§7.17), so it can win back at most the
    closures the tighter deadlines make late. Measured on 6 paired seeds: the tight deadlines alone
    (on-time not scored in either arm) cut the on-time rate by 0.126 (CI 0.095…0.157); with gaming
    the fall is 0.035 (CI −0.071…0.001), so "on-time higher than the status quo" no longer follows.
    The on-time half therefore compares the pressed county with its no-gaming counterfactual
    (``HONEST``: same deadlines and pressure, ``ontime_weight = 0``); the difference against the
    status quo is kept in the details."""
    seeds = range(seed, seed + reps)
    a = _kpis(STATUS_QUO, seeds, "on_time_rate", "gap")
    b = _kpis(PRESSED, seeds, "on_time_rate", "gap")
    h = _kpis(HONEST, seeds, "on_time_rate")
    m_on, ci_on = paired_difference(b[:, 0], h[:, 0])
    m_sq, ci_sq = paired_difference(b[:, 0], a[:, 0])
    m, ci = paired_difference(b[:, 1], a[:, 1])
    passed = ci_on[0] > 0 and ci[0] > 0
    return _result(
        "deadline_gaming_widens_gap",
        "(on-time − resolution_rate) higher under tight deadlines + ranking pressure than in the status quo, "
        "and on-time higher than without on-time scoring at the same deadlines (95 % CIs > 0)",
        m,
        ci,
        passed,
        max(abs(m), 1e-9),
        reps,
        on_time_gain_from_gaming=m_on,
        on_time_gain_from_gaming_ci=ci_on,
        on_time_vs_status_quo=m_sq,
        on_time_vs_status_quo_ci=ci_sq,
    )


@check(
    "callbacks_narrow_gap_with_penalty",
    part="verification",
    claim="Call-backs (回访) with a penalty narrow the gap between on-time and really resolved; "
    "call-backs with a zero penalty do not",
    source="Holmström & Milgrom 1991; call-back checks",
    quick_reps=4,
    full_reps=10,
)
def callbacks_narrow_gap_with_penalty(reps: int, seed: int) -> CheckResult:
    seeds = range(seed, seed + reps)
    b = _kpis(PRESSED, seeds, "gap")[:, 0]
    c = _kpis(CALLBACKS, seeds, "gap")[:, 0]
    d = _kpis(FREE_CALLBACKS, seeds, "gap")[:, 0]
    m, ci = paired_difference(b, c)
    m0, ci0 = paired_difference(b, d)
    passed = ci[0] > 0 and ci0[1] < 0.5 * m
    return _result(
        "callbacks_narrow_gap_with_penalty",
        "gap narrowed by penalised call-backs (95 % CI > 0); "
        "narrowing by zero-penalty call-backs below half of that (upper bound)",
        m,
        ci,
        passed,
        max(m / 2, 1e-9),
        reps,
        narrowing_zero_penalty=m0,
        narrowing_zero_penalty_ci=ci0,
    )


@check(
    "gaming_buys_no_satisfaction",
    part="verification",
    claim="A scenario that games its way to a higher on-time rate gains no satisfaction from it",
    source="F6; satisfaction from outcomes",
    quick_reps=4,
    full_reps=10,
)
def gaming_buys_no_satisfaction(reps: int, seed: int) -> CheckResult:
    seeds = range(seed, seed + reps)
    g = _kpis(PRESSED, seeds, "on_time_rate", "citizen_satisfaction", "enterprise_satisfaction")
    h = _kpis(HONEST, seeds, "on_time_rate", "citizen_satisfaction", "enterprise_satisfaction")
    m_on, ci_on = paired_difference(g[:, 0], h[:, 0])
    m, ci = paired_difference(g[:, 1], h[:, 1])
    m_e, ci_e = paired_difference(g[:, 2], h[:, 2])
    passed = ci_on[0] > 0 and ci[1] < 0.005 and ci_e[1] < 0.005
    return _result(
        "gaming_buys_no_satisfaction",
        "on-time higher with gaming (95 % CI > 0) while citizen and "
        "enterprise satisfaction gain < 0.005 (upper bounds)",
        m,
        ci,
        passed,
        0.05,
        reps,
        on_time_difference=m_on,
        on_time_ci=ci_on,
        enterprise_difference=m_e,
        enterprise_ci=ci_e,
    )


# --- 6 grid participation -----------------------------------------------------------------

GRID = dict(
    COUNTY,
    dispute_rate=0.002,
    township_staff=40.0,
    grid_coverage=0.0,
    app_reporting=0.3,
    points_incentive=0.5,
    report_learning=0.3,
    warmup_days=60,
    pre_reform={"local_mediation": 0.0},
    local_mediation=1.0,
)


def _participation(seed: int) -> tuple[float, float, float]:
    p = Params(**GRID)
    start = grid.initial_reporting(p)  # every resident's propensity before the warm-up
    m = TownshipModel(p, rng=seed)  # construction runs the warm-up: mediation fails, reports not acted on
    low = float(m.citizen_state["report"].mean())
    m.run(60)
    return start, low, float(m.citizen_state["report"].mean())


@check(
    "grid_participation_follows_response",
    part="verification",
    claim="Residents' grid reporting falls while their reports go unanswered and recovers once they are acted on",
    source="G8, G9; Bush & Mosteller 1955",
    quick_reps=3,
    full_reps=8,
)
def grid_participation_follows_response(reps: int, seed: int) -> CheckResult:
    r = np.array([_participation(s) for s in range(seed, seed + reps)])
    m_fall, ci_fall = paired_difference(r[:, 0], r[:, 1])
    m, ci = paired_difference(r[:, 2], r[:, 1])
    passed = ci_fall[0] > 0 and ci[0] > 0
    return _result(
        "grid_participation_follows_response",
        "participation falls over 60 days of unanswered reports and rises over 60 days of answered ones (95 % CIs > 0)",
        m,
        ci,
        passed,
        max(abs(m), 1e-9),
        reps,
        fall=m_fall,
        fall_ci=ci_fall,
        start=float(r[:, 0].mean()),
        after_unanswered=float(r[:, 1].mean()),
        after_answered=float(r[:, 2].mean()),
    )
