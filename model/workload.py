"""Work under load: how much of a case's needed work a late handler does (the work fraction f).

A step needs ``hours`` of work (the matter's base hours × its service-time draw,
plus ``whistle_site_hours`` on a whistled department step). Once a working day,
before work starts, each department and township decides its **work fraction**
``f`` (its method ``decide_work_fraction``) from its queue and the deadlines:

    Q = clock hours its waiting steps need (hours / effort at a department,
        hours / competence on a delegated step at a township)
    C = clock hours it has for cases today (persons × 8 − today's duty hours)
    H = mean time left before the deadlines of the waiting cases, in working days
        (at least 1: a handler looks one day ahead)
    r = C · H / Q                      (≥ 1: the queue can be done in time)
    f = max(work_fraction_floor, 1 − corner_cutting · (1 − min(r, 1)))

A step started that day gets ``f × hours`` of work. With slack (``r ≥ 1``) or
``corner_cutting = 0``, ``f = 1``; overload lowers ``f``. Whether a closed case
is really resolved depends on the share of its needed work that was done (see
``resolution``), so overload lowers resolution and slack does not.

Each case's needed and done work-hours are logged while it is open
(``model.case_work[cid] = [needed, done, start of its latest step, clock hours
of that step]``): the share done is ``done / needed`` at closure, and the
latest step's start and length let ``gaming`` project when a running step ends.
"""

from __future__ import annotations

from .engine import STEP, WAITING, Task
from .params import HOURS_PER_DAY, Params

MIN_HORIZON_DAYS = 1.0
"""A handler looks at least one working day ahead when it weighs its queue against the deadlines."""


def needed_hours(model, task: Task) -> float:
    """Work-hours a step needs (before effort or competence): base hours × draw (+ on-site hours if whistled)."""
    m = int(model.cases.matter[task.case])
    hours = float(model.catalogue.hours[m]) * task.noise
    if task.urgent and task.handler.kind == "department":
        hours += model.params.whistle_site_hours
    return hours


def speed(model, task: Task) -> float:
    """Work-hours done per clock hour on ``task``: the department's effort, the township's competence on a
    delegated owner step, else 1."""
    h = task.handler
    if h.kind == "department":
        return model.departments[h.index].effort
    if h.kind == "township" and task.stage == 0 and model.cases.delegated[task.case]:
        return model.townships[h.index].competence(int(model.cases.matter[task.case]))
    return 1.0


def agent_of(model, handler):
    """The Department or Township agent working ``handler`` (None for a desk)."""
    if handler.kind == "department":
        return model.departments[handler.index]
    if handler.kind == "township":
        return model.townships[handler.index]
    return None


def fraction_of(model, handler) -> float:
    """Today's work fraction of the handler (1 at a desk)."""
    agent = agent_of(model, handler)
    return 1.0 if agent is None else agent.work_fraction


def waiting_steps(handler) -> list[tuple]:
    """Valid waiting case steps of ``handler`` as (priority key, seq, task), in queue order."""
    out = [(k, s, tk) for k, s, v, tk in handler.waiting if tk.version == v and tk.state == WAITING and tk.kind == STEP]
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def case_capacity(handler) -> float:
    """Clock hours the handler has for cases today (persons × 8 − the duty hours the day will take), ≥ 0;
    called before the day starts."""
    duty = min(handler.duty_backlog, handler.capacity_hours, handler.duty_cap)
    return max(handler.capacity_hours - duty, 0.0)


def work_fraction(params: Params, queued_hours: float, capacity_hours: float, horizon_days: float) -> float:
    """f from the queue's clock hours, today's case hours and the look-ahead to the deadlines (days)."""
    if queued_hours <= 0:
        return 1.0
    r = min(capacity_hours * max(horizon_days, MIN_HORIZON_DAYS) / queued_hours, 1.0)
    return max(params.work_fraction_floor, 1.0 - params.corner_cutting * (1.0 - r))


def decide(agent) -> float:
    """The agent's work fraction for today, from its queue and its cases' deadlines."""
    model = agent.model
    p = model.params
    if p.corner_cutting <= 0:
        return 1.0
    h = agent.handler
    if model.compiled:  # the compiled engine's queues, added up in the same order (``kernel``)
        queued, slack, n = model.engine.queue_summary(h)
        if n == 0:
            return 1.0
        return work_fraction(p, queued, case_capacity(h), slack / n / HOURS_PER_DAY)
    now = model.clock_day * HOURS_PER_DAY
    queued = 0.0
    slack = 0.0
    n = 0
    deadline = model.cases.deadline
    for _, _, v, tk in h.waiting:
        if tk.version != v or tk.state != WAITING or tk.kind != STEP:
            continue
        queued += needed_hours(model, tk) / speed(model, tk)
        slack += max(float(deadline[tk.case]) - now, 0.0)
        n += 1
    if n == 0:
        return 1.0
    return work_fraction(p, queued, case_capacity(h), slack / n / HOURS_PER_DAY)


def decide_all(model) -> None:
    """Every department's, then every township's ``decide_work_fraction`` (in their AgentSets' order): through
    the AgentSets on the Python engine, in one pass on the compiled engine (:func:`decide_compiled`)."""
    if not model.compiled:
        model.agents_by_type[model.Department].do("decide_work_fraction")
        model.agents_by_type[model.Township].do("decide_work_fraction")
        return
    decide_compiled(model)


def decide_compiled(model) -> None:
    """Every department's, then every township's work fraction in one pass, the compiled engine's queue
    summary read once: the twin of the agents' ``decide_work_fraction`` (:func:`decide`), the same doubles."""
    p = model.params
    agents = (*model.departments, *model.townships)
    # no corner cutting, or no step waiting anywhere (every row of ``queue_rows`` zeros, n = 0): every fraction is
    # 1.0, as below, without building the rows or reading them
    if p.corner_cutting <= 0 or not model.engine.queued():
        for agent in agents:
            agent.work_fraction = 1.0
        return
    rows = model.engine.queue_rows()
    for agent in agents:
        h = agent.handler
        queued, slack, n = rows[h.hid]
        agent.work_fraction = 1.0 if n == 0 else work_fraction(p, queued, case_capacity(h), slack / n / HOURS_PER_DAY)


def log_start(model, task: Task, done: float, needed: float, clock: float) -> None:
    """Add a started step's needed and done work-hours to its case's log (and its start and clock hours)."""
    log = model.case_work.get(task.case)
    if log is None:
        model.case_work[task.case] = [needed, done, model.engine.now, clock]
    else:
        log[0] += needed
        log[1] += done
        log[2] = model.engine.now
        log[3] = clock


def done_hours(model, cid: int) -> float:
    """Work-hours done on the case so far (0 when no step was worked)."""
    log = model.case_work.get(cid)
    return 0.0 if log is None else float(log[1])


def done_share(model, cid: int) -> float:
    """Share of the case's needed work-hours that was done (1 when no step was worked); drops the log."""
    log = model.case_work.pop(cid, None)
    if log is None or log[0] <= 0:
        return 1.0
    return min(log[1] / log[0], 1.0)
