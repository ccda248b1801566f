"""The open cases kept from day to day: at a day's end the cases closed that day leave the open set, the open
ones past their deadline are marked overdue, and the day's time-averaged backlog is measured.

Each case open at some moment of the day counts for the hours it was open in it (from its filing, or the day's
start, to its closure, or the day's end): their sum over the day's hours is ``backlog_mean`` (cases). The
compiled engine takes the same steps in one kernel call (``kernel.openset``: the same doubles, the hours
summed in numpy's pairwise order), ``tests/test_openset.py`` compares both.
"""

from __future__ import annotations

import numpy as np

from . import escalation


def refresh(model, t0: float, t1: float) -> None:
    """Drop today's closed cases from ``model.open_ids`` (the cases open at the day's start and those filed in it,
    ``model._new_ids``), mark lateness, set ``model.backlog_mean`` for the day ``t0``–``t1`` (hours)."""
    if model.compiled:
        _refresh_compiled(model, t0, t1)
        return
    ids = np.concatenate([model.open_ids, *model._new_ids]) if model._new_ids else model.open_ids
    model._new_ids = []
    if not len(ids):  # nothing open today: nothing to mark, a backlog of 0.0 (the sum over no case)
        model.backlog_mean = 0.0
        return
    c = model.cases
    closed = c.closed[ids]
    escalation.mark_overdue(c, ids, closed, t1)
    # each case's hours open today: from its filing (or t0) to its closure (or t1, fmin's value while open)
    overlap = np.fmin(closed, t1) - np.maximum(c.created[ids], t0)
    model.backlog_mean = float(np.maximum(overlap, 0.0, out=overlap).sum()) / (t1 - t0)
    model.open_ids = ids[np.isnan(closed)]


def _refresh_compiled(model, t0: float, t1: float) -> None:
    """:func:`refresh`'s steps in one kernel call (``kernel.openset.refresh_open``). The day's new cases are
    intake's batches of consecutive rows (``CaseTable.reserve``), one after another: handed over as their range,
    not joined to the open ones (~5 µs a day); batches that are not are joined as :func:`refresh` does."""
    ids, new = model.open_ids, model._new_ids
    model._new_ids = []
    lo = hi = int(new[0][0]) if new else 0
    for batch in new:
        if batch[0] != hi or batch[-1] != hi + len(batch) - 1:  # not the next rows: the batches joined
            ids, lo, hi = np.concatenate([ids, *new]), 0, 0
            break
        hi += len(batch)
    n = len(ids) + hi - lo
    if not n:  # nothing open today: nothing to mark, a backlog of 0.0 (the sum over no case)
        model.backlog_mean = 0.0
        return
    from .kernel.openset import refresh_open_call  # deferred: it imports numba (the kernel extra), only compiled

    c = model.cases
    hours, keep = np.empty(n), np.empty(n, dtype=np.int64)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    args = (c.closed, c.created, c.deadline, c.overdue, float(t0), float(t1), hours, keep)
    total, k = refresh_open_call(ids, lo, hi, *args)
    model.backlog_mean = total / (t1 - t0)
    model.open_ids = keep[:k]
