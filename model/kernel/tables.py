"""The compiled engine's tables: the kernel's arrays, their layout for each call, and their growth.

:class:`EngineTables` holds the arrays the kernel works on (handlers, servers, tasks, queue entries, flows,
the event heap, counters, logs, levers) and hands them to the kernel grouped as its functions take them;
:func:`grow` doubles an array until it holds what a call may need.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import callback, gcpolicy
from ..catalogue import DISPUTE_MEDIATION
from . import core as K
from . import release
from .layout import PF_CB_BUDGET, PF_CB_DAY, PF_CB_MISSED  # the call-back desk (callback)


class NotCovered(RuntimeError):
    """The compiled engine was asked for a mechanism it does not cover (``kernel.supports`` said yes)."""


class OpenFlows(Mapping):
    """``model.flows`` on the compiled engine: membership and iteration over the open cases; their flows
    themselves live in the kernel's tables."""

    def __init__(self, engine: EngineTables):
        self.engine = engine

    def __contains__(self, cid) -> bool:
        return self.engine.is_open(int(cid))

    def __getitem__(self, cid):
        raise NotCovered("compiled engine: a case's flow lives in the kernel's tables")

    def __iter__(self):
        return iter(np.flatnonzero(self.engine.fl[4]).tolist())

    def __len__(self) -> int:
        return int(self.engine.ctr[K.CTR_OPEN])


def grow(arr: np.ndarray, need: int, fill=0, factor: int = 2, start: int = 0) -> np.ndarray:
    """``arr`` doubled (multiplied by ``factor``) until it holds ``need`` rows (new rows ``fill``). When grown,
    ``arr`` is no longer used: its pages are freed once copied (``gcpolicy.release``; it reads as zeros). Its
    rows below ``start`` are not copied (released rows no longer read, ``kernel.release``: zero pages stay so)."""
    cap = len(arr)
    if need <= cap:
        return arr
    while cap < need:
        cap = max(factor * cap, 16)
    # zeros: fresh pages from the OS (``gcpolicy.zeros``), written once (by the copy or by the kernel), not filled first
    out = gcpolicy.full((cap, *arr.shape[1:]), fill, arr.dtype)
    out[start : len(arr)] = arr[start:]
    gcpolicy.release(arr)
    return out


def _rows(ids: np.ndarray) -> slice | np.ndarray:
    """Rows ``ids`` of a table as an index: the slice of the same rows when they are consecutive, else ``ids``."""
    if len(ids) and np.array_equal(ids, np.arange(ids[0], ids[0] + len(ids))):
        return slice(int(ids[0]), int(ids[0]) + len(ids))
    return ids


def _fits_int32(need: int) -> None:
    """The task and flow tables hold ids as int32 (``EngineTables._alloc_cases``): refuse a run that would
    need more rows (instead of wrapping the ids)."""
    if need >= 2**31:
        raise NotCovered(f"compiled engine: {need} rows exceed the tables' int32 ids")


COMPACT_AT = 1 << 16
"""Queue-entry rows in use from which the entry table is compacted (``EngineTables._compact_entries``)."""
COMPACT_RATIO = 5
"""... and at least this many times the entries still queued (four in five popped)."""

_NO_BATCH = (np.zeros(0, np.int64), np.zeros(0, np.float64), np.zeros(0, np.int64))
"""An empty batch of new cases (ids, filing times, forwarding handlers), as ``EngineTables._take_batch`` hands it."""

_KINDS = {"department": K.DEPT, "township": K.TOWN, "dispatch": K.DISPATCH, "commissioner": K.COMMISSIONER}
_DISTS = {"exponential": K.DIST_EXPONENTIAL, "lognormal": K.DIST_LOGNORMAL, "deterministic": K.DIST_DETERMINISTIC}


class EngineTables:
    """The kernel's arrays of one model (struct of arrays, grown by doubling) and their grouping per call."""

    model: Any
    handlers: list
    now: float
    _summary_fresh: bool
    # the kernel calls made thousands of times a run (``calls.Direct``, set by the engine)
    k_work_day: Any
    k_submit_batch: Any
    k_decide: Any
    k_queue_summary: Any
    k_judge: Any

    def _alloc_handlers(self, model, handlers: list) -> None:
        """The handler table and the servers' flat arrays."""
        self.now = 0.0
        nh = len(handlers)
        self.hf = np.zeros((nh, K.N_HF))
        self.hi = np.zeros((nh, K.N_HI), dtype=np.int64)
        self.hq = np.zeros((nh, 64), dtype=np.int64)  # each handler's queue, in heapq's list order
        self._summary = np.zeros((nh, 3))
        self._summary_fresh = False
        self._summary_rows: list[list[float]] = []
        self.hf[:, K.HF_FRACTION] = 1.0  # a desk, the dispatchers, the commissioners: full work
        self.hf[:, K.HF_EFFORT] = 1.0
        self._dept_ids = np.array([d.handler.hid for d in model.departments], dtype=np.int64)
        self._town_ids = np.array([t.handler.hid for t in model.townships], dtype=np.int64)
        # the same rows as the tables' index: a slice when consecutive (as built: a slice reads ~1 us faster)
        self._dept_rows, self._town_rows = _rows(self._dept_ids), _rows(self._town_ids)
        s0 = 0
        for i, h in enumerate(handlers):
            self.hi[i, K.HI_N] = h.n_servers
            self.hi[i, K.HI_S0] = s0
            self.hi[i, K.HI_KIND] = _KINDS.get(h.kind, K.OTHER)
            self.hf[i, K.HF_CAP] = h.capacity_hours
            s0 += h.n_servers
        self.srv = (
            np.full(s0, K.ASLEEP, dtype=np.int64),  # status
            np.zeros(s0, dtype=np.int64),  # token
            np.zeros(s0),  # free at
            np.full(s0, -1.0),  # pending wake
            np.concatenate([np.asarray(h.base_offset, float) for h in handlers]) if s0 else np.zeros(0),
            np.zeros(s0, dtype=np.int64),  # idle list
        )

    def _alloc_cases(self, model) -> None:
        """The tables of tasks, queue entries, flows, the event heap, counters, logs and levers (grown later)."""
        # ids and codes as narrow as their values need (ids < 2**31, a step's index or a desk's level < 2**15,
        # states and kinds < 2**7): every value kept, a sixth of the task table's bytes and a third of the flows'
        self.tk: tuple[np.ndarray, ...] = (
            np.zeros(256, dtype=np.int32),  # case
            np.zeros(256, dtype=np.int32),  # handler
            np.zeros(256, dtype=np.int16),  # step
            np.zeros(256, dtype=np.int8),  # state
            np.zeros(256, dtype=np.int32),  # version: its latest queue entry's
            np.zeros(256),  # draw
            np.zeros(256),  # hours
            np.zeros(256),  # arrival
            np.zeros(256, dtype=np.int8),  # kind: a step or a coordination
        )
        self.fl_steps = np.zeros(256, dtype=np.int32)  # handlers
        # queue entries (task, key, key, sequence number, version: ``core.q_push``)
        self.ent: tuple[np.ndarray, ...] = (
            np.zeros(256, dtype=np.int64),
            np.zeros(256),
            np.zeros(256),
            np.zeros(256, dtype=np.int64),
            np.zeros(256, dtype=np.int64),
        )
        self.fl_c = np.full((256, 2), -1, dtype=np.int32)  # per case: its requests (tasks) at the two desks (135 rule)
        self._filled = 256  # the rows of fl_c and fl[10] written -1 so far (``_fill_flows``)
        self.day_esc = np.zeros(4, dtype=np.int64)  # escalations by new level in the call
        # the joint conference's queue: a heap of cases in conf_log[:ctr[CTR_NCONF]] (``ConferenceQueue``)
        self.conf_log = np.zeros(256, dtype=np.int64)
        self.fl_task = np.zeros(256, dtype=np.int32)
        self.fl = self._flow_arrays(256)
        self.evt = np.zeros(256)
        self.evi = np.zeros((256, 5), dtype=np.int64)
        self.ctr = np.zeros(K.N_CTR, dtype=np.int64)
        self.logs = self._log_arrays(256)
        # new cases from intake, handed to the kernel in one call before the next kernel call or Python draw
        # (chunks of case ids, filing times in hours and the handler forwarding its file or -1, in filing order)
        self._batch: list[tuple] = []
        self.cat_deps = model.catalogue.departments
        self.cat_n = model.catalogue.n_departments
        self._max_steps = int(self.cat_n.max()) if len(self.cat_n) else 1
        self._reserved = 0  # draws reserved in the steps' stream buffer by the waiting batch
        self._day = -1  # the day start_day was called for, done at the next kernel call (-1: none)
        self.cat_hours = np.ascontiguousarray(model.catalogue.hours, dtype=np.float64)
        self.travel_hours = np.ascontiguousarray(model.travel_hours, dtype=np.float64)
        self.pf = np.zeros(K.N_PF)
        self.acc = np.zeros(1)  # the coordination attendees' hours (model.attendance_hours)
        self._set_params(model.params)
        # the call-back desk's state: the kernel's closures and Python's count against one budget (callback)
        self.pf[PF_CB_DAY : PF_CB_MISSED + 1] = model.callback_desk
        self.link_views(model)
        self.grid_hours = np.zeros(256)  # per case: a grid worker's mediation hours (model.grid_mediation)
        # each township's delegated cases handled, per matter type (``Township.handled``, the learning curve)
        self.handled = np.zeros((len(model.townships), len(model.catalogue.hours)), dtype=np.int64)
        for i, t in enumerate(model.townships):
            for m, n in t.handled.items():
                self.handled[i, m] = n
        self.cat_owner = np.ascontiguousarray(model.catalogue.owner, dtype=np.int64)
        self._freed, self._closed_below, self._swept_at = [0, 0, 0], 0, -1.0  # rows released below (``release``)

    def link_views(self, model) -> None:
        """The model's views of the kernel's arrays (``model.callback_desk``); again after the model is copied
        (``warmstart``: a copied view is an array of its own)."""
        model.callback_desk = self.pf[PF_CB_DAY : PF_CB_MISSED + 1]

    def _set_params(self, p) -> None:
        """The levers and assumptions the kernel reads (at the start, again at the reform start)."""
        model = self.model
        # the stream buffer the steps' draws come from (None: no draws)
        self._slot = {"exponential": 1, "lognormal": 2}.get(p.service_time_distribution)
        # the most draws a new case takes from that buffer at filing: its first step's, or every step's when
        # handled jointly (``flows.begin``: ``tasks.release_steps``); what it reserves in the waiting batch
        self._filing_draws = self._max_steps if p.joint_handling else 1
        if p.service_time_distribution == "lognormal" and model.lognormal_sigma <= 0:
            self._slot = None
        self.pf[K.PF_DIST] = _DISTS[p.service_time_distribution]
        self.pf[K.PF_SIGMA] = model.lognormal_sigma
        self.pf[K.PF_ONE_STOP] = float(p.one_stop_centre)
        self.pf[K.PF_TRAVEL] = p.travel_hours
        self.pf[K.PF_RES_BASE] = p.resolution_base
        self.pf[K.PF_THETA] = p.resolution_time_elasticity
        self.pf[K.PF_CALLBACK] = p.callback_share
        self.pf[K.PF_REPEAT] = p.repeat_share
        self.pf[K.PF_REPEAT_DAYS] = p.repeat_delay_days
        self.pf[K.PF_ATTEND] = p.attendance_share
        self.pf[K.PF_COORD1] = model.coordination_hours[1]
        self.pf[K.PF_COORD2] = model.coordination_hours[2]
        self.pf[K.PF_FORWARD_H] = p.forward_hours
        self.pf[K.PF_DISPATCH_H] = p.dispatch_hours
        self.pf[K.PF_ERRAND_H] = p.errand_hours
        self.pf[K.PF_MISROUTE] = p.misrouting_rate
        self.pf[K.PF_COURIER_DAYS] = p.courier_interval_days
        self.pf[K.PF_ONLINE_DISPATCH] = float(p.online_dispatch)
        self.pf[K.PF_N_DEPTS] = len(model.departments)
        self.pf[K.PF_MEDIATION_ID] = model.catalogue.dispute_id(DISPUTE_MEDIATION)
        self.pf[K.PF_LOCAL_MEDIATION] = p.local_mediation
        self.pf[K.PF_DISPUTE_HOURS] = p.dispute_difficulty_hours
        self.pf[K.PF_C0] = p.initial_competence
        self.pf[K.PF_LEARNING] = p.learning_cases
        self.pf[K.PF_REWORK] = p.rework_rate
        self.pf[K.PF_OVERSIGHT] = p.oversight_hours
        self.pf[K.PF_135] = float(p.escalation_135)
        self.pf[K.PF_LEVEL_SHARE] = p.level_time_share
        self.pf[K.PF_SITE] = p.whistle_site_hours
        self.pf[K.PF_TOWN_HID0] = model.township_hid0
        self.pf[PF_CB_BUDGET] = callback.daily_budget(p)

    @staticmethod
    def _flow_arrays(cap: int) -> tuple:
        return (
            np.zeros(cap, dtype=np.int32),  # offset of its steps
            np.zeros(cap, dtype=np.int16),  # number of steps
            np.zeros(cap, dtype=np.int16),  # next step to release
            np.zeros(cap, dtype=np.int16),  # live steps
            np.zeros(cap, dtype=np.bool_),  # open
            None,  # the steps (set per call)
            np.zeros(cap),  # needed work-hours
            np.zeros(cap),  # done work-hours
            np.zeros(cap, dtype=np.bool_),  # work logged
            None,  # the task of each released step (parallel to the steps, set per call)
            np.full(cap, -1, dtype=np.int32),  # its latest coordination or forwarding task (-1: none)
            np.zeros(cap),  # start of its latest step (hours)
            np.zeros(cap),  # clock hours of its latest step
        )

    @staticmethod
    def _log_arrays(cap: int) -> tuple:
        return (
            np.zeros(cap, dtype=np.int64),  # closed cases
            np.zeros(cap, dtype=np.int64),  # referral from
            np.zeros(cap, dtype=np.int64),  # referral to
            np.zeros(cap),  # repeat due
            np.zeros(cap, dtype=np.int64),  # repeat case
        )

    def _intake_arrays(self) -> tuple:
        m = self.model
        c = m.cases
        cs = (c.matter, c.township, c.delegated, c.receiver, c.whistle, c.needs_coord, c.joint, c.difficulty, c.tier)
        return m.township_hid0, m.desks[0].hid, m.desks[1].hid, m.dispatchers.hid, self.cat_deps, self.cat_n, cs

    def _esc(self) -> tuple:
        """The 135 rule's arrays (``core.begin``, ``core.boost_case``, the escalation events)."""
        c = self.model.cases
        return (
            c.level,
            c.start_level,
            c.boost,
            c.escalations,
            c.deadline,
            c.created,
            c.tier,
            c.needs_coord,
            self.fl_c,
            self.day_esc,
            self.conf_log,
            c.whistle,
        )

    def _growth(self) -> int:
        """How much the task, queue-entry and flow tables grow at a time: eightfold in the counted days (fewer copies
        of what they hold; the new rows are zero pages the OS gives only when written, ``grow``, so capacity
        left unused costs no memory touched), twofold in the warm-up (a kept warm-up is copied whole,
        capacity included, for each run: ``warmstart``)."""
        return 8 if self.model.day0 > 0 else 2

    def _compact_entries(self) -> None:
        """The queue entries still in a handler's queue list renumbered 0 … L − 1 (L of them), each list keeping
        its order, and the entry table's rows beyond freed (``gcpolicy.release``): a popped entry is referenced
        nowhere, and an entry's place in its queue follows its keys and sequence number, not its row, so the
        queues pop in the same order. Done when at least ``COMPACT_AT`` rows are used, ``COMPACT_RATIO`` times
        the entries still queued (the table otherwise keeps every entry a run pushes)."""
        used = int(self.ctr[K.CTR_NENT])
        if used < COMPACT_AT:
            return
        qlen = self.hi[:, K.HI_QLEN]
        if COMPACT_RATIO * int(qlen.sum()) > used:
            return
        rows = np.flatnonzero(qlen).tolist()
        live = np.concatenate([self.hq[h, : qlen[h]] for h in rows]) if rows else np.zeros(0, np.int64)
        k = len(live)
        for a in self.ent:
            a[:k] = a[live]
            gcpolicy.release(a[k:used])
        at = 0
        for h in rows:
            n = int(qlen[h])
            self.hq[h, :n] = np.arange(at, at + n)
            at += n
        self.ctr[K.CTR_NENT] = k

    def _room_ent(self, need: int) -> None:
        if need > len(self.ent[0]):
            self.ent = tuple(grow(a, need, 0, self._growth()) for a in self.ent)

    def _flows(self) -> tuple:
        return (*self.fl[:5], self.fl_steps, *self.fl[6:9], self.fl_task, *self.fl[10:])

    def _room_tasks(self, need: int) -> None:
        if need > len(self.tk[0]):
            _fits_int32(need)
            self.tk = tuple(grow(a, need, 0, self._growth(), self._freed[1]) for a in self.tk)

    def _take_batch(self, extra: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The waiting batch of new cases (ids, filing times, forwarding handlers), the kernel's arrays
        grown to hold it and ``extra`` tasks more (the queue entries compacted first when mostly popped)."""
        self._compact_entries()
        release.sweep(self)
        batch = self._batch
        if batch:  # (one copy of each column: the chunks' arrays are not handed over themselves)
            ids = np.concatenate([b[0] for b in batch], dtype=np.int64)
            times = np.concatenate([b[1] for b in batch], dtype=np.float64)
            fwd = np.concatenate([b[2] for b in batch], dtype=np.int64)
            self._batch = []
        else:  # no new case: held empty arrays (nothing writes into them)
            ids, times, fwd = _NO_BATCH
        n = len(ids)
        self._reserved = 0
        g = self._growth()
        c0, _, s0 = self._freed
        if n:
            need = int(ids.max()) + 1
            if need > len(self.fl[0]):
                starts = [c0] * len(self.fl)
                starts[4] = 0  # the open flags, kept whole (``release``)
                self.fl = tuple(None if a is None else grow(a, need, 0, g, s) for a, s in zip(self.fl, starts))
            self.fl_c = grow(self.fl_c, len(self.fl[0]), start=c0)
            self._fill_flows(need)
        # grown here, not by the day's call (``_day_args``, to the same size), so that released rows are not copied
        self.grid_hours = grow(self.grid_hours, self.model.cases.n, start=c0)
        ctr = self.ctr.tolist()  # (Python ints: one read of the counters)
        bound = n * self._max_steps
        _fits_int32(ctr[K.CTR_NSTEPS] + bound)  # the steps' offsets (and the case ids, fewer)
        self.fl_steps = grow(self.fl_steps, ctr[K.CTR_NSTEPS] + bound, 0, g, s0)
        self.fl_task = grow(self.fl_task, len(self.fl_steps), start=s0)
        if ctr[K.CTR_NCONF] + n + 1 > len(self.conf_log):
            self.conf_log = grow(self.conf_log, 2 * (ctr[K.CTR_NCONF] + n + 1))
        # a case's steps, plus a coordination and two forwarding passes
        self._room_tasks(ctr[K.CTR_NTASK] + bound + 3 * n + ctr[K.CTR_UNRELEASED] + 1 + extra)
        return ids, times, fwd

    def _fill_flows(self, need: int) -> None:
        """The per-case rows whose free value is -1 (a case's latest coordination or forwarding task, its desk
        requests) written up to case ``need`` − 1, the highest case handed to the kernel so far: the rows
        beyond stay untouched zero pages (``grow``), as the kernel reads no case not yet handed to it."""
        done = self._filled
        if need > done:
            self.fl[10][done:need] = -1
            self.fl_c[done:need] = -1
            self._filled = need

    @property
    def _sub_ids(self) -> list[int]:
        """The waiting batch's case ids, in filing order (for the checks that none waits, and ``release``)."""
        return [int(cid) for b in self._batch for cid in b[0]]

    def is_open(self, cid: int) -> bool:
        """Is the case's flow open (``cid in model.flows`` for the Python engine)?"""
        fl_open = self.fl[4]
        return cid < len(fl_open) and bool(fl_open[cid])

    def _check(self) -> None:
        status = int(self.ctr[K.CTR_STATUS])
        if status != K.OK:
            raise NotCovered(f"compiled engine: {K.STATUS_TEXT.get(status, status)}")
