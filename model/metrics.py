"""KPIs: the daily table (Mesa DataCollector) and the per-run summary (DESIGN §5).

On-time and within-1h/8h rates count a case once it is *decided*: closed, or
still open past its deadline (threshold) at the end of the run — open cases
not yet due are left out rather than counted as successes.
"""

from __future__ import annotations

import numpy as np

from .catalogue import COMPLEX, DISPUTE, SIMPLE
from .params import HOURS_PER_DAY

DAILY_KPIS = (
    "cases_created", "cases_closed", "backlog", "backlog_mean", "backlog_department", "backlog_township", "backlog_desk",
    "on_time_rate", "on_time_rate_tier1", "on_time_rate_tier3", "on_time_rate_tier5",
    "mean_resolution_days", "escalations_level1", "escalations_level2", "escalations_level3",
    "trips_per_case", "zero_trip_share", "dumped_tasks", "bounced_tasks",
    "township_utilisation", "department_utilisation", "overloaded_townships", "department_effort",
    "enterprise_satisfaction", "citizen_satisfaction", "petitions", "enterprises",
    "enterprise_entries", "enterprise_exits", "staff_hours",
)

SUMMARY_KEYS = (
    "cases_created", "cases_closed", "backlog_end", "on_time_rate", "on_time_rate_tier1",
    "on_time_rate_tier3", "on_time_rate_tier5", "mean_resolution_days", "p90_resolution_days",
    "simple_within_1h_share", "complex_within_8h_share", "property_simple_within_1h_share",
    "property_complex_within_8h_share", "escalations", "escalations_level1", "escalations_level2",
    "escalations_level3", "trips_per_case", "zero_trip_share", "dumped_tasks", "bounced_tasks",
    "township_utilisation", "department_utilisation", "overloaded_townships", "department_effort",
    "enterprise_satisfaction", "citizen_satisfaction", "petitions", "enterprises_end",
    "enterprise_entries", "enterprise_exits", "staff_hours", "worked_hours",
    "township_backlog_end", "department_backlog_end",
)


def _rate(num, den) -> float:
    den = int(np.sum(den))
    return float(np.sum(num)) / den if den else float("nan")


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else float("nan")


def _conference_waiting(model) -> int:
    """Open level-3 cases still waiting for a joint conference (closed ones are dropped lazily)."""
    c = model.cases
    return sum(1 for _, cid in model.conference_queue
               if cid in model.flows and c.level[cid] == 3 and c.boost[cid] < 3)


def overloaded(model, town) -> bool:
    """Open work (queued tasks × mean step hours + duty backlog) above ``overload_threshold`` days."""
    h = town.handler
    if h.capacity_hours <= 0:
        return True
    work = h.open_tasks * model.mean_step_hours + h.duty_backlog
    return work > model.params.overload_threshold * h.capacity_hours


def collect_day(model, closed_ids: np.ndarray, dumped: int, bounced: int, petitions: int,
                entries: int, exits: int, created: int) -> dict:
    """The day's KPI row (flows are today's counts; rates are over cases closed today)."""
    c = model.cases
    ids = closed_ids
    late = c.closed[ids] > c.deadline[ids]
    tier = c.tier[ids]
    service = c.requester_kind[ids] != DISPUTE
    towns = model.townships
    for t in towns:
        t.overloaded = overloaded(model, t)
    n_ent = model.live_enterprises
    row = {
        "cases_created": created,
        "cases_closed": len(ids),
        "backlog": len(model.open_ids),
        "backlog_mean": model.backlog_mean,
        "backlog_department": sum(d.handler.open_tasks for d in model.departments),
        "backlog_township": sum(t.handler.open_tasks for t in towns),
        "backlog_desk": sum(h.open_tasks for h in model.desks) + _conference_waiting(model),
        "on_time_rate": _rate(~late, np.ones(len(ids))),
        "on_time_rate_tier1": _rate(~late & (tier == 0), tier == 0),
        "on_time_rate_tier3": _rate(~late & (tier == 1), tier == 1),
        "on_time_rate_tier5": _rate(~late & (tier == 2), tier == 2),
        "mean_resolution_days": _mean((c.closed[ids] - c.created[ids]) / HOURS_PER_DAY),
        "escalations_level1": model.day_escalations[1],
        "escalations_level2": model.day_escalations[2],
        "escalations_level3": model.day_escalations[3],
        "trips_per_case": _mean(c.trips[ids][service]),
        "zero_trip_share": _rate(c.trips[ids][service] == 0, service),
        "dumped_tasks": dumped,
        "bounced_tasks": bounced,
        "township_utilisation": _mean([t.handler.utilisation_today for t in towns]),
        "department_utilisation": _mean([d.handler.utilisation_today for d in model.departments]),
        "overloaded_townships": sum(t.overloaded for t in towns),
        "department_effort": _mean([d.effort for d in model.departments]),
        "enterprise_satisfaction": model.mean_enterprise_satisfaction(),
        "citizen_satisfaction": float(model.citizen_state["satisfaction"].mean()) if model.n_citizens else float("nan"),
        "petitions": petitions,
        "enterprises": n_ent,
        "enterprise_entries": entries,
        "enterprise_exits": exits,
        "staff_hours": model.staff_persons * HOURS_PER_DAY,
    }
    return row


def summary(model) -> dict[str, float]:
    """Per-run KPIs (keys in ``SUMMARY_KEYS``); rates in [0, 1], NaN when undefined."""
    c = model.cases
    n = c.n
    now = model.day * HOURS_PER_DAY
    created, closed, deadline = c.view("created"), c.view("closed"), c.view("deadline")
    is_closed = ~np.isnan(closed)
    age = np.where(is_closed, closed, now) - created
    decided = is_closed | (now > deadline)
    on_time = is_closed & (closed <= deadline)
    tier = c.view("tier")
    kind = c.view("requester_kind")
    service = kind != DISPUTE
    cat = model.catalogue
    matter = c.view("matter")
    diff = c.view("difficulty")
    prop = cat.is_property[matter] if n else np.zeros(0, bool)

    def within(mask, hours):
        dec = mask & (is_closed | (age > hours))
        return _rate(dec & is_closed & (age <= hours), dec)

    res_days = (closed[is_closed] - created[is_closed]) / HOURS_PER_DAY
    closed_service = is_closed & service
    trips = c.view("trips")
    k = model.kpi_totals
    days = max(model.day, 1)
    out = {
        "cases_created": float(n),
        "cases_closed": float(is_closed.sum()),
        "backlog_end": float(n - is_closed.sum()),
        "on_time_rate": _rate(on_time & decided, decided),
        "on_time_rate_tier1": _rate(on_time & decided & (tier == 0), decided & (tier == 0)),
        "on_time_rate_tier3": _rate(on_time & decided & (tier == 1), decided & (tier == 1)),
        "on_time_rate_tier5": _rate(on_time & decided & (tier == 2), decided & (tier == 2)),
        "mean_resolution_days": _mean(res_days),
        "p90_resolution_days": float(np.percentile(res_days, 90)) if len(res_days) else float("nan"),
        "simple_within_1h_share": within(service & (diff == SIMPLE), 1.0),
        "complex_within_8h_share": within(service & (diff == COMPLEX), 8.0),
        "property_simple_within_1h_share": within(service & prop & (diff == SIMPLE), 1.0),
        "property_complex_within_8h_share": within(service & prop & (diff == COMPLEX), 8.0),
        "escalations": float(k["escalations_level1"] + k["escalations_level2"] + k["escalations_level3"]),
        "escalations_level1": float(k["escalations_level1"]),
        "escalations_level2": float(k["escalations_level2"]),
        "escalations_level3": float(k["escalations_level3"]),
        "trips_per_case": _mean(trips[closed_service]),
        "zero_trip_share": _rate(trips[closed_service] == 0, closed_service),
        "dumped_tasks": float(k["dumped_tasks"]),
        "bounced_tasks": float(k["bounced_tasks"]),
        "township_utilisation": k["township_utilisation"] / days,
        "department_utilisation": k["department_utilisation"] / days,
        "overloaded_townships": k["overloaded_townships"] / days,
        "department_effort": _mean([d.effort for d in model.departments]),
        "enterprise_satisfaction": model.mean_enterprise_satisfaction(),
        "citizen_satisfaction": float(model.citizen_state["satisfaction"].mean()) if model.n_citizens else float("nan"),
        "petitions": float(k["petitions"]),
        "enterprises_end": float(model.live_enterprises),
        "enterprise_entries": float(k["enterprise_entries"]),
        "enterprise_exits": float(k["enterprise_exits"]),
        "staff_hours": float(k["staff_hours"]),
        "worked_hours": float(sum(h.worked_total + h.duty_total for h in model.handlers)),
        "township_backlog_end": float(sum(t.handler.open_tasks for t in model.townships)),
        "department_backlog_end": float(sum(d.handler.open_tasks for d in model.departments)),
    }
    return out
