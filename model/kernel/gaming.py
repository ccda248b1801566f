"""Deadline gaming's projection on the compiled engine's arrays (``townsim.model.gaming``'s, step for step).

The gaming decision stays Python (``gaming.decide``, the agents' ``decide_gaming``); only what it reads
changes: the case's released steps, its coordination, its latest step's start and clock hours and the
handlers' queues come from the kernel's task, flow and queue tables instead of the Python engine's
objects. Every sum is taken over the same tasks in the same order (a queue in (arrival, sequence
number) order, as the reference sorts its FIFO queues), and each handler's queue is read the first
time the day's decisions need it (so a gamed closure withdraws work from queues not yet read, as in
the reference). Reading a queue (its valid entries sorted, the hours ahead of each) is compiled
(``core.queue_ahead``); the rest of the projection reads the same tables from Python. Times in working
hours.
"""

from __future__ import annotations

import numpy as np

from ..params import HOURS_PER_DAY
from ..workload import case_capacity, fraction_of
from . import core as K


class Queues:
    """``gaming._Queues`` over the kernel's tables: for each handler, the clock hours queued ahead of each
    waiting task and in all (read once per handler and day), and its persons free for cases."""

    def __init__(self, engine):
        self.eng = engine
        self.model = engine.model
        self.ahead: dict[int, dict[int, float]] = {}
        self.total: dict[int, float] = {}
        self._hw: tuple | None = None  # per handler: work fraction, speed, is a department (read at the first load)

    def rate(self, hid: int) -> float:
        """Clock hours of case work the handler does per working hour (``gaming._Queues.rate``)."""
        h = self.model.handlers[hid]
        cap = case_capacity(h) if h.kind != "desk" else h.capacity_hours
        return max(cap / HOURS_PER_DAY, 1e-9)

    def hours(self, task: int) -> float:
        """``gaming._hours``: expected clock hours of a task not yet started."""
        tk = self.eng.tk
        if tk[8][task] != K.STEP:
            return float(self.model.coordination_hours[int(tk[2][task])])
        return step_hours(
            self.model, int(tk[0][task]), int(tk[1][task]), int(tk[2][task]), float(tk[5][task]), waiting=True
        )

    def _handler_table(self) -> tuple:
        """The agents' decisions the projection reads, per handler: today's work fraction (``fraction_of``),
        its speed (a department's effort, else 1) and whether it is a department; a township's row."""
        m = self.model
        hs = m.handlers
        hw = np.ones((len(hs), 3))
        hw[:, 0] = [fraction_of(m, h) for h in hs]
        hw[:, 2] = 0.0
        town = np.full(len(hs), -1, dtype=np.int64)
        for i, h in enumerate(hs):
            if h.kind == "department":
                hw[i, 1] = m.departments[h.index].effort
                hw[i, 2] = 1.0
            elif h.kind == "township":
                town[i] = h.index
        p = m.params
        learn = np.array([p.initial_competence, p.learning_cases, p.whistle_site_hours], dtype=float)
        return hw, town, learn, np.asarray(m.coordination_hours, dtype=float)

    def _load(self, hid: int) -> None:
        """Read the handler's queue once (compiled, ``core.queue_ahead``): the hours ahead of each waiting
        task, summed in (key, sequence number) order, and in all."""
        if hid in self.total:
            return
        if self._hw is None:
            self._hw = self._handler_table()
        hw, town, learn, coord = self._hw
        eng = self.eng
        m = self.model
        c = m.cases
        tasks, ahead, total = K.queue_ahead(
            hid,
            eng.hq,
            eng.hi,
            eng.ent,
            eng.tk,
            m.handlers[hid].kind == "desk",
            c.matter,
            c.whistle,
            c.delegated,
            eng.cat_hours,
            coord,
            hw,
            eng.handled,
            town,
            learn,
        )
        self.ahead[hid] = dict(zip(tasks.tolist(), ahead.tolist()))
        self.total[hid] = total

    def wait_before(self, task: int) -> float:
        """Working hours before a waiting task starts."""
        hid = int(self.eng.tk[1][task])
        self._load(hid)
        return self.ahead[hid].get(task, self.total[hid]) / self.rate(hid)

    def wait_all(self, hid: int) -> float:
        """Working hours before a task joining the end of the handler's queue starts."""
        self._load(hid)
        return self.total[hid] / self.rate(hid)


def step_hours(model, cid: int, hid: int, stage: int, noise: float, waiting: bool = False) -> float:
    """Expected clock hours of a case's step at handler ``hid`` (``noise``: its work-hours draw, 1 for a step
    not yet released): the work fraction × needed hours ÷ speed (``gaming._hours``, ``gaming._step_hours``);
    a released (``waiting``) department step of a whistled case needs the on-site hours too."""
    h = model.handlers[hid]
    m = int(model.cases.matter[cid])
    need = float(model.catalogue.hours[m]) * noise
    if waiting and h.kind == "department" and model.cases.whistle[cid]:
        need += model.params.whistle_site_hours
    sp = 1.0
    if h.kind == "department":
        sp = model.departments[h.index].effort
    elif h.kind == "township" and stage == 0 and model.cases.delegated[cid]:
        sp = model.townships[h.index].competence(m)
    return fraction_of(model, h) * need / sp


def projected_finish(engine, cid: int, now: float, q: Queues) -> float:
    """``gaming.projected_finish`` of an open case on the compiled engine (hours)."""
    model = engine.model
    fl_off, fl_n, fl_next, _live, _open, _steps, _need, _done, cw_has, _task, fl_aux, cw_start, cw_clock = engine.fl
    tk_case, tk_h, tk_stage, tk_state, tk_ver, tk_noise, tk_hours, tk_arrival, tk_kind = engine.tk
    off, n, nxt = int(fl_off[cid]), int(fl_n[cid]), int(fl_next[cid])
    steps = engine.fl_steps[off : off + n].tolist()
    ends = []
    for task in engine.fl_task[off : off + nxt].tolist():
        state = tk_state[task]
        if state == K.RUNNING:
            ends.append(max(now, float(cw_start[cid]) + float(cw_clock[cid])) if cw_has[cid] else now + tk_hours[task])
        elif state == K.PENDING or state == K.WAITING:
            ends.append(
                now
                + q.wait_before(task)
                + step_hours(model, cid, steps[tk_stage[task]], tk_stage[task], tk_noise[task], waiting=True)
            )
    t = max(ends) if ends else now
    if not ends and nxt == 0:  # held for coordination (or its file still on its way: no wait counted)
        t = now + _coordination_wait(engine, cid, q, now)
    c = model.cases
    joint = bool(c.joint[cid]) or (bool(c.whistle[cid]) and nxt == 0)
    rest = range(nxt, n)
    if joint and nxt == 0:
        t += max((q.wait_all(steps[i]) + step_hours(model, cid, steps[i], i, 1.0) for i in rest), default=0)
    else:
        for i in rest:
            t += q.wait_all(steps[i]) + step_hours(model, cid, steps[i], i, 1.0)
    return t


def _coordination_wait(engine, cid: int, q: Queues, now: float) -> float:
    """``gaming._coordination_wait``: working hours until the case's coordination is done (the soonest of its
    requests at the desks; a case waiting for the joint conference: its next meeting day)."""
    tk_case, tk_h, tk_stage, tk_state, tk_ver, tk_noise, tk_hours, tk_arrival, tk_kind = engine.tk
    best = float("inf")
    seen = []
    for task in (int(engine.fl[10][cid]), *engine.fl_c[cid].tolist()):
        if task < 0 or task in seen or tk_kind[task] != K.COORD or tk_case[task] != cid:
            continue
        seen.append(task)
        hours = float(engine.model.coordination_hours[int(tk_stage[task])])
        if tk_state[task] == K.PENDING or tk_state[task] == K.WAITING:
            best = min(best, q.wait_before(task) + hours)
        elif tk_state[task] == K.RUNNING:
            best = min(best, hours)
    model = engine.model
    if best == float("inf") and any(c == cid for _, c in model.conference_queue):
        p = model.params
        day = int(now // HOURS_PER_DAY) + 1
        nxt = -(-day // p.joint_conference_interval) * p.joint_conference_interval
        best = nxt * HOURS_PER_DAY - now
    return 0.0 if best == float("inf") else best
