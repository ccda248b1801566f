"""Today's new disputes and local problems drawn in one kernel call (compiled engine).

``grid.new_disputes`` draws, township by township, the day's disputes and local problems (Poisson counts), the
local problems' types, the residents concerned and the onsets, and each resident's decision to report through the
app (``Citizen.report``), in that order: ~20 scalar draws and a dozen list passes a day in Python. Here the same
draws from the model's Generator (given as its addresses, ``rawrng``) in the same order and sizes — numba's
``Generator.poisson``, ``integers`` and ``random`` are numpy's (``tests/test_grid2_draws.py``) — and the same
arithmetic; ``grid.new_disputes`` keeps the reference and files what this returns.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .calls import Direct
from .rawrng import addresses, generator


@njit(cache=True)
def new_dispute_draws(addrs, residents, rates, local_ids, mediation, start, count, report, day, hours):
    """(township, matter, resident, onset hours, reported) of each of today's disputes (a township's disputes,
    then its local problems, township by township); empty arrays when none. ``residents``: per township;
    ``rates``: ``dispute_rate``, ``local_problem_rate``; ``local_ids``: the local problems' matter types;
    ``mediation``: the dispute's; ``start``, ``count``: each township's first citizen row and rows; ``report``:
    the citizens' propensity to report by app; ``day``: today; ``hours``: a working day's hours."""
    rng = generator(addrs)
    nt = residents.shape[0]
    n_d = np.zeros(nt, np.int64)
    n_l = np.zeros(nt, np.int64)
    if rates[0] > 0:
        for t in range(nt):
            n_d[t] = rng.poisson(residents[t] * rates[0])
    if rates[1] > 0:
        for t in range(nt):
            n_l[t] = rng.poisson(residents[t] * rates[1])
    total = n_d.sum() + n_l.sum()
    town = np.empty(total, np.int64)
    matter = np.empty(total, np.int64)
    cit = np.empty(total, np.int64)
    onset = np.empty(total)
    reported = np.empty(total, np.bool_)
    if total == 0:
        return town, matter, cit, onset, reported
    local = np.empty(total, np.bool_)
    k = 0
    for t in range(nt):
        for _ in range(n_d[t]):
            town[k], local[k] = t, False
            k += 1
        for _ in range(n_l[t]):
            town[k], local[k] = t, True
            k += 1
    pick = rng.integers(0, local_ids.shape[0], total)
    u = np.empty(2 * total)  # the residents' uniforms, then the onsets'
    for j in range(2 * total):
        u[j] = rng.random()
    for i in range(total):
        matter[i] = local_ids[pick[i]] if local[i] else mediation
        t = town[i]
        cit[i] = start[t] + math.floor(u[i] * count[t])
        onset[i] = (day + u[total + i]) * hours
    for i in range(total):  # ``Citizen.report``: one uniform each, against its propensity
        reported[i] = rng.random() < report[cit[i]]
    return town, matter, cit, onset, reported


@njit(cache=True)
def day_disputes(addrs, residents, rates, local_ids, mediation, start, count, report, day, hours):
    """:func:`new_dispute_draws`, and the ones reported by app as ``grid.new_disputes`` files them: by onset (a
    stable sort), as their (township, matter, resident, onset) columns; and the indices of the others (latent)."""
    town, matter, cit, onset, reported = new_dispute_draws(
        addrs, residents, rates, local_ids, mediation, start, count, report, day, hours
    )
    early = np.flatnonzero(reported)
    early = early[np.argsort(onset[early], kind="mergesort")]
    filed = (town[early].astype(np.int32), matter[early].astype(np.int32), cit[early], onset[early])
    return filed, (town, matter, cit, onset, np.flatnonzero(~reported))


day_disputes_call = Direct(day_disputes)
"""``day_disputes`` called without numba's type dispatch (``calls.Direct``)."""


@njit(cache=True)
def due_petitions(open_ids, kind, matter, is_dispute, decided, requester, patience, onset, repeat_of, petitioned, at):
    """``grid.petitions``' filters: the open cases (``open_ids``, in that order) of a resident with a dispute
    (``kind`` ``at[2]``) about a dispute (``is_dispute`` by matter) not yet decided, open at ``at[0]`` (h) longer
    than their resident's ``patience`` (days of ``at[1]`` hours) since their ``onset``, whose chain (``repeat_of``'s
    first case) has not petitioned; and those chains' first cases."""
    t, hours, dispute = at[0], at[1], at[2]
    k = 0
    due = np.empty(open_ids.shape[0], np.int64)
    root = np.empty(open_ids.shape[0], np.int64)
    for cid in open_ids:
        if kind[cid] != dispute or not is_dispute[matter[cid]] or decided[cid]:
            continue
        if not t - onset[cid] > patience[requester[cid]] * hours:
            continue
        r = repeat_of[cid] if repeat_of[cid] >= 0 else cid
        if not petitioned[r]:
            due[k], root[k] = cid, r
            k += 1
    return due[:k], root[:k]


due_petitions_call = Direct(due_petitions)
"""``due_petitions`` called without numba's type dispatch (``calls.Direct``)."""


@njit(cache=True)
def mark_petitions(due, root, go, decided, petitioned):
    """The residents of the open cases ``due`` have decided (``go``: to petition): mark the cases decided, and
    petitioned with their chains' first cases ``root`` where they petition; returns the chains petitioning (each
    counted once: none had petitioned, :func:`due_petitions`)."""
    chains = 0
    for j in range(due.shape[0]):
        decided[due[j]] = True
        if go[j]:
            chains += not petitioned[root[j]]
            petitioned[root[j]] = True
    for j in range(due.shape[0]):
        if go[j]:
            petitioned[due[j]] = True
    return chains


mark_petitions_call = Direct(mark_petitions)
"""``mark_petitions`` called without numba's type dispatch (``calls.Direct``)."""


def _arguments(model, day: int, local_problems: tuple, mediation_name: str, hours: float) -> tuple:
    """:func:`new_dispute_draws`' arguments for ``model``'s day ``day`` (see :func:`today`); what changes only with
    the parameters made once for them."""
    memo = model.__dict__.get("_dispute_tables")
    p = model.params
    if memo is None or memo[0] is not p:  # what the call reads that changes only with the parameters
        cat = model.catalogue
        memo = model._dispute_tables = (
            p,
            np.array([p.dispute_rate, p.local_problem_rate], dtype=np.float64),
            np.array([cat.dispute_id(k) for k in local_problems], dtype=np.int64),
            cat.dispute_id(mediation_name),
            np.ascontiguousarray(model.township_residents, dtype=np.float64),  # (counts: exact as doubles)
            np.ascontiguousarray(model.citizen_start, dtype=np.int64),
            np.ascontiguousarray(model.citizen_count, dtype=np.float64),  # (exact as doubles, as Python multiplies)
        )
    _, rates, local_ids, mediation, residents, start, count = memo
    report = model.citizen_state["report"]
    return addresses(model.rng), residents, rates, local_ids, mediation, start, count, report, float(day), hours


def today(model, day: int, local_problems: tuple, mediation_name: str, hours: float) -> tuple:
    """:func:`day_disputes` of ``model``'s day ``day``: the reported disputes' filing columns (township, matter,
    resident, onset), and (township, matter, resident, onset, the latent ones' indices) of all. ``local_problems``,
    ``mediation_name``: the catalogue's names of the local problems and of the mediated dispute; ``hours``: a
    working day's."""
    return day_disputes_call(*_arguments(model, day, local_problems, mediation_name, hours))


def petition(model, t: float, dispute: int, hours: float) -> int:
    """``grid.petitions`` on the compiled engine: :func:`due_petitions` of ``model``'s open cases at ``t`` (h)
    (``dispute``: the requester kind; ``hours``: a working day's), their residents' decisions
    (``Citizen.decide_petition``, the same draws), :func:`mark_petitions`; returns the chains petitioning."""
    c = model.cases
    cols = (c.requester_kind, c.matter, model.catalogue.is_dispute, c.petition_decided, c.requester)
    at = np.array([t, hours, dispute], dtype=np.float64)
    cits = model.citizen_state["patience"]
    due, root = due_petitions_call(model.open_ids, *cols, cits, c.onset, c.repeat_of, c.petitioned, at)
    if not len(due):
        return 0
    go = model.Citizen.decide_petition(model, c.requester[due])
    return mark_petitions_call(due, root, go, c.petition_decided, c.petitioned)
