"""The day's KPI statistics over today's closures in one kernel call (the compiled twin of ``metrics.collect``'s
``_service_row`` and ``_outcome_row`` arithmetic over the closed cases).

:func:`closure_stats` counts what the rows' rates and means need (closures by tier and on time, service
requests and their trips, resolved and gamed closures) and takes the two means in numpy's pairwise order
(``pairwise.tree_sum``): resolution days, and the work share of the closures not gamed (float32, as numpy sums a
float32 column). :func:`chain_stats` is ``collect._chain_hours_ended``'s mean: each ended chain's requester
hours, its repeat contacts' travel added one by one in filing order (the repeat contacts by chain are kept as
linked lists, extended by the cases filed since the last call). Trip means are whole-number sums, exact in any
order. :class:`DayStats` holds the scratch and link arrays and makes the calls; ``metrics.collect`` uses it
on the compiled engine only (``tests/test_day6_kpi.py`` compares both).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from .. import gcpolicy
from .calls import Direct
from .layout import (
    GAMED,
    GRID_REPORTS,
    IN_TIER,
    N_COUNTS,
    ON_TIME,
    ON_TIME_TIER,
    REPEATS,
    RESOLVED,
    SEAT_TRIPS,
    SERVICE,
    TRIPS,
    ZERO_TRIP,
)
from .pairwise import tree_sum


@njit(cache=True)
def closure_stats(ids, closed, created, deadline, tier, kind, trips, seat_trips, resolved, gamed, work_share, dispute,
                  counts, means, buf, buf32):  # fmt: skip
    """Fill ``counts`` (see the module's positions) and ``means`` (resolution days, work share of the closures not
    gamed; NaN when none) over the cases ``ids`` (all closed); ``buf``, ``buf32``: scratch of ``len(ids)`` at least.
    Each mean is ``numeric.mean``'s double: the same values in the same order, summed in numpy's tree."""
    counts[:] = 0
    n = len(ids)
    k = 0
    for j in range(n):
        cid = ids[j]
        t = tier[cid]
        counts[IN_TIER + t] += 1
        if not closed[cid] > deadline[cid]:
            counts[ON_TIME_TIER + t] += 1
            counts[ON_TIME] += 1
        buf[j] = (closed[cid] - created[cid]) / 8.0
        if kind[cid] != dispute:
            counts[SERVICE] += 1
            counts[TRIPS] += trips[cid]
            counts[SEAT_TRIPS] += seat_trips[cid]
            if trips[cid] == 0:
                counts[ZERO_TRIP] += 1
        if resolved[cid]:
            counts[RESOLVED] += 1
        if gamed[cid]:
            counts[GAMED] += 1
        else:
            buf32[k] = work_share[cid]
            k += 1
    means[0] = tree_sum(buf, 0, n, 0.0) / n if n else np.nan
    if k:
        total = np.float32(0.0) + tree_sum(buf32, 0, k, np.float32(0.0))
        means[1] = np.float32(np.float64(total) / k)
    else:
        means[1] = np.nan


@njit(cache=True)
def link_repeats(lo, hi, repeat_of, head, tail, nxt):
    """Append the repeat contacts among cases ``lo .. hi − 1`` to their chain's list (case ids ascending)."""
    for cid in range(lo, hi):
        first = repeat_of[cid]
        if first < 0:
            continue
        nxt[cid] = -1
        if head[first] < 0:
            head[first] = cid
        else:
            nxt[tail[first]] = cid
        tail[first] = cid


@njit(cache=True)
def chain_stats(ids, kind, dispute, pending, closed, created, travel, repeat_of, head, nxt, mark, pos, buf):
    """``collect._chain_hours_ended``'s mean over the service contacts (``kind`` not ``dispute``) among the cases
    ``ids`` (closed today, in that order) whose case is not in ``pending``: from its chain's first filing to its
    closure plus the travel of its chain's first case and then of each repeat contact in filing order (hours).
    NaN when none; −inf when two of them share a chain (the caller then takes the reference's path). ``mark``
    (bool) and ``pos`` (−1): scratch of the table's length, left as found; ``buf``: of ``len(ids)`` at least."""
    for cid in pending:
        mark[cid] = True
    k = 0
    dup = False
    for j in range(len(ids)):
        cid = ids[j]
        if mark[cid] or kind[cid] == dispute:
            continue
        first = repeat_of[cid]
        root = first if first >= 0 else cid
        if pos[root] >= 0:
            dup = True
            break
        pos[root] = k
        x = travel[root]
        rep = head[root]
        while rep >= 0:
            x += travel[rep]
            rep = nxt[rep]
        buf[k] = closed[cid] - created[root] + x
        k += 1
    for cid in pending:
        mark[cid] = False
    for j in range(len(ids)):  # (every root set above, and only those, reset)
        cid = ids[j]
        first = repeat_of[cid]
        pos[first if first >= 0 else cid] = -1
    if dup:
        return -np.inf
    if not k:
        return np.nan
    return tree_sum(buf, 0, k, 0.0) / k


@njit(cache=True)
def day_stats(ids, cols, dispute, pending, seen, n, new_from, grid_report, chains, counts, means, buf, buf32):
    """:func:`link_repeats` of cases ``seen .. n − 1``, :func:`closure_stats` and :func:`chain_stats` in one call
    (``means[2]``: the chain hours), and the counts of repeat contacts and grid reports among the cases
    ``new_from .. n − 1`` (filed today). ``cols``: the case table's closed, created, deadline, tier, requester
    kind, trips, seat trips, resolved, gamed, work share, travel, repeat-of, contact and source columns;
    ``chains``: head, tail, next, mark and position arrays."""
    closed, created, deadline, tier, kind, trips, seat_trips, resolved, gamed, work_share, travel, repeat_of = cols[:12]
    contact, source = cols[12], cols[13]
    head, tail, nxt, mark, pos = chains
    link_repeats(seen, n, repeat_of, head, tail, nxt)
    closure_stats(ids, closed, created, deadline, tier, kind, trips, seat_trips, resolved, gamed, work_share, dispute,
                  counts, means, buf, buf32)  # fmt: skip
    means[2] = chain_stats(ids, kind, dispute, pending, closed, created, travel, repeat_of, head, nxt, mark, pos, buf)
    for cid in range(new_from, n):
        if contact[cid] > 0:
            counts[REPEATS] += 1
        if source[cid] == grid_report:
            counts[GRID_REPORTS] += 1


day_stats_call = Direct(day_stats)
closure_stats_call = Direct(closure_stats)
link_repeats_call = Direct(link_repeats)
chain_stats_call = Direct(chain_stats)


_NONE = np.zeros(0, dtype=np.int64)  # no pending case


def _grown(a: np.ndarray, n: int, done: int, fill) -> np.ndarray:
    """``a`` if it holds ``n`` rows, else a copy twice as long (at least ``n``) in pages of its own, its old copy's
    freed (``gcpolicy``); either way its rows ``done`` … ``n`` − 1 written ``fill`` (the rows beyond stay
    untouched zero pages until the table reaches them: the kernel reads no row of a case not yet made)."""
    if len(a) < n:
        b = gcpolicy.zeros(max(n, 2 * len(a)), a.dtype)
        b[: len(a)] = a
        gcpolicy.release(a)
        a = b
    if fill != 0 and n > done:
        a[done:n] = fill
    return a


class DayStats:
    """Scratch arrays and the repeat contacts' chain lists for the day's statistics of a model's closures."""

    def __init__(self) -> None:
        self.counts = np.zeros(N_COUNTS, dtype=np.int64)
        self.means = np.zeros(3)
        self.buf = np.zeros(64)
        self.buf32 = np.zeros(64, dtype=np.float32)
        self.table: Any = None  # the case table the chain lists are of
        self.seen = 0  # cases linked so far
        self.head = self.tail = self.nxt = self.pos = np.full(0, -1, dtype=np.int32)  # case ids < 2**31
        self.mark = np.zeros(0, dtype=bool)

    def day(
        self, c, ids: np.ndarray, dispute: int, pending: set, created: int, grid_report: int
    ) -> tuple[list, float, float, float]:
        """(Counts as a list, mean resolution days, mean work share of the closures not gamed, requester hours per
        ended chain) of ``ids``, and the counts over the last ``created`` cases, in one kernel call
        (:func:`day_stats`; the chain hours −inf: take the reference's path)."""
        if self.table is not c or self.__dict__.get("_filled", len(self.head)) < c.n:
            self._chains(c)
        if len(self.buf) < len(ids):
            self._scratch(len(ids))
        seen, self.seen = self.seen, c.n
        cols = self.__dict__.get("_cols")
        if cols is None or cols[0] is not c.closed:  # the table's columns, taken again when it relinked them
            cols = (c.closed, c.created, c.deadline, c.tier, c.requester_kind, c.trips, c.seat_trips, c.resolved)
            cols = self._cols = (*cols, c.gamed, c.work_share, c.travel, c.repeat_of, c.contact, c.source)
        day_stats_call(
            ids,
            cols,
            dispute,
            np.fromiter(pending, np.int64, len(pending)) if pending else _NONE,
            seen,
            c.n,
            c.n - created,
            grid_report,
            (self.head, self.tail, self.nxt, self.mark, self.pos),
            self.counts,
            self.means,
            self.buf,
            self.buf32,
        )
        days, work, chain = self.means.tolist()
        return self.counts.tolist(), days, work, chain

    def __getstate__(self) -> dict:
        """Its state without the case table's columns (views: a copy of one would be an array of its own)."""
        return {k: v for k, v in self.__dict__.items() if k != "_cols"}

    def _chains(self, c) -> None:
        """The chain lists kept for the case table ``c`` (new ones when it is another), their rows written for its
        cases (``_filled`` of them so far)."""
        n = c.n
        if self.table is not c:
            self.table, self.seen = c, 0
            self.head = self.tail = self.nxt = self.pos = np.full(0, -1, dtype=np.int32)  # case ids < 2**31
            self.mark = np.zeros(0, dtype=bool)
            self._filled = 0
        done = self.__dict__.get("_filled", len(self.head))
        if done < n:
            self.head, self.tail = _grown(self.head, n, done, -1), _grown(self.tail, n, done, -1)
            self.nxt, self.pos = _grown(self.nxt, n, done, -1), _grown(self.pos, n, done, -1)
            self.mark = _grown(self.mark, n, done, False)
            self._filled = n

    def _scratch(self, n: int) -> None:
        if len(self.buf) < n:
            self.buf = np.zeros(2 * n)
            self.buf32 = np.zeros(2 * n, dtype=np.float32)

    def closures(self, c, ids: np.ndarray, dispute: int) -> tuple[list, float, float]:
        """(Counts as a list, mean resolution days, mean work share of the closures not gamed) of ``ids``."""
        self._scratch(len(ids))
        closure_stats_call(
            ids,
            c.closed,
            c.created,
            c.deadline,
            c.tier,
            c.requester_kind,
            c.trips,
            c.seat_trips,
            c.resolved,
            c.gamed,
            c.work_share,
            dispute,
            self.counts,
            self.means,
            self.buf,
            self.buf32,
        )
        days, work = self.means.tolist()[:2]
        return self.counts.tolist(), days, work

    def chain_hours(self, c, ids: np.ndarray, dispute: int, pending: set) -> float:
        """``collect._chain_hours_ended``'s value for the service contacts among ``ids`` (−inf: two share a chain,
        take the reference's path)."""
        n = c.n
        self._chains(c)
        if self.seen < n:
            link_repeats_call(self.seen, n, c.repeat_of, self.head, self.tail, self.nxt)
            self.seen = n
        self._scratch(len(ids))
        pend = np.fromiter(pending, np.int64, len(pending))
        return chain_stats_call(
            ids,
            c.requester_kind,
            dispute,
            pend,
            c.closed,
            c.created,
            c.travel,
            c.repeat_of,
            self.head,
            self.nxt,
            self.mark,
            self.pos,
            self.buf,
        )
