"""Coordination as work, ad hoc or by the 135 rule's ladder (F7–F11).

A case of tier 3 (several departments) or tier 5 (district coordination)
needs a coordination step before its department steps start. Coordinators are
persons with finite hours, the same in both regimes: level 1, the departments'
deputy heads / chief representatives (``chief_representatives ×
chief_rep_hours / 8`` persons), and level 2, the leading-group office
(``leading_group_staff`` persons); coordinating one case takes
``coordination_hours`` (level 1, level 2).

* **Ad hoc** (no 135 rule): a case queues at the lowest level able to settle
  it — its difficulty (F9), at least 1, at most its tier allows and at most 2
  (the other level when one has no staff) — first come first served; when it
  is done the case's steps are released. No escalation, no conference. With no
  coordinators at all the step is skipped (nobody is modelled).
* **135 rule**: a case needing coordination starts at the level its
  difficulty calls for (F9: general 1, difficult 2, complex 3), at least 1 and
  capped by its tier (several departments at most 2, district 3); a
  one-department case has nothing to coordinate (level 0, no escalation). Desks serve earliest deadline first. A
  case still at level ``L`` when ``level_time_share × deadline × (L −
  start_level + 1)`` has passed moves up one level — an engine event at that
  moment, up to the level its tier allows (tier 3 → 2, tier 5 → 3);
  the lower levels keep it in their queues (whoever gets to it first
  coordinates it, and the other requests are withdrawn). Level 3 is the joint conference (联席会议), meeting every
  ``joint_conference_interval`` days and settling at most
  ``joint_conference_slots`` cases, earliest deadline first (rule-only
  parameters). Once coordinated at level ``L`` the case goes first in every
  queue it needs (priority ``−L``, coordination on the spot, F7) and its steps
  are released (serially, or at once with ``joint_handling``).

Lateness is marked in bulk, not by an event per case: at the end of each day
every case whose deadline has passed and that was still open at its deadline
(open now, or closed after it) is marked overdue (``mark_overdue``).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from .engine import COORD, Task
from .params import HOURS_PER_DAY


class Level(IntEnum):
    """Escalation levels: the handler itself, then the three coordinating levels (F7, F8)."""

    HANDLER = 0
    CHIEF_REPRESENTATIVE = 1
    LEADING_GROUP_OFFICE = 2
    JOINT_CONFERENCE = 3


HANDLER, CHIEF_REPRESENTATIVE, LEADING_GROUP_OFFICE, JOINT_CONFERENCE = Level
LEVEL_NAMES = ("handler", "chief_representative", "leading_group_office", "joint_conference")


def desk_staff(params) -> tuple[float, float]:
    """Persons of the level-1 and level-2 desks (both regimes)."""
    return params.chief_representatives * params.chief_rep_hours / HOURS_PER_DAY, params.leading_group_staff


def start(model, cid: int, t: float) -> bool:
    """Schedule the new case's coordination; return True when its steps are held."""
    cases = model.cases
    eng = model.engine
    if model.params.escalation_135:
        level = int(cases.level[cid])
        if level > 0:
            request(model, cid, level, t)
        if level < top_level(cases, cid):
            eng.schedule(_due(model, cid, level), model._esc_due, (cid, level))
        return bool(cases.needs_coord[cid])
    if not cases.needs_coord[cid]:
        return False
    d1, d2 = model.desks
    level = min(max(int(cases.difficulty[cid]), 1), int(cases.tier[cid]) + 1, LEADING_GROUP_OFFICE)
    first, other = (d1, d2) if level == CHIEF_REPRESENTATIVE else (d2, d1)
    desk = first if first.n_servers else other
    if desk.n_servers == 0:
        cases.needs_coord[cid] = False  # no coordinators modelled: the step is skipped
        return False
    task = Task(cid, desk, COORD, desk.index, 1.0)
    model.coord_tasks.setdefault(cid, []).append(task)
    eng.arrive(task, t)
    return True


def top_level(cases, cid: int) -> int:
    """Highest level a case may climb to: its tier's (one department: none — nothing to
    coordinate; several: the office; district coordination: the joint conference)."""
    tier = int(cases.tier[cid])
    return tier + 1 if tier else 0


def _due(model, cid: int, level: int) -> float:
    """When case ``cid`` leaves level ``level``: its level's share of the deadline has passed."""
    c = model.cases
    span = float(c.deadline[cid] - c.created[cid]) * model.params.level_time_share
    return float(c.created[cid]) + span * (level - int(c.start_level[cid]) + 1)


def bind(model, release: Callable[[Any, int, float], None]) -> None:
    """Give ``model`` its escalation event callback, a closure over its case table,
    and ``release(model, cid, t)``, which releases a coordinated case's steps (``handling.release``)."""
    cases = model.cases
    model._esc_release = release

    def escalate_due(arg, t: float) -> None:
        cid, level = arg
        if cid not in model.flows or int(cases.level[cid]) != level or not model.params.escalation_135:
            return
        new = level + 1
        cases.level[cid] = new
        cases.escalations[cid] += 1
        model.day_escalations[new] += 1
        request(model, cid, new, t)
        if new < top_level(cases, cid):
            model.engine.schedule(_due(model, cid, new), escalate_due, (cid, new))

    model._esc_due = escalate_due


def mark_overdue(cases, ids, closed, t: float) -> None:
    """Mark overdue the cases ``ids`` (open at the start of the day or filed during it; ``closed``
    their close times, NaN while open) whose deadline fell before ``t`` (hours, the day's end) while
    they were open."""
    deadline = cases.deadline[ids]
    late = (deadline < t) & ~(closed <= deadline)  # NaN (still open) compares False: late
    cases.overdue[ids[late]] = True


def request(model, cid: int, level: int, t: float) -> None:
    """Ask level ``level`` to coordinate case ``cid`` from time ``t`` (lower levels keep it)."""
    if level >= JOINT_CONFERENCE:
        heapq.heappush(model.conference_queue, (float(model.cases.deadline[cid]), cid))
        return
    desk = model.desks[level - 1]
    if desk.n_servers == 0:  # no staff at this level: the case waits for the next one up
        return
    task = Task(cid, desk, COORD, level, 1.0)
    model.coord_tasks.setdefault(cid, []).append(task)
    model.engine.arrive(task, t)


def withdraw(model, cid: int) -> None:
    """Withdraw every coordination request of case ``cid`` not yet started."""
    for tk in model.coord_tasks.pop(cid, ()):
        model.engine.cancel(tk)


def coordinated(model, task: Task, t: float) -> None:
    """A desk finished coordinating a case: release (and, under the rule, boost) it."""
    cid = task.case
    withdraw(model, cid)
    if cid not in model.flows:
        return
    charge_attendance(model, cid, task.stage)
    if not model.params.escalation_135:
        model._esc_release(model, cid, t)
    else:
        boost(model, cid, task.stage, t)


def boost(model, cid: int, level: int, t: float) -> None:
    """Put case ``cid`` first in every queue it needs and release its remaining steps."""
    cases = model.cases
    flow = model.flows.get(cid)
    if flow is None:
        return
    level = int(level)  # a plain int (a caller may pass a ``Level``: numpy compares an IntEnum member slowly)
    if cases.boost[cid] >= level and flow[1] > 0:
        return
    cases.boost[cid] = max(int(cases.boost[cid]), level)
    for tk in flow[2]:
        model.engine.rekey(tk)
    model._esc_release(model, cid, t)


def hold_conference(model, day: int, t: float) -> int | None:
    """On meeting days, settle up to ``joint_conference_slots`` level-3 cases and charge the meeting's
    hours to its attendees (:func:`charge_conference`); return how many cases were settled. On the compiled
    engine the meeting is held in the day's kernel call (``CompiledEngine.meet``: after intake's batch, before
    the day's start, where it stands here) and None is returned."""
    p = model.params
    if not p.escalation_135 or day % p.joint_conference_interval != 0:
        return 0
    if model.compiled:
        model.engine.meet(t)
        return None
    q = model.conference_queue
    done = 0
    while q and done < p.joint_conference_slots:
        _, cid = heapq.heappop(q)
        if cid in model.flows and model.cases.boost[cid] == 0:  # not coordinated meanwhile
            withdraw(model, cid)
            boost(model, cid, JOINT_CONFERENCE, t)
            charge_conference(model, cid)
            done += 1
    return done


def departments_of(model, cid: int) -> list[int]:
    """Department indices a case needs (its matter's departments)."""
    cat = model.catalogue
    m = int(model.cases.matter[cid])
    return [int(d) for d in cat.departments[m, : int(cat.n_departments[m])] if d >= 0]


def charge_conference(model, cid: int) -> None:
    """The joint conference's hours on case ``cid`` (:func:`charge_conferences` of that one case)."""
    charge_conferences(model, [cid])


def charge_conferences(model, cids: list[int]) -> None:
    """The joint conference's hours on the cases ``cids``, in that order: ``conference_case_hours`` of each
    department a case needs (the official who attends) and of the leading-group office that convenes it (the
    level-1 desk when the office has no staff); owed as duty hours of those handlers. Each case's departments
    from its matter's list (:func:`departments_of` per matter, ``_departments_by_matter``)."""
    hours = model.params.conference_case_hours
    if hours <= 0:
        return
    deps_of = _departments_by_matter(model)
    d1, d2 = model.desks
    office = d2 if d2.n_servers else d1
    depts = model.departments
    for m in model.cases.matter[cids].tolist():
        deps = deps_of[m]
        for d in deps:
            depts[d].handler.duty_backlog += hours
        office.duty_backlog += hours
        model.attendance_hours += hours * (len(deps) + 1)


def _departments_by_matter(model) -> list[list[int]]:
    """:func:`departments_of` per matter, read once per catalogue (kept on the model)."""
    cat = model.catalogue
    got = model.__dict__.get("_conference_deps")
    if got is None or got[0] is not cat:
        rows = zip(cat.departments.tolist(), cat.n_departments.tolist())
        got = model._conference_deps = (cat, [[d for d in row[:n] if d >= 0] for row, n in rows])
    return got[1]


def charge_attendance(model, cid: int, level: int) -> None:
    """A desk's coordination of case ``cid`` at ``level`` (1, 2) also takes the hours of the departments
    it coordinates: ``attendance_share`` × the coordinator's ``coordination_hours`` for each department
    the case needs (beyond the coordinator's own department at level 1), owed as that department's
    duty hours (its staff attend), in both regimes."""
    hours = model.params.attendance_share * (
        model.coordination_hours[level] if level < len(model.coordination_hours) else 0.0
    )
    if hours <= 0:
        return
    deps = departments_of(model, cid)
    attend = deps[1:] if level == CHIEF_REPRESENTATIVE else deps
    for d in attend:
        model.departments[d].handler.duty_backlog += hours
    model.attendance_hours += hours * len(attend)


def priority_key(model):
    """The queue order: FIFO without the 135 rule; level then earliest deadline with it;
    a whistled task (P3) before every other."""
    cases = model.cases
    if model.params.escalation_135:

        def key(task):
            cid = task.case
            return (-10 if task.urgent else -int(cases.boost[cid]), float(cases.deadline[cid]))
    else:

        def key(task):
            return (-10 if task.urgent else 0, task.arrival)

    return key
