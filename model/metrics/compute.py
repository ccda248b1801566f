"""Per-run KPIs (the summary) and the handler loads they report.

On-time and within-1h/8h rates count a case once it is *decided*: closed, or
still open past its deadline (threshold) at the end of the run — open cases
not yet due are left out rather than counted as successes.

Only the counted window counts (after ``warmup_days``): rates are over cases
filed in it; ``cases_closed`` counts closures in it, so that
``cases_carried_in + cases_created = cases_closed + backlog_end``.

Requester hours of a case: its waiting, ``closed − created`` in working hours
(hops, queues, coordination, running between departments), plus its travel to
and from the county seat (``travel``: a round trip per trip to the seat).
"""

from __future__ import annotations

import numpy as np

from .. import callback
from ..cases import GRID_REPORT
from ..catalogue import COMPLEX, DISPUTE, DISPUTE_GENERAL, DISPUTE_MEDIATION, SIMPLE, Tier
from ..params import HOURS_PER_DAY
from ..staffing import KINDS
from .numeric import mean as _mean
from .numeric import participation as _participation
from .numeric import rate as _rate

POST_KINDS = KINDS
"""Kinds of posts reported as ``posts_<kind>``."""
_NAN = float("nan")
"""The undefined value of the mediation and call-back KPIs (one object: equal summaries compare equal)."""


def _roots(c) -> np.ndarray:
    """Each case's first contact (its own id for a first contact): ``np.where(r >= 0, r, np.arange(n))``'s values,
    written into the range itself (one full-length temporary fewer)."""
    r = c.view("repeat_of")
    root = np.arange(c.n)
    np.copyto(root, r, where=r >= 0)
    return root


def _window(win: np.ndarray) -> slice | np.ndarray:
    """``win`` as a slice when its cases are one run (the usual counted window: the cases filed from its start on),
    else ``win``: ``x[_window(win)]`` holds ``x[win]``'s values in the same order (so the same sums), as a view
    of the case table's column instead of a full-length copy."""
    k = int(win.argmax()) if len(win) else 0
    if not len(win) or (win[k] and win[k:].all()):
        return slice(k, None)
    return win


def _repeats(c) -> tuple[np.ndarray, np.ndarray]:
    """The repeat contacts (ids, ascending) and each one's chain's first case (``repeat_of``)."""
    r = c.view("repeat_of")
    rep = np.flatnonzero(r >= 0)
    return rep, r[rep]


def chain_totals(c) -> tuple[np.ndarray, np.ndarray]:
    """Per case, as the first of a chain (``_roots``): its chain's latest close time (−inf: none closed) and its
    contacts' travel hours summed; the very doubles of ``np.maximum.at`` and ``np.bincount`` over every case's
    root (a sum from 0.0, in id order), made from the cases' own values with the repeat contacts (a few per cent)
    added in id order: two full-length arrays, not five. Its chain's first case comes before a repeat contact
    (filed later), so each sum takes its terms in the same order; if not, the full computation."""
    n = c.n
    closed, travel = c.view("closed"), c.view("travel")
    rep, first = _repeats(c)
    if (first >= rep).any():  # a chain's first case after one of its repeats: the sums' order would differ
        root = _roots(c)
        last = np.full(n, -np.inf)
        np.maximum.at(last, root, np.where(np.isnan(closed), -np.inf, closed))
        return last, np.bincount(root, weights=travel, minlength=n)
    last = np.where(np.isnan(closed), -np.inf, closed)  # max(−inf, own) = own: a first contact's own close
    own = last[rep]
    last[rep] = -np.inf  # a repeat contact is no chain's first: only the repeats naming it (none, usually)
    np.maximum.at(last, first, own)
    total = travel + 0.0  # 0.0 + own travel, the sum's first step (bincount's)
    total[rep] = 0.0
    np.add.at(total, first, travel[rep])
    return last, total


def request_on_time_rate(model, now: float) -> float:
    """Share of decided requests (first contacts filed in the counted window) whose chain was
    really resolved by the first deadline (a request is decided once closed or past that deadline)."""
    c = model.cases
    n = c.n
    if n == 0:
        return float("nan")
    closed, deadline = c.view("closed"), c.view("deadline")
    first = (c.view("contact") == 0) & (c.view("created") >= model.count_start)
    rep, chain = _repeats(c)
    due = deadline.copy()  # ``deadline[root]``: a repeat contact's chain's first deadline
    due[rep] = deadline[chain]
    good = c.view("resolved") & (closed <= due)
    del due
    ok = good.copy()  # ``ok[root[good]] = True``: a first contact's own, then each good repeat's chain
    ok[rep] = False
    ok[chain[good[rep]]] = True
    decided = first & (~np.isnan(closed) | (now > deadline))
    return _rate(ok & decided, decided)


def requester_hours_per_request(model) -> float:
    """Requester hours per service request over its whole chain: from the first filing to the
    chain's latest closure (waiting, including the time an unresolved problem waited before its
    repeat contact) plus the travel hours of every contact. Requests: first contacts filed in the
    counted window and closed."""
    c = model.cases
    if c.n == 0:
        return float("nan")
    closed = c.view("closed")
    last, travel = chain_totals(c)
    req = (
        (c.view("contact") == 0)
        & (c.view("created") >= model.count_start)
        & ~np.isnan(closed)
        & (c.view("requester_kind") != DISPUTE)
    )
    last -= c.view("created")  # (last − created + travel), in place: the same doubles, two temporaries fewer
    last += travel
    del travel
    return _mean(last[req])


def summary(model) -> dict[str, float]:
    """Per-run KPIs (keys in ``SUMMARY_KEYS``); rates in [0, 1], NaN when undefined."""
    c = model.cases
    now = model.clock_day * HOURS_PER_DAY
    t_start = model.count_start
    all_closed = c.view("closed")
    win = c.view("created") >= t_start  # cases filed in the counted window
    closed_win = ~np.isnan(all_closed) & (np.nan_to_num(all_closed, nan=-1.0) >= t_start)  # closed in the window
    days = max(int(round((now - t_start) / HOURS_PER_DAY)), 1)
    out = _case_summary(model, now, win, closed_win)
    out.update(_load_summary(model, days))
    out.update(_outcome_summary(model, now, win, closed_win, days))
    out.update(referral_kpis(model, win))
    out["saturated_handlers"] = float(len(saturated_handlers(model)))
    out["floored_departments"] = float(model.floored_departments.sum())
    if model.stopped_day is not None:  # only a stopped run has it (NaN would make equal summaries unequal)
        out["stopped_day"] = float(model.stopped_day)
    out["coordination_attendance_hours"] = float(model.attendance_hours - model.attendance_mark)
    out["front_line_share"] = front_line_share(model, now)
    out["department_wait_hours"] = department_wait_hours(model)
    return out


def _case_summary(model, now: float, win: np.ndarray, closed_win: np.ndarray) -> dict[str, float]:
    """Counts, on-time rates (decided-case rule), resolution times, F5 shares, escalations, trips and
    requester hours over the cases filed in the window (``win``). The chains' requester hours first (their
    temporaries gone before the window's are made); the window's columns as views where it is one run."""
    requester_hours = requester_hours_per_request(model)
    c = model.cases
    n = int(win.sum())
    sel = _window(win)
    created, closed, deadline = c.view("created")[sel], c.view("closed")[sel], c.view("deadline")[sel]
    is_closed = ~np.isnan(closed)
    decided = is_closed | (now > deadline)
    on_time = is_closed & (closed <= deadline)
    tier = c.view("tier")[sel]
    service = c.view("requester_kind")[sel] != DISPUTE
    diff = c.view("difficulty")[sel]
    prop = model.catalogue.is_property[c.view("matter")[sel]] if n else np.zeros(0, bool)

    def on_time_in(mask):
        return _rate(on_time & decided & mask, decided & mask)

    shares = _within_shares(now, created, closed, is_closed, service, diff, prop)  # its temporaries gone first
    res_days = closed[is_closed]  # (closed − created) / HOURS_PER_DAY over the closed ones, in place
    res_days -= created[is_closed]
    res_days /= HOURS_PER_DAY
    mean_days = _mean(res_days)  # before the percentile, which may reorder ``res_days`` (its own copy no more)
    p90_days = float(np.percentile(res_days, 90, overwrite_input=True)) if len(res_days) else float("nan")
    closed_service = is_closed & service
    trips, seat = c.view("trips")[sel], c.view("seat_trips")[sel]
    k = model.kpi_totals
    hrs = {key: sum(t.hours[key] for t in model.townships) for key in ("cases", "duties", "paperwork", "outreach")}
    town_total = sum(hrs.values())
    return {
        "cases_created": float(n),
        "cases_closed": float(closed_win.sum()),
        "backlog_end": float(np.isnan(c.view("closed")).sum()),
        "cases_carried_in": float(model.carried_in),
        "on_time_rate": _rate(on_time & decided, decided),
        "on_time_rate_tier1": on_time_in(tier == Tier.TIER1),
        "on_time_rate_tier3": on_time_in(tier == Tier.TIER3),
        "on_time_rate_tier5": on_time_in(tier == Tier.TIER5),
        "mean_resolution_days": mean_days,
        "p90_resolution_days": p90_days,
        "simple_within_1h_share": shares[0],
        "complex_within_8h_share": shares[1],
        "property_simple_within_1h_share": shares[2],
        "property_complex_within_8h_share": shares[3],
        "escalations": float(k["escalations_level1"] + k["escalations_level2"] + k["escalations_level3"]),
        "escalations_level1": float(k["escalations_level1"]),
        "escalations_level2": float(k["escalations_level2"]),
        "escalations_level3": float(k["escalations_level3"]),
        "trips_per_case": _mean(trips[closed_service]),
        "trips_to_seat_per_case": _mean(seat[closed_service]),
        "requester_hours_per_case": requester_hours,
        "township_service_share": (hrs["cases"] + hrs["outreach"]) / town_total if town_total > 0 else float("nan"),
        "zero_trip_share": _rate(trips[closed_service] == 0, closed_service),
    }


def _within_shares(now: float, created, closed, is_closed, service, diff, prop) -> tuple[float, ...]:
    """The F5 shares of the window's cases (``created``, ``closed``: hours): simple ones within 1 hour, complex
    ones within 8, then the same of property matters; a case is decided once closed or older than the limit."""
    age = np.where(is_closed, closed, now)
    age -= created  # in place: the same doubles as ``np.where(...) − created``

    def within(mask, hours):
        dec = mask & (is_closed | (age > hours))
        return _rate(dec & is_closed & (age <= hours), dec)

    return (
        within(service & (diff == SIMPLE), 1.0),
        within(service & (diff == COMPLEX), 8.0),
        within(service & prop & (diff == SIMPLE), 1.0),
        within(service & prop & (diff == COMPLEX), 8.0),
    )


def _load_summary(model, days: int) -> dict[str, float]:
    """Duties, staff load and cost, satisfaction, petitions, enterprises, posts and open work at the end."""
    k = model.kpi_totals
    posts = model.posts
    return {
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
        "overtime_hours": float(k["overtime_hours"]),
        "staff_posts": float(posts["total"]),
        **{f"posts_{kind_}": float(posts[kind_]) for kind_ in POST_KINDS},
        "worked_hours": float(sum(h.worked_total + h.duty_total for h in model.handlers)) - model.worked_mark,
        "township_backlog_end": float(sum(t.handler.open_tasks for t in model.townships)),
        "department_backlog_end": float(sum(d.handler.open_tasks for d in model.departments)),
    }


def _outcome_summary(model, now: float, win: np.ndarray, closed_win: np.ndarray, days: int) -> dict[str, float]:
    """Real resolution, repeats, gaming, work done, grid reports and upward duties over the window."""
    c = model.cases
    return {
        "resolution_rate": _rate(c.view("resolved") & closed_win, closed_win),
        "request_on_time_rate": request_on_time_rate(model, now),
        "repeat_contacts": float((c.view("contact")[win] > 0).sum()),
        "gamed_closures": float((c.view("gamed") & closed_win).sum()),
        "work_done_share": _mean(c.view("work_share")[closed_win & ~c.view("gamed")]),
        "grid_report_share": _rate(c.view("source")[win] == GRID_REPORT, np.ones(int(win.sum()))),
        "mediation_accept_share": mediation_accept_share(model, win),
        **callback_summary(model, days),
        "grid_participation": _participation(model),
        "inspection_hours": model.kpi_totals.get("inspection_hours", 0.0) / days,
    }


def mediation_accept_share(model, win: np.ndarray) -> float:
    """Share of the early-detected disputes filed in the window (first contacts from a grid report: app or
    patrol) that the township's mediators took on (``dispute_mediation``) rather than refused
    (``dispute_general``); NaN with none."""
    c = model.cases
    cat = model.catalogue
    med, gen = cat.dispute_id(DISPUTE_MEDIATION), cat.dispute_id(DISPUTE_GENERAL)
    matter = c.view("matter")
    early = win & (c.view("source") == GRID_REPORT) & (c.view("contact") == 0) & ((matter == med) | (matter == gen))
    return _rate(early & (matter == med), early) if early.any() else _NAN


def callback_summary(model, days: int) -> dict[str, float]:
    """Call-backs made and not made over the window, the share of drawn ones made, and the call-back desk's
    utilisation (minutes of call-backs made over its posts' hours; NaN without a desk)."""
    made, missed = model.kpi_totals["callbacks_made"], model.kpi_totals["callbacks_not_made"]
    can = callback.daily_budget(model.params) * days  # call-backs the desk's hours allow over the window
    return {
        "callbacks_made": float(made),
        "callbacks_not_made": float(missed),
        "callback_made_share": made / (made + missed) if made + missed > 0 else _NAN,
        "callback_desk_utilisation": made / can if can > 0 else _NAN,
    }


def front_line_share(model, now: float) -> float:
    """Share of requests settled at the first contact: first-contact service requests (enquiries included)
    filed in the counted window whose one step was done by the handler that took them in (the township at
    its hall, the department or a chief representative at the seat, the department online), with no forwarding,
    errand, coordination, rework or escalation, closed on the working day they were filed. Decided:
    closed, or that day is over. It follows from who holds the power and from the receiver's queue."""
    c = model.cases
    if c.n == 0:
        return float("nan")
    created, closed = c.view("created"), c.view("closed")
    day_end = created / HOURS_PER_DAY  # (floor(created / H) + 1) × H, in place: the same doubles
    np.floor(day_end, out=day_end)
    day_end += 1
    day_end *= HOURS_PER_DAY
    first = (c.view("contact") == 0) & (created >= model.count_start) & (c.view("requester_kind") != DISPUTE)
    decided = first & (~np.isnan(closed) | (now >= day_end))
    one_step = model.catalogue.n_departments[c.view("matter")] == 1
    settled = (
        decided
        & one_step
        & ~c.view("referred")
        & ~c.view("errand")
        & (c.view("start_level") == 0)
        & (c.view("escalations") == 0)
        & (c.view("reworks") == 0)
        & ~c.view("gamed")
        & (closed <= day_end)  # an open case (NaN) compares false, as its +inf stand-in did (day_end is finite)
    )
    return _rate(settled, decided)


def handler_marks(model) -> dict[int, tuple[float, int, float, int, float, int]]:
    """Each handler's counters at the start of the counted window: hours worked (cases and duties),
    open tasks, duty backlog (hours), tasks started, hours its case steps waited and steps started."""
    return {
        h.hid: (h.worked_total + h.duty_total, h.open_tasks, h.duty_backlog, h.served_total, h.wait_total, h.waited)
        for h in model.handlers
    }


def department_wait_hours(model) -> float:
    """Mean working hours a case step waited in a department's queue before a person started it, over the
    steps started in the counted window (all departments together; NaN when none started)."""
    wait, n = 0.0, 0
    for d in model.departments:
        h = d.handler
        mark = model.handler_marks.get(h.hid)
        wait += h.wait_total - (mark[4] if mark else 0.0)
        n += h.waited - (mark[5] if mark else 0)
    return wait / n if n > 0 else float("nan")


def offered_load(model, h) -> float:
    """A handler's offered load ρ over the counted days: (hours worked on tasks and duties + growth
    of its open work) ÷ its capacity hours; open tasks are valued at the mean hours of the tasks it
    has started (the county's mean step hours before it started any), duty backlog in hours. ∞ for
    a handler with open work and no staff; NaN before the first counted day or with neither."""
    days = model.day
    if days <= 0:
        return float("nan")
    done0, open0, duty0 = model.handler_marks.get(h.hid, (0.0, 0, 0.0))[:3]
    done = h.worked_total + h.duty_total - done0
    mean_task = h.worked_total / h.served_total if h.served_total else model.mean_step_hours
    growth = (h.open_tasks - open0) * mean_task + (h.duty_backlog - duty0)
    capacity = h.capacity_hours * days
    if capacity <= 0:
        return float("inf") if h.open_tasks > 0 else float("nan")
    return (done + growth) / capacity


def saturated_handlers(model) -> dict[str, float]:
    """Handlers whose offered load over the counted days is ≥ 1 (their queues grow without bound:
    not a steady state), by label, with their load."""
    out = {}
    for h in model.handlers:
        rho = offered_load(model, h)
        if rho == rho and rho >= 1.0:
            out[h.label] = rho
    return out


def referral_kpis(model, win: np.ndarray) -> dict[str, float]:
    """The forwarding hop's parts over cases filed in the window (``win``) and forwarded: hours until
    the file was sent, waiting for the courier, lost to misrouting (each a mean per forwarded case
    whose file has reached its department), the share forwarded and the share misrouted."""
    c = model.cases
    sel = _window(win)
    ref = c.view("referred")[sel]
    sent = ref & ~np.isnan(c.view("hop_clerk")[sel])
    mis = c.view("misrouted")[sel]
    arrived = sent & (~mis | (c.view("hop_misrouted")[sel] > 0))
    return {
        "referred_share": _rate(ref, np.ones(len(ref))),
        "referral_clerk_hours": _mean(c.view("hop_clerk")[sel][sent]),
        "referral_courier_hours": _mean(c.view("hop_courier")[sel][sent]),
        "referral_misrouting_hours": _mean(c.view("hop_misrouted")[sel][arrived]),
        "misrouted_share": _rate(mis & sent, sent),
    }
