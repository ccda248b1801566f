"""Deadline gaming: closing a case without solving it just before its deadline (Holmström & Milgrom 1991).

Dashboards count closures (办结), not solutions. A handler whose assessment
counts on-time closures (``ontime_weight`` ω_ot > 0) looks, at
``gaming_window`` × (deadline − filing) before a case's deadline, at each case
it owns that is still open; a case is *at risk* when its remaining work cannot
be done in time: its current step has not started, or more steps follow.
For an at-risk case the handler compares

    gain    = ω_ot · (1 + κ · r_h)          (κ = ranking_pressure, r_h its rank: 0 best … 1 last)
    penalty = p̂_h · callback_penalty        (p̂_h: its learned chance of being caught)

and closes without solving when ``gain − penalty`` exceeds its intrinsic cost of
doing so, ``c ~ Exp(gaming_aversion)`` drawn per decision (scruples differ), so

    P(game) = 1 − exp(−max(0, gain − penalty) / gaming_aversion).

Learning: the county calls back a share ``callback_share`` of closed cases
(回访); a gamed closure called back is caught (its penalty enters the
handler's score). The handler learns the chance of being caught from its own
gamed closures, a Beta posterior from a prior of mean ``detection_prior`` and
strength ``PRIOR_STRENGTH`` closures:

    p̂_h = (PRIOR_STRENGTH · detection_prior + caught_h) / (PRIOR_STRENGTH + gamed_h)

With ``callback_penalty = 0`` a call-back costs nothing, so call-backs do not
deter. The decision is taken at the end of the working day in which its moment
falls; a gamed case is closed at that moment (before its deadline), with the
share of its work done so far (see ``resolution``: a gamed case is never
really resolved).
"""

from __future__ import annotations

import heapq

import numpy as np

from . import handling
from .engine import PENDING, WAITING
from .params import Params
from .resolution import owner_agent

PRIOR_STRENGTH = 2.0
"""Weight, in gamed closures, of a handler's prior belief about being caught."""


class GamingState:
    """Per-handler counters of gamed and caught closures (set on Department and Township agents)."""

    @staticmethod
    def init(agent, params: Params) -> None:
        agent.gamed = 0
        agent.caught = 0

    @staticmethod
    def detection(agent, params: Params) -> float:
        """Learned chance p̂ that a gamed closure is caught."""
        return (PRIOR_STRENGTH * params.detection_prior + agent.caught) / (PRIOR_STRENGTH + agent.gamed)


def game_probability(params: Params, rank, detection) -> np.ndarray:
    """P(close an at-risk case without solving it) for handlers of rank ``rank`` and learned ``detection``."""
    gain = params.ontime_weight * (1.0 + params.ranking_pressure * np.asarray(rank, float))
    net = np.maximum(0.0, gain - np.asarray(detection, float) * params.callback_penalty)
    return 1.0 - np.exp(-net / params.gaming_aversion)


def schedule(model, ids: np.ndarray) -> None:
    """Queue the gaming decision of new cases (only when on-time closures count)."""
    p = model.params
    if p.ontime_weight <= 0 or len(ids) == 0:
        return
    c = model.cases
    t = c.deadline[ids] - p.gaming_window * (c.deadline[ids] - c.created[ids])
    q = model.gaming_queue
    for ti, cid in zip(t.tolist(), ids.tolist()):
        heapq.heappush(q, (ti, cid))


def at_risk(model, cid: int) -> bool:
    """Open, and its remaining work cannot be done in time: a step not yet started, or steps still to come."""
    flow = model.flows.get(cid)
    if flow is None:
        return False
    if flow[1] < len(flow[0]):
        return True
    return any(tk.state in (PENDING, WAITING) for tk in flow[2])


def decide(model, t_end: float) -> int:
    """Take today's gaming decisions (moments before ``t_end``); return how many cases were gamed."""
    q = model.gaming_queue
    p = model.params
    due = []
    while q and q[0][0] < t_end:
        due.append(heapq.heappop(q))
    if not due or p.ontime_weight <= 0:
        return 0
    cand = [(t, cid) for t, cid in due if cid in model.flows and at_risk(model, cid)]
    if not cand:
        return 0
    owners = [owner_agent(model, cid) for _, cid in cand]
    prob = game_probability(p, [o.rank for o in owners], [GamingState.detection(o, p) for o in owners])
    draw = model.rng.random(len(cand))
    n = 0
    for (t, cid), _o, pr, u in zip(cand, owners, prob.tolist(), draw.tolist()):
        if u < pr:
            handling.close(model, cid, t, gamed=True)
            n += 1
    return n
