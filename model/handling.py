"""Handling: a case's steps through departments and townships, serial or joint (F4, F12).

A case needs the departments of its matter type, owner first; when the
matter is delegated the township does the owner's step. Steps run

* **serially** (baseline): one after another; an offline requester without a
  one-stop centre runs to the next department (one trip and ``travel_hours``
  each: "running between departments");
* **jointly** (one-stop centre, ``joint_handling``): all steps are released at
  once and the case closes when the last one finishes. With ample capacity
  and exponential work-hours of mean ``1/μ``, an ``n``-department case takes
  ``n/μ`` serially and ``H_n/μ`` jointly (H_n the harmonic number).

A step's work-hours are the matter's base hours × a random factor
(``service_time_distribution``), divided by the department's effort, or by
the township's competence on a delegated matter (which also risks rework,
see ``delegation``). Queue order: FIFO without the 135 rule; with it, cases
coordinated at a higher level first, then earliest deadline.
"""

from __future__ import annotations

import math

from . import delegation, resolution
from .engine import PENDING, RUNNING, WAITING, Task
from .params import HOURS_PER_DAY

STEP, COORD = 0, 1


def noise(model) -> float:
    """A draw of the work-hours multiplier (mean 1)."""
    dist = model.params.service_time_distribution
    if dist == "exponential":
        return model.stream.exponential()
    if dist == "lognormal":
        s = model.lognormal_sigma
        return math.exp(s * model.stream.normal() - 0.5 * s * s) if s > 0 else 1.0
    return 1.0


def steps_of(model, cid: int) -> list[int]:
    """Handler ids of a case's steps, in order."""
    cases = model.cases
    m = int(cases.matter[cid])
    deps = model.catalogue.departments[m]
    n = int(model.catalogue.n_departments[m])
    township_hid = model.township_hid0 + int(cases.township[cid])
    out = []
    for i in range(n):
        d = int(deps[i])
        if d < 0 or (i == 0 and cases.delegated[cid]):
            out.append(township_hid)
        else:
            out.append(d)
    return out


def submit(model, cid: int) -> None:
    """Release a new case's first step (or all of them, when joint)."""
    cases = model.cases
    steps = steps_of(model, cid)
    t = float(cases.created[cid])
    p = model.params
    if cases.tier[cid] == 2 and not p.escalation_135 and p.adhoc_coordination_days > 0:
        # no coordination ladder: a district-level case first waits for ad-hoc coordination
        t += model.stream.exponential() * p.adhoc_coordination_days * HOURS_PER_DAY
    flow = model.flows[cid] = [steps, 0, []]  # steps, next step to release, live tasks
    if cases.joint[cid]:
        release_all(model, cid, t)
    else:
        _release(model, cid, flow, t)


def _release(model, cid: int, flow, t: float) -> None:
    steps, i, tasks = flow
    task = Task(cid, model.handlers[steps[i]], STEP, i, noise(model))
    flow[1] = i + 1
    tasks.append(task)
    model.engine.arrive(task, t)


def release_all(model, cid: int, t: float) -> None:
    """Release every step not yet released (joint handling, or after coordination)."""
    flow = model.flows.get(cid)
    if flow is None:
        return
    while flow[1] < len(flow[0]):
        _release(model, cid, flow, t)


def service_hours(model, task: Task) -> float:
    """Work-hours of a task when a server starts it."""
    if task.kind == COORD:
        return model.coordination_hours[task.stage]
    cid = task.case
    if model.cases.started[cid] != model.cases.started[cid]:  # NaN: first step starts now
        model.cases.started[cid] = model.engine.now
    m = int(model.cases.matter[cid])
    hours = model.catalogue.hours[m] * task.noise
    h = task.handler
    if h.kind == "department":
        return hours / model.departments[h.index].effort
    if model.cases.delegated[cid] and task.stage == 0:
        t = model.townships[h.index]
        return hours / t.competence(m)
    return hours


def on_finish(model, task: Task, t: float) -> None:
    """A step is done: maybe rework, else release the next step or close the case."""
    if task.kind == COORD:
        from . import escalation

        escalation.coordinated(model, task, t)
        return
    cid = task.case
    flow = model.flows.get(cid)
    if flow is None:  # the case was already closed
        return
    cases = model.cases
    p = model.params
    h = task.handler
    offline_runs = not cases.online[cid] and not p.one_stop_centre
    if h.kind == "township" and cases.delegated[cid] and task.stage == 0:
        town = model.townships[h.index]
        m = int(cases.matter[cid])
        comp = town.competence(m)
        town.handled[m] = town.handled.get(m, 0) + 1
        if model.stream.uniform() < delegation.rework_probability(p, comp):
            cases.reworks[cid] += 1
            if offline_runs:  # at a one-stop centre the window takes the corrected file (F4)
                cases.trips[cid] += 1
            again = Task(cid, h, STEP, task.stage, noise(model))
            flow[2].append(again)
            model.engine.arrive(again, t + (p.travel_hours if offline_runs else 0.0))
            return
    cases.outstanding[cid] -= 1
    if cases.outstanding[cid] <= 0:
        close(model, cid, t)
    elif flow[1] < len(flow[0]) and not _has_live_step(flow):
        nxt = flow[0][flow[1]]
        model.day_referrals[(h.hid, nxt)] = model.day_referrals.get((h.hid, nxt), 0) + 1
        if offline_runs:
            cases.trips[cid] += 1
        _release(model, cid, flow, t + (p.travel_hours if offline_runs else 0.0))


def _has_live_step(flow) -> bool:
    return any(tk.kind == STEP and tk.state in (PENDING, WAITING, RUNNING) for tk in flow[2])


def close(model, cid: int, t: float, gamed: bool = False) -> None:
    """Close a case at time ``t`` (hours), decide whether it is really resolved (``resolution``;
    ``gamed``: closed without solving) and withdraw its pending work and coordination."""
    model.cases.closed[cid] = t
    resolution.on_close(model, cid, t, gamed)
    model.closed_today.append(cid)
    flow = model.flows.pop(cid, None)
    if flow:
        for tk in flow[2]:
            model.engine.cancel(tk)
    coord = model.coord_tasks.pop(cid, None)
    if coord is not None:
        model.engine.cancel(coord)
