"""Deadline gaming's projection on the compiled engine's arrays (``townsim.model.gaming``'s, step for step).

The gaming decision is the agents' (``gaming.decide``, their ``decide_gaming``); on this engine its
comparison and its draw are taken in one kernel call over the day's decisions (``projection.decide_run``,
``gaming.games``' arithmetic from the owners' counts, ``gamed.owner_net``), which closes each gamed case on
the way (``gamed.close_gamed``), and what the projection reads changes: the case's released steps, its
coordination, its latest step's start and clock hours and the handlers' queues come from the kernel's task,
flow and queue tables instead of the Python engine's objects. The projection itself is compiled
(``kernel.projection``: every sum taken over the same tasks in the same order, a queue in (key, sequence
number) order as the reference sorts it); each handler's queue is read the first time the day's decisions
need it (so a gamed closure withdraws work from queues not yet read, as in the reference). Here: what the
agents decided that the projection reads (each handler's work fraction, a department's effort, its hours
free for cases) and the owners' ranks and counts, gathered once per day's decisions. Times in working hours.
"""

from __future__ import annotations

import numpy as np

from .. import gcpolicy
from ..params import HOURS_PER_DAY
from .rawrng import addresses
from .tables import NotCovered, grow


class Queues:
    """``gaming._Queues`` over the kernel's tables, for one day's decisions: per handler whether its queue
    was read, the hours in it and its rate (persons free for cases), per task the hours queued ahead of it
    (where its stamp is today's token: in its handler's queue as read). The per-handler arrays are the
    engine's, kept across days (filled in the day's call)."""

    def __init__(self, engine):
        self.eng = engine
        town, is_dept, self.desk = _kinds(engine)
        loaded, total, self.hw, self.rate = _scratch(engine)
        self.qs = (loaded, total, *_task_rows(engine))
        self.town, self.is_dept = town, is_dept
        self.learn, self.coord, self.weights = _bound(engine)

    def decide_day(self, queue, owners: list, now: float) -> tuple:
        """``kernel.projection.decide_run`` at ``now`` (hours), in one call: the decisions due taken from ``queue``
        (``gaming.DecisionQueue``: its arrays, its log rows filled); ``owners`` the departments, then the
        townships (``resolution.owner_agent``'s rows). The handlers' ``open_tasks`` the gamed closures withdrew
        are written back here. Returns (the number of open cases decided, logged in ``queue``'s log arrays; the
        number gamed; the owners whose gamed or caught counts changed, by row, and those counts after the day, as
        [gamed, caught] doubles; the repeat contacts' due hours and cases, in close order)."""
        eng = self.eng
        m = eng.model
        c = m.cases
        s = m.stream
        key, own = _owner_rows(eng, owners)
        cnt = np.zeros(4, dtype=np.int64)
        opened = np.zeros(len(m.handlers), dtype=np.int64)
        q = m.conference_queue
        conf = np.array([x for _, x in q], dtype=np.int64) if q else _NONE
        cols = (c.closed, c.work_share, c.resolved, c.gamed, c.called_back, c.outstanding, c.matter, eng.cat_n)
        n_gamed = eng.k_decide(
            queue.arrays,
            conf,
            queue.log,
            *self._gather(now, len(m.departments)),
            (eng.hf, self.is_dept),
            addresses(s.rng),  # the Generator as its addresses (``rawrng``)
            s.ub,
            s.eb,
            s.idx,
            eng.pf,
            own,
            self.weights,
            (eng.cat_owner, c.township),
            cols,
            queue.rep,
            cnt,
            eng.ctr,
            opened,
        )
        queue.first = float(queue.arrays[2][0])
        k = int(cnt[1])
        rep = queue.rep
        if not n_gamed:
            return int(cnt[2]), 0, [], [], rep[0][:k].tolist(), rep[1][:k].tolist()
        for h, w in zip(m.handlers, opened.tolist()):
            if w:
                h.open_tasks -= w
        eng._summary_fresh = False
        after = own[:, 1:3].tolist()  # (a Python loop over 30 owners: cheaper than numpy's comparisons of them)
        moved = [i for i, (was, got) in enumerate(zip(key, after)) if was[1] != got[0] or was[2] != got[1]]
        counts = [after[i] for i in moved]
        for i, (g, x) in zip(moved, counts):  # the owners' counts as ``resolution.gamed_closed`` writes them back
            key[i] = (key[i][0], int(g), int(x))
        return int(cnt[2]), n_gamed, moved, counts, rep[0][:k].tolist(), rep[1][:k].tolist()

    def _gather(self, now: float, n_dept: int) -> tuple:
        eng = self.eng
        m = eng.model
        c = m.cases
        if eng._sub_ids:  # the reference hands intake's batch over before its first draw: none is waiting here
            raise NotCovered("compiled engine: new cases waiting at the day's gaming decisions")
        conf_wait = 0.0
        if m.conference_queue:  # the hours till the joint conference's next meeting
            p = m.params
            day = int(now // HOURS_PER_DAY) + 1
            meet = -(-day // p.joint_conference_interval) * p.joint_conference_interval
            conf_wait = meet * HOURS_PER_DAY - now
        return (
            np.array([now, conf_wait, m.params.gaming_aversion, n_dept]),
            (c.joint, c.deadline),
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


_NONE = np.zeros(0, dtype=np.int64)
"""No case in the joint conference's queue."""


def _owner_rows(engine, owners: list) -> tuple[list, np.ndarray]:
    """The day's call's owner rows (rank, gamed and caught counts, and a column for the net gain the call keeps)
    and the (rank, gamed, caught) of each owner they were made from, kept on the engine: made again only when an
    owner's differ (a new rank, ``assessment``), as converting ~120 Python numbers costs ~15 µs a day. The call
    changes the rows' counts and :meth:`Queues.decide_day` notes the owners' after their write-back."""
    key = [(o.rank, o.gamed, o.caught) for o in owners]
    got = getattr(engine, "_gaming_owners", None)
    if got is None or got[0] != key:
        own = np.zeros((len(owners), 4))
        own[:, :3] = key
        got = engine._gaming_owners = (key, own)
    return got


def _bound(engine) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The day's call's arguments that change only with the parameters (bound once per parameter set): the
    learning parameters (initial competence, learning cases, whistle site hours), the coordination hours per
    level and :func:`_weights`."""
    m = engine.model
    key = (m.params, m.coordination_hours)
    got = getattr(engine, "_gaming_bound", None)
    if got is None or got[0][0] is not key[0] or got[0][1] is not key[1]:
        p = m.params
        learn = np.array([p.initial_competence, p.learning_cases, p.whistle_site_hours], dtype=float)
        got = engine._gaming_bound = (key, (learn, np.asarray(m.coordination_hours, dtype=float), _weights(p)))
    return got[1]


def _weights(p) -> np.ndarray:
    """``gaming.net_of``'s parameters: ontime_weight, ranking_pressure, detection_prior_strength, detection_prior,
    callback_penalty."""
    return np.array(
        [p.ontime_weight, p.ranking_pressure, p.detection_prior_strength, p.detection_prior, p.callback_penalty],
        dtype=float,
    )


def _scratch(engine) -> tuple:
    """Per handler (allocated once per engine, filled in each day's call): whether its queue was read, the
    hours in it, its work fraction, effort and kind (``projection.handler_rates``' ``hw``) and its rate."""
    got = getattr(engine, "_gaming_scratch", None)
    if got is None:
        n = len(engine.handlers)
        got = engine._gaming_scratch = (np.zeros(n, dtype=np.bool_), np.zeros(n), np.empty((n, 3)), np.empty(n))
    return got


def _task_rows(engine, token: int | None = None) -> tuple:
    """The engine's per-task rows of the day's projections (hours ahead, stamp: kept across days, grown
    with the task table, in pages of their own: the old copy's freed, and the released tasks' rows neither
    copied nor read, ``kernel.release``) and this day's token (a new one unless ``token``)."""
    rows = getattr(engine, "_ahead_rows", None)
    size = len(engine.tk[0])
    if rows is None:
        engine._ahead_rows = rows = (gcpolicy.zeros(size), gcpolicy.zeros(size, np.int64))
    elif len(rows[0]) < size:  # grown as the task table grows (its released rows not copied)
        engine._ahead_rows = rows = tuple(grow(a, size, 0, engine._growth(), engine._freed[1]) for a in rows)
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
