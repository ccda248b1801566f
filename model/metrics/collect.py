"""The daily KPI row (Mesa DataCollector): today's flows, end-of-day stocks and rates over today's closures."""

from __future__ import annotations

import itertools
import math
import operator
from typing import cast

import numpy as np

from .. import callback, inspection, reform
from ..cases import GRID_REPORT
from ..catalogue import DISPUTE, Tier
from ..escalation import JOINT_CONFERENCE as _JOINT_CONFERENCE
from ..kernel.layout import (  # the kernel's day statistics' positions (``kernel.daystats``)
    GAMED,
    GRID_REPORTS,
    IN_TIER,
    ON_TIME,
    ON_TIME_TIER,
    REPEATS,
    RESOLVED,
    SEAT_TRIPS,
    SERVICE,
    TRIPS,
    ZERO_TRIP,
)
from ..params import HOURS_PER_DAY
from . import numeric
from .numeric import mean as _mean
from .numeric import mean_of_floats as _mean_floats
from .numeric import participation as _participation

_DISPUTE, _GRID_REPORT = (
    int(DISPUTE),
    int(GRID_REPORT),
)  # plain ints: numpy looks an enum member's attributes up on every use
TOTALS: tuple[str, ...] = (
    "escalations_level1",
    "escalations_level2",
    "escalations_level3",
    "dumped_tasks",
    "bounced_tasks",
    "township_utilisation",
    "department_utilisation",
    "overloaded_townships",
    "petitions",
    "enterprise_entries",
    "enterprise_exits",
    "staff_hours",
    "overtime_hours",
    "inspection_hours",
    "callbacks_made",
    "callbacks_not_made",
)
"""Daily values summed over the counted window (the model's ``kpi_totals``)."""


SHORT_QUEUE = 64
_CONFERENCE_LEVEL = int(_JOINT_CONFERENCE)  # a plain int: numpy compares an IntEnum member ~80× slower (3 µs)
"""A conference queue shorter than this is counted case by case (numpy's calls cost more than a few cases)."""


def _conference_waiting(model) -> int:
    """Open level-3 cases still waiting for a joint conference (closed ones are dropped lazily)."""
    q = model.conference_queue
    if not q:  # (most days: none waits)
        return 0
    c = model.cases
    if model.compiled:  # the same count over the kernel's open flags: case by case for a short queue (a
        fl_open = model.engine.fl[4]  # few cases wait on most days), else as one array expression
        if len(q) < SHORT_QUEUE:
            n, level, boost = len(fl_open), c.level, c.boost
            return sum(1 for _, i in q if i < n and fl_open[i] and level[i] == _CONFERENCE_LEVEL and boost[i] == 0)
        ids = np.fromiter((cid for _, cid in q), np.int64, len(q))
        is_open = np.zeros(len(ids), dtype=bool)
        inside = ids < len(fl_open)
        is_open[inside] = fl_open[ids[inside]]
        return int(np.count_nonzero(is_open & (c.level[ids] == _CONFERENCE_LEVEL) & (c.boost[ids] == 0)))
    return sum(1 for _, cid in q if cid in model.flows and c.level[cid] == _CONFERENCE_LEVEL and c.boost[cid] == 0)


def overloaded(model, town) -> bool:
    """Open work (queued tasks × mean step hours + duty backlog) above ``overload_threshold`` days."""
    h = town.handler
    if h.capacity_hours <= 0:
        return True
    work = h.open_tasks * model.mean_step_hours + h.duty_backlog
    return work > model.params.overload_threshold * h.capacity_hours


def collect_day(
    model, closed_ids: np.ndarray, dumped: int, bounced: int, petitions: int, entries: int, exits: int, created: int
) -> dict:
    """The day's KPI row (flows are today's counts; rates are over cases closed today). The townships' and
    departments' values, read once (``numeric.agent_day``), are kept with the row for the collector's agent columns
    (``numeric.agent_utilisation``, ``numeric.agent_values``)."""
    towns, deps = numeric.agent_day(model)
    ot_total = sum(deps[4])
    overtime = ot_total - getattr(model, "_overtime_mark", 0.0)
    model._overtime_mark = ot_total
    stats = _closure_stats(model, closed_ids, created) if model.compiled and len(closed_ids) else None
    row = _service_row(model, closed_ids, created, stats, (towns[3], deps[3]))
    row.update(_work_row(model, dumped, bounced, petitions, entries, exits, overtime, (towns, deps)))
    row.update(_outcome_row(model, closed_ids, created, stats))
    model._utilisation_row = (row, towns[0], deps[0], towns[1], deps[1])
    return row


def _closure_stats(model, ids: np.ndarray, created: int) -> tuple:
    """On the compiled engine, today's closures' figures in one kernel call (``kernel.daystats``: the same
    doubles as the reference's array expressions in ``_closure_figures`` and ``_outcome_row``): (counts, mean
    resolution days, mean work share not gamed, requester hours per ended chain); the counts include the repeat
    contacts and grid reports among the ``created`` cases filed today."""
    ds = model.__dict__.get("_day_stats")
    if ds is None:
        from ..kernel.daystats import DayStats  # deferred: it imports numba (the kernel extra), only when compiled

        ds = model._day_stats = DayStats()
    c = model.cases
    counts, days, work, chain = ds.day(c, ids, _DISPUTE, queued_today(model), created, _GRID_REPORT)
    if chain == _NEG_INF:  # two of them in one chain: the reference's path (it adds such chains' travel apart)
        chain = _chain_hours_ended(model, ids[c.requester_kind[ids] != _DISPUTE])
    return counts, days, work, chain


_NEG_INF = float("-inf")


def _share(k: int, n: int) -> float:
    """``k / n`` (counts); NaN when ``n`` is 0 — the same value as ``numeric.rate`` of the masks."""
    return k / n if n else _NAN


def _service_row(model, ids: np.ndarray, created: int, stats: tuple | None = None, backlogs: tuple = ()) -> dict:
    """Cases, backlogs, on-time rates, resolution time, escalations and trips of the day (``stats``: the closures'
    figures from ``_closure_stats``, else computed here; ``backlogs``: the townships' and departments' open tasks
    from ``numeric.agent_day``, else added up here)."""
    n = len(ids)
    if not n:  # nothing closed today: every rate and mean over today's closures is undefined
        figures = _NO_CLOSURES
    elif stats is not None:
        figures = _stats_figures(n, stats)
    else:
        figures = _closure_figures(model, ids)
    on_time, tier1, tier3, tier5, days, trips, seat_trips, hours, zero_trips = figures
    esc = model.day_escalations
    if backlogs:
        towns_open, deps_open = backlogs
    else:
        towns_open = sum([t.handler.open_tasks for t in model.townships])
        deps_open = sum([d.handler.open_tasks for d in model.departments])
    return {
        "cases_created": created,
        "cases_closed": n,
        "backlog": len(model.open_ids),
        "backlog_mean": model.backlog_mean,
        "backlog_department": deps_open,
        "backlog_township": towns_open,
        "backlog_desk": sum([h.open_tasks for h in model.desks]) + _conference_waiting(model),
        "on_time_rate": on_time,
        "on_time_rate_tier1": tier1,
        "on_time_rate_tier3": tier3,
        "on_time_rate_tier5": tier5,
        "mean_resolution_days": days,
        "escalations_level1": esc[1],
        "escalations_level2": esc[2],
        "escalations_level3": esc[3],
        "trips_per_case": trips,
        "trips_to_seat_per_case": seat_trips,
        "requester_hours_per_case": hours,
        "zero_trip_share": zero_trips,
    }


_NAN = float("nan")
_TIERS = (int(Tier.TIER1), int(Tier.TIER3), int(Tier.TIER5))
_NO_CLOSURES = (_NAN,) * 9


def _closure_figures(model, ids: np.ndarray) -> tuple:
    """The reference's figures over today's closures ``ids``: on-time rate (all, tiers 1, 3, 5), mean resolution
    days, trips and trips to the seat per service request, requester hours per ended chain, zero-trip share."""
    c = model.cases
    n = len(ids)
    closed = c.closed[ids]
    on_time = ~(closed > c.deadline[ids])
    tier = c.tier[ids]
    service = c.requester_kind[ids] != _DISPUTE
    n_service = int(np.count_nonzero(service))
    trips = c.trips[ids][service]
    in_tier, on_time_in_tier = np.bincount(tier, minlength=3).tolist(), np.bincount(tier[on_time], minlength=3).tolist()
    return (
        _share(int(np.count_nonzero(on_time)), n),
        *(_share(on_time_in_tier[t], in_tier[t]) for t in _TIERS),
        _mean((closed - c.created[ids]) / HOURS_PER_DAY),
        _mean(trips),
        _mean(c.seat_trips[ids][service]),
        _chain_hours_ended(model, ids[service]),
        _share(n_service - int(np.count_nonzero(trips)), n_service),
    )


def _stats_figures(n: int, stats: tuple) -> tuple:
    """``_closure_figures`` from the kernel's counts and means (``_closure_stats``): the same values (trip means
    are whole-number sums, exact in any order)."""
    counts, days, _, chain = stats
    n_service = counts[SERVICE]
    t1, t3, t5 = _TIERS
    return (
        _share(counts[ON_TIME], n),
        _share(counts[ON_TIME_TIER + t1], counts[IN_TIER + t1]),
        _share(counts[ON_TIME_TIER + t3], counts[IN_TIER + t3]),
        _share(counts[ON_TIME_TIER + t5], counts[IN_TIER + t5]),
        days,
        float(counts[TRIPS]) / n_service if n_service else _NAN,
        float(counts[SEAT_TRIPS]) / n_service if n_service else _NAN,
        chain,
        _share(counts[ZERO_TRIP], n_service),
    )


def _work_row(
    model, dumped: int, bounced: int, petitions: int, entries: int, exits: int, overtime: float, agents: tuple
) -> dict:
    """Duties, staff load and cost, effort, satisfaction, petitions and enterprises of the day (``agents``: the
    townships' and departments' values of ``numeric.agent_day``)."""
    towns, deps = agents
    ent_sat, live = enterprise_stocks(model)
    return {
        "dumped_tasks": dumped,
        "bounced_tasks": bounced,
        "township_utilisation": _mean_floats(towns[0]),
        "department_utilisation": _mean_floats(deps[0]),
        "overloaded_townships": towns[2],
        "department_effort": _mean_floats(deps[2]),
        "enterprise_satisfaction": ent_sat,
        "citizen_satisfaction": numeric.citizen_satisfaction(model),
        "petitions": petitions,
        "enterprises": live,
        "enterprise_entries": entries,
        "enterprise_exits": exits,
        "staff_hours": model.staff_persons * HOURS_PER_DAY + overtime,
        "overtime_hours": overtime,
    }


def stocks_kept(model) -> tuple | None:
    """The day's (day, firms' rows, live, mean satisfaction) as ``feedback.enterprise_life_cycle`` left them at the
    end of the day before ``clock_day``, while no firm has entered since (the same rows: it alone makes exits);
    else, on the compiled engine, the same with that day's entrants (``entered_stocks``: the kernel's count and
    mean over the rows with theirs) while no other firm has entered; else None."""
    memo = getattr(model, "enterprise_stocks", None)
    day, n = model.clock_day - 1, model.n_enterprises
    if memo is not None and memo[0] == day and memo[1] == n:
        return memo
    memo = model.__dict__.get("entered_stocks")
    if memo is not None and memo[0] == day and memo[1] == n:
        return memo
    return None


def enterprise_stocks(model) -> tuple[float, int]:
    """(Mean satisfaction of the live enterprises, their count) at the day's end (after its ``clock_day`` moved
    on): as ``feedback.enterprise_life_cycle`` left them when no firm entered since (no row added: the same
    rows, stages and satisfaction), else ``model.mean_enterprise_satisfaction()`` and ``model.live_enterprises``."""
    memo = stocks_kept(model)
    if memo is not None:
        return memo[3], memo[2]
    # both from one mask of the live rows; ``numeric.mean`` is ``ndarray.mean``'s value without its dispatch
    st, n = model.enterprise_state, model.n_enterprises
    if not n:  # no firm at all: none live, no mean
        return _NAN, 0
    alive = st["stage"][:n] < model._EXITED
    live = int(np.count_nonzero(alive))
    return (_mean(st["satisfaction"][:n][alive]) if live else _NAN), live


def _outcome_row(model, ids: np.ndarray, created: int, stats: tuple | None = None) -> dict:
    """Real resolution, repeats, gaming, grid reports and upward duties of the day (``stats``: as ``_service_row``)."""
    c = model.cases
    n = len(ids)
    if stats is not None:
        counts = stats[0]
        resolution, n_gamed, work_done = _share(counts[RESOLVED], n), counts[GAMED], stats[2]
    elif n:
        gamed = c.gamed[ids]
        resolution = _share(int(np.count_nonzero(c.resolved[ids])), n)
        n_gamed = int(np.count_nonzero(gamed))
        work_done = _mean(c.work_share[ids][~gamed])
    else:
        resolution, n_gamed, work_done = _NAN, 0, _NAN
    if stats is not None:
        repeats, grid_share = stats[0][REPEATS], _share(stats[0][GRID_REPORTS], created)
    elif created:
        new = slice(c.n - created, c.n)
        repeats, grid_share = (
            int(np.count_nonzero(c.contact[new] > 0)),
            _share(int(np.count_nonzero(c.source[new] == _GRID_REPORT)), created),
        )
    else:
        repeats, grid_share = 0, _NAN
    made, not_made = callback.today(model.callback_desk, model.clock_day - 1)
    return {
        "resolution_rate": resolution,
        "repeat_contacts": repeats,
        "gamed_closures": n_gamed,
        "work_done_share": work_done,
        "grid_report_share": grid_share,
        "grid_participation": _participation(model),
        "inspection_hours": _inspection_hours(model),
        "callbacks_made": made,
        "callbacks_not_made": not_made,
    }


def _inspection_hours(model) -> float:
    """The day's upward duty hours per township and week (``inspection.weekly_duty_hours`` of the faded lever,
    ``reform.effective_inspection_hours``), kept while the parameters are the same object and the reform does not
    fade (the lever itself every day: the same double)."""
    p = model.params
    kept = model.__dict__.get("_inspection_kpi")
    if kept is not None and kept[0] is p:
        return kept[1]
    value = inspection.weekly_duty_hours(p, reform.effective_inspection_hours(model))
    if not math.isfinite(p.reform_half_life_days):
        model._inspection_kpi = (p, value)
    return value


def queued_today(model) -> set[int]:
    """The cases queued for a repeat contact since today's repeats came back (``model.repeat_mark``: the queue's
    length then; ``resolution.return_repeats``, the queue's only pop, runs just before): among today's
    closures, exactly those whose requester will come back (a case closes once and is queued when it
    closes). A push only moves entries along the path from the heap's new last slot to its root, so only
    those slots are read (about twice the day's pushes, against the whole queue); the other cases found
    there were closed earlier. Without a mark, every queued case."""
    q = model.repeat_queue
    lo, hi = getattr(model, "repeat_mark", -1), len(q) - 1
    if not 0 <= lo <= hi + 1:
        return set(map(_CASE_OF, q))
    found: set[int] = set()
    while lo <= hi:  # the slots lo..hi, then their parents' slots, up to the root
        found.update(map(_CASE_OF, q[lo : hi + 1]))
        if lo == 0:
            break
        lo, hi = (lo - 1) // 2, (hi - 1) // 2
    return found


_CASE_OF = operator.itemgetter(2)  # a repeat queue entry's case: (return time, seq, case)


def _chain_hours_ended(model, ids: np.ndarray) -> float:
    """Requester hours per service request whose chain ended today (``ids``: service contacts closed
    today): from the chain's first filing to today's closure plus the travel of every contact — the
    summary's per-request definition, counted on the day the chain ends. A contact closed unresolved
    whose requester will come back (a repeat is pending, ``queued_today``) does not end its chain."""
    c = model.cases
    pending = queued_today(model)
    done = np.fromiter(itertools.filterfalse(pending.__contains__, ids.tolist()), np.int64) if pending else ids
    if not len(done):
        return float("nan")
    r = c.view("repeat_of")
    root = np.where(r[done] >= 0, r[done], done)
    travel = c.view("travel")[root]  # (a copy)
    by_root = _chain_index(model, c, r)
    roots = root.tolist()
    at = dict(zip(roots, range(len(roots))))  # each chain's position (a chain ends once)
    chains = list(filter(by_root.__contains__, at)) if by_root else []  # today's chains with a repeat contact
    if chains and len(at) == len(roots):  # each chain's repeat contacts' travel added in turn, as np.add.at adds
        t_rep = iter(c.travel[[cid for first in chains for cid in by_root[first]]].tolist())
        for first in chains:
            i = at[first]
            x = float(travel[i])
            for _ in by_root[first]:
                x += next(t_rep)
            travel[i] = x
    elif chains:
        rep = np.array(sorted(cid for first in chains for cid in by_root[first]), dtype=np.int64)
        order = np.argsort(root)
        pos = order[np.searchsorted(root, r[rep], sorter=order)]
        np.add.at(travel, pos, c.view("travel")[rep])
    return _mean(c.view("closed")[done] - c.view("created")[root] + travel)


def _chain_index(model, c, r: np.ndarray) -> dict[int, list[int]]:
    """The repeat contacts filed so far (``repeat_of`` ≥ 0) by their chain's first case, each chain's
    ascending. Kept incrementally (a case's ``repeat_of`` is set when it is filed and never changes): only
    the cases filed since the last call are read."""
    table, seen, by_root = getattr(model, "_repeat_cache", (None, 0, {}))
    if table is not c:
        seen, by_root = 0, {}
    by_root = cast(dict[int, list[int]], by_root)
    new = seen + np.flatnonzero(r[seen:] >= 0)
    for cid, first in zip(new.tolist(), r[new].tolist()):
        by_root.setdefault(first, []).append(cid)
    model._repeat_cache = (c, len(r), by_root)
    return by_root
