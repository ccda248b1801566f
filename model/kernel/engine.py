"""The compiled engine's Python side: it owns the kernel's arrays and talks to the model once a day.

:class:`CompiledEngine` stands where :class:`townsim.model.engine.Engine` stands (``model.engine``)
for the scenarios :func:`townsim.model.kernel.supports` accepts. Intake stays Python and hands each
new case to :meth:`CompiledEngine.submit`; the kernel opens the batch's flows and releases their
first steps (all of them, when joint) with the draws the reference takes at filing, from the same
buffer positions (:meth:`CompiledEngine.submit` says when a batch goes early). Between days the handlers' duty hours and
the agents' decisions (today's work fraction, a department's effort) are read from the Python
objects into the kernel's handler table, and the kernel's hours, counters and closed cases are
written back, so that every mechanism that reads ``Handler`` attributes or ``model.closed_today``
sees what the Python engine would have left there.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np

from .. import resolution
from ..catalogue import DISPUTE_MEDIATION
from ..engine import RandomStream
from ..params import HOURS_PER_DAY
from . import core as K


class NotCovered(RuntimeError):
    """The compiled engine was asked for a mechanism it does not cover (``kernel.supports`` said yes)."""


class KernelStream(RandomStream):
    """The model's buffered stream with numpy buffers the kernel can read and refill in place.

    Same generator, same buffer size, same refills at the same moments as ``RandomStream``: the
    Python side and the kernel draw from one sequence."""

    def __init__(self, rng: np.random.Generator, size: int = 8192):
        super().__init__(rng, size)
        self.ub = np.zeros(size)
        self.eb = np.zeros(size)
        self.zb = np.zeros(size)
        self.idx = np.full(3, size, dtype=np.int64)  # positions in the uniform, exponential, normal buffers
        self.before_draw = _nothing  # the compiled engine hands over its batch of new cases first

    def uniform(self) -> float:
        self.before_draw()
        i = self.idx
        if i[0] >= self.size:
            self.ub[:] = self.rng.random(self.size)
            i[0] = 0
        i[0] += 1
        return float(self.ub[i[0] - 1])

    def exponential(self) -> float:
        self.before_draw()
        i = self.idx
        if i[1] >= self.size:
            self.eb[:] = self.rng.standard_exponential(self.size)
            i[1] = 0
        i[1] += 1
        return float(self.eb[i[1] - 1])

    def normal(self) -> float:
        self.before_draw()
        i = self.idx
        if i[2] >= self.size:
            self.zb[:] = self.rng.standard_normal(self.size)
            i[2] = 0
        i[2] += 1
        return float(self.zb[i[2] - 1])


def _nothing() -> None:
    pass


class OpenFlows(Mapping):
    """``model.flows`` on the compiled engine: membership and iteration over the open cases; their flows
    themselves live in the kernel's tables."""

    def __init__(self, engine: CompiledEngine):
        self.engine = engine

    def __contains__(self, cid) -> bool:
        return self.engine.is_open(int(cid))

    def __getitem__(self, cid):
        raise NotCovered("compiled engine: a case's flow lives in the kernel's tables")

    def __iter__(self):
        return iter(np.flatnonzero(self.engine.fl[4]).tolist())

    def __len__(self) -> int:
        return int(self.engine.ctr[K.CTR_OPEN])


def _grow(arr: np.ndarray, need: int, fill=0) -> np.ndarray:
    """``arr`` doubled until it holds ``need`` rows (new rows ``fill``)."""
    cap = len(arr)
    if need <= cap:
        return arr
    while cap < need:
        cap = max(2 * cap, 16)
    out = np.full((cap, *arr.shape[1:]), fill, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


_KINDS = {"department": K.DEPT, "township": K.TOWN, "dispatch": K.DISPATCH, "commissioner": K.COMMISSIONER}
_DISTS = {"exponential": K.DIST_EXPONENTIAL, "lognormal": K.DIST_LOGNORMAL, "deterministic": K.DIST_DETERMINISTIC}


class CompiledEngine:
    """The event loop, servers, queues and case flow of one model in the compiled kernel."""

    def __init__(self, model, handlers: list):
        self.model = model
        self.handlers = handlers
        self.now = 0.0
        nh = len(handlers)
        self.hf = np.zeros((nh, K.N_HF))
        self.hi = np.zeros((nh, K.N_HI), dtype=np.int64)
        self.hq = np.zeros((nh, 64), dtype=np.int64)  # each handler's queue, in heapq's list order
        self._summary = np.zeros((nh, 3))
        self._summary_fresh = False
        self.hf[:, K.HF_FRACTION] = 1.0  # a desk, the dispatchers, the commissioners: full work
        self.hf[:, K.HF_EFFORT] = 1.0
        self._dept_ids = np.array([d.handler.hid for d in model.departments], dtype=np.int64)
        self._town_ids = np.array([t.handler.hid for t in model.townships], dtype=np.int64)
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
        self.tk: tuple[np.ndarray, ...] = (
            np.zeros(256, dtype=np.int64),  # case
            np.zeros(256, dtype=np.int64),  # handler
            np.zeros(256, dtype=np.int64),  # step
            np.zeros(256, dtype=np.int64),  # state
            np.zeros(256, dtype=np.int64),  # version: its latest queue entry's
            np.zeros(256),  # draw
            np.zeros(256),  # hours
            np.zeros(256),  # arrival
            np.zeros(256, dtype=np.int64),  # kind: a step or a coordination
        )
        self.fl_steps = np.zeros(256, dtype=np.int64)
        # queue entries (task, key, key, sequence number, version: ``core.q_push``)
        self.ent: tuple[np.ndarray, ...] = (
            np.zeros(256, dtype=np.int64),
            np.zeros(256),
            np.zeros(256),
            np.zeros(256, dtype=np.int64),
            np.zeros(256, dtype=np.int64),
        )
        self.fl_c = np.full((256, 2), -1, dtype=np.int64)  # per case: its requests at the two desks (135 rule)
        self.day_esc = np.zeros(4, dtype=np.int64)  # escalations by new level in the call
        self.conf_log = np.zeros(256, dtype=np.int64)  # cases sent to the joint conference in the call
        self.fl_task = np.zeros(256, dtype=np.int64)
        self.fl = self._flow_arrays(256)
        self.evt = np.zeros(256)
        self.evi = np.zeros((256, 5), dtype=np.int64)
        self.ctr = np.zeros(K.N_CTR, dtype=np.int64)
        self.logs = self._log_arrays(256)
        p = model.params
        # new cases from intake, handed to the kernel in one call before the next kernel call or Python draw
        self._sub_ids: list[int] = []
        self._sub_t: list[float] = []
        self._sub_fwd: list[int] = []  # the handler forwarding its file (referral), -1: none
        self.cat_deps = model.catalogue.departments
        self.cat_n = model.catalogue.n_departments
        self._max_steps = int(self.cat_n.max()) if len(self.cat_n) else 1
        self._reserved = 0  # draws reserved in the steps' stream buffer by the waiting batch
        self._day = -1  # the day start_day was called for, done at the next kernel call (-1: none)
        model.stream.before_draw = self._flush
        model.flows = OpenFlows(self)  # ``cid in model.flows``: is the case's flow open (in the kernel)?
        self.cat_hours = np.ascontiguousarray(model.catalogue.hours, dtype=np.float64)
        self.travel_hours = np.ascontiguousarray(model.travel_hours, dtype=np.float64)
        self.pf = np.zeros(K.N_PF)
        self.acc = np.zeros(1)  # the coordination attendees' hours (model.attendance_hours)
        self._set_params(p)
        self.grid_hours = np.zeros(256)  # per case: a grid worker's mediation hours (model.grid_mediation)
        # each township's delegated cases handled, per matter type (``Township.handled``, the learning curve)
        self.handled = np.zeros((len(model.townships), len(model.catalogue.hours)), dtype=np.int64)
        for i, t in enumerate(model.townships):
            for m, n in t.handled.items():
                self.handled[i, m] = n
        self.cat_owner = np.ascontiguousarray(model.catalogue.owner, dtype=np.int64)

    def _set_params(self, p) -> None:
        """The levers and assumptions the kernel reads (at the start, again at the reform start)."""
        model = self.model
        # the stream buffer the steps' draws come from (None: no draws)
        self._slot = {"exponential": 1, "lognormal": 2}.get(p.service_time_distribution)
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

    @staticmethod
    def _flow_arrays(cap: int) -> tuple:
        return (
            np.zeros(cap, dtype=np.int64),  # offset of its steps
            np.zeros(cap, dtype=np.int64),  # number of steps
            np.zeros(cap, dtype=np.int64),  # next step to release
            np.zeros(cap, dtype=np.int64),  # live steps
            np.zeros(cap, dtype=np.bool_),  # open
            None,  # the steps (set per call)
            np.zeros(cap),  # needed work-hours
            np.zeros(cap),  # done work-hours
            np.zeros(cap, dtype=np.bool_),  # work logged
            None,  # the task of each released step (parallel to the steps, set per call)
            np.full(cap, -1, dtype=np.int64),  # its latest coordination or forwarding task (-1: none)
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

    # --- intake: new cases in a batch, their draws at the reference's moments ------------------------
    def submit(self, model, cid: int, t: float) -> None:
        """``handling.submit`` for the covered scenarios: the case joins the batch the kernel opens before
        its next call (:meth:`_flush`). Its steps' draws are taken then, from the same buffer positions:
        the batch is handed over at once when its draws might reach the end of the buffer (so that a
        refill happens at the moment the reference does it) and before any draw from Python."""
        self._sub_ids.append(cid)
        self._sub_t.append(t)
        self._sub_fwd.append(-1)
        if model.cases.whistle[cid]:  # its township owes on-site hours from filing on: Python may read them
            self._flush()
            return
        if self._slot is not None:
            self._reserved += self._max_steps
            st = model.stream
            if self._reserved > st.size - int(st.idx[self._slot]):
                self._flush()

    def _take_batch(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The waiting batch of new cases (ids, filing times, forwarding handlers), the kernel's arrays
        grown to hold it."""
        ids = np.array(self._sub_ids, dtype=np.int64)
        times = np.array(self._sub_t, dtype=np.float64)
        fwd = np.array(self._sub_fwd, dtype=np.int64)
        self._sub_ids, self._sub_t, self._sub_fwd = [], [], []
        self._reserved = 0
        if len(ids):
            need = int(ids.max()) + 1
            if need > len(self.fl[0]):
                self.fl = tuple(
                    None if a is None else _grow(a, need, -1 if i == 10 else 0) for i, a in enumerate(self.fl)
                )
        bound = len(ids) * self._max_steps
        self.fl_steps = _grow(self.fl_steps, int(self.ctr[K.CTR_NSTEPS]) + bound)
        self.fl_task = _grow(self.fl_task, len(self.fl_steps))
        self.fl_c = _grow(self.fl_c, len(self.fl[0]), -1)
        if int(self.ctr[K.CTR_NCONF]) + len(ids) + 1 > len(self.conf_log):
            self.conf_log = _grow(self.conf_log, 2 * (int(self.ctr[K.CTR_NCONF]) + len(ids) + 1))
        # a case's steps, plus a coordination and two forwarding passes
        self._room_tasks(int(self.ctr[K.CTR_NTASK]) + bound + 3 * len(ids) + int(self.ctr[K.CTR_UNRELEASED]) + 1)
        return ids, times, fwd

    def _intake_arrays(self) -> tuple:
        m = self.model
        c = m.cases
        cs = (
            c.matter,
            c.township,
            c.delegated,
            c.desk_decided,
            c.whistle,
            c.needs_coord,
            c.joint,
            c.difficulty,
            c.tier,
        )
        return m.township_hid0, m.desks[0].hid, m.desks[1].hid, m.dispatchers.hid, self.cat_deps, self.cat_n, cs

    def hand_over(self) -> None:
        """Hand the waiting batch of new cases to the kernel now (before Python reads what their filing
        did, e.g. the joint conference's queue)."""
        self._flush()

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

    def _room_ent(self, need: int) -> None:
        if need > len(self.ent[0]):
            self.ent = tuple(_grow(a, need) for a in self.ent)

    def _conference_log(self) -> None:
        """The kernel's requests to the joint conference and escalation counts, handed to Python."""
        m = self.model
        n = int(self.ctr[K.CTR_NCONF])
        if n:
            dl = m.cases.deadline
            for cid in self.conf_log[:n].tolist():
                heapq.heappush(m.conference_queue, (float(dl[cid]), cid))
            self.ctr[K.CTR_NCONF] = 0
        if self.day_esc.any():
            for lv in (1, 2, 3):
                m.day_escalations[lv] += int(self.day_esc[lv])
            self.day_esc[:] = 0

    def _flows(self) -> tuple:
        return (*self.fl[:5], self.fl_steps, *self.fl[6:9], self.fl_task, *self.fl[10:])

    def _flush(self) -> None:
        """Hand the batch of new cases to the kernel now: flows opened, first steps released and drawn."""
        if not self._sub_ids:
            return
        ids, times, fwd = self._take_batch()
        m = self.model
        s = m.stream
        hf = self.hf
        duty = m.params.whistle  # a whistled case's township owes on-site hours at filing: read, then written back
        if duty:
            hf[:, K.HF_DUTY_BACKLOG] = [h.duty_backlog for h in self.handlers]
        self.evt, self.evi = K.submit_batch(
            ids,
            times,
            fwd,
            self._intake_arrays(),
            self.hi,
            self.tk,
            self._flows(),
            self.pf,
            m.rng,
            (s.ub, s.eb, s.zb, s.idx),
            self.evt,
            self.evi,
            self.ctr,
            self._esc(),
            hf,
        )
        self._check()
        self._conference_log()
        if duty:
            for h, x in zip(self.handlers, hf[:, K.HF_DUTY_BACKLOG].tolist()):
                h.duty_backlog = x

    def _check(self) -> None:
        status = int(self.ctr[K.CTR_STATUS])
        if status != K.OK:
            raise NotCovered(f"compiled engine: {K.STATUS_TEXT.get(status, status)}")

    def _room_tasks(self, need: int) -> None:
        if need > len(self.tk[0]):
            self.tk = tuple(_grow(a, need) for a in self.tk)

    # --- the day ----------------------------------------------------------------------------------
    def _pull(self) -> None:
        """Read what Python changes between kernel calls: duty owed and its cap (dumping, inspections, the
        township's day split) and the agents' decisions for today (work fraction, a department's effort),
        and a department's overtime account (zeroed when the counted run starts)."""
        m = self.model
        hf = self.hf
        hs = self.handlers
        hf[:, K.HF_DUTY_BACKLOG] = [h.duty_backlog for h in hs]
        hf[:, K.HF_DUTY_CAP] = [h.duty_cap for h in hs]
        d_ids = self._dept_ids
        hf[d_ids, K.HF_FRACTION] = [d.work_fraction for d in m.departments]
        hf[d_ids, K.HF_EFFORT] = [d.effort for d in m.departments]
        hf[d_ids, K.HF_OVERTIME] = [d.overtime_hours for d in m.departments]
        hf[self._town_ids, K.HF_FRACTION] = [t.work_fraction for t in m.townships]

    def _push(self) -> None:
        """Write the kernel's handler accounts back to the Python objects."""
        hf, hi = self.hf, self.hi
        cols = (
            hf[:, K.HF_DUTY_BACKLOG].tolist(),
            hf[:, K.HF_DUTY_TODAY].tolist(),
            hf[:, K.HF_DUTY_TOTAL].tolist(),
            hf[:, K.HF_WORKED_TODAY].tolist(),
            hf[:, K.HF_WORKED_TOTAL].tolist(),
            hi[:, K.HI_OPEN].tolist(),
            hi[:, K.HI_SERVED].tolist(),
        )
        for h, backlog, duty_today, duty_total, worked_today, worked_total, open_tasks, served in zip(
            self.handlers, *cols
        ):
            h.duty_backlog = backlog
            h.duty_today = duty_today
            h.duty_total = duty_total
            h.worked_today = worked_today
            h.worked_total = worked_total
            h.open_tasks = open_tasks
            h.served_total = served
        for d, x in zip(self.model.departments, hf[self._dept_ids, K.HF_OVERTIME].tolist()):
            d.overtime_hours = x

    def start_day(self, day: int, handlers: list) -> None:
        """``Engine.start_day``: done by the kernel at the start of the day's one call (:meth:`run_until`),
        after intake's batch, as the Python engine does it after intake's arrivals."""
        self._day = day

    def run_until(self, t_end: float) -> None:
        """The day's one kernel call: intake's batch, the day's start (when :meth:`start_day` was called),
        every event before ``t_end`` (hours); then the results go back to Python."""
        ids, times, fwd = self._take_batch()
        self._pull()
        m = self.model
        c = m.cases
        need = max(int(self.ctr[K.CTR_OPEN]) + len(ids), int(self.ctr[K.CTR_UNRELEASED]) + len(ids) * self._max_steps)
        if need + 1 > len(self.logs[0]):  # the most closures, referrals and repeat contacts of the call
            self.logs = self._log_arrays(2 * (need + 1))
        self.ctr[K.CTR_NCLOSED] = self.ctr[K.CTR_NREF] = self.ctr[K.CTR_NREP] = 0
        if need + 1 > len(self.conf_log):  # at most one request to the conference per open case
            self.conf_log = np.zeros(2 * (need + 1), dtype=np.int64)
        flow_cols = (c.matter, c.township, c.at_seat, c.delegated, c.outstanding, c.started, c.closed)
        gm = m.grid_mediation
        self.grid_hours = _grow(self.grid_hours, c.n)
        if gm:
            self.grid_hours[np.fromiter(gm.keys(), np.int64, len(gm))] = np.fromiter(gm.values(), float, len(gm))
        hops = (c.created, c.referred, c.hop_clerk, c.hop_courier, c.misrouted, c.hop_misrouted, self.grid_hours)
        cs = (
            (*flow_cols, c.trips, c.seat_trips, c.travel),
            (c.resolved, c.called_back, c.work_share, c.joint),
            hops,
            (c.reworks, c.online, self.handled, self.cat_owner),
        )
        self.acc[0] = m.attendance_hours
        s = m.stream
        day, self._day = self._day, -1
        self._summary_fresh = False
        esc = self._esc()
        args = (
            self.hf,
            self.hi,
            self.srv,
            self.tk,
            self._flows(),
            cs,
            (self.cat_hours, self.cat_deps, self.cat_n),
            self.travel_hours,
            self.pf,
            m.rng,
            (s.ub, s.eb, s.zb, s.idx),
            (*self.logs, self.acc),
        )
        self.evt, self.evi, self.hq = K.work_day(
            day,
            float(t_end),
            self.now,
            ids,
            times,
            fwd,
            self._intake_arrays(),
            *args,
            self.evt,
            self.evi,
            self.ctr,
            self.hq,
            self.ent,
            esc,
        )
        while self.ctr[K.CTR_STATUS] == K.E_ROOM:  # the task or entry table nearly full: grown, then on
            self.ctr[K.CTR_STATUS] = K.OK
            self._room_tasks(2 * len(self.tk[0]))
            self._room_ent(2 * len(self.ent[0]))
            args = (*args[:3], self.tk, *args[4:])
            self.evt, self.evi, self.hq = K.run_until(
                float(t_end),
                self.now,
                *args,
                self.evt,
                self.evi,
                self.ctr,
                self._intake_arrays(),
                self.hq,
                self.ent,
                esc,
            )
        self._check()
        self._conference_log()
        m.attendance_hours = float(self.acc[0])
        self.now = float(t_end)
        self._push()
        towns, matters = np.nonzero(self.handled)
        if len(towns):
            counts = self.handled[towns, matters].tolist()
            got: list[dict] = [{} for _ in m.townships]
            for i, j, n in zip(towns.tolist(), matters.tolist(), counts):
                got[i][j] = n
            for t, d in zip(m.townships, got):
                t.handled = d
        closed_log, ref_from, ref_to, rep_due, rep_cid = self.logs
        closed_now = closed_log[: self.ctr[K.CTR_NCLOSED]].tolist()
        m.closed_today.extend(closed_now)
        if gm:
            for cid in closed_now:
                gm.pop(cid, None)
        refs = m.day_referrals
        for key in zip(ref_from[: self.ctr[K.CTR_NREF]].tolist(), ref_to[: self.ctr[K.CTR_NREF]].tolist()):
            refs[key] = refs.get(key, 0) + 1
        for due, cid in zip(rep_due[: self.ctr[K.CTR_NREP]].tolist(), rep_cid[: self.ctr[K.CTR_NREP]].tolist()):
            heapq.heappush(m.repeat_queue, (due, next(resolution._seq), cid))

    def queue_summary(self, handler) -> tuple[float, float, int]:
        """For ``workload.decide``: the clock hours ``handler``'s waiting case steps need (at its
        department's effort now), the summed hours left before their deadlines, and their count, added
        up in the order the Python engine's queue holds them (computed for every handler at once,
        again after each kernel call)."""
        m = self.model
        if not self._summary_fresh:
            effort = np.ones(len(self.handlers))
            effort[self._dept_ids] = [d.effort for d in m.departments]
            c = m.cases
            now = m.clock_day * HOURS_PER_DAY
            K.queue_summary(
                now,
                self.hq,
                self.hi,
                effort,
                self.tk,
                c.matter,
                c.deadline,
                self.cat_hours,
                self._summary,
                m.township_hid0,
                c.delegated,
                self.handled,
                self.pf,
                self.ent,
                self._esc(),
            )
            self._summary_fresh = True
        row = self._summary[handler.hid]
        return float(row[0]), float(row[1]), int(row[2])

    # --- deadline gaming: the projection read from the kernel's tables, a gamed case withdrawn ------
    def is_open(self, cid: int) -> bool:
        """Is the case's flow open (``cid in model.flows`` for the Python engine)?"""
        fl_open = self.fl[4]
        return cid < len(fl_open) and bool(fl_open[cid])

    def gaming_queues(self):
        """The queues as the day's gaming decisions read them (``gaming._Queues``)."""
        from .gaming import Queues

        return Queues(self)

    def projected_finish(self, cid: int, now: float, queues) -> float:
        """``gaming.projected_finish`` of an open case, from the kernel's tables (hours)."""
        from .gaming import projected_finish

        return projected_finish(self, cid, now, queues)

    def withdraw(self, cid: int) -> None:
        """``handling.close``'s withdrawal of a case closed from Python (a gamed closure): its released
        steps, then its coordination or forwarding, cancelled in the reference's order; its flow closed."""
        fl_off, fl_n, fl_next, _live, fl_open, _s, _n, _d, cw_has, _t, fl_aux, _cs, _cc = self.fl
        if not self.is_open(cid):
            return
        tk_h, tk_state = self.tk[1], self.tk[3]
        off, nxt = int(fl_off[cid]), int(fl_next[cid])
        tasks = self.fl_task[off : off + nxt].tolist()
        for task in (int(fl_aux[cid]), *self.fl_c[cid].tolist()):  # its forwarding or coordination requests
            if task >= 0 and self.tk[0][task] == cid and task not in tasks:
                tasks.append(task)
        for task in tasks:
            state = tk_state[task]
            if state == K.WAITING:
                tk_state[task] = K.CANCELLED
                h = int(tk_h[task])
                self.hi[h, K.HI_OPEN] -= 1
                self.handlers[h].open_tasks -= 1
            elif state == K.PENDING:
                tk_state[task] = K.CANCELLED
        fl_open[cid] = False
        cw_has[cid] = False
        self.fl_c[cid] = -1
        self.ctr[K.CTR_OPEN] -= 1
        self.ctr[K.CTR_UNRELEASED] -= int(fl_n[cid]) - nxt
        self._summary_fresh = False

    def forward(self, cid: int, t: float, handler) -> None:
        """``referral.start``: the case joins the batch with the forwarding of its file by ``handler``
        arriving at ``t`` (hours); the kernel opens its flow (no draw at filing)."""
        self._sub_ids.append(cid)
        self._sub_t.append(t)
        self._sub_fwd.append(handler.hid)

    # --- what the Python engine offers and the covered scenarios never ask for --------------------
    def arrive(self, task, t: float) -> None:
        """Python hands the kernel no task: intake's forwarding comes through :meth:`forward`, every other
        task is the kernel's own."""
        raise NotCovered(
            f"compiled engine: a {task.kind!r} task from Python (only intake's forwarding is compiled, by forward)"
        )

    def schedule(self, t: float, fn, arg) -> None:
        raise NotCovered("compiled engine: timed Python calls (escalation, courier runs) are not compiled")

    def cancel(self, task) -> None:
        raise NotCovered("compiled engine: withdrawing Python tasks is not compiled")

    def rekey(self, task) -> None:
        raise NotCovered("compiled engine: priority changes are not compiled (FIFO queues only)")

    def rekey_all(self, handlers: list) -> None:
        """``Engine.rekey_all`` at the reform start: every queue rebuilt with the key now in force (first come
        first served, or the 135 rule's)."""
        self._flush()
        self._room_ent(int(self.ctr[K.CTR_NENT]) + int(self.hi[:, K.HI_QLEN].sum()) + 1)
        self.hq = K.rekey_all(self.hq, self.hi, self.ent, self.tk, self.ctr, self.pf, self._esc())
        self._summary_fresh = False

    # --- the 135 rule's joint conference (Python, at the start of a meeting day) ------------------------
    def withdraw_coordination(self, cid: int) -> None:
        """``escalation.withdraw``: the case's coordination requests not yet started, cancelled."""
        K.withdraw_coord(int(cid), self.hi, self.tk, self._flows(), self._esc())
        self._summary_fresh = False

    def boost(self, cid: int, level: int, t: float) -> None:
        """``escalation.boost``: the case first in every queue it needs and its steps released (at ``t``)."""
        self._flush()
        most = self._max_steps + 4
        self._room_tasks(int(self.ctr[K.CTR_NTASK]) + most)
        self._room_ent(int(self.ctr[K.CTR_NENT]) + most)
        self.evt, self.evi = K.ev_room(self.evt, self.evi, self.ctr, most)
        m = self.model
        s = m.stream
        self.hq = K.boost_case(
            int(cid),
            int(level),
            float(t),
            self.hq,
            self.hi,
            self.ent,
            self.tk,
            self._flows(),
            self.pf,
            m.rng,
            s.eb,
            s.zb,
            s.idx,
            self.evt,
            self.evi,
            self.ctr,
            self._esc(),
            m.cases.joint,
        )
        self._check()
        self._summary_fresh = False

    # --- the reform start ------------------------------------------------------------------------
    def restart(self, params) -> None:
        """The reform start (``model._start_reform``), after the handlers were re-sized
        (``Handler.resize``) and before the queues are rebuilt: the kernel's levers re-read and its
        servers re-laid out as ``Handler.resize`` does it: a kept server keeps its state (busy stays busy,
        else asleep till the next day's start) with a new token, a new one starts asleep, a removed one
        finishes its task and leaves; no server idle."""
        self._flush()
        self._set_params(params)
        old_status, old_token, old_free, old_pend, _base, _idle = self.srv
        hi, hf = self.hi, self.hf
        total = sum(h.n_servers for h in self.handlers)
        status = np.full(total, K.ASLEEP, dtype=np.int64)
        token = np.zeros(total, dtype=np.int64)
        free = np.zeros(total)
        pend = np.full(total, -1.0)
        s0 = 0
        for i, h in enumerate(self.handlers):
            o0, old_n, n = int(hi[i, K.HI_S0]), int(hi[i, K.HI_N]), h.n_servers
            keep = min(old_n, n)
            kept = old_status[o0 : o0 + keep]
            status[s0 : s0 + keep] = np.where(kept == K.BUSY, K.BUSY, K.ASLEEP)
            token[s0 : s0 + keep] = old_token[o0 : o0 + keep] + 1
            free[s0 : s0 + keep] = old_free[o0 : o0 + keep]
            pend[s0 : s0 + keep] = old_pend[o0 : o0 + keep]
            hi[i, K.HI_N] = n
            hi[i, K.HI_S0] = s0
            hi[i, K.HI_IDLE_N] = 0
            hf[i, K.HF_CAP] = h.capacity_hours
            s0 += n
        base = np.concatenate([np.asarray(h.base_offset, float) for h in self.handlers]) if total else np.zeros(0)
        self.srv = (status, token, free, pend, base, np.zeros(total, dtype=np.int64))
        self._summary_fresh = False
