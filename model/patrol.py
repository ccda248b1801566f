"""The grid workers' patrol and the latent disputes (网格化管理, G7–G8; ``grid`` files and documents them).

A dispute neither reported by app nor filed is latent: in a covered grid with probability ``grid_coverage``
(its township's patrol pool), surfacing ``Exp(dispute_surface_days)`` days after its onset unless a patrolling
grid worker finds it first (``patrol``: the finds filed as grid reports, the grid worker's mediation hours kept
on each mediated one). The Python engine keeps the latent disputes in a dict and a heap on the model; the
compiled engine keeps them as arrays (``kernel.latent``), its patrol and the day's surfacing in one kernel
call (:func:`grid_day_compiled`), the batches filed here in the reference's order.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from types import SimpleNamespace

import numpy as np

from .cases import GRID_REPORT, HOTLINE, constant_column
from .catalogue import DISPUTE, DISPUTE_GENERAL, DISPUTE_MEDIATION
from .params import HOURS_PER_DAY, Params

_DISPUTE = int(DISPUTE)  # a plain int: numpy looks an enum member's attributes up on every use

_latent_seq = itertools.count()


def find_rate(params: Params) -> float:
    """Daily hazard that a patrolling grid worker finds a latent problem in its grid (full patrol hours)."""
    return HOURS_PER_DAY * params.patrol_residents_per_hour / params.grid_worker_residents


def keep_latent(model, late: list, cit: list, town: list, onset: list, matter: list) -> None:
    """Keep the disputes ``late`` (indices into today's ``cit``, ``town``, ``onset`` (h), ``matter``) latent: each
    in a covered grid with probability ``grid_coverage`` (in its township's patrol pool), surfacing
    ``Exp(dispute_surface_days)`` days after its onset."""
    p = model.params
    rng = model.rng
    covered = (rng.random(len(late)) < p.grid_coverage).tolist()
    delay = rng.exponential(p.dispute_surface_days, len(late)).tolist()
    latent, heap, pool = model.latent, model.latent_disputes, model.patrol_pool
    for i, cov, dt in zip(late, covered, delay):
        lid = next(_latent_seq)
        latent[lid] = (cit[i], town[i], onset[i], matter[i], cov)
        heapq.heappush(heap, (onset[i] + dt * HOURS_PER_DAY, lid))
        if cov:
            pool.setdefault(town[i], []).append(lid)


@functools.lru_cache(maxsize=1 << 14)
def split_patrol(hours: float, lam_full: float, pool_cost: float) -> float:
    """Patrol hours ``h`` of a day of ``hours`` such that the expected finds' reports and mediation fill
    the rest: ``h + (1 − exp(−lam_full · h / hours)) · pool_cost = hours`` (bisection; h = hours when the
    pool is empty). Remembered: a township's hours and its pool's cost take few values in a run."""
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


def _patrol_town(model, town: int, pool: list, u: list, lam_full: float, rows: list) -> None:
    """One township's patrol over its latent problems ``pool`` (see ``patrol``; ``u``: a uniform for each):
    its finds appended to ``rows`` as (latent id, citizen, township, onset, matter, covered), a dispute its
    mediators refuse as a general one."""
    p = model.params
    latent = model.latent
    mediation = model.catalogue.dispute_id(DISPUTE_MEDIATION)
    hours = p.grid_coverage * float(model.township_residents[town]) / p.grid_worker_residents * HOURS_PER_DAY
    # the township's mediators take on the disputes found today, or send them to general handling
    mediates = p.mediation_accept_threshold <= 0 or bool(
        model.townships[town].accept_disputes(np.array([p.grid_mediation_hours]))[0]
    )
    # each find costs its report, and a dispute mediated the grid worker's mediation hours too
    report, extra = p.report_hours + 0.0, p.report_hours + p.grid_mediation_hours
    cost = [extra if mediates and latent[lid][3] == mediation else report for lid in pool]
    patrol_hours = split_patrol(hours, lam_full, sum(cost))
    d = 1.0 - math.exp(-lam_full * patrol_hours / hours) if hours > 0 else 0.0
    spent = 0.0
    for lid, x, c in zip(pool, u, cost):
        if not x < d or spent + c > hours:  # no more finds than its hours allow
            continue
        spent += c
        entry = latent.pop(lid)
        if not mediates and entry[3] == mediation:  # refused: a general dispute, no grid mediation hours
            entry = (*entry[:3], model.catalogue.dispute_id(DISPUTE_GENERAL), entry[4])
        rows.append((lid, *entry))
    model.grid_hours["patrol"] += max(hours - spent, 0.0)
    model.grid_hours["reports"] += spent


def patrol(model, day: int) -> int:
    """Grid workers patrol their grids: each latent problem in a covered grid is found today with
    probability ``1 − exp(−h · patrol_residents_per_hour / R)`` (``h`` the grid workers' patrol hours, the
    day's hours less the expected finds' reports and mediation, ``split_patrol``; ``R`` the covered
    residents) and filed as a grid report; return how many.

    The townships in order, each drawing a uniform per problem in its pool: one call for all of them (the
    same doubles in the same order: deciding to mediate draws nothing); on the compiled engine in one kernel call
    (:func:`grid_day_compiled`)."""
    p = model.params
    if model.compiled:
        return grid_day_compiled(model, day, False)[0]
    if p.grid_coverage <= 0 or not model.patrol_pool:
        return 0
    rng = model.rng
    lam_full = find_rate(p)
    t0 = day * HOURS_PER_DAY
    latent, pools = model.latent, model.patrol_pool
    todo = []
    for town in sorted(pools):
        kept = [lid for lid in pools[town] if lid in latent]
        pools[town] = kept
        pool = [lid for lid in kept if latent[lid][2] < t0]
        if pool:
            todo.append((town, pool))
    if not todo:
        return 0
    u = rng.random(sum(len(pool) for _, pool in todo)).tolist()
    rows: list = []
    k = 0
    for town, pool in todo:
        _patrol_town(model, town, pool, u[k : k + len(pool)], lam_full, rows)
        k += len(pool)
    if not rows:
        return 0
    n = len(rows)
    rows.sort(key=lambda r: r[0])
    created = [t0 + x * HOURS_PER_DAY for x in rng.random(n).tolist()]
    order = sorted(range(n), key=created.__getitem__)  # by creation (a stable sort)
    rows = [rows[j] for j in order]
    matter = np.array([r[4] for r in rows], np.int32)
    ids = model.admit(
        np.full(n, _DISPUTE, np.int8),
        np.array([r[1] for r in rows], np.int64),
        np.array([r[2] for r in rows], np.int32),
        matter,
        np.array([created[j] for j in order]),
        onset=np.array([r[3] for r in rows], float),
        source=GRID_REPORT,
    )
    _grid_mediates(model, ids, matter)
    return n


def _grid_mediates(model, ids: np.ndarray, matter: np.ndarray) -> None:
    """The grid worker mediates the disputes it found (cases ``ids``, ``matter``): its hours on each mediated one."""
    found = ids[matter == model.catalogue.dispute_id(DISPUTE_MEDIATION)].tolist()
    model.grid_mediation.update(dict.fromkeys(found, model.params.grid_mediation_hours))


def grid_day_compiled(model, day: int, also_surface: bool) -> tuple[int, int]:
    """``patrol`` and (``also_surface``) ``surface``'s own part on the compiled engine: both batches in one kernel
    call (``kernel.latent.grid_day``), filed in turn; returns how many each filed. Whether each township's
    mediators take on the disputes found is asked of them (``Township.accept_disputes``) before the call. No
    dispute latent: nothing to find or surface, no draw and no hours (as the reference's empty pools), no call."""
    st = model.latent_store
    if st is None or not st.meta[1]:
        return 0, 0
    p = model.params
    mediates = None
    if p.mediation_accept_threshold > 0:
        mediates = np.array([bool(t.accept_disputes(np.array([p.grid_mediation_hours]))[0]) for t in model.townships])
    found, surfaced = kernel().latent.today(model, day, mediates, also_surface, find_rate(p), HOURS_PER_DAY)
    cit, town, matter, created, onset = found
    if len(cit):
        ids = model.admit(
            constant_column(_DISPUTE, len(cit), np.int8), cit, town, matter, created, onset, source=GRID_REPORT
        )
        _grid_mediates(model, ids, matter)
    cit, town, matter, created, onset = surfaced
    if len(cit):
        model.admit(constant_column(_DISPUTE, len(cit), np.int8), cit, town, matter, created, onset, source=HOTLINE)
    return len(found[0]), len(surfaced[0])


def latent_entries(model) -> dict[int, tuple]:
    """The disputes still latent on either engine: latent id -> (resident, township, onset (h), matter, in a
    covered grid, surfacing time (h))."""
    if model.compiled:
        return kernel().latent.entries(model)
    when = {lid: t for t, lid in model.latent_disputes}
    return {lid: (*entry, when[lid]) for lid, entry in model.latent.items()}


def kernel():
    """The grid's kernel modules (``kernel.disputes``, ``kernel.latent``), imported on the first compiled day."""
    if not _KERNEL:
        from .kernel import disputes, latent  # deferred: they import numba (the kernel extra), only compiled

        _KERNEL.append(SimpleNamespace(disputes=disputes, latent=latent))
    return _KERNEL[0]


_KERNEL: list = []
