"""Closing is not solving: real resolution, call-backs and repeat contacts.

When a case is closed (办结) it is really resolved with probability

    p_res = q_m · c · w^θ

* ``q_m`` = ``resolution_base``; a dispute in local mediation (枫桥经验, G7) is settled
  instead with probability ``local_mediation · (1 − exp(−H / dispute_difficulty_hours))``,
  ``H`` the mediators' hours on it: the township's work-hours done on its step plus a grid
  worker's ``grid_mediation_hours`` when the grid found it (``grid``) — success rises with
  the hours spent relative to the dispute's difficulty;
* ``c`` = 1 − the rework probability at the township's competence on a delegated matter
  (``delegation``: an error as likely as one caught by rework slips through), 1 at a department;
* ``w`` = share of the case's needed work-hours that were done: each step gets
  the work fraction ``f`` of its handler on the day it starts (``workload``: 1
  with slack, less when the handler is late or overloaded), so ``w`` is the
  work-weighted mean of its steps' ``f``; θ = ``resolution_time_elasticity``.
  With every step fully worked (``w = 1``) p_res reaches its ceiling ``q_m · c``:
  load lowers resolution only through the work it leaves undone.
  A gamed closure is never a solution (p_res = 0); its ``work_share`` is the share
  of its steps finished.

A share ``callback_share`` of closed cases is called back (回访) — those the
county's call-back desk has the minutes for when it has posts (``callback``);
a gamed closure called back is caught (counted against its owner, see
``gaming`` and ``assessment``). A requester whose case was closed unresolved comes back with
probability ``repeat_share`` after ``Exp(repeat_delay_days)`` working days: a
repeat contact, a new case of the same matter (a failed mediation comes back as
a general dispute case) with ``repeat_of`` = the first case of the chain, its
``onset`` = the chain's onset. Per-request outcomes (waiting, satisfaction,
requester hours) count the whole chain.
"""

from __future__ import annotations

import heapq
import itertools
import math

import numpy as np

from . import callback, delegation
from .catalogue import DISPUTE_GENERAL, DISPUTE_MEDIATION
from .params import HOURS_PER_DAY
from .workload import done_hours, done_share

_seq = itertools.count()


def mediation_success(params, hours: float) -> float:
    """P(a dispute in local mediation is settled) after ``hours`` of mediators' work."""
    return params.local_mediation * (1.0 - math.exp(-max(hours, 0.0) / params.dispute_difficulty_hours))


def resolve_probability(model, cid: int, work_share: float, hours: float | None = None) -> float:
    """p_res of a case closed after doing ``work_share`` of its needed work (``hours``: work-hours done,
    which settle a dispute in local mediation together with a grid worker's)."""
    p = model.params
    c = model.cases
    m = int(c.matter[cid])
    if m == model.catalogue.dispute_id(DISPUTE_MEDIATION):
        h = (model.case_work[cid][1] if cid in model.case_work else 0.0) if hours is None else hours
        return mediation_success(p, h + model.grid_mediation.get(cid, 0.0))
    q = p.resolution_base
    comp = 1.0
    if c.delegated[cid]:
        comp = 1.0 - delegation.rework_probability(p, model.townships[int(c.township[cid])].competence(m))
    return q * comp * (max(work_share, 0.0) ** p.resolution_time_elasticity if work_share < 1 else 1.0)


def owner_agent(model, cid: int):
    """The department or township whose assessment counts this case."""
    c = model.cases
    own = int(model.catalogue.owner[c.matter[cid]])
    if c.delegated[cid] or own < 0:
        return model.townships[int(c.township[cid])]
    return model.departments[own]


def on_close(model, cid: int, t: float, gamed: bool = False) -> None:
    """Decide resolution, call-back and repeat of a case closed at ``t`` (hours). The compiled engine's twins:
    its event loop for a case whose last step finished, ``kernel.gamed.close_gamed`` for a gamed case."""
    p = model.params
    c = model.cases
    stream = model.stream
    hours = done_hours(model, cid)
    done = done_share(model, cid)
    if gamed:
        n = max(int(model.catalogue.n_departments[c.matter[cid]]), 1)
        c.work_share[cid] = max(0.0, (n - int(c.outstanding[cid])) / n)
        resolved = False
    else:
        c.work_share[cid] = done
        resolved = stream.uniform() < resolve_probability(model, cid, done, hours)
    model.grid_mediation.pop(cid, None)
    c.resolved[cid] = resolved
    c.gamed[cid] = gamed
    owner = None
    if gamed:
        owner = owner_agent(model, cid)
        owner.gamed += 1
    # drawn for a call-back, and made if the call-back desk has the minutes left today (``callback``)
    if (
        p.callback_share > 0
        and stream.uniform() < p.callback_share
        and callback.take(model.callback_desk, t, callback.daily_budget(p))
    ):
        c.called_back[cid] = True
        if owner is not None:
            owner.caught += 1
            if hasattr(owner, "period_caught"):
                owner.period_caught += 1
    if not resolved and p.repeat_share > 0 and stream.uniform() < p.repeat_share:
        due = t + stream.exponential() * p.repeat_delay_days * HOURS_PER_DAY
        heapq.heappush(model.repeat_queue, (due, next(_seq), cid))


def gamed_closed(
    model, cids: list[int], owners: list, moved: list[int], counts: list, rep_due: list[float], rep_cid: list[int]
) -> None:
    """The Python side of the gamed closures the compiled engine made in the day's gaming decisions
    (``kernel.gamed.close_gamed``, :func:`on_close`'s draws and columns for a gamed case), in close order:
    the cases join ``model.closed_today``, their grid mediation and work log are dropped, the gamed and caught
    counts of the owners ``moved`` (rows of ``owners``; ``counts``: [gamed, caught] after the day, whole numbers)
    are written back, a township's caught ones counted in its period too, and the repeat contacts (due hours,
    case) join the repeat queue."""
    model.closed_today.extend(cids)
    gm, cw = model.grid_mediation, model.case_work
    if gm or cw:
        for cid in cids:
            gm.pop(cid, None)
            cw.pop(cid, None)
    for i, (g, k) in zip(moved, counts):
        owner = owners[i]
        owner.gamed = int(g)
        if k != owner.caught:
            if hasattr(owner, "period_caught"):
                owner.period_caught += int(k) - owner.caught
            owner.caught = int(k)
    q = model.repeat_queue
    for due, cid in zip(rep_due, rep_cid):
        heapq.heappush(q, (due, next(_seq), cid))


def root_of(cases, ids: np.ndarray) -> np.ndarray:
    """The first case of each case's chain (itself for a first contact)."""
    r = cases.repeat_of[ids]
    return np.where(r >= 0, r, ids)


def return_repeats(model, day: int) -> int:
    """Admit the repeat contacts due today, in filing order; return how many.

    They leave the queue in (due, sequence) order, so their filing times (due, or the day's start when it
    fell before) are already in order: filed as popped (a stable sort by filing time would keep them so)."""
    q = model.repeat_queue
    end = (day + 1) * HOURS_PER_DAY
    if not q or q[0][0] >= end:
        return 0
    pop = heapq.heappop
    due: list[float] = []
    cids: list[int] = []
    while q and q[0][0] < end:
        d, _, cid = pop(q)
        due.append(d)
        cids.append(cid)
    ids = np.array(cids, dtype=np.int64)
    cat = model.catalogue
    codes = (cat.dispute_id(DISPUTE_MEDIATION), cat.dispute_id(DISPUTE_GENERAL))
    if model.compiled:  # the batch gathered from the case table in one kernel call
        rows = model.engine.repeat_rows(ids, np.array(due), float(day * HOURS_PER_DAY), codes)
    else:
        rows = _repeat_rows(model.cases, ids, due, day, codes)
    kind, requester, township, matter, t, onset, root, enquiry, contact = rows
    new = model.admit(
        kind,
        requester,
        township,
        matter,
        t,
        onset=onset,
        repeat_of=root,
        enquiry=enquiry,  # an enquiry left unanswered is asked again
    )
    model.cases.contact[new] = contact
    return len(cids)


def _repeat_rows(c, ids: np.ndarray, due: list[float], day: int, codes: tuple) -> tuple:
    """:func:`return_repeats`' batch from case table ``c`` for the chains' last cases ``ids`` due at ``due``
    (hours): requester kind, requester, township, matter (an enquiry's subject again; a failed mediation, the
    first of ``codes``, as the general dispute, the second), filing times, onset, the chain's first case, enquiry
    and the contact's number (the columns indexed by an array: copies)."""
    t = np.maximum(np.array(due), day * HOURS_PER_DAY)
    matter = np.where(c.enquiry[ids], c.subject[ids], c.matter[ids])  # an enquiry is asked about its subject again
    matter[matter == codes[0]] = codes[1]
    onset, root = c.onset[ids], root_of(c, ids)
    return (
        c.requester_kind[ids],
        c.requester[ids].astype(np.int64),  # as demand's batches and the compiled repeat_rows (the table: int32)
        c.township[ids],
        matter,
        t,
        onset,
        root,
        c.enquiry[ids],
        c.contact[ids] + 1,
    )
