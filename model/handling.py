"""Handling: a case's steps through departments and townships, serial or joint (F4, F12).

A case needs the departments of its matter type, owner first; when the
matter is delegated the township does the owner's step. Steps run

* **serially** (baseline): one after another; an offline requester who filed at
  the seat without a one-stop centre runs to the next department (one more trip
  to the seat, its round-trip hours, and ``travel_hours`` of delay: "running
  between departments"); a case filed at a township hall is passed on inside
  the administration (no trip);
* **jointly** (one-stop centre, ``joint_handling``): all steps are released at
  once and the case closes when the last one finishes. With ample capacity
  and exponential work-hours of mean ``1/μ``, an ``n``-department case takes
  ``n/μ`` serially and ``H_n/μ`` jointly (H_n the harmonic number).

A step's work-hours are the matter's base hours × a random factor
(``service_time_distribution``), divided by the department's effort, or by
the township's competence on a delegated matter (which also risks rework,
see ``delegation``). Queue order: FIFO without the 135 rule; with it, cases
coordinated at a higher level first, then earliest deadline; a whistled task
(吹哨报到, P3) before all others.

A case of tier 3 or 5 (several departments, or district coordination) needs a
coordination step before its department steps start (see ``escalation``): its
steps are held until a coordinator has done it. A township-held case that
needs a department skips that step when ``whistle`` is on: the township blows
the whistle and the department's step goes to the head of its queue, at the
cost of ``whistle_site_hours`` more department work.
"""

from __future__ import annotations

import math

from . import delegation, escalation, resolution, workload
from .engine import COORD, PENDING, RUNNING, STEP, WAITING, Task


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
    if cases.receiver[cid] >= 0:  # one step fixed at intake: a desk decision, an enquiry's answer
        return [int(cases.receiver[cid])]
    out = []
    for i in range(n):
        d = int(deps[i])
        if d < 0 or (i == 0 and cases.delegated[cid]):
            out.append(township_hid)
        else:
            out.append(d)
    return out


def submit(model, cid: int, t: float) -> None:
    """Start a new case whose file reaches its first handler at ``t`` (hours): coordination
    first when it needs it (its steps are held meanwhile), else its first step (all, when joint)."""
    if model.compiled:  # the compiled engine owns the flows (``kernel``)
        model.engine.submit(model, cid, t)
        return
    model.flows[cid] = [steps_of(model, cid), 0, []]  # steps, next step to release, live tasks
    begin(model, cid, t)


def begin(model, cid: int, t: float) -> None:
    """The case's file reaches its first handler at ``t`` (hours), its flow open: coordination first
    when it needs it, else its first step (all, when joint); a whistled case's steps at once."""
    if model.cases.whistle[cid]:
        release_all(model, cid, t)
    elif not escalation.start(model, cid, t):
        release(model, cid, t)


def release(model, cid: int, t: float) -> None:
    """Release the first step (all steps, when joint) of a case no longer held."""
    flow = model.flows.get(cid)
    if flow is None or flow[1] > 0:
        return
    if model.cases.joint[cid]:
        release_all(model, cid, t)
    else:
        _release(model, cid, flow, t)


def _release(model, cid: int, flow, t: float) -> None:
    steps, i, tasks = flow
    task = Task(cid, model.handlers[steps[i]], STEP, i, noise(model))
    if model.cases.whistle[cid] and task.handler.kind == "department":
        task.urgent = True
        # the township that blew the whistle meets the department on site (P3): its hours too
        model.handlers[
            model.township_hid0 + int(model.cases.township[cid])
        ].duty_backlog += model.params.whistle_site_hours
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
    """Clock hours of a task when a server starts it: a coordination's hours, or the work fraction f
    (``workload``) of the step's needed work-hours at the handler's speed (effort, competence)."""
    if task.kind == COORD:
        return model.coordination_hours[task.stage]
    cid = task.case
    if model.cases.started[cid] != model.cases.started[cid]:  # NaN: first step starts now
        model.cases.started[cid] = model.engine.now
    need = workload.needed_hours(model, task)
    done = workload.fraction_of(model, task.handler) * need
    h = task.handler
    if h.kind == "department":
        clock = model.departments[h.index].work_hours(done)
    else:
        clock = done / workload.speed(model, task)
    workload.log_start(model, task, done, need, clock)
    return clock


def on_finish(model, task: Task, t: float) -> None:
    """A step is done: maybe rework, else release the next step or close the case."""
    if task.kind == COORD:
        escalation.coordinated(model, task, t)
        return
    cid = task.case
    flow = model.flows.get(cid)
    if flow is None:  # the case was already closed
        return
    cases = model.cases
    p = model.params
    h = task.handler
    offline_runs = bool(cases.at_seat[cid]) and not p.one_stop_centre
    if h.kind == "township" and cases.delegated[cid] and task.stage == 0:
        town = model.townships[h.index]
        m = int(cases.matter[cid])
        comp = town.competence(m)
        town.handled[m] = town.handled.get(m, 0) + 1
        if model.stream.uniform() < delegation.rework_probability(p, comp):
            cases.reworks[cid] += 1
            if not cases.online[cid]:  # the requester brings the corrected file to the township hall
                cases.trips[cid] += 1
            again = Task(cid, h, STEP, task.stage, noise(model))
            flow[2].append(again)
            model.engine.arrive(again, t)
            return
        owner = int(model.catalogue.owner[m])
        if owner >= 0:  # oversight of the delegated power stays with the department
            model.handlers[owner].duty_backlog += p.oversight_hours
    cases.outstanding[cid] -= 1
    if cases.outstanding[cid] <= 0:
        close(model, cid, t)
    elif flow[1] < len(flow[0]) and not _has_live_step(flow):
        nxt = flow[0][flow[1]]
        model.day_referrals[(h.hid, nxt)] = model.day_referrals.get((h.hid, nxt), 0) + 1
        if offline_runs:
            cases.trips[cid] += 1
            cases.seat_trips[cid] += 1
            cases.travel[cid] += 2.0 * model.travel_hours[int(cases.township[cid])]
        _release(model, cid, flow, t + (p.travel_hours if offline_runs else 0.0))


def _has_live_step(flow) -> bool:
    return any(tk.kind == STEP and tk.state in (PENDING, WAITING, RUNNING) for tk in flow[2])


def close(model, cid: int, t: float, gamed: bool = False) -> None:
    """Close a case at time ``t`` (hours), decide whether it is really resolved (``resolution``;
    ``gamed``: closed without solving) and withdraw its pending work and coordination. The compiled engine
    closes a gamed case in the day's gaming decisions (``kernel.gamed.close_gamed``)."""
    model.cases.closed[cid] = t
    resolution.on_close(model, cid, t, gamed)
    model.closed_today.append(cid)
    if model.compiled:  # the compiled engine owns the flows (``kernel``)
        model.engine.withdraw(cid)
        return
    flow = model.flows.pop(cid, None)
    if flow:
        for tk in flow[2]:
            model.engine.cancel(tk)
    for tk in model.coord_tasks.pop(cid, ()):
        model.engine.cancel(tk)
