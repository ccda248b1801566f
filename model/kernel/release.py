"""The compiled engine's rows of dead cases, their tasks and their steps given back to the OS (``gcpolicy.release``).

The engine's per-case rows (flows, desk requests, grid hours: 64 B a case), per-task rows (the task table and
gaming's hours ahead: 56 B a task) and per-step rows (8 B) are kept for the whole run, though a closed case's
are read no more: at Linping's one agent per resident (528 k cases, 634 k tasks in 250 days, 435 still open at
the end) some 70 MiB of rows of which a few per cent are live. Here the rows below three marks are released:

* cases: below the first case that is not *dead*. A case is dead when it is closed (``cases.closed`` set: on
  this engine only the kernel closes a case, and only an open one, so a closed case was handed over and is
  never handed over or opened again) and nothing names it any more: no pending event (a courier run, an
  escalation, the arrival or finish of one of its tasks), no queue entry of one of its tasks (valid or not: a
  queue pop reads a stale entry's task too), not in intake's waiting batch;
* tasks: below the first task of a case at or above the case mark (tasks are numbered as made; a dead case
  makes none);
* steps: below the lowest step offset of a case at or above the case mark that was handed over (later cases'
  steps come after the steps counted so far).

What reads a case's, a task's or a step's rows, and why a released row is never read: the event loop reads a
case's rows at an event that names it or one of its tasks (pinned) or for an open case (its own tasks and steps:
``fl_task``, ``fl[10]`` and ``fl_c`` name the case's own tasks); the queues read their entries' tasks (pinned);
gaming's projection reads open cases, their tasks and the queued tasks (``_ahead_rows`` too); the joint
conference, the gaming decisions, the day's statistics and ``model.flows`` read any case's open flag
(``fl[4]``), which is kept (1 B a case; released it would read 0, closed, its value). The marks advance by at least
``RELEASE_STEP`` cases, so that a sweep (a pass over the heap and the queues) comes a few times a run and a
small model's tables stay whole. The bit-identity checks are this proof's test, and ``gcpolicy.POISON`` fills
released rows with a value that is neither zero nor theirs (``tests/test_mem8_release.py``).
"""

from __future__ import annotations

import numpy as np

from .. import gcpolicy
from . import core as K

RELEASE_STEP = 1 << 15
"""Dead cases beyond the released ones from which their rows are released (a sweep a few times a large run)."""

_NONE = 1 << 62
"""No case named (a bound above every case id)."""


def _first(flags_of, lo: int, hi: int) -> int:
    """The first index in ``[lo, hi)`` where ``flags_of(a, b)`` (a boolean array for ``[a, b)``) is true, else
    ``hi``; read in chunks growing from 4096, as the index sought is usually near ``lo``."""
    step = 4096
    while lo < hi:
        end = min(hi, lo + step)
        flags = flags_of(lo, end)
        k = int(flags.argmax())
        if flags[k]:
            return lo + k
        lo, step = end, 2 * step
    return hi


def _named(eng) -> int:
    """The lowest case a pending event, a queue entry or intake's waiting batch names (``_NONE``: none; 0: an
    event of an unknown kind, release nothing)."""
    tk_case = eng.tk[0]
    low = min(eng._sub_ids, default=_NONE)
    nev = int(eng.ctr[K.CTR_NEV])
    if nev:
        kind, a = eng.evi[:nev, 1], eng.evi[:nev, 2]
        of_task = (kind == K.ARRIVE) | (kind == K.FINISH)
        of_case = (kind == K.COURIER) | (kind == K.ESCALATE)
        if not (of_task | of_case | (kind == K.WAKE)).all():
            return 0
        if of_task.any():
            low = min(low, int(tk_case[a[of_task]].min()))
        if of_case.any():
            low = min(low, int(a[of_case].min()))
    qlen = eng.hi[:, K.HI_QLEN]
    for h in np.flatnonzero(qlen).tolist():
        low = min(low, int(tk_case[eng.ent[0][eng.hq[h, : qlen[h]]]].min()))
    return low


def sweep(eng) -> None:
    """Release the rows of the dead cases, their tasks and their steps (see the module's notes), once a kernel
    day at most (between kernel calls: the engine's ``_take_batch``, before the tables grow)."""
    if eng._swept_at == eng.now:
        return
    eng._swept_at = eng.now
    c = eng.model.cases
    freed = eng._freed  # [cases, tasks, steps] released below
    if c.n - freed[0] < RELEASE_STEP:  # too few cases above the mark to release, closed or not
        return
    closed = c.closed
    lo = max(eng._closed_below, freed[0])
    if lo < c.n and closed[lo] != closed[lo]:  # still open (NaN), the first case not closed: most days
        eng._closed_below = lo
    else:
        eng._closed_below = _first(lambda a, b: np.isnan(closed[a:b]), lo, c.n)
    if eng._closed_below - freed[0] < RELEASE_STEP:
        return
    w = min(eng._closed_below, _named(eng))
    if w - freed[0] < RELEASE_STEP:
        return
    tk_case = eng.tk[0]
    wt = _first(lambda a, b: tk_case[a:b] >= w, freed[1], int(eng.ctr[K.CTR_NTASK]))
    fl_off, fl_n = eng.fl[0], eng.fl[1]
    upto = min(c.n, len(fl_n))
    handed = fl_n[w:upto] > 0
    ws = int(eng.ctr[K.CTR_NSTEPS])
    if handed.any():
        ws = min(ws, int(fl_off[w:upto][handed].min()))
    for a in (*eng.fl[:4], *eng.fl[6:9], *eng.fl[10:], eng.fl_c, eng.grid_hours):  # not the open flags, fl[4]
        gcpolicy.release(a[:w])
    for a in (*eng.tk, *getattr(eng, "_ahead_rows", ())):
        gcpolicy.release(a[:wt])
    for a in (eng.fl_steps, eng.fl_task):
        gcpolicy.release(a[:ws])
    eng._freed = [w, wt, ws]
