"""Deadline gaming: closing a case without solving it just before its deadline (Holmström & Milgrom 1991).

Dashboards count closures (办结), not solutions. A handler whose assessment
counts on-time closures (``ontime_weight`` ω_ot > 0) looks, at
``gaming_window`` × (deadline − filing) before a case's deadline, at each case
it owns that is still open, and projects when its remaining work will be done
(``projected_finish``, from the queues as they stand at the end of that day):

* a step being worked ends when its server finishes it (its start + its clock hours);
* a waiting step starts once the work queued ahead of it at its handler is done
  (the clock hours of the waiting steps before it in queue order ÷ the handler's
  persons free for cases), then takes its own hours (needed work × the handler's
  work fraction ÷ its speed, ``workload``);
* a coordination not yet done: the work queued ahead at its desk plus its hours
  (a case waiting for the joint conference: the next meeting day);
* steps not yet released follow one after another (at once with joint handling),
  each after its handler's whole queue.

The case is **at risk** when that projected finish falls after its deadline.
Only an at-risk case is considered (``Department.decide_gaming`` /
``Township.decide_gaming``, the agent's decision); the handler weighs

    cost of being late = ω_ot · (1 + κ · r_h)   (κ = ranking_pressure, r_h its rank: 0 best … 1 last)
    expected penalty   = p̂_h · callback_penalty  (p̂_h: its learned chance of being caught)

and closes without solving when the cost of being late less the expected
penalty exceeds its intrinsic cost of doing so, ``c ~ Exp(gaming_aversion)``
drawn per decision (scruples differ), so

    P(game | at risk) = 1 − exp(−max(0, cost − penalty) / gaming_aversion).

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
really resolved). Every decision is logged (``model.gaming_log``: case,
moment, projected finish, deadline, gamed), so a test can show that only cases
that would have been late were gamed.
"""

from __future__ import annotations

import numpy as np

from . import handling, resolution
from .engine import PENDING, RUNNING, STEP, WAITING
from .params import HOURS_PER_DAY, Params
from .resolution import owner_agent
from .workload import case_capacity, fraction_of, needed_hours, speed, waiting_steps

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
        return (params.detection_prior_strength * params.detection_prior + agent.caught) / (
            params.detection_prior_strength + agent.gamed
        )


def net_gain(params: Params, rank, detection) -> np.ndarray:
    """Cost of being late less the expected penalty of being caught, for handlers of rank ``rank`` and
    learned ``detection`` (score units of one case)."""
    gain = params.ontime_weight * (1.0 + params.ranking_pressure * np.asarray(rank, float))
    return gain - np.asarray(detection, float) * params.callback_penalty


def net_of(agent) -> float:
    """``net_gain`` of one handler in plain floats (the same double operations in the same order)."""
    p = agent.model.params
    net = p.ontime_weight * (1.0 + p.ranking_pressure * float(agent.rank))
    net -= float(GamingState.detection(agent, p)) * p.callback_penalty
    return net


def games(agent) -> bool:
    """The agent's decision on one at-risk case it owns: close without solving when the cost of being late
    less the expected penalty exceeds its intrinsic cost, a draw of Exp(``gaming_aversion``). The compiled
    engine takes the same comparison with the same draw in ``kernel.projection.decide_run`` (its owners'
    :func:`net_of` handed over)."""
    net = net_of(agent)
    return net > 0 and net > agent.model.stream.exponential() * agent.model.params.gaming_aversion


def game_probability(params: Params, rank, detection) -> np.ndarray:
    """P(close an at-risk case without solving it) for handlers of rank ``rank`` and learned ``detection``
    (the chance :func:`games` says yes)."""
    net = np.maximum(0.0, net_gain(params, rank, detection))
    return 1.0 - np.exp(-net / params.gaming_aversion)


def schedule(model, ids: np.ndarray) -> None:
    """Queue the gaming decision of new cases (only when on-time closures count): ``model.gaming_queue`` holds batches
    of (moments of decision in hours, case ids), taken in (moment, case) order by ``due``; on the compiled engine a
    :class:`DecisionQueue`, whose due ones the day's kernel call takes (``kernel.route.admit_rows`` queues intake's)."""
    p = model.params
    if p.ontime_weight <= 0 or len(ids) == 0:
        return
    c = model.cases
    dl = c.deadline[ids]
    moments = dl - p.gaming_window * (dl - c.created[ids])
    q = model.gaming_queue
    if model.compiled:  # the engine's :class:`DecisionQueue` (:func:`decision_queue`, made with the engine)
        q.add(moments, ids)
    else:
        q.append((moments, np.asarray(ids, dtype=np.int64)))


class DecisionQueue:
    """The compiled engine's gaming decisions not yet taken, in preallocated arrays (the day's kernel call,
    ``kernel.projection.take_due``, takes the due ones in (moment, case) order, as :func:`due` does): moments
    (hours) and cases, in the order queued, and ``first``, the earliest moment (inf: none; a day that ends
    before it has no decision and no call). Holds the day's call's output rows too: the log's (case; moment,
    projection, deadline; gamed) and the repeat contacts' (due hours, case)."""

    def __init__(self, size: int = 256):
        self.first = float("inf")
        self._alloc(size, np.zeros(0), np.zeros(0, dtype=np.int64), 0)

    def _alloc(self, cap: int, t: np.ndarray, ids: np.ndarray, n: int) -> None:
        qt, qi = np.empty(cap), np.empty(cap, dtype=np.int64)
        qt[:n], qi[:n] = t[:n], ids[:n]
        head, size = np.array([self.first]), np.array([n], dtype=np.int64)
        self.arrays = (qt, qi, head, size, np.empty(cap), np.empty(cap, dtype=np.int64))
        self.log = (np.empty(cap, dtype=np.int64), np.empty((3, cap)), np.empty(cap, dtype=np.bool_))
        self.rep = (np.empty(cap), np.empty(cap, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.arrays[3][0])

    def room(self, k: int) -> tuple:
        """The arrays the compiled intake's kernel call adds a batch to (moments, cases, first moment, count), with
        room for ``k`` more (``first`` read back after the call)."""
        n = int(self.arrays[3][0])
        if n + k > len(self.arrays[0]):
            self._alloc(2 * (n + k), *self.arrays[:2], n)
        return self.arrays[:4]

    def add(self, moments: np.ndarray, ids: np.ndarray) -> None:
        """Queue the decisions of cases ``ids`` at ``moments`` (hours)."""
        qt, qi, head, size = self.arrays[:4]
        n, k = int(size[0]), len(ids)
        if n + k > len(qt):
            self._alloc(2 * (n + k), qt, qi, n)
            qt, qi, head, size = self.arrays[:4]
        qt[n : n + k] = moments
        qi[n : n + k] = ids
        size[0] = n + k
        least = float(np.fmin.reduce(moments))  # (NaN only when all are: a NaN moment is never due)
        if least < self.first:
            self.first = least
            head[0] = least

    def due_cases(self, t_end: float) -> np.ndarray:
        """The cases whose decisions are due before ``t_end``, left in the queue (in the order queued)."""
        qt, qi, _, size = self.arrays[:4]
        n = int(size[0])
        return qi[:n][qt[:n] < t_end]

    def take(self, t_end: float) -> tuple[np.ndarray, np.ndarray]:
        """Take the decisions due before ``t_end`` here, as :func:`due` does (the day's kernel call does it
        when the decisions are taken there): their moments and cases."""
        qt, qi, head, size = self.arrays[:4]
        n = int(size[0])
        rest_t, rest_ids, t, ids = split_due(qt[:n], qi[:n], t_end)
        k = len(rest_t)
        qt[:k], qi[:k], size[0] = rest_t, rest_ids, k
        least = float(np.fmin.reduce(rest_t)) if k else float("inf")
        self.first = head[0] = least if least == least else float("inf")  # (only NaN moments left: never due)
        return t, ids


def decision_queue(model) -> DecisionQueue:
    """``model.gaming_queue`` made a :class:`DecisionQueue` (the compiled engine's, when it is made), with any
    batches queued."""
    q = model.gaming_queue
    if type(q) is not DecisionQueue:
        batches, q = q, DecisionQueue()
        for t, ids in batches:
            q.add(np.asarray(t, dtype=float), np.asarray(ids, dtype=np.int64))
        model.gaming_queue = q
    return q


class _Queues:
    """The queues as they stand at a moment: for each handler, the clock hours queued ahead of each
    waiting step and in all, and its persons free for cases (computed once per handler and day)."""

    def __init__(self, model):
        self.model = model
        self.ahead: dict = {}
        self.total: dict = {}

    def rate(self, h) -> float:
        """Clock hours of case work the handler does per working hour (its persons free for cases)."""
        cap = case_capacity(h) if h.kind != "desk" else h.capacity_hours
        return max(cap / HOURS_PER_DAY, 1e-9)

    def _load(self, h) -> None:
        if h.hid in self.total:
            return
        m = self.model
        cum = 0.0
        ahead = {}
        for _, _, tk in waiting_steps(h) if h.kind != "desk" else _waiting_coord(h):
            ahead[id(tk)] = cum
            cum += _hours(m, tk)
        self.ahead[h.hid] = ahead
        self.total[h.hid] = cum

    def wait_before(self, tk) -> float:
        """Working hours before a waiting task starts (the work queued ahead of it ÷ the handler's rate)."""
        h = tk.handler
        self._load(h)
        return self.ahead[h.hid].get(id(tk), self.total[h.hid]) / self.rate(h)

    def wait_all(self, h) -> float:
        """Working hours before a task joining the end of the handler's queue starts."""
        self._load(h)
        return self.total[h.hid] / self.rate(h)


def _waiting_coord(h) -> list:
    out = [(k, s, tk) for k, s, v, tk in h.waiting if tk.version == v and tk.state == WAITING]
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def _hours(model, tk) -> float:
    """Expected clock hours of a task not yet started."""
    if tk.kind != STEP:
        return float(model.coordination_hours[tk.stage])
    return fraction_of(model, tk.handler) * needed_hours(model, tk) / speed(model, tk)


def _step_hours(model, cid: int, hid: int, stage: int) -> float:
    """Expected clock hours of a step not yet released (mean service-time draw)."""
    h = model.handlers[hid]
    m = int(model.cases.matter[cid])
    need = float(model.catalogue.hours[m])
    sp = 1.0
    if h.kind == "department":
        sp = model.departments[h.index].effort
    elif stage == 0 and model.cases.delegated[cid]:
        sp = model.townships[h.index].competence(m)
    return fraction_of(model, h) * need / sp


def projected_finish(model, cid: int, now: float, queues: _Queues | None = None) -> float:
    """When the open case's remaining work would be done (hours), from the queues at ``now``."""
    flow = model.flows.get(cid)
    if flow is None:
        return float("nan")
    q = queues if queues is not None else _Queues(model)
    steps, nxt, tasks = flow
    ends = []
    for tk in tasks:
        if tk.kind != STEP or tk.state not in (PENDING, WAITING, RUNNING):
            continue
        if tk.state == RUNNING:
            log = model.case_work.get(cid)
            ends.append(max(now, log[2] + log[3]) if log else now + tk.hours)
        else:
            ends.append(now + q.wait_before(tk) + _hours(model, tk))
    t = max(ends) if ends else now
    if not ends and nxt == 0:  # held for coordination
        t = now + _coordination_wait(model, cid, now, q)
    joint = bool(model.cases.joint[cid]) or (bool(model.cases.whistle[cid]) and nxt == 0)
    rest = range(nxt, len(steps))
    if joint and nxt == 0:
        t += max((q.wait_all(model.handlers[steps[i]]) + _step_hours(model, cid, steps[i], i) for i in rest), default=0)
    else:
        for i in rest:
            h = model.handlers[steps[i]]
            t += q.wait_all(h) + _step_hours(model, cid, steps[i], i)
    return t


def _coordination_wait(model, cid: int, now: float, q: _Queues) -> float:
    """Working hours until the case's coordination is done (the soonest of its requests)."""
    best = float("inf")
    for tk in model.coord_tasks.get(cid, ()):
        if tk.state in (PENDING, WAITING):
            best = min(best, q.wait_before(tk) + float(model.coordination_hours[tk.stage]))
        elif tk.state == RUNNING:
            best = min(best, float(model.coordination_hours[tk.stage]))
    if best == float("inf") and any(c == cid for _, c in model.conference_queue):
        p = model.params
        day = int(now // HOURS_PER_DAY) + 1
        nxt = -(-day // p.joint_conference_interval) * p.joint_conference_interval
        best = nxt * HOURS_PER_DAY - now
    return 0.0 if best == float("inf") else best


def at_risk(model, cid: int, now: float | None = None, queues: _Queues | None = None) -> bool:
    """Open, and its projected finish (``projected_finish``) falls after its deadline."""
    if cid not in model.flows:
        return False
    t = model.engine.now if now is None else now
    return projected_finish(model, cid, t, queues) > float(model.cases.deadline[cid])


def due(model, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    """Take the decisions due before ``t_end`` from ``model.gaming_queue``, in (moment, case) order (the
    order a heap of (moment, case) pairs pops them): their moments (hours) and cases, as arrays."""
    q = model.gaming_queue
    if not q:
        return _NO_MOMENTS, _NO_CASES
    t = np.concatenate([b[0] for b in q]) if len(q) > 1 else q[0][0]
    ids = np.concatenate([b[1] for b in q]) if len(q) > 1 else q[0][1]
    rest_t, rest_ids, t, ids = split_due(t, ids, t_end)
    q[:] = [(rest_t, rest_ids)] if len(rest_t) else []
    return t, ids


def split_due(t: np.ndarray, ids: np.ndarray, t_end: float) -> tuple[np.ndarray, ...]:
    """Decisions at moments ``t`` (hours) of cases ``ids`` split at ``t_end`` (:func:`due`, ``DecisionQueue.take``):
    those not yet due, as given (NaN: never due), and the due ones in (moment, case) order, as a heap pops them."""
    now = t < t_end
    t_now, ids_now = t[now], ids[now]
    order = np.lexsort((ids_now, t_now))
    return t[~now], ids[~now], t_now[order], ids_now[order]


_NO_MOMENTS, _NO_CASES = np.zeros(0), np.zeros(0, dtype=np.int64)


def decide(model, t_end: float) -> int:
    """Take today's gaming decisions (moments before ``t_end``); return how many cases were gamed."""
    p = model.params
    if model.compiled:
        return _decide_compiled(model, t_end)
    times, ids = due(model, t_end)
    if not len(ids) or p.ontime_weight <= 0:
        return 0
    moments, cids = times.tolist(), ids.tolist()
    queues = None  # the queues as they stand, read at the first open case
    log = model.gaming_log
    n = 0
    for t, cid in zip(moments, cids):
        if cid not in model.flows:
            continue
        if queues is None:
            queues = _Queues(model)
        finish = projected_finish(model, cid, t_end, queues)
        deadline = float(model.cases.deadline[cid])
        gamed = finish > deadline and owner_agent(model, cid).decide_gaming()
        log.append((cid, t, finish, deadline, gamed))
        if gamed:
            handling.close(model, cid, t, gamed=True)
            n += 1
    return n


def _decide_compiled(model, t_end: float) -> int:
    """:func:`decide` on the compiled engine, in one kernel call (``kernel.projection.decide_run``): the due
    decisions taken from the :class:`DecisionQueue` in (moment, case) order, the open cases' projections, their
    owners' :func:`games` (from the owners' :func:`net_of`, kept up to date as cases are gamed) and the gamed
    cases' closures (``kernel.gamed``: ``handling.close``'s array bookkeeping and draws) are taken in the
    kernel; here the log, in decision order, from the call's rows, and the closures' Python side
    (``resolution.gamed_closed``). No call on a day that ends before the queue's first moment."""
    q = model.gaming_queue
    if not q.first < t_end:
        return 0
    eng = model.engine
    if model.params.ontime_weight <= 0:  # on-time closures no longer count: the due ones dropped undecided
        q.take(t_end)
        return 0
    if eng._sub_ids:  # intake's batch waits (the kernel's tables do not cover it): only when no case due is open
        fl_open = eng.fl[4]
        if not any(cid < len(fl_open) and fl_open[cid] for cid in q.due_cases(t_end).tolist()):
            q.take(t_end)
            return 0
    owners = [*model.departments, *model.townships]  # ``owner_agent``: a department, else the township
    k, n, moved, counts, rep_due, rep_cid = eng.gaming_queues().decide_day(q, owners, t_end)
    if k:
        cases, rows, flags = q.log
        cids = cases[:k]
        model.gaming_log.extend(zip(cids.tolist(), *rows[:, :k].tolist(), flags[:k].tolist()))
        if n:
            resolution.gamed_closed(model, cids[flags[:k]].tolist(), owners, moved, counts, rep_due, rep_cid)
    return n
