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

import importlib

import numpy as np

from ..cases import constant_column
from ..catalogue import ENTERPRISE
from ..gaming import decision_queue
from . import core as K
from . import demand, route
from .calls import Direct
from .control import Control
from .handlers import attach
from .rawrng import addresses
from .routing import Routing
from .stream import KernelStream
from .tables import NotCovered, OpenFlows
from .writeback import ConferenceQueue, HandledCounts, WriteBack

__all__ = ["CompiledEngine", "KernelStream", "NotCovered", "OpenFlows"]

_ENTERPRISE = int(ENTERPRISE)  # a plain int: the kernel's argument keeps its type
# what ``route.route_rows`` is handed in place of sources, chains or enquiries not given (it reads none of them;
# writeable, as the arrays they stand for: the kernel's argument types stay one overload's)
_NO_CODES, _NO_IDS, _NO_FLAGS = np.zeros(0, np.int8), np.zeros(0, np.int64), np.zeros(0, np.bool_)
# ... and in place of the gaming decisions' queue when none is queued (no room: ``route.admit_rows`` queues none)
_NO_QUEUE = (np.zeros(0), _NO_IDS, np.full(1, np.inf), np.zeros(1, np.int64))


def _column(values, n: int, dtype) -> np.ndarray:
    """``values`` (a scalar or an array of ``n``) as a contiguous array of ``dtype`` (an int code, e.g. an
    ``IntEnum`` member, filled as a plain int: numpy fills an enum member several times slower)."""
    if type(values) is np.ndarray:
        return np.ascontiguousarray(values, dtype=dtype)
    if isinstance(values, int):
        return np.full(n, int(values), dtype)
    return np.full(n, values, dtype) if np.ndim(values) == 0 else np.ascontiguousarray(values, dtype=dtype)


def no_huge_pages() -> bool:
    """Stop numpy advising transparent huge pages for its large arrays in this process (True when done).

    The compiled engine allocates and fills arrays of its tables' size; with huge pages advised the kernel
    zeroes a 2 MiB page at each first touch, which cost the compiled engine 1.0 s of system time a
    ``full_reform`` county-year against 0.05 s without (26 k page faults, 30 % of all samples in the
    kernel's page clearing), more than its lower user time saved. Memory advice only: results are
    unchanged (the differential tests). numpy's runtime switch is private, hence the fallbacks."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy ≥ 2, then numpy < 2
        try:
            switch = getattr(importlib.import_module(name), "_set_madvise_hugepage", None)
        except ImportError:  # pragma: no cover - the other numpy
            continue
        if switch is not None:
            switch(False)
            return True
    return False  # pragma: no cover - a numpy without the switch


class CompiledEngine(Routing, WriteBack, Control):
    """The event loop, servers, queues and case flow of one model in the compiled kernel.

    Its tables (:mod:`.tables`), the exchange with the model around a call (:mod:`.writeback`) and its
    answers between calls (:mod:`.control`) are its bases; here: intake's batch and the day's call."""

    def __init__(self, model, handlers: list):
        no_huge_pages()
        self.model = model
        self.handlers = handlers
        self._alloc_handlers(model, handlers)
        attach(handlers, self.hf, self.hi)  # their run totals read from the tables (``handlers``)
        self._alloc_cases(model)
        for i, town in enumerate(model.townships):  # their learning counts read from the kernel's table when asked
            town.handled = HandledCounts(self, i)  # read-only: only the kernel counts here
        # the kernel calls made thousands of times a run, without numba's type dispatch (``calls``)
        self.k_work_day, self.k_submit_batch = Direct(K.work_day), Direct(K.submit_batch_at)
        self.k_quiet = Direct(K.quiet_day)
        self.k_decide = Direct(K.decide_run)
        self.k_queue_summary, self.k_judge = Direct(K.queue_summary), Direct(K.judge_rows)
        self.k_route = Direct(route.refer_and_route)  # :meth:`admit_batch`'s fallback (numpy's logistic)
        self.k_admit, self.k_repeats = Direct(route.admit_rows), Direct(route.repeat_rows)
        cat = model.catalogue  # fixed for the model's life; its derived columns made once
        self._route_cat = tuple(
            np.ascontiguousarray(x) for x in (cat.tier, cat.start_level, cat.n_departments, cat.owner, cat.difficulty)
        )
        self._route_travel = np.ascontiguousarray(model.travel_hours, dtype=np.float64)
        # each township's travel hours beyond the county mean (``channel_draws``)
        self._route_farther = self._route_travel - float(self._route_travel @ model.township_share)
        self._route_memo: dict = {}  # the routing tables and the channel coefficients by the levers they hold
        self._chan: tuple = (None,) * 6  # :meth:`admit_batch`'s parameters, their coefficients and shares
        self._route_fixed: dict = {}  # :meth:`admit_batch`'s arguments kept while the levers stay, by the arrays given
        model.sampler.kernel_tables = demand.tables(model.sampler)  # demand's draws in the kernel (``demand``)
        model.sampler.kernel_draw = demand.draw_whole_day  # handed over here: ``model.demand`` never imports the kernel
        model.stream.before_draw = self._flush
        model.flows = OpenFlows(self)  # ``cid in model.flows``: is the case's flow open (in the kernel)?
        model.conference_queue = ConferenceQueue(self)  # the joint conference's queue, kept by the kernel
        decision_queue(model)  # gaming's decisions in the kernel's queue (``gaming.DecisionQueue``)
        self._meeting: float | None = None  # the joint conference's meeting called for the next day's call (hours)
        self._no_meeting = (np.array([np.nan, 0.0, 0.0, 0.0, 0.0]), self._dept_ids)

    # --- intake: new cases in a batch, their draws at the reference's moments ------------------------
    def submit(self, model, cid: int, t: float) -> None:
        """``handling.submit`` for the covered scenarios: the case joins the batch the kernel opens before
        its next call (:meth:`_flush`). Its steps' draws are taken then, from the same buffer positions:
        the batch is handed over at once when its draws might reach the end of the buffer (so that a
        refill happens at the moment the reference does it) and before an exponential or normal draw from
        Python (a uniform one takes another buffer and so needs no hand-over)."""
        self._batch.append(((cid,), (t,), (-1,)))
        if model.cases.whistle[cid]:  # its township owes on-site hours from filing on: Python may read them
            self._flush()
            return
        if self._slot is not None:
            self._reserved += self._filing_draws
            st = model.stream
            if self._reserved > st.size - int(st.idx[self._slot]):
                self._flush()

    def submit_many(self, cids: np.ndarray, times: np.ndarray, fwd: np.ndarray, draws: np.ndarray) -> None:
        """Intake's new cases in filing order: :meth:`submit` for each with ``fwd`` -1, :meth:`forward` (the
        forwarding of its file by handler ``fwd``) for the others; ``draws``: the draws each one's filing takes
        from the steps' buffer (``route.route_rows``), which it reserves in the batch (at most what
        :meth:`submit` reserves): the batch handed over when they might reach the buffer's end. Arrays: int64,
        float64, int64, int64."""
        m = self.model
        whistle = m.cases.whistle[cids].tolist() if m.params.whistle else None
        slot = self._slot
        st = m.stream
        room = 0 if slot is None else st.size - int(st.idx[slot])
        times = np.array(times, dtype=np.float64)  # (a copy: the batch keeps it till handed over)
        need = sum(draws.tolist())  # the draws the batch's filings take (a list's sum: ndarray.sum costs more)
        if not (whistle and any(whistle)) and (slot is None or self._reserved + need <= room):
            self._batch.append((cids, times, fwd))  # no hand-over falls inside the batch: one chunk
            if slot is not None:
                self._reserved += need
            return
        start = 0  # the first case not yet in a chunk
        for j, (f, most) in enumerate(zip(fwd.tolist(), draws.tolist())):
            if f >= 0:
                continue
            if whistle is not None and whistle[j]:
                flush = True
            elif slot is not None:
                self._reserved += most
                flush = self._reserved > room
            else:
                flush = False
            if flush:  # the cases up to this one handed over now
                self._batch.append((cids[start : j + 1], times[start : j + 1], fwd[start : j + 1]))
                start = j + 1
                self._flush()
                if slot is not None:
                    room = st.size - int(st.idx[slot])
        if start < len(cids):
            self._batch.append((cids[start:], times[start:], fwd[start:]))

    def admit_batch(self, model, cols: tuple, cover: float, enquiry, created, onset, source, repeat_of) -> tuple:
        """Intake's channel draws, refer-up and routing for a batch in one kernel call (``route.admit_rows``: the
        logistic by the kernel's ``exp``, the enquiries' case rows and the gaming decisions' moments; the batch's rows
        reserved, ``CaseTable.reserve``: the kernel writes them whole); when one of its comparisons falls within the
        margin (``MARGIN``), the logistic by numpy's ``exp`` from the same draws and the routing call
        (``route.refer_and_route``, :meth:`_admit_fallback`). ``cols``: kind, requester, township, matter (an
        enquiry's subject); ``enquiry``, ``onset``, ``source``, ``repeat_of`` None when not given, a source or chain
        of one code a kept column of it (``cases.constant_column``). Returns the ids, via, filing times and filing draws
        as :meth:`submit_many` takes them, and whether the batch's gaming decisions were queued (``gaming.schedule``'s,
        done by the call when it routed the batch)."""
        p = model.params
        chan = self._chan
        if chan[0] is not p:  # new parameters (frozen: the same object, the same levers)
            coefs = self._channel_coefs(p)
            chan = self._chan = (p, *coefs, (self._route_farther, coefs[0], coefs[3], coefs[4]))
        asc, f8 = np.ascontiguousarray, np.float64
        subject = asc(cols[3], dtype=np.int32)
        n = len(subject)
        created = asc(created, dtype=f8)
        fixed = self._fixed_args(model, (enquiry is not None, source is not None, repeat_of is not None))
        if source is None:
            source = _NO_CODES
        elif isinstance(source, int):  # a code (an ``IntEnum`` member, e.g. ``cases.HOTLINE``)
            source = constant_column(source, n, np.int8)
        else:
            source = _column(source, n, np.int8)
        arrays = (
            asc(cols[0], dtype=np.int8),
            asc(cols[1], dtype=np.int64),
            asc(cols[2], dtype=np.int32),
            subject,
            subject,
            _NO_FLAGS if enquiry is None else asc(enquiry, dtype=np.bool_),
            created,
            created if onset is None else asc(onset, dtype=f8),
            source,
            _NO_IDS if repeat_of is None else _column(repeat_of, n, np.int64),
        )
        c, s = model.cases, model.stream
        head = (addresses(model.rng), s.ub, s.idx, self.handled, fixed[3], c.reserve(n), arrays)
        tail = (fixed[4], fixed[5], fixed[6], fixed[7], c.blocks, fixed[8])
        es, cs = model.enterprise_state, model.citizen_state
        memories = (es["exp_online"], es["exp_offline"], cs["exp_online"], cs["exp_offline"])
        q = model.gaming_queue  # the gaming decisions queued by the call (only when on-time closures count)
        queue = q.room(n) if p.ontime_weight > 0 else _NO_QUEUE
        u, negz, via, filing, routed, ids = self.k_admit(*head, (memories, *chan[6]), cover, *tail, queue)
        if routed:
            q.first = queue[2].item(0)
            return ids, via, created, filing, True
        via, filing = self._admit_fallback(head, tail, (u, negz), chan, enquiry, cover)
        return ids, via, created, filing, False

    def _admit_fallback(self, head: tuple, tail: tuple, drawn: tuple, chan: tuple, enquiry, cover: float) -> tuple:
        """:meth:`admit_batch`'s routing with numpy's logistic from the draws ``drawn`` (``u``, −z) and the enquiries'
        case rows made as ``admit_rows`` makes them (``head``, ``tail``: its arguments before and after the
        channel's); returns via and the filing draws."""
        if enquiry is not None:
            rows = head[6]
            matter = np.where(enquiry, chan[5], rows[4]).astype(np.int32)
            head = (*head[:6], (*rows[:3], matter, *rows[4:]))
        return self.k_route(*head, (drawn[0], self._probabilities(drawn[1], chan)), cover, *tail)

    def repeat_rows(self, ids: np.ndarray, due: np.ndarray, start: float, codes: tuple) -> tuple:
        """``resolution.return_repeats``' batch from the case table in one kernel call (``route.repeat_rows``)."""
        c = self.model.cases
        cols = (c.requester_kind, c.requester, c.township, c.matter, c.subject, c.enquiry, c.onset, c.repeat_of)
        return self.k_repeats(ids, due, start, (*cols, c.contact), codes)

    def hand_over(self) -> None:
        """Hand the waiting batch of new cases to the kernel now (before Python reads what their filing
        did, e.g. the joint conference's queue)."""
        self._flush()

    def _flush(self) -> None:
        """Hand the batch of new cases to the kernel now: flows opened, first steps released and drawn."""
        if not self._batch:
            return
        ids, times, fwd = self._take_batch()
        m = self.model
        s = m.stream
        hf = self.hf
        duty = m.params.whistle  # a whistled case's township owes on-site hours at filing: read, then written back
        if duty:
            hf[:, K.HF_DUTY_BACKLOG] = [h.duty_backlog for h in self.handlers]
        self.evt, self.evi = self.k_submit_batch(
            ids,
            times,
            fwd,
            self._intake_arrays(),
            self.hi,
            self.tk,
            self._flows(),
            self.pf,
            addresses(m.rng),  # the Generator as its addresses (``rawrng``)
            (s.ub, s.eb, s.zb, s.idx),
            self.evt,
            self.evi,
            self.ctr,
            self._esc(),
            hf,
        )
        self._check()
        self._escalations_back()
        if duty:
            for h, x in zip(self.handlers, hf[:, K.HF_DUTY_BACKLOG].tolist()):
                h.duty_backlog = x

    def start_day(self, day: int, handlers: list) -> None:
        """``Engine.start_day``: done by the kernel at the start of the day's one call (:meth:`run_until`),
        after intake's batch, as the Python engine does it after intake's arrivals."""
        self._day = day

    def _quiet(self, day: int, t_end: float) -> bool:
        """The day's call when intake hands over no case (``servers.quiet_day``: the day's start, then the servers'
        wake-ups at handlers with nothing queued, with eight arrays to hand over); True when it did the whole day
        (a day with no demand), the handlers' accounts then written back as after the full call, which would have
        found nothing else of the day's to write (no closure, referral, repeat contact or attendance)."""
        self._pull()
        self.evt, self.evi, done = self.k_quiet(
            day, float(t_end), self.hf, self.hi, self.srv, self.evt, self.evi, self.ctr
        )
        if not done:
            return False
        self._escalations_back()  # what other calls since the last day's counted (the short call counts nothing)
        self.now = float(t_end)
        self._push()
        return True

    def meet(self, t: float) -> None:
        """``escalation.hold_conference`` on a meeting day: the joint conference meets at ``t`` (hours) in the next
        day's call, after intake's batch and before the day's start, where the reference holds it
        (``coordination.hold_meeting``: the cases settled, the meeting's hours charged)."""
        self._meeting = float(t)

    def _meeting_args(self, t: float | None) -> tuple:
        """``work_day``'s meeting argument (``coordination.hold_meeting``) for a meeting at ``t`` (hours; None or
        NaN in the argument: none)."""
        if t is None:
            return self._no_meeting
        m = self.model
        p = m.params
        d1, d2 = m.desks
        office = d2 if d2.n_servers else d1  # the leading-group office convenes (the level-1 desk without staff)
        most = self._max_steps + 4  # a case's tasks and events (``control.boost``)
        slots = max(int(p.joint_conference_slots), 0)
        self._room_ent(int(self.ctr[K.CTR_NENT]) + most * slots)
        return (np.array([t, p.conference_case_hours, slots, office.hid, most], dtype=np.float64), self._dept_ids)

    def run_until(self, t_end: float) -> None:
        """The day's one kernel call: intake's batch, the joint conference's meeting (when :meth:`meet` was
        called), the day's start (when :meth:`start_day` was called), every event before ``t_end`` (hours); then
        the results go back to Python. With no new case, no meeting and nothing queued, first the short call
        (:meth:`_quiet`)."""
        day, self._day = self._day, -1
        self._summary_fresh = False
        t_meet, self._meeting = self._meeting, None  # (a meeting with nothing queued for it changes nothing)
        if (t_meet is None or not self.ctr[K.CTR_NCONF]) and not self._batch and not self.queued():
            if self._quiet(day, t_end):  # (queued work: the short call stops)
                return
            day = -1  # the day started in the short call: on from the event it stopped at
            ids, times, fwd = self._take_batch()
            meet = self._no_meeting
        else:
            meet = self._meeting_args(t_meet)
            ids, times, fwd = self._take_batch(int(meet[0][2] * meet[0][4]))  # room for the meeting's tasks
            self._pull()
        args = self._day_args(len(ids))
        esc = self._esc()
        self.evt, self.evi, self.hq = self.k_work_day(
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
            meet,
        )
        self._go_on_grown(t_end, ids, times, fwd, args, esc)
        self._check()
        self._escalations_back()
        self.model.attendance_hours = float(self.acc[0])
        self.now = float(t_end)
        self._push()
        self._results_back()

    def _go_on_grown(self, t_end: float, ids, times, fwd, args: tuple, esc: tuple) -> None:
        """While the day's call stopped with the task or entry table nearly full: that one grown, then the call
        again with no batch (``ids``, ``times``, ``fwd``: the day's, handed over) and no day start, on from where
        it stopped."""
        while self.ctr[K.CTR_STATUS] == K.E_ROOM:  # the task or entry table nearly full: that one grown, then on
            self.ctr[K.CTR_STATUS] = K.OK
            room = self._max_steps + 3  # what the kernel asks to have free before an event (``loop``)
            used_tk, used_ent = int(self.ctr[K.CTR_NTASK]), int(self.ctr[K.CTR_NENT])
            if used_tk + room > len(self.tk[0]):  # twice what is used (not twice what is allocated)
                self._room_tasks(2 * used_tk + room)
            if used_ent + room > len(self.ent[0]):
                self._room_ent(2 * used_ent + room)
            args = (*args[:3], self.tk, *args[4:])
            # on through the day's call with no batch and no day start (``work_day``: its ``run_until``), so
            # that the retry needs neither numba's dispatch nor a second compiled entry loaded
            self.evt, self.evi, self.hq = self.k_work_day(
                -1,
                float(t_end),
                self.now,
                ids[:0],
                times[:0],
                fwd[:0],
                self._intake_arrays(),
                *args,
                self.evt,
                self.evi,
                self.ctr,
                self.hq,
                self.ent,
                esc,
                self._no_meeting,
            )
