"""The escalation ladder of the 135 rule (F7–F11): handler → chief representative →
leading-group office → joint conference.

* A case starts at the level its difficulty calls for (F9: simple 0, general 1,
  difficult 2, complex 3), capped by its tier (one department needs at most a
  chief representative, several at most the office; district coordination
  may go to the conference).
* A case at level ``L`` longer than ``level_time_share × deadline × (L −
  start_level + 1)`` moves up one level (checked at the end of each day).
* Levels 1 and 2 are desks with staff (``chief_representatives ×
  chief_rep_hours / 8`` persons; ``leading_group_staff``) that spend
  ``coordination_hours`` on each case; level 3 is the joint conference (联席会议),
  meeting every ``joint_conference_interval`` days and settling at most
  ``joint_conference_slots`` cases, earliest deadline first.
* Once coordinated at level ``L``, the case goes first in every queue it
  needs (priority ``−L``) and its remaining department steps are released at
  once (coordination on the spot, F7).
Without the 135 rule there are no levels, no desks and no escalation.
"""

from __future__ import annotations

import heapq

from .engine import Task
from .handling import COORD, release_all
from .params import HOURS_PER_DAY

CHIEF_REPRESENTATIVE, LEADING_GROUP_OFFICE, JOINT_CONFERENCE = 1, 2, 3
LEVEL_NAMES = ("handler", "chief_representative", "leading_group_office", "joint_conference")


def desk_staff(params) -> tuple[float, float]:
    """Persons of the level-1 and level-2 desks."""
    return params.chief_representatives * params.chief_rep_hours / HOURS_PER_DAY, params.leading_group_staff


def request(model, cid: int, level: int, t: float) -> None:
    """Ask level ``level`` to coordinate case ``cid`` from time ``t``."""
    old = model.coord_tasks.pop(cid, None)
    if old is not None:
        model.engine.cancel(old)
    if level >= JOINT_CONFERENCE:
        heapq.heappush(model.conference_queue, (float(model.cases.deadline[cid]), cid))
        return
    desk = model.desks[level - 1]
    if desk.n_servers == 0:  # no staff at this level: the case waits for the next one up
        return
    task = Task(cid, desk, COORD, level, 1.0)
    model.coord_tasks[cid] = task
    model.engine.arrive(task, t)


def coordinated(model, task: Task, t: float) -> None:
    """A desk finished coordinating a case: boost it if it is still open and at that level."""
    cid = task.case
    if model.coord_tasks.get(cid) is task:
        del model.coord_tasks[cid]
    if cid in model.flows and model.cases.level[cid] == task.stage:
        boost(model, cid, task.stage, t)


def boost(model, cid: int, level: int, t: float) -> None:
    """Put case ``cid`` first in every queue it needs and release its remaining steps."""
    cases = model.cases
    if cases.boost[cid] >= level:
        return
    cases.boost[cid] = level
    flow = model.flows.get(cid)
    if flow is None:
        return
    for tk in flow[2]:
        model.engine.rekey(tk)
    release_all(model, cid, t)


def check(model, t: float) -> None:
    """Escalate open cases that overstayed their level's share of the deadline (end of day)."""
    if not model.params.escalation_135:
        return
    cases = model.cases
    ids = model.open_ids
    if len(ids) == 0:
        return
    level = cases.level[ids]
    span = (cases.deadline[ids] - cases.created[ids]) * model.params.level_time_share
    due = cases.created[ids] + span * (level - cases.start_level[ids] + 1)
    up = ids[(t > due) & (level < JOINT_CONFERENCE)]
    for cid in up.tolist():
        new = int(cases.level[cid]) + 1
        cases.level[cid] = new
        cases.escalations[cid] += 1
        model.day_escalations[new] += 1
        request(model, cid, new, t)


def hold_conference(model, day: int, t: float) -> int:
    """On meeting days, settle up to ``joint_conference_slots`` level-3 cases; return how many."""
    p = model.params
    if not p.escalation_135 or day % p.joint_conference_interval != 0:
        return 0
    q = model.conference_queue
    done = 0
    while q and done < p.joint_conference_slots:
        _, cid = heapq.heappop(q)
        if cid in model.flows and model.cases.level[cid] == JOINT_CONFERENCE:
            boost(model, cid, JOINT_CONFERENCE, t)
            done += 1
    return done


def priority_key(model):
    """The queue order: FIFO without the 135 rule; level then earliest deadline with it."""
    cases = model.cases
    if model.params.escalation_135:
        def key(task):
            cid = task.case
            return (-int(cases.boost[cid]), float(cases.deadline[cid]))
    else:
        def key(task):
            return (task.arrival, 0.0)
    return key

