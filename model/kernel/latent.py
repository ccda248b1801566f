"""The grid's latent disputes as arrays, kept, patrolled and surfaced in kernel calls (compiled engine).

``patrol`` keeps a latent dispute (not reported by app) in a dict by its latent id, its surfacing in a heap and its
covered grid's patrol pool in a per-township list, and each day filters the pools, draws the patrol's finds,
sorts them and pops the heap, in Python (~0.1 ms a default county's day). Here :class:`LatentStore` holds them as a
struct of arrays in the order they were kept (the latent ids' order; grown by doubling, the resolved rows dropped
when it grows) and :func:`keep_call` and :func:`grid_day_call` do the same steps in one kernel call each: the same
draws from the model's Generator (``rawrng``) in the same order and sizes — numba's ``Generator.random`` and
``exponential`` are numpy's (``tests/test_grid41_store.py``) — the same double arithmetic (``patrol_split`` is
``patrol.split_patrol``'s bisection) and the batches in the reference's filing order (``patrol`` and ``grid`` file
them).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..catalogue import DISPUTE_ESCALATED, DISPUTE_GENERAL, DISPUTE_MEDIATION
from .calls import Direct
from .rawrng import addresses, generator

CIT, TOWN, MATTER, LID = range(4)
"""Columns of :attr:`LatentStore.ints`: the resident, its township, the matter type, the latent id."""
ONSET, SURFACE = range(2)
"""Columns of :attr:`LatentStore.reals` (hours): the onset, the moment it surfaces on its own."""
COVERED, LATENT = range(2)
"""Columns of :attr:`LatentStore.flags`: in a covered grid (patrolled), still latent (not found nor surfaced)."""
SPLITS = 32
"""Patrol splits remembered per township (:func:`remembered_split`)."""


class LatentStore:
    """A model's latent disputes (compiled engine), row ``i`` the ``i``-th kept of those still held.

    ``meta``: rows in use, rows still latent, the next latent id. Plain arrays: a model's copy (``warmstart``)
    pickles them."""

    def __init__(self, capacity: int = 256):
        self.ints = np.zeros((capacity, 4), np.int64)
        self.reals = np.zeros((capacity, 2), np.float64)
        self.flags = np.zeros((capacity, 2), np.bool_)
        self.meta = np.zeros(3, np.int64)

    def room(self, k: int) -> None:
        """Make room for ``k`` more rows: drop the rows no longer latent when at most half are, else double
        (the rows keep their order)."""
        cap = self.ints.shape[0]
        if self.meta[0] + k <= cap:
            return
        used, alive = int(self.meta[0]), int(self.meta[1])
        keep = np.flatnonzero(self.flags[:used, LATENT]) if 2 * alive <= used else np.arange(used)
        while cap < 2 * (len(keep) + k):  # at most half full afterwards
            cap *= 2
        for name in ("ints", "reals", "flags"):
            old = getattr(self, name)
            new = np.zeros((cap, old.shape[1]), old.dtype)
            new[: len(keep)] = old[keep]
            setattr(self, name, new)
        self.meta[0] = len(keep)

    def rows(self) -> np.ndarray:
        """The rows still latent, in the order they were kept."""
        return np.flatnonzero(self.flags[: int(self.meta[0]), LATENT])


@njit(cache=True)
def keep(addrs, ints, reals, flags, meta, cit, town, onset, matter, late, coverage, scale, hours):
    """Keep today's disputes ``late`` (indices into ``cit``, ``town``, ``onset`` (h), ``matter``) in rows
    ``meta[0]…``: each in a covered grid when its uniform is below ``coverage`` (one for each first), then each
    surfacing ``Exp(scale)`` days (``hours`` a day) after its onset. Room made beforehand (``LatentStore.room``)."""
    rng = generator(addrs)
    n, k = meta[0], late.shape[0]
    for j in range(k):
        flags[n + j, COVERED] = rng.random() < coverage
    for j in range(k):
        i, r = late[j], n + j
        dt = rng.exponential(scale)
        ints[r, CIT], ints[r, TOWN], ints[r, MATTER], ints[r, LID] = cit[i], town[i], matter[i], meta[2] + j
        reals[r, ONSET] = onset[i]
        reals[r, SURFACE] = onset[i] + dt * hours
        flags[r, LATENT] = True
    meta[0] += k
    meta[1] += k
    meta[2] += k


keep_call = Direct(keep)
"""``keep`` called without numba's type dispatch (``calls.Direct``)."""


@njit(cache=True)
def patrol_split(hours, lam_full, pool_cost):
    """``patrol.split_patrol``: the patrol hours ``h`` with ``h + (1 − exp(−lam_full · h / hours)) · pool_cost =
    hours`` (the same 40 bisection steps)."""
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


@njit(cache=True)
def remembered_split(memo, slot, hours, lam_full, pool_cost):
    """:func:`patrol_split`, remembered in row ``slot`` of ``memo`` (hours, rate, pool cost, split; NaN: none): a
    township's hours and its pool's cost take few values in a run, as ``patrol.split_patrol``'s cache has it."""
    if memo[slot, 0] == hours and memo[slot, 1] == lam_full and memo[slot, 2] == pool_cost:
        return memo[slot, 3]
    out = patrol_split(hours, lam_full, pool_cost)
    memo[slot, 0], memo[slot, 1], memo[slot, 2], memo[slot, 3] = hours, lam_full, pool_cost, out
    return out


@njit(cache=True)
def patrol_pools(ints, reals, flags, n, t0, nt):
    """The patrol pools: the rows still latent in a covered grid with an onset before ``t0``, township by township,
    each township's in row order; and each township's first position in them (``nt + 1`` bounds)."""
    bounds = np.zeros(nt + 1, np.int64)
    for i in range(n):
        if flags[i, LATENT] and flags[i, COVERED] and reals[i, ONSET] < t0:
            bounds[ints[i, TOWN] + 1] += 1
    for t in range(nt):
        bounds[t + 1] += bounds[t]
    pool = np.empty(bounds[nt], np.int64)
    at = bounds[:nt].copy()
    for i in range(n):
        if flags[i, LATENT] and flags[i, COVERED] and reals[i, ONSET] < t0:
            t = ints[i, TOWN]
            pool[at[t]] = i
            at[t] += 1
    return pool, bounds


@njit(cache=True)
def patrol_town(ints, pool, u, a, b, hours, lam_full, cost, mediates, mediation, hit, memo):
    """One township's patrol over ``pool[a:b]`` (``u`` a uniform each): its finds marked in ``hit`` (by row)
    while its ``hours`` last; returns the hours its finds' reports and mediation took. ``cost``: a find's
    report hours, a mediated one's report and mediation hours (when its mediators take it on, ``mediates``);
    ``memo``: the township's remembered splits."""
    report, extra = cost[0], cost[1]
    total = 0.0
    mediated = 0
    for j in range(a, b):
        med = mediates and ints[pool[j], MATTER] == mediation
        total += extra if med else report
        mediated += med
    patrol_hours = remembered_split(memo, (3 * (b - a) + mediated) % SPLITS, hours, lam_full, total)
    d = 1.0 - math.exp(-lam_full * patrol_hours / hours) if hours > 0 else 0.0
    spent = 0.0
    for j in range(a, b):
        c = extra if mediates and ints[pool[j], MATTER] == mediation else report
        if not u[j] < d or spent + c > hours:  # no more finds than its hours allow
            continue
        spent += c
        hit[pool[j]] = True
    return spent


@njit(cache=True)
def patrol(rng, ints, reals, flags, meta, t0, residents, mediates, par, ids, acc, memo):
    """``patrol.patrol``'s finds (rows, in filing order) and their creation times; the grid's hours added to
    ``acc`` (patrol, reports) township by township. ``par``: coverage, residents a grid worker covers, the full
    find rate, a report's hours, a grid mediation's, a day's hours; ``ids``: the mediated and general disputes'
    matter types; ``mediates``: whether each township's mediators take on the disputes found; ``memo``: the
    townships' remembered splits, ``SPLITS`` rows each (:func:`remembered_split`)."""
    n, nt = meta[0], residents.shape[0]
    none = (np.empty(0, np.int64), np.empty(0))
    if par[0] <= 0:
        return none
    pool, bounds = patrol_pools(ints, reals, flags, n, t0, nt)
    if pool.shape[0] == 0:
        return none
    u = np.empty(pool.shape[0])
    for j in range(pool.shape[0]):
        u[j] = rng.random()
    hit = np.zeros(n, np.bool_)
    cost = np.array([par[3] + 0.0, par[3] + par[4]])
    for t in range(nt):
        if bounds[t] == bounds[t + 1]:
            continue
        hours = par[0] * residents[t] / par[1] * par[5]
        a, b = bounds[t], bounds[t + 1]
        spent = patrol_town(ints, pool, u, a, b, hours, par[2], cost, mediates[t], ids[0], hit, memo[t])
        rest = hours - spent
        acc[0] += 0.0 if 0.0 > rest else rest  # Python's max(rest, 0.0)
        acc[1] += spent
    rows = np.flatnonzero(hit)  # by latent id
    created = np.empty(rows.shape[0])
    for j in range(rows.shape[0]):
        created[j] = t0 + rng.random() * par[5]
    order = np.argsort(created, kind="mergesort")  # by creation (a stable sort)
    return rows[order], created[order]


@njit(cache=True)
def surfacing(ints, reals, flags, meta, end):
    """The rows still latent that surface before ``end``, by surfacing time then latent id (the heap's order)."""
    n = meta[0]
    k = 0
    for i in range(n):
        if flags[i, LATENT] and reals[i, SURFACE] < end:
            k += 1
    rows = np.empty(k, np.int64)
    k = 0
    for i in range(n):
        if flags[i, LATENT] and reals[i, SURFACE] < end:
            rows[k] = i
            k += 1
    return rows[np.argsort(reals[rows, SURFACE], kind="mergesort")]


@njit(cache=True)
def batch(ints, reals, flags, meta, rows, matter, created):
    """The filing columns of ``rows`` (resident, township, matter type as given, created, onset), taken out of
    the latent rows."""
    k = rows.shape[0]
    cit = np.empty(k, np.int64)
    town = np.empty(k, np.int32)
    for j in range(k):
        r = rows[j]
        cit[j], town[j] = ints[r, CIT], ints[r, TOWN]
        flags[r, LATENT] = False
    meta[1] -= k
    return cit, town, matter, created, reals[rows, ONSET]


@njit(cache=True)
def grid_day(addrs, ints, reals, flags, meta, day, residents, mediates, par, ids, acc, memo, also_surface):
    """``grid.surface`` (``also_surface``) or ``patrol.patrol`` alone, on day ``day``: the patrol's finds (a refused
    dispute as a general one, ``ids[1]``) then the disputes surfacing today on their own (a mediated one as
    escalated, ``ids[2]``; created no earlier than the day's start), each batch as its filing columns."""
    hpd = par[5]
    t0, end = day * hpd, (day + 1) * hpd
    rows, created = patrol(generator(addrs), ints, reals, flags, meta, t0, residents, mediates, par, ids, acc, memo)
    matter = np.empty(rows.shape[0], np.int32)
    for j in range(rows.shape[0]):
        m = ints[rows[j], MATTER]
        matter[j] = ids[1] if m == ids[0] and not mediates[ints[rows[j], TOWN]] else m
    found = batch(ints, reals, flags, meta, rows, matter, created)
    rows = surfacing(ints, reals, flags, meta, end) if also_surface else np.empty(0, np.int64)
    matter = np.empty(rows.shape[0], np.int32)
    created = np.empty(rows.shape[0])
    for j in range(rows.shape[0]):
        m = ints[rows[j], MATTER]
        matter[j] = ids[2] if m == ids[0] else m
        created[j] = max(reals[rows[j], SURFACE], t0)
    return found, batch(ints, reals, flags, meta, rows, matter, created)


grid_day_call = Direct(grid_day)
"""``grid_day`` called without numba's type dispatch (``calls.Direct``)."""


def store(model) -> LatentStore:
    """``model``'s latent disputes (``model.latent_store``, made on the first compiled day)."""
    st = model.latent_store
    if st is None:
        st = model.latent_store = LatentStore()
    return st


def keep_latent(model, drawn: tuple, hours: float) -> None:
    """Keep today's disputes not reported by app latent (``patrol.keep_latent``'s draws, :func:`keep`): ``drawn``
    (township, matter, resident, onset, the latent ones' indices) from ``kernel.disputes.today``."""
    town, matter, cit, onset, late = drawn
    if not len(late):  # (the reference's draws of none draw nothing)
        return
    st, p = store(model), model.params
    st.room(len(late))
    coverage, scale = float(p.grid_coverage), float(p.dispute_surface_days)
    keep_call(
        addresses(model.rng),
        st.ints,
        st.reals,
        st.flags,
        st.meta,
        cit,
        town,
        onset,
        matter,
        late,
        coverage,
        scale,
        hours,
    )


def today(model, day: int, mediates, also_surface: bool, lam_full: float, hours: float) -> tuple:
    """:func:`grid_day` of ``model``'s day ``day``: the patrol's finds and (``also_surface``) the disputes surfacing
    on their own, as filing columns; the grid workers' hours added to ``model.grid_hours``. ``mediates``: whether
    each township's mediators take on the disputes found (None: all do); ``lam_full``: ``grid.find_rate``."""
    st, p = store(model), model.params
    memo = model.__dict__.get("_latent_tables")
    if memo is None or memo[0] is not p:  # what the call reads that changes only with the parameters
        cat = model.catalogue
        memo = model._latent_tables = (
            p,
            np.array(
                [p.grid_coverage, p.grid_worker_residents, lam_full, p.report_hours, p.grid_mediation_hours, hours]
            ),
            np.array([cat.dispute_id(k) for k in (DISPUTE_MEDIATION, DISPUTE_GENERAL, DISPUTE_ESCALATED)], np.int64),
            np.ascontiguousarray(model.township_residents, dtype=np.float64),
            np.ones(len(model.township_residents), np.bool_),
            np.full((len(model.township_residents), SPLITS, 4), np.nan),  # the splits remembered (none yet)
        )
    _, par, ids, residents, every, splits = memo
    gh = model.grid_hours
    acc = np.array([gh["patrol"], gh["reports"]])
    out = grid_day_call(
        addresses(model.rng),
        st.ints,
        st.reals,
        st.flags,
        st.meta,
        float(day),
        residents,
        every if mediates is None else mediates,
        par,
        ids,
        acc,
        splits,
        also_surface,
    )
    gh["patrol"], gh["reports"] = acc.tolist()
    return out


def entries(model) -> dict[int, tuple]:
    """``grid.latent_entries`` on the compiled engine: latent id -> (resident, township, onset, matter, covered,
    surfacing time) of the disputes still latent."""
    st = store(model)
    return {
        int(st.ints[r, LID]): (
            int(st.ints[r, CIT]),
            int(st.ints[r, TOWN]),
            float(st.reals[r, ONSET]),
            int(st.ints[r, MATTER]),
            bool(st.flags[r, COVERED]),
            float(st.reals[r, SURFACE]),
        )
        for r in st.rows().tolist()
    }
