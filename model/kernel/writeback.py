"""The compiled engine's exchange with the model around a kernel call: what the agents decided, read in;
the kernel's hour accounts, counters, closed cases, referrals and repeat contacts, written back; and the
model's read-only views of the kernel's tables (the townships' handled counts, the joint conference's queue)."""

from __future__ import annotations

import heapq
import operator
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import resolution
from ..params import HOURS_PER_DAY
from . import core as K
from .rawrng import addresses
from .tables import EngineTables, grow

# the kernel's arrays for ``core.run_until``, from the handler tables to the logs (twelve groups)
DayArgs = tuple[Any, Any, Any, Any, Any, Any, Any, Any, Any, Any, Any, Any]


class WriteBack(EngineTables):
    """Reading the agents' decisions into the kernel's tables and writing the kernel's results back."""

    def _pull(self) -> None:
        """Read what Python changes between kernel calls: duty owed and its cap (dumping, inspections, the
        township's day split) and the agents' decisions for today (work fraction, a department's effort),
        and a department's overtime account (zeroed when the counted run starts)."""
        m = self.model
        hf = self.hf
        hs = self.handlers
        hf[:, K.HF_DUTY_BACKLOG] = [h.duty_backlog for h in hs]
        hf[:, K.HF_DUTY_CAP] = [h.duty_cap for h in hs]
        d_rows, deps, towns = self._dept_rows, m.departments, m.townships
        # a column whose values are the very objects last written to this table holds them already (the kernel
        # does not write these columns; a department's overtime it writes, and ``_push`` hands those back)
        last = self.__dict__.get("_pulled")
        if last is None or last[0] is not hf:
            none: list[list | None] = [None] * 4
            last = self._pulled = (hf, none)
        cols = last[1]
        for i, (rows, col, values) in enumerate(
            (
                (d_rows, K.HF_FRACTION, [d.work_fraction for d in deps]),
                (d_rows, K.HF_EFFORT, [d.effort for d in deps]),
                (d_rows, K.HF_OVERTIME, [d.overtime_hours for d in deps]),
                (self._town_rows, K.HF_FRACTION, [t.work_fraction for t in towns]),
            )
        ):
            if not _same_objects(values, cols[i]):
                hf[rows, col] = values
                cols[i] = values

    def _push(self) -> None:
        """Write the kernel's handler accounts of the day back to the Python objects (their run totals they read
        from the tables when asked: ``handlers.KernelHandler``)."""
        hf, hi = self.hf, self.hi
        cols = (
            hf[:, K.HF_DUTY_BACKLOG].tolist(),
            hf[:, K.HF_DUTY_TODAY].tolist(),
            hf[:, K.HF_WORKED_TODAY].tolist(),
            hi[:, K.HI_OPEN].tolist(),
        )
        for h, backlog, duty_today, worked_today, open_tasks in zip(self.handlers, *cols):
            h.duty_backlog = backlog
            h.duty_today = duty_today
            h.worked_today = worked_today
            h.open_tasks = open_tasks
        overtime = hf[self._dept_rows, K.HF_OVERTIME].tolist()
        for d, x in zip(self.model.departments, overtime):
            d.overtime_hours = x
        last = self.__dict__.get("_pulled")
        if last is not None and last[0] is hf:  # the column holds these objects' values (``_pull``)
            last[1][2] = overtime

    def _day_args(self, n_new: int) -> DayArgs:
        """Before the day's call (``n_new`` new cases in intake's batch): the logs sized for the call's most
        closures, referrals and repeat contacts, the conference's queue for its most requests, the grid workers'
        mediation hours read, and the kernel's arrays grouped as ``day.work_day`` takes them (from the handlers to
        the logs; the case columns as the case table's blocks)."""
        m = self.model
        c = m.cases
        ctr = self.ctr
        counts = ctr.tolist()
        need = max(counts[K.CTR_OPEN] + n_new, counts[K.CTR_UNRELEASED] + n_new * self._max_steps)
        if need + 1 > len(self.logs[0]):  # the most closures, referrals and repeat contacts of the call
            self.logs = self._log_arrays(2 * (need + 1))
        if counts[K.CTR_NCLOSED] or counts[K.CTR_NREF] or counts[K.CTR_NREP]:
            ctr[K.CTR_NCLOSED] = ctr[K.CTR_NREF] = ctr[K.CTR_NREP] = 0
        queued = counts[K.CTR_NCONF] + need + 1  # the conference's queue, and a case queued once at most
        if queued > len(self.conf_log):
            self.conf_log = grow(self.conf_log, queued)
        gm = m.grid_mediation
        self.grid_hours = grow(self.grid_hours, c.n)
        if gm:
            self.grid_hours[np.fromiter(gm.keys(), np.int64, len(gm))] = np.fromiter(gm.values(), float, len(gm))
        # the case columns as the table's blocks (``day.case_columns`` makes the loop's groups of them)
        cs = (c.blocks, (self.grid_hours, self.handled, self.cat_owner))
        self.acc[0] = m.attendance_hours
        s = m.stream
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
            addresses(m.rng),  # the Generator as its addresses (``rawrng``)
            (s.ub, s.eb, s.zb, s.idx),
            (*self.logs, self.acc),
        )
        return args

    def _escalations_back(self) -> None:
        """The kernel's escalation counts of its calls since the last, added to the model's day counts."""
        esc = self.day_esc.tolist()  # (a list: ``ndarray.any`` costs more than the four counts' test)
        if any(esc):
            m = self.model
            for lv in (1, 2, 3):
                m.day_escalations[lv] += esc[lv]
            self.day_esc[:] = 0

    def _results_back(self) -> None:
        """After the day's call: the day's closed cases (their grid mediation done), the referrals between
        handlers and the repeat contacts, in event order (``Township.handled`` reads the kernel's table:
        :class:`HandledCounts`)."""
        m = self.model
        gm = m.grid_mediation
        closed_log, ref_from, ref_to, rep_due, rep_cid = self.logs
        ctr = self.ctr.tolist()
        n_closed, n_ref, n_rep = ctr[K.CTR_NCLOSED], ctr[K.CTR_NREF], ctr[K.CTR_NREP]
        if n_closed:
            closed_now = closed_log[:n_closed].tolist()
            m.closed_today.extend(closed_now)
            if gm:  # a few cases in grid mediation against the day's closures: those among them dropped
                for cid in gm.keys() & closed_now:
                    del gm[cid]
        if n_ref:
            refs = m.day_referrals
            for key in zip(ref_from[:n_ref].tolist(), ref_to[:n_ref].tolist()):
                refs[key] = refs.get(key, 0) + 1
        if n_rep:  # (due, sequence number, case): zip takes the next number after each due, none after the last
            q, push = m.repeat_queue, heapq.heappush
            for entry in zip(rep_due[:n_rep].tolist(), resolution._seq, rep_cid[:n_rep].tolist()):
                push(q, entry)

    def queue_summary(self, handler) -> tuple[float, float, int]:
        """For ``workload.decide``: the clock hours ``handler``'s waiting case steps need (at its
        department's effort now), the summed hours left before their deadlines, and their count, added
        up in the order the Python engine's queue holds them (computed for every handler at once,
        again after each kernel call)."""
        queued, slack, n = self.queue_rows()[handler.hid]
        return queued, slack, int(n)

    def queued(self) -> int:
        """How many handlers have work queued (0: every queue list empty, every :meth:`queue_rows` row zeros)."""
        return int(np.count_nonzero(self.hi[:, K.HI_QLEN]))

    def queue_rows(self) -> list:
        """:meth:`queue_summary` of every handler, by handler id: [queued, slack, count] (the count a float).
        With every queue empty (no waiting entry at all) the rows are zeros, as the kernel's pass would leave
        them, without the call."""
        if self._summary_fresh:
            return self._summary_rows
        if not self.queued():  # every queue list empty: the kernel adds nothing up
            self._summary_rows = [[0.0, 0.0, 0.0] for _ in self.handlers]
        else:
            self._summary_pass()
            self._summary_rows = self._summary.tolist()  # Python floats: read 34 times a day, three values each
        self._summary_fresh = True
        return self._summary_rows

    def _summary_pass(self) -> None:
        """The kernel's pass over every handler's queue list into ``_summary`` (``queues.queue_summary``)."""
        m = self.model
        effort = np.ones(len(self.handlers))
        effort[self._dept_rows] = [d.effort for d in m.departments]
        c = m.cases
        now = m.clock_day * HOURS_PER_DAY
        self.k_queue_summary(
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


class HandledCounts(Mapping):
    """``Township.handled`` on the compiled engine: a township's delegated cases handled per matter type (the
    learning curve), read from the kernel's table when asked (``engine.handled``, row ``row``) instead of synced
    into a dict after every day's call (~70 counts a ``full_reform`` day). As the Python engine's dict it holds
    the matters with a count above zero, as Python ints; read-only (only the kernel's loop counts)."""

    __slots__ = ("engine", "row")

    def __init__(self, engine, row: int):
        self.engine = engine
        self.row = row

    def get(self, matter, default=None):
        """The count of ``matter`` (``default`` when none handled), as ``dict.get``."""
        n = self.engine.handled.item(self.row, matter)
        return n if n else default

    def __getitem__(self, matter) -> int:
        table = self.engine.handled
        if type(matter) is not int or not 0 <= matter < table.shape[1] or not table.item(self.row, matter):
            raise KeyError(matter)
        return table.item(self.row, matter)

    def __iter__(self):
        return iter(np.flatnonzero(self.engine.handled[self.row]).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(self.engine.handled[self.row]))

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class ConferenceQueue:
    """``model.conference_queue`` on the compiled engine: the joint conference's queue, a binary heap of cases the
    kernel keeps (``engine.conf_log[:ctr[CTR_NCONF]]``, ``coordination.conf_push``), read as the Python engine's
    list of (deadline, case) in the same list order; read-only (the kernel queues and holds the meetings)."""

    __slots__ = ("engine",)

    def __init__(self, engine: EngineTables):
        self.engine = engine

    def _cases(self) -> np.ndarray:
        e = self.engine
        return e.conf_log[: int(e.ctr[K.CTR_NCONF])]

    def __len__(self) -> int:
        return int(self.engine.ctr[K.CTR_NCONF])

    def __iter__(self):
        ids = self._cases()
        return zip(self.engine.model.cases.deadline[ids].tolist(), ids.tolist())

    def __getitem__(self, i: int) -> tuple[float, int]:
        cid = int(self._cases()[i])
        return float(self.engine.model.cases.deadline[cid]), cid

    def __repr__(self) -> str:
        return repr(list(self))


def _same_objects(values: list, held: list | None) -> bool:
    """Is each of ``values`` the very object at its place in ``held`` (so the same double, bit for bit)?"""
    return held is not None and len(values) == len(held) and all(map(operator.is_, values, held))
