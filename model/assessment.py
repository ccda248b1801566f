"""Assessment every ``assessment_period`` days: top-down, and two-way as a feedback loop (G2, G5).

Top-down: the county scores each township

    S_t = 1 − w_late · (late share of its closed cases) − w_duty · (share of its duty work left undone)
          − w_late · callback_penalty · (closures caught unsolved by call-backs) / (cases)

(``w_late`` = ``township_score_late_weight``, ``w_duty`` = ``township_score_duty_weight``, both ½
by default: a closure caught unsolved counts as ``callback_penalty`` late ones)

and ranks the townships (``rank`` 0 = best … 1 = last), which feeds their
propensity to game deadlines (``gaming``) and their day split: a township
weighs the county's scoring weights sharpened by its rank,
``w'_k ∝ w_k^(1 + ranking_pressure · rank)`` (``township_weights``; the split
itself is ``inspection``'s rule).

Two-way (双向互评): every township ``t`` scores every department ``d`` from
what it experienced in the period, with noise:

    S_td = 1 − w_dump · x_dt − w_bounce · b_d − w_serv · l_dt + ε_td,   ε_td ~ N(0, score_noise_sd²)

* ``x_dt`` = tasks ``d`` dumped on ``t`` / (``d``'s duty tasks × ``t``'s population share): its dumping
  as the township sees it (the department's dump share, in expectation);
* ``b_d`` = share of ``d``'s dumped tasks bounced back (a fight over the list);
* ``l_dt`` = share of ``d``'s cases from ``t``'s residents closed late or not really resolved
  (support on delegated matters and answers to calls are cases the department owns);

and the department receives ``S_d = mean_t S_td``. Its cadres weigh that score by
``ω_eff`` (``reform.two_way_weight``: ``two_way_weight`` faded by reform attention).

Learning (what the department does NOT see: the formula above). A department
observes only its own dump share ``x_d`` of the period and the score ``S_d`` it
received, and fits ``S_d ≈ α + β x_d`` by recursive least squares in its
Bayesian (Kalman) form with forgetting factor λ (``estimator_forgetting``),
from a prior ``α ~ N(1, 1)``, ``β ~ N(0, estimator_prior_sd²)`` (Ljung &
Söderström 1983):

    φ = (1, x_d);  e = S_d − φᵀ θ;  k = P φ / (s² + φᵀ P φ);  θ ← θ + k e;  P ← (P − k φᵀ P) / λ

where ``s²``, its belief about how noisy scores are, starts at ``estimator_residual_prior_sd²``
and follows its own squared surprises, ``s² ← s² + ρ (e² − s²)`` (ρ = ``estimator_residual_rate``).

Its learned score cost of dumping is ``Δ̂_d = −β̂`` (unclipped: an estimate that
dumping raises the score makes it dump more), which enters the cost of dumping
weighted by ``ω_eff`` (see ``dumping``). So that the slope is identified it
experiments: each period it shifts its dumping log-odds by ``ξ_d ~ N(0,
dumping_exploration_sd²)`` (drawn only under two-way assessment). When the
townships' score ignores dumping (``score_dumping_weight = 0``), β̂ stays near 0
and dumping does not fall; nothing else changes.

Effort: ``e_d ← e_d + η · (1 + effort_gain · ω_eff · (1 − S_d) − e_d)``. With
``ω_eff = 0`` nothing is learned and effort stays where one-way assessment puts it.
"""

from __future__ import annotations

import numpy as np

from . import reform
from .params import Params

_DEFAULTS = Params()

INTERCEPT_PRIOR = (1.0, 1.0)
"""Prior mean and sd of the score a department expects when it dumps nothing: the score's ceiling
(nothing wrong scores 1) and a vague sd spanning the whole score scale (a structural constant)."""


def township_score(
    late: int,
    cases: int,
    duty_left: float,
    duty_done: float,
    caught: int = 0,
    penalty: float = 0.0,
    params: Params | None = None,
) -> float:
    """The county's score of a township for one period (weights from ``params``; the defaults without)."""
    p = params if params is not None else _DEFAULTS
    late_share = late / cases if cases else 0.0
    total = duty_left + duty_done
    undone = duty_left / total if total > 0 else 0.0
    caught_term = penalty * caught / cases if cases else 0.0
    w_late, w_duty = p.township_score_late_weight, p.township_score_duty_weight
    return 1.0 - w_late * late_share - w_duty * undone - w_late * caught_term


def townships_scores(
    params: Params,
    dumped_dt: np.ndarray,
    tasks_d: np.ndarray,
    share_t: np.ndarray,
    bounced_share_d: np.ndarray,
    bad_dt: np.ndarray,
    cases_dt: np.ndarray,
    noise: np.ndarray,
) -> np.ndarray:
    """Scores ``S_td`` (departments × townships) of one period; ``noise`` ~ N(0, 1) of that shape."""
    fair = tasks_d[:, None] * share_t[None, :]
    x = np.divide(dumped_dt, fair, out=np.zeros_like(fair, dtype=float), where=fair > 0)
    late = np.divide(bad_dt, cases_dt, out=np.zeros(bad_dt.shape), where=cases_dt > 0)
    return (
        1.0
        - params.score_dumping_weight * x
        - params.score_bounce_weight * bounced_share_d[:, None]
        - params.score_service_weight * late
        + params.score_noise_sd * noise
    )


class ScoreEstimator:
    """Recursive least squares of received score on own dump share, one per department."""

    def __init__(self, params: Params):
        self.theta = np.array([INTERCEPT_PRIOR[0], 0.0])
        self.P = np.diag([INTERCEPT_PRIOR[1] ** 2, params.estimator_prior_sd**2])
        self.lam = params.estimator_forgetting
        self.s2 = params.estimator_residual_prior_sd**2
        self.rate = params.estimator_residual_rate
        self.n = 0

    def update(self, x: float, score: float) -> None:
        phi = np.array([1.0, x])
        Pphi = self.P @ phi
        e = score - phi @ self.theta
        k = Pphi / (self.s2 + phi @ Pphi)
        self.theta = self.theta + k * e
        self.P = (self.P - np.outer(k, Pphi)) / self.lam
        self.s2 += self.rate * (e * e - self.s2)
        self.n += 1

    @property
    def cost(self) -> float:
        """Learned score lost per unit of dump share (−slope)."""
        return float(-self.theta[1])


def update_department(dept, params: Params, score: float, weight: float) -> None:
    """Give a department its received score; update its estimate (when ω_eff > 0) and its effort."""
    x = dept.period_dumped / dept.period_tasks if dept.period_tasks else 0.0
    dept.score = float(score)
    if weight > 0:
        dept.estimator.update(x, dept.score)
        dept.expected_score_drop = dept.estimator.cost
    eta = params.learning_rate
    target_effort = 1.0 + params.effort_gain * weight * (1.0 - dept.score)
    dept.effort += eta * (target_effort - dept.effort)


def update_township(town, duty_done: float, params: Params | None = None) -> None:
    pen = params.callback_penalty if params is not None else 0.0
    town.score = township_score(
        town.period_late,
        town.period_cases,
        town.handler.duty_backlog,
        duty_done,
        getattr(town, "period_caught", 0),
        pen,
        params,
    )
    town.period_cases = town.period_late = 0
    town.period_caught = 0


def ranks(scores: np.ndarray) -> np.ndarray:
    """Rank from the top, 0 = best … 1 = last (ties share the better rank)."""
    n = len(scores)
    if n <= 1:
        return np.zeros(n)
    worse_than = (scores[None, :] > scores[:, None]).sum(axis=1)
    return worse_than / (n - 1)


def score_departments(model, weight: float) -> np.ndarray:
    """The period's received scores ``S_d`` (mean over townships of ``S_td``)."""
    p = model.params
    depts = model.departments
    tasks = np.array([d.period_tasks for d in depts], float)
    dumped = np.array([d.period_dumped for d in depts], float)
    bounced = np.array([getattr(d, "period_bounced", 0) for d in depts], float)
    bshare = np.divide(bounced, dumped, out=np.zeros_like(dumped), where=dumped > 0)
    T = len(model.townships)
    if weight > 0:
        noise = model.rng.standard_normal((len(depts), T))
        S = townships_scores(
            p,
            model.period_dumped_dt,
            tasks,
            model.township_share,
            bshare,
            model.period_bad_dt,
            model.period_cases_dt,
            noise,
        )
        return S.mean(axis=1)
    # one-way: no township scores departments; the county's own target score (dumping, late cases)
    late = np.divide(
        model.period_bad_dt.sum(1),
        model.period_cases_dt.sum(1),
        out=np.zeros(len(depts)),
        where=model.period_cases_dt.sum(1) > 0,
    )
    share = np.divide(dumped, tasks, out=np.zeros_like(tasks), where=tasks > 0)
    return 1.0 - p.county_score_dumping_weight * share - p.county_score_late_weight * late


def township_weights(params: Params, rank: float) -> dict[str, float]:
    """What a township weighs when it splits its day: the county's scoring weights, sharpened
    towards the larger one by ranking pressure for a township ranked low:
    ``w'_k ∝ w_k^(1 + κ·rank)`` (κ = ``ranking_pressure``; κ = 0 or the top rank leaves them)."""
    w = {"service": params.township_service_weight, "upward": 1.0 - params.township_service_weight}
    g = 1.0 + params.ranking_pressure * rank
    if g == 1.0:
        return w
    x = {k: v**g for k, v in w.items()}
    total = sum(x.values())
    return {k: v / total for k, v in x.items()} if total > 0 else w


def apply(model, day: int) -> bool:
    """Run the assessment at the end of each period (the agents' ``assess`` methods, through the
    model's AgentSets); return whether it ran today."""
    p = model.params
    if (day + 1) % p.assessment_period != 0:
        return False
    towns, depts = model.townships, model.departments
    model.agents_by_type[model.Township].do("assess")
    for t, r in zip(towns, ranks(np.array([t.score for t in towns]))):
        t.rank = float(r)
        t.score_weights = township_weights(p, t.rank)
    w = reform.two_way_weight(model)
    for d, s in zip(depts, score_departments(model, w)):
        d.received_score, d.received_weight = float(s), w
    model.agents_by_type[model.Department].do("assess")
    for d, r in zip(depts, ranks(np.array([d.score for d in depts]))):
        d.rank = float(r)
    explore = (
        model.rng.normal(0.0, p.dumping_exploration_sd, len(depts))
        if w > 0 and p.dumping_exploration_sd > 0
        else np.zeros(len(depts))
    )
    for d, xi in zip(depts, explore):
        d.exploration = float(xi)
        d.period_tasks = d.period_dumped = d.period_cases = d.period_late = 0
        d.period_bounced = 0
    reset_period(model)
    return True


def reset_period(model) -> None:
    """Zero the period's township × department experience counters."""
    D, T = len(model.departments), len(model.townships)
    model.period_dumped_dt = np.zeros((D, T))
    model.period_bad_dt = np.zeros((D, T))
    model.period_cases_dt = np.zeros((D, T))
