"""Department duty tasks and dumping under territorial management (属地管理, 甩锅, G4).

A Department's decision (``Department.decide_dumping``, called for every
department through the model's AgentSet). Each day department ``d`` gets ``Poisson(duty_tasks_per_department)`` duty
tasks of ``duty_task_hours`` each. It pushes each one down to a township
(chosen by population) with probability

    p_d = σ( logit(dumping_base) + dumping_pressure_slope · (load_d − 1) − C_d )

— it dumps when the blame it expects to save (rising with its load: open
work-hours over daily capacity) exceeds the cost of shifting ``C_d``
(principal–agent blame shifting). The cost is

    C_d = [responsibility_list] · (1 − territorial_share) · list_enforcement · bounce_cost
          + ω_eff · score_sensitivity · Δ̂_d − ξ_d

where ``Δ̂_d`` is the drop in the townships' score of ``d`` per unit of dumped
share that it has learned, by recursive least squares, from the noisy scores it
received in past two-way assessments (see ``assessment``), ``ω_eff`` the two-way
weight faded by reform attention (``reform``) and ``ξ_d`` its experiment of the
period (0 under one-way assessment). With a responsibility list
(责任清单), an off-list task (probability ``1 − territorial_share``) is
bounced back with probability ``list_enforcement``; the department then does
it itself. Tasks a department keeps, or gets back, are work-hours it does
before its cases; tasks a township accepts are work-hours the township does
before its cases.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from . import demand, reform
from .params import Params


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


@lru_cache(maxsize=64)
def _base_logit(p: float) -> float:
    """``logit(p)`` of a lever's value, computed once per value (20 departments a day read it)."""
    return logit(p)


def list_cost(params: Params) -> float:
    """Expected cost of a dumped task from bounces under a responsibility list (logit units)."""
    if not params.responsibility_list:
        return 0.0
    return (1.0 - params.territorial_share) * params.list_enforcement * params.bounce_cost


def dump_probability(params: Params, load, expected_drop, weight: float | None = None, exploration=0.0):
    """Per-department probability of pushing a duty task down today (``weight``: ω_eff,
    default the lever ``two_way_weight``; ``exploration``: the period's log-odds shift ξ). ``load`` and
    ``expected_drop`` are arrays (one per department) or floats (one department: no array built)."""
    w = params.two_way_weight if weight is None else weight
    z = (
        _base_logit(params.dumping_base)
        + params.dumping_pressure_slope * (load - 1.0)
        - list_cost(params)
        - w * params.score_sensitivity * expected_drop
        + exploration
    )
    return 1.0 / (1.0 + np.exp(-z))


def department_load(dept) -> float:
    """Open work over one day's capacity: queued tasks × mean hours plus duty backlog, in days."""
    h = dept.handler
    if h.capacity_hours <= 0:
        return 0.0
    return (h.open_tasks * dept.model.mean_step_hours + h.duty_backlog) / h.capacity_hours


def _weight(model) -> float:
    """``reform.two_way_weight(model)``, computed once a day for all departments (it depends on the day, the
    counted window's start and the levers only)."""
    key = (model.clock_day, model.count_start, id(model.params))
    memo = getattr(model, "_two_way_today", None)
    if memo is None or memo[0] != key:
        memo = (key, reform.two_way_weight(model))
        model._two_way_today = memo
    return memo[1]


def department_day(dept) -> None:
    """One department's day (``Department.decide_dumping``): draw its duty tasks, dump some on
    townships (chosen by population), take back those bounced off a responsibility list."""
    model = dept.model
    p = model.params
    dept.today_dumped = dept.today_bounced = 0
    if p.duty_tasks_per_department <= 0:
        dept.dumping_propensity = 0.0
        return
    rng = model.rng
    prob = float(
        dump_probability(p, department_load(dept), float(dept.expected_score_drop), _weight(model), dept.exploration)
    )
    draw_tasks(model, dept, prob, rng)


def draw_tasks(model, dept, prob: float, rng) -> None:
    """A department's duty tasks of the day at dump probability ``prob``: how many, how many dumped and bounced
    (the draws in this order), the dumped ones' townships by population share, and the bookings."""
    p = model.params
    hours = p.duty_task_hours
    tasks = int(rng.poisson(p.duty_tasks_per_department))
    dumped = int(rng.binomial(tasks, prob)) if tasks else 0
    bounced = 0
    if p.responsibility_list and dumped:
        off_list = int(rng.binomial(dumped, 1.0 - p.territorial_share))
        bounced = int(rng.binomial(off_list, p.list_enforcement)) if off_list else 0
    accepted = dumped - bounced
    if dumped:
        d = dept.index
        dest = demand.choose(rng, model.township_cdf, dumped).tolist()  # rng.choice by population share
        for i, t in enumerate(dest):
            if i < accepted:
                model.townships[t].handler.duty_backlog += hours
                model.day_dumped[(d, t)] = model.day_dumped.get((d, t), 0) + 1
                model.period_dumped_dt[d, t] += 1.0
            else:
                model.day_bounced[(t, d)] = model.day_bounced.get((t, d), 0) + 1
    _book_day(dept, prob, tasks, dumped, bounced, accepted, hours)


def decide_all(model) -> tuple[int, int]:
    """Every department's ``Department.decide_dumping``, in the AgentSet's order: through the AgentSet on the
    Python engine, in one pass (:func:`departments_day`, its twin) on the compiled engine; returns today's
    (dumped, bounced)."""
    if model.compiled:
        return departments_day(model)
    model.agents_by_type[model.Department].do("decide_dumping")
    return today(model)


def departments_day(model) -> tuple[int, int]:
    """Every department's :func:`department_day` in one pass, in the departments' order (the AgentSet's): the
    same draws in the same order, the same doubles, the same writes. The compiled engine's twin of
    ``Department.decide_dumping`` (called for every department), without a call chain per department, its draws
    in one kernel call (``kernel.duties.draw_duties``); ``Department.decide_dumping`` stays the reference
    (``tests/test_day3_twins.py`` and ``tests/test_day5_duties.py`` compare them). Returns :func:`today`."""
    p = model.params
    depts = model.departments
    if p.duty_tasks_per_department <= 0:
        for dept in depts:
            dept.today_dumped = dept.today_bounced = 0
            dept.dumping_propensity = 0.0
        return 0, 0
    rng = model.rng
    # every department's probability as ``dump_probability`` of the departments' arrays gives it: its log-odds
    # element by element in Python floats (the same operations in the same order: the same doubles), numpy's exp of
    # their array (numpy's exp of an array is its exp of each value: tests/test_day3_twins.py), each from its own
    # handler's load, read before any draw (no department's draws move another's load)
    base, slope, cost, ws, levers, counts = _day_constants(model, len(depts))
    msh = model.mean_step_hours
    neg_z = []
    for d in depts:
        h = d.handler
        cap = h.capacity_hours
        load = (h.open_tasks * msh + h.duty_backlog) / cap if cap > 0 else 0.0  # ``department_load``
        neg_z.append(-(base + slope * (load - 1.0) - cost - ws * float(d.expected_score_drop) + d.exploration))
    probs = 1.0 / (1.0 + np.exp(np.array(neg_z)))  # (numpy's add and divide of doubles: Python's doubles)
    # every department's draws in one kernel call (``kernel.duties``: the same draws in the same order), then
    # each department's bookings in turn, as ``draw_tasks`` makes them (no draw depends on a booking)
    draw_duties_call, addresses = _kernel()
    n_tasks, listed, off_share, enforcement = levers
    dest = draw_duties_call(addresses(rng), n_tasks, probs, listed, off_share, enforcement, model.township_cdf, counts)
    return _book(model, depts, probs.tolist(), counts.tolist(), dest.tolist())


def _day_constants(model, n: int) -> tuple:
    """:func:`departments_day`'s values that change only with the levers (and, while the reform fades, with the
    day: :func:`_weight`): the base log-odds, the pressure slope, the list's cost, ω_eff × score sensitivity, the
    kernel's lever arguments (tasks a day, list, off-list share, enforcement) and an array for the ``n``
    departments' drawn counts (the kernel fills it whole), kept between days (no work a day for them)."""
    p = model.params
    day = model.clock_day if math.isfinite(p.reform_half_life_days) else None  # (unfaded: the same every day)
    memo = model.__dict__.get("_duty_constants")
    if memo is None or memo[0] is not p or memo[1] != day or memo[2] != model.count_start or len(memo[3][5]) != n:
        ws = _weight(model) * p.score_sensitivity
        levers = (
            float(p.duty_tasks_per_department),
            bool(p.responsibility_list),
            float(1.0 - p.territorial_share),
            float(p.list_enforcement),
        )
        counts = np.empty((n, 3), dtype=np.int64)
        memo = (
            p,
            day,
            model.count_start,
            (_base_logit(p.dumping_base), p.dumping_pressure_slope, list_cost(p), ws, levers, counts),
        )
        model._duty_constants = memo
    return memo[3]


_KERNEL: list = []  # the kernel's calls, imported on the first compiled call


def _kernel() -> tuple:
    """(``kernel.duties``' draw call, ``rawrng.addresses``), imported once."""
    if not _KERNEL:
        from .kernel.duties import draw_duties_call  # deferred: it imports numba (the kernel extra), only compiled
        from .kernel.rawrng import addresses  # deferred: as the line above

        _KERNEL.append((draw_duties_call, addresses))
    return _KERNEL[0]


def _book(model, depts, probs: list, counts: list, dest: list) -> tuple[int, int]:
    """:func:`draw_tasks`'s bookings of every department's drawn duty tasks (``counts``: its tasks, dumped and
    bounced; ``dest``: the dumped tasks' townships, one department's after the other's), in the same order;
    returns today's (dumped, bounced) totals (:func:`today`)."""
    hours = model.params.duty_task_hours
    towns, day_dumped, day_bounced, dt = model.townships, model.day_dumped, model.day_bounced, model.period_dumped_dt
    k = all_bounced = 0
    for dept, prob, (tasks, dumped, bounced) in zip(depts, probs, counts):
        accepted = dumped - bounced
        if dumped:
            d = dept.index
            for i, t in enumerate(dest[k : k + dumped]):
                if i < accepted:
                    towns[t].handler.duty_backlog += hours
                    day_dumped[(d, t)] = day_dumped.get((d, t), 0) + 1
                    dt[d, t] += 1.0
                else:
                    day_bounced[(t, d)] = day_bounced.get((t, d), 0) + 1
            k += dumped
        # ``_book_day``'s writes, without a call per department (a department without tasks today adds 0 to
        # its period's counts: they are left as they are)
        dept.dumping_propensity = prob
        if tasks:
            dept.period_tasks += tasks
            dept.period_dumped += dumped
            dept.period_bounced += bounced
        dept.handler.duty_backlog += (tasks - accepted) * hours
        dept.today_dumped, dept.today_bounced = dumped, bounced
        all_bounced += bounced
    return k, all_bounced


def apply(model) -> tuple[int, int]:
    """Every department's day (``Department.decide_dumping`` through the model's AgentSet, as in
    ``TownshipModel.step``); return today's (dumped, bounced)."""
    model.agents_by_type[model.Department].do("decide_dumping")
    return today(model)


def today(model) -> tuple[int, int]:
    """(dumped, bounced) duty tasks of today's decisions."""
    return (sum(d.today_dumped for d in model.departments), sum(d.today_bounced for d in model.departments))


def _book_day(dept, prob: float, tasks: int, dumped: int, bounced: int, accepted: int, hours: float) -> None:
    """A department's day of duty tasks booked: its propensity, the period's counts, the hours it keeps (the tasks
    not accepted by a township, ``hours`` each) and today's counts."""
    dept.dumping_propensity = prob
    dept.period_tasks += tasks
    dept.period_dumped += dumped
    dept.period_bounced += bounced
    dept.handler.duty_backlog += (tasks - accepted) * hours
    dept.today_dumped, dept.today_bounced = dumped, bounced
