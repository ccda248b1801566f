"""Referral as work: forwarding a case's file to its department, and a commissioner's errand (F10, F12).

A case filed at a township's service hall for a county-held matter, or a
delegated case the township refers up (``Township.refer_up_chances``), reaches its
department only when somebody sends the file:

* **on paper** (no ``online_dispatch``): the township's clerks forward it — a
  task of ``forward_hours`` in the township's own queue, worked by its posts
  (clerk queueing) — and the file waits for the next courier run to the seat
  (runs every ``courier_interval_days`` working days, at multiples of that
  interval: once a day means at the end of each day); it joins the
  department's queue when the courier arrives;
* **online dispatch** (``online_dispatch``, 一网通办, F12): the county
  platform's dispatchers (``dispatch_staff`` posts, in the staff budget) read
  and dispatch it, a task of ``dispatch_hours`` in their queue; the file
  reaches the department at once: no courier wait.

With probability ``misrouting_rate`` the file first reaches the wrong
department (a second pass): that department's staff spend ``forward_hours``
sending it on (a task in its queue), and on paper it waits for one more
courier run. The hop's parts are recorded per case (``hop_clerk``,
``hop_courier``, ``hop_misrouted``) and reported as KPIs.

A **commissioner's errand** (企业服务专员, F10): an enterprise request a
commissioner files for its enterprise is a task of ``errand_hours`` in the
commissioners' queue (``commissioners`` posts); the case starts at its first
handler when the errand is done, with no trip for the enterprise.

A requester who goes to the seat instead pays a trip and its travel hours
(``intake``); a case filed online reaches its handler at once.
"""

from __future__ import annotations

import math

from .engine import FORWARD, Task
from .handling import begin, steps_of
from .params import HOURS_PER_DAY

FIRST, SECOND = 0, 1
"""``Task.stage`` of a forwarding task: the first pass, or the wrong department's pass."""


def forwarder(model, cid: int):
    """The handler that sends a referred case's file: the platform's dispatchers online, else its township."""
    if model.params.online_dispatch:
        return model.dispatchers
    return model.handlers[model.township_hid0 + int(model.cases.township[cid])]


def start(model, cid: int, t: float, handler) -> None:
    """Open case ``cid``'s flow with a forwarding task for ``handler`` arriving at ``t`` (hours)."""
    if model.compiled:  # the compiled engine owns the flows (``kernel``)
        model.engine.forward(cid, t, handler)
        return
    task = Task(cid, handler, FORWARD, FIRST, 1.0)
    model.flows[cid] = [steps_of(model, cid), 0, [task]]
    model.engine.arrive(task, t)


def hours(model, task: Task) -> float:
    """Work-hours of a forwarding task (hours)."""
    p = model.params
    if task.stage == SECOND:
        return p.forward_hours
    kind = task.handler.kind
    if kind == "dispatch":
        return p.dispatch_hours
    if kind == "commissioner":
        return p.errand_hours
    return p.forward_hours


def next_courier(params, t: float, paper: bool | None = None) -> float:
    """When a file sent at ``t`` (hours) reaches the seat: with the next courier run strictly after
    ``t`` on paper (``paper``; default: no online dispatch), at ``t`` itself online or when
    ``courier_interval_days`` is 0."""
    if paper is None:
        paper = not params.online_dispatch
    if not paper or params.courier_interval_days <= 0:
        return t
    step = params.courier_interval_days * HOURS_PER_DAY
    return (math.floor(t / step + 1e-12) + 1) * step


def finished(model, task: Task, t: float) -> None:
    """A forwarding task is done at ``t``: send the file on (maybe to the wrong department first)."""
    cid = task.case
    if cid not in model.flows:  # closed meanwhile
        return
    c = model.cases
    p = model.params
    if task.stage == FIRST:
        c.hop_clerk[cid] = t - c.created[cid]
        if task.handler.kind == "commissioner":
            if c.referred[cid]:  # filed with the township, which refers it up: forwarded in turn
                again = Task(cid, forwarder(model, cid), FORWARD, FIRST, 1.0)
                model.flows[cid][2].append(again)
                model.engine.arrive(again, t)
            else:
                begin(model, cid, t)
            return
        arrive = next_courier(p, t, paper=task.handler.kind == "township")  # sent on paper by its clerks
        c.hop_courier[cid] = arrive - t
        if p.misrouting_rate > 0 and model.stream.uniform() < p.misrouting_rate:
            c.misrouted[cid] = True
            wrong = _wrong_department(model, cid)
            if wrong is not None:
                second = Task(cid, wrong, FORWARD, SECOND, 1.0)
                model.flows[cid][2].append(second)
                model.engine.arrive(second, arrive)
                return
        model.engine.schedule(arrive, model._referral_arrive, cid)
        return
    model.engine.schedule(next_courier(p, t), model._referral_arrive, cid)


def _wrong_department(model, cid: int):
    """A department other than the one the case's file should reach (None with one department)."""
    D = len(model.departments)
    if D < 2:
        return None
    flow = model.flows[cid]
    right = flow[0][0] if flow[0] else -1
    k = min(int(model.stream.uniform() * (D - 1)), D - 2)
    if k >= right >= 0:
        k += 1
    return model.departments[k].handler


def bind(model) -> None:
    """Give ``model`` the courier-arrival callback (an engine event)."""
    cases = model.cases

    def arrive(cid: int, t: float) -> None:
        if cid not in model.flows:
            return
        if cases.misrouted[cid]:
            cases.hop_misrouted[cid] = t - cases.created[cid] - cases.hop_clerk[cid] - cases.hop_courier[cid]
        begin(model, cid, t)

    model._referral_arrive = arrive
