"""Feedback: requesters judge closed cases, owners' assessment counters, and the enterprise life cycle.

A closed case is judged by its requester from what really happened
(``satisfaction``: resolution, waiting against the promise over the whole
chain, trips and travel hours, repeats, petitions); Enterprise and Citizen
agents update their satisfaction and channel memories (disputes count for the
citizen who raised them), and residents who reported a dispute through the
app learn whether their report was acted on (``grid``). The owner's
assessment counts the closure as a dashboard does (closed by its deadline =
on time); each township's experience of a department's cases from its
residents (late or not really resolved) feeds its two-way score of that
department (``assessment``). Enterprises move start-up → growth → mature with
daily probabilities ``1/startup_days`` and ``1/growth_days``; each exits with
daily probability ``enterprise_exit_base + enterprise_exit_sensitivity ·
max(0, 0.8 − s)``; new ones enter at ``enterprise_entry_rate × live × (mean
satisfaction / 0.7)`` a day (the business environment).
"""

from __future__ import annotations

import numpy as np

from . import demand, satisfaction
from .agents import Citizen, Enterprise
from .catalogue import ENTERPRISE
from .demand import Stage
from .metrics.collect import queued_today, stocks_kept
from .metrics.numeric import mean, reports_written, satisfaction_written
from .params import Params
from .resolution import root_of

SATISFACTION_START = 0.7
EXIT_THRESHOLD = 0.8
ENTRY_REFERENCE = 0.7
_ENTERPRISE = int(ENTERPRISE)  # plain ints: numpy looks an enum member's attributes up on every use
_NAN = float("nan")
_STARTUP, _GROWTH, _MATURE, _EXITED = int(Stage.STARTUP), int(Stage.GROWTH), int(Stage.MATURE), int(Stage.EXITED)


def chain_outcome(model, ids: np.ndarray) -> dict[str, np.ndarray]:
    """What the requester of each closed case has experienced over its whole chain."""
    c = model.cases
    root = root_of(c, ids)
    promised = c.deadline[root] - c.created[root]
    overdue = np.maximum(0.0, c.closed[ids] - c.deadline[root])
    travel = c.travel
    return {
        "resolved": c.resolved[ids],
        "overdue_share": np.divide(overdue, promised, out=np.zeros(len(ids)), where=promised > 0),
        "trips": c.trips[ids].astype(float),
        "travel_hours": travel[ids].astype(float),
        "repeats": c.contact[ids].astype(float),
        "petitioned": c.petitioned[root] | c.petitioned[ids],
    }


def judge(model, ids: np.ndarray) -> None:
    """Requesters judge today's closed cases; owners' and townships' assessment counters; reporting."""
    if len(ids) == 0:
        return
    satisfaction_written(model)  # the requesters' satisfaction changes below (``numeric.citizen_satisfaction``)
    if model.cases.reported[ids].any():  # some requesters learn from their app reports (``Citizen.learn_reporting``)
        reports_written(model)
    if model.compiled:  # the same judgements in one kernel call (``kernel.feedback.judge_day``)
        _judge_compiled(model, ids)
        return
    cases = model.cases
    late = cases.closed[ids] > cases.deadline[ids]
    s_case = satisfaction.case_satisfaction(**chain_outcome(model, ids), params=model.params)
    kind = cases.requester_kind[ids]
    who = cases.requester[ids]
    online = cases.online[ids]
    trips = cases.trips[ids]
    for cls, sel in ((Enterprise, kind == _ENTERPRISE), (Citizen, kind != _ENTERPRISE)):
        if sel.any():
            cls.judge(model, who[sel], s_case[sel], trips[sel], online[sel])
    if model.settle_pool is not None:  # the warm-up's judgements, to settle the slow stocks (``settle``)
        pending = np.fromiter(map(queued_today(model).__contains__, ids.tolist()), bool, len(ids))
        model.settle_pool.add(kind == _ENTERPRISE, cases.township[ids], online, s_case, pending, cases.contact[ids] > 0)
    _count_closures(model, ids, late)
    rep = cases.reported[ids]
    if rep.any():
        acted = cases.resolved[ids][rep] & ~late[rep]
        Citizen.learn_reporting(model, who[rep], acted)


def _judge_compiled(model, ids: np.ndarray) -> None:
    """:func:`judge` on the compiled engine: the chain outcomes, the cases' satisfaction, the requesters'
    updates (the agents' ``judge``, ``Citizen.learn_reporting``) and the owners' counters in one kernel call
    (``kernel.feedback.judge_day``: the same doubles and counts); the warm-up's judgements and the counters'
    bookings into the agents stay here."""
    cases = model.cases
    n = len(ids)
    towns, deps = model.townships, model.departments
    n_t = len(towns)
    counts = np.zeros(n_t + len(deps), dtype=np.int64)
    lates = np.zeros(n_t + len(deps), dtype=np.int64)
    s_case = np.empty(n)
    late = np.empty(n, dtype=bool)
    es, cs = model.enterprise_state, model.citizen_state
    reals, owner = _judge_fixed(model)
    _kernel()[0](
        ids,
        (*_judge_columns(cases), owner),
        reals,
        _ENTERPRISE,
        (es["satisfaction"], es["exp_online"], es["exp_offline"], es["trips"]),
        (cs["satisfaction"], cs["exp_online"], cs["exp_offline"], cs["trips"]),
        cs["report"],
        counts,
        lates,
        model.period_cases_dt,
        model.period_bad_dt,
        s_case,
        late,
    )
    if model.settle_pool is not None:  # the warm-up's judgements, to settle the slow stocks (``settle``)
        kind = cases.requester_kind[ids]
        pending = np.fromiter(map(queued_today(model).__contains__, ids.tolist()), bool, len(ids))
        model.settle_pool.add(
            kind == _ENTERPRISE, cases.township[ids], cases.online[ids], s_case, pending, cases.contact[ids] > 0
        )
    _book_counts(model, counts.tolist(), lates.tolist())


_KERNEL: list = []  # the kernel's calls, imported on the first compiled call
_FIXED: list = [None, None, None, None]  # params, catalogue, its departments' array, (``_judge_reals``, owner column)


def _kernel() -> tuple:
    """(``judge_day``'s call, ``life_cycle_day``'s call, ``rawrng.addresses``), imported once."""
    if not _KERNEL:
        from .kernel.feedback import judge_day_call, life_cycle_day_call  # deferred: numba (the kernel extra)
        from .kernel.rawrng import addresses  # deferred: as the line above, only on the compiled engine

        _KERNEL.append((judge_day_call, life_cycle_day_call, addresses))
    return _KERNEL[0]


def _judge_fixed(model) -> tuple:
    """:func:`_judge_reals` of the model's parameters and its catalogue's owner column (contiguous), kept while
    the parameters and the catalogue are the same objects (both fixed for a model's day)."""
    p, cat = model.params, model.catalogue
    memo = _FIXED
    if memo[0] is not p or memo[1] is not cat or memo[2] is not cat.departments:
        memo[:] = [p, cat, cat.departments, (_judge_reals(p), np.ascontiguousarray(cat.owner))]
    return memo[3]


def _judge_columns(c) -> tuple:
    """The case table's columns ``kernel.feedback.judge_day`` reads, in its order."""
    return (
        c.closed,
        c.deadline,
        c.created,
        c.repeat_of,
        c.resolved,
        c.trips,
        c.travel,
        c.contact,
        c.petitioned,
        c.requester_kind,
        c.requester,
        c.online,
        c.reported,
        c.matter,
        c.delegated,
        c.township,
    )


def _judge_reals(p: Params) -> tuple:
    """``kernel.feedback.judge_day``'s weights and rates from ``p`` (doubles, as the reference takes them):
    the six satisfaction weights, α, an ignored report's stimulus (``grid.report_stimulus``), the reporting
    learning rate."""
    return (
        float(p.satisfaction_unresolved_weight),
        float(p.satisfaction_overdue_weight),
        float(p.satisfaction_trip_weight),
        float(p.satisfaction_travel_weight),
        float(p.satisfaction_repeat_weight),
        float(p.satisfaction_petition_weight),
        float(p.satisfaction_learning),
        float(-(1.0 - p.points_incentive)),
        float(p.report_learning),
    )


def _count_closures(model, ids: np.ndarray, late: np.ndarray) -> None:
    """Today's closures (``late``: after their deadline) in their owners' assessment counters: each case and
    each late one in its township's (township-held: delegated or township-owned) or its owning department's
    ``period_cases``/``period_late``, and a department's case, and a late or unresolved one, by the township
    it serves in ``period_cases_dt``/``period_bad_dt`` (counts added up per agent: integers, in any order)."""
    if model.compiled:  # the same counts in one kernel call
        _count_closures_compiled(model, ids, late)
    else:
        _count_closures_arrays(model, ids, late)


def _count_closures_arrays(model, ids: np.ndarray, late: np.ndarray) -> None:
    """:func:`_count_closures` in numpy (the reference)."""
    cases = model.cases
    owner = model.catalogue.owner[cases.matter[ids]]
    township_held = cases.delegated[ids] | (owner < 0)
    town = cases.township[ids]
    towns, deps = model.townships, model.departments
    n_t = len(towns)
    agent = np.where(township_held, town, owner + n_t)  # townships first, then departments
    size = n_t + len(deps)
    _book_counts(model, np.bincount(agent, minlength=size).tolist(), np.bincount(agent[late], minlength=size).tolist())
    dep = ~township_held
    if dep.any():
        bad = (late | ~cases.resolved[ids])[dep]
        cell = owner[dep] * n_t + town[dep]  # (department, township) of ``period_cases_dt``, flattened
        shape = model.period_cases_dt.shape
        model.period_cases_dt += np.bincount(cell, minlength=shape[0] * n_t).reshape(shape)
        model.period_bad_dt += np.bincount(cell[bad], minlength=shape[0] * n_t).reshape(shape)


def _count_closures_compiled(model, ids: np.ndarray, late: np.ndarray) -> None:
    """:func:`_count_closures` with its counting in one kernel call (``kernel.closures``: the same counts and
    doubles), for the compiled engine; the agents' counters booked as there."""
    from .kernel.closures import count_closures_call  # deferred: it imports numba (the kernel extra), only compiled

    cases, towns, deps = model.cases, model.townships, model.departments
    n_t = len(towns)
    counts = np.zeros(n_t + len(deps), dtype=np.int64)
    lates = np.zeros(n_t + len(deps), dtype=np.int64)
    cols = (cases.matter, cases.delegated, cases.township, cases.resolved, model.catalogue.owner)
    count_closures_call(ids, late, *cols, counts, lates, model.period_cases_dt, model.period_bad_dt)
    _book_counts(model, counts.tolist(), lates.tolist())


def _book_counts(model, counts: list, lates: list) -> None:
    """Today's closures and late ones per owner (townships first, then departments) added to each owner's
    ``period_cases``/``period_late``."""
    towns, deps = model.townships, model.departments
    n_t = len(towns)
    for i, (n, n_late) in enumerate(zip(counts, lates)):
        if n:
            a = towns[i] if i < n_t else deps[i - n_t]
            a.period_cases += n
            a.period_late += n_late


def live_enterprises(model) -> int:
    """Enterprises not exited (``TownshipModel.live_enterprises``): the count yesterday's life cycle left
    (``enterprise_stocks``; it alone makes exits) while no firm has entered since, else counted (intake asks it on
    every batch)."""
    memo = stocks_kept(model)
    if memo is not None:
        return memo[2]
    return int(np.count_nonzero(model.enterprise_state["stage"][: model.n_enterprises] < _EXITED))


def enterprise_life_cycle(model) -> tuple[int, int]:
    """Advance stages, draw exits and entries; return (entries, exits)."""
    p: Params = model.params
    st = model.enterprise_state
    n = model.n_enterprises
    if n == 0 and p.enterprise_entry_rate == 0:
        return 0, 0
    stage = st["stage"][:n]
    sat = st["satisfaction"][:n]
    after: list[float] = []
    if model.compiled:  # the same draws, moves, exits, mean and entry draw in one call (``kernel.feedback``)
        exits, live, mean_sat, entries = _life_cycle_compiled(model.rng, p, stage, sat, after)
    else:
        exits, live, mean_sat, entries = _life_cycle_arrays(model.rng, p, stage, sat)
    for i in exits.tolist():
        model.enterprise_agents[i].remove()
        model.enterprise_agents[i] = None
    # the day's live firms and their mean satisfaction, for the KPI row while no firm enters (``metrics``)
    model.enterprise_stocks = (model.clock_day, n, live, mean_sat if live else _NAN)
    if entries:
        town = demand.choose(model.rng, model.township_cdf, entries)  # rng.choice by population share
        model.add_enterprises(town, stage=0)
        if after:  # the kernel's stocks with the entrants (live, at the start value) after the day's rows
            model.entered_stocks = (model.clock_day, model.n_enterprises, live + entries, after[0])
    return entries, len(exits)


def _life_cycle_arrays(rng, p: Params, stage: np.ndarray, sat: np.ndarray) -> tuple:
    """The firms' stage moves and exits (``stage`` moved in place), their live count and mean satisfaction
    and the entry draw, in numpy (the reference): (exits' rows, live, mean satisfaction, entries)."""
    n = len(stage)
    u = rng.random(n)
    alive = stage < _EXITED
    grow = (stage == _STARTUP) & (u < 1.0 / p.startup_days)  # a start-up or growing firm is alive
    mature = (stage == _GROWTH) & (u < 1.0 / p.growth_days)
    p_exit = p.enterprise_exit_base + p.enterprise_exit_sensitivity * np.maximum(0.0, EXIT_THRESHOLD - sat)
    leave = alive & (rng.random(n) < p_exit)
    exits = np.flatnonzero(leave)
    stage[grow] = _GROWTH
    stage[mature] = _MATURE
    if len(exits):
        stage[exits] = _EXITED
        alive &= ~leave
    live = int(np.count_nonzero(alive))
    mean_sat = mean(sat[alive]) if live else SATISFACTION_START  # np.mean's value, without its dispatch
    lam = p.enterprise_entry_rate * max(live, 1) * mean_sat / ENTRY_REFERENCE
    entries = int(rng.poisson(lam)) if lam > 0 else 0
    return exits, live, mean_sat, entries


def _life_cycle_compiled(rng, p: Params, stage: np.ndarray, sat: np.ndarray, after: list | None = None) -> tuple:
    """:func:`_life_cycle_arrays` in one kernel call (``kernel.feedback.life_cycle_day``: the same draws from
    ``rng`` in the same order, the same moves, exits and doubles), for the compiled engine; ``after`` gets the
    live firms' mean satisfaction with the day's entrants' rows appended (their KPI, ``enterprise_stocks``)."""
    _, life_cycle_day_call, addresses = _kernel()
    state_view = _pcg()
    if _LIFE[0] is not p:  # the rates as doubles, kept while the parameters are the same object
        _LIFE[:] = [p, _life_cycle_reals(p)]
    reals = _LIFE[1]
    exits = np.empty(len(stage), dtype=np.int64)
    k, live, mean_sat, entries, mean_after = life_cycle_day_call(
        addresses(rng), state_view(rng), stage, sat, reals, _STAGES, exits
    )
    if after is not None:
        after.append(mean_after)
    return exits[:k], live, mean_sat, entries


def _life_cycle_reals(p: Params) -> tuple:
    """``kernel.feedback.life_cycle_day``'s rates from ``p``: growth and maturing chances, exit base and
    sensitivity, the exit threshold, the entry rate, its reference satisfaction, the starting satisfaction."""
    return (
        1.0 / p.startup_days,
        1.0 / p.growth_days,
        float(p.enterprise_exit_base),
        float(p.enterprise_exit_sensitivity),
        EXIT_THRESHOLD,
        float(p.enterprise_entry_rate),
        ENTRY_REFERENCE,
        SATISFACTION_START,
    )


_LIFE: list = [None, None]  # params, ``_life_cycle_reals``
_PCG: list = []  # ``kernel.pcg64.state_view``, imported on the first compiled call


def _pcg():
    """``kernel.pcg64.state_view``, imported once (on the compiled engine only)."""
    if not _PCG:
        from .kernel.pcg64 import state_view  # deferred: numba (the kernel extra), only when compiled

        _PCG.append(state_view)
    return _PCG[0]


_STAGES = np.array([_STARTUP, _GROWTH, _MATURE, _EXITED], dtype=np.int64)
