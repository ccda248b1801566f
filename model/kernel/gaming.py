"""Deadline gaming's projection on the compiled engine's arrays (``townsim.model.gaming``'s, step for step).

The gaming decision stays Python (``gaming.decide``, the agents' ``decide_gaming``); only what it reads
changes: the case's released steps, its coordination, its latest step's start and clock hours and the
handlers' queues come from the kernel's task, flow and queue tables instead of the Python engine's
objects. The projection itself is compiled (``kernel.projection``: every sum taken over the same tasks
in the same order, a queue in (key, sequence number) order as the reference sorts it); each handler's
queue is read the first time the day's decisions need it (so a gamed closure withdraws work from queues
not yet read, as in the reference). Here: what the agents decided that the projection reads (each
handler's work fraction, a department's effort, its hours free for cases), gathered once per day's
decisions. Times in working hours.
"""

from __future__ import annotations

import numpy as np

from ..params import HOURS_PER_DAY
from ..workload import case_capacity


class Queues:
    """``gaming._Queues`` over the kernel's tables, for one day's decisions: per handler whether its queue
    was read, the hours in it and its rate (persons free for cases), per task the hours queued ahead of it
    (where its stamp is today's token: in its handler's queue as read)."""

    def __init__(self, engine):
        self.eng = engine
        m = engine.model
        hs = m.handlers
        n = len(hs)
        self.qs = (np.zeros(n, dtype=np.bool_), np.zeros(n), *_task_rows(engine))
        town, is_dept, self.desk = _kinds(engine)
        hw = np.ones((n, 3))
        hw[:, 2] = is_dept
        d_ids = engine._dept_ids  # ``fraction_of``: a department's or township's work fraction, 1 elsewhere
        hw[d_ids, 0] = [d.work_fraction for d in m.departments]
        hw[engine._town_ids, 0] = [t.work_fraction for t in m.townships]
        hw[d_ids, 1] = [d.effort for d in m.departments]
        self.rate = np.array([rate(h) for h in hs])
        p = m.params
        self.learn = np.array([p.initial_competence, p.learning_cases, p.whistle_site_hours], dtype=float)
        self.hw, self.town = hw, town
        self.coord = np.asarray(m.coordination_hours, dtype=float)

    def projected_finish(self, cid: int, now: float) -> float:
        """``gaming.projected_finish`` of the open case at ``now`` (hours)."""
        eng = self.eng
        m = eng.model
        c = m.cases
        if len(self.qs[2]) < len(eng.tk[0]):  # the task table grew: room for the new rows
            self.qs = (*self.qs[:2], *_task_rows(eng, self.qs[4]))
        nxt = int(eng.fl[2][cid])
        joint = bool(c.joint[cid]) or (bool(c.whistle[cid]) and nxt == 0)
        in_conf = nxt == 0 and any(x == cid for _, x in m.conference_queue)
        conf_wait = 0.0
        if in_conf:
            p = m.params
            day = int(now // HOURS_PER_DAY) + 1
            meet = -(-day // p.joint_conference_interval) * p.joint_conference_interval
            conf_wait = meet * HOURS_PER_DAY - now
        return eng.k_projected(
            int(cid),
            float(now),
            joint,
            in_conf,
            float(conf_wait),
            eng.fl,
            eng.fl_steps,
            eng.fl_task,
            eng.fl_c,
            self.qs,
            self.rate,
            eng.hq,
            eng.hi,
            eng.ent,
            eng.tk,
            (c.matter, c.whistle, c.delegated, eng.cat_hours),
            self.hw,
            eng.handled,
            self.town,
            self.learn,
            self.coord,
            self.desk,
        )


def _task_rows(engine, token: int | None = None) -> tuple:
    """The engine's per-task rows of the day's projections (hours ahead, stamp: kept across days, grown
    with the task table) and this day's token (a new one unless ``token``)."""
    rows = getattr(engine, "_ahead_rows", None)
    size = len(engine.tk[0])
    if rows is None or len(rows[0]) < size:
        ahead, stamp = np.zeros(size), np.zeros(size, dtype=np.int64)
        if rows is not None:
            ahead[: len(rows[0])] = rows[0]
            stamp[: len(rows[1])] = rows[1]
        engine._ahead_rows = rows = (ahead, stamp)
    if token is None:
        engine._ahead_token = token = getattr(engine, "_ahead_token", 0) + 1
    return (*rows, token)


def _kinds(engine) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per handler (fixed for a model's life, read once): its township's index (-1: none), whether it is a
    department, whether it is a desk."""
    kinds = getattr(engine, "_gaming_kinds", None)
    if kinds is None:
        hs = engine.model.handlers
        town = np.array([h.index if h.kind == "township" else -1 for h in hs], dtype=np.int64)
        dept = np.array([h.kind == "department" for h in hs], dtype=float)
        desk = np.array([h.kind == "desk" for h in hs], dtype=np.bool_)
        kinds = engine._gaming_kinds = (town, dept, desk)
    return kinds


def rate(h) -> float:
    """Clock hours of case work the handler does per working hour (``gaming._Queues.rate``)."""
    cap = case_capacity(h) if h.kind != "desk" else h.capacity_hours
    return max(cap / HOURS_PER_DAY, 1e-9)
