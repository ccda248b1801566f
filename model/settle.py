"""Start settled: the slow stocks begin from the status quo's stationary state.

Queues and backlogs settle within days (the run-in, ``warmup_days``, fixed per county by
MSER-5); requesters' satisfaction and channel memories and the enterprises' life-cycle stages
would take years. They are therefore *drawn* from their stationary state under the status quo:

* **Satisfaction and channel memories.** During the second half of the warm-up (pre-reform
  levers, queues already in their steady regime) every closed case's judgement ``s_case``
  (``satisfaction``) is pooled by requester kind, township and channel (online or not). At
  the end of each settling round each requester's history is replayed in continuous time: its
  fresh requests arrive at the rate the round saw per requester of its kind and township; at
  each it picks a channel by its own memories (``channel.online_probability``), draws a
  judgement of its kind and township from that channel's pool, and updates its satisfaction
  and that channel's memory by ``satisfaction_learning`` α; after a judgement whose requester
  came back (a repeat contact) the next follows after Exp(``repeat_delay_days``). Its state at
  a horizon of ``K`` fresh requests (``K``: the starting value then weighs < 10⁻⁴) is a draw from
  the stationary distribution at a random moment — what the daily KPI sees (a bad outcome
  soon followed by its repeat is held only briefly). A pool with
  fewer than ``MIN_POOL`` judgements falls back to the kind's pool over all townships.
* **Life-cycle stages.** With per-capita entry rate ``b`` (``enterprise_entry_rate`` × mean
  satisfaction / 0.7) and stage durations ``T_s`` = ``startup_days``, ``T_g`` =
  ``growth_days``, the stable stage distribution of a population growing at rate
  ``b − exit`` is start-up ``b / (1/T_s + b)``, growth ``start-up × (1/T_s) / (1/T_g + b)``,
  mature the rest (exits hit every stage alike). Stages are drawn from it at construction
  (at the starting satisfaction) and redrawn for live enterprises at the end of the warm-up
  (at the settled mean satisfaction).

Township learning (competence) has no stock under the status quo (nothing is delegated), and
the departments' score estimators learn within a few assessment periods of the run-in.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import kernel
from .channel import _logit, online_probability
from .demand import STAGE_RATE, Stage
from .feedback import ENTRY_REFERENCE, SATISFACTION_START
from .params import Params

if TYPE_CHECKING:
    from collections.abc import Callable

ROUNDS = 4
"""Settling rounds at the end of the warm-up (fewer when it is shorter than twice their days)."""
MIN_ROUND_DAYS = 8
"""Days of one settling round: its judgements settle the stocks at its end."""
MIN_POOL = 20
"""Fewest judgements of a kind and township (per channel) drawn from; fewer: the kind's pool."""


def round_starts(warmup_days: int) -> set[int]:
    """Warm-up days on which a settling round starts: the last ``ROUNDS`` × ``MIN_ROUND_DAYS`` days, after
    a run-in at least as long (fewer, shorter rounds in a short warm-up)."""
    w = warmup_days
    if w <= 0:
        return set()
    span = ROUNDS * MIN_ROUND_DAYS
    rounds = ROUNDS if w >= 2 * span else max(1, w // (2 * MIN_ROUND_DAYS))
    length = MIN_ROUND_DAYS if w >= 2 * MIN_ROUND_DAYS else max(w // 2, 1)
    return {w - length * k for k in range(1, rounds + 1)}


def stage_shares(params: Params, mean_satisfaction: float) -> np.ndarray:
    """Stationary shares of start-up, growth and mature enterprises (sum 1)."""
    b = params.enterprise_entry_rate * mean_satisfaction / ENTRY_REFERENCE
    s = b / (1.0 / params.startup_days + b)
    g = s * (1.0 / params.startup_days) / (1.0 / params.growth_days + b)
    return np.array([s, g, max(1.0 - s - g, 0.0)])


def updates(alpha: float) -> int:
    """Replayed judgements after which the starting value weighs less than 10⁻⁴."""
    if alpha <= 0:
        return 0
    if alpha >= 1:
        return 1
    return min(200, math.ceil(math.log(1e-4) / math.log(1.0 - alpha)))


def _draw(rng, vals: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws with replacement from ``vals``."""
    return vals[rng.integers(len(vals), size=n)]


class Pool:
    """Judgements of closed cases during a settling round: requester kind, township, online, s_case,
    whether the requester will come back (a repeat is pending) and whether it was a repeat itself."""

    FIELDS = ("enterprise", "township", "online", "s_case", "pending", "repeat")

    def __init__(self, day: int = 0) -> None:
        self.day = day  # clock day the round began
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, enterprise, township, online, s_case, pending, repeat) -> None:
        self.parts.append(
            (
                np.asarray(enterprise, bool),
                np.asarray(township, np.int64),
                np.asarray(online, bool),
                np.array(s_case, float),
                np.asarray(pending, bool),
                np.asarray(repeat, bool),
            )
        )

    def arrays(self) -> dict[str, np.ndarray] | None:
        if not self.parts:
            return None
        return {f: np.concatenate([p[i] for p in self.parts]) for i, f in enumerate(self.FIELDS)}


_KEYS = ((True, False), (False, False), (True, True), (False, True))


def _subpool(sel: np.ndarray, mine: np.ndarray, channel: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Pool indices of a channel and contact kind: the township's, else the requester kind's (fewer
    than ``MIN_POOL``), else the township's or kind's of any contact kind, else of any channel."""
    for cand in (sel & channel & kind, mine & channel & kind, sel & channel, mine & channel, sel, mine):
        idx = np.flatnonzero(cand)
        if len(idx) >= MIN_POOL or (len(idx) and cand is not None and cand.sum() == mine.sum()):
            return idx
    return np.flatnonzero(mine)


def settle_requesters(
    params: Params,
    rng,
    state: dict,
    rows_all: np.ndarray,
    pool: Pool,
    days: int,
    enterprise: bool,
    ages: np.ndarray | None = None,
    relative_rate: np.ndarray | None = None,
    compiled: Callable | None = None,
):
    """Replay each requester's history from the pool of its kind and township until stationary.

    In continuous time: fresh requests arrive at the rate the round saw per requester of the
    township; after a judgement whose requester comes back, the next one follows after
    Exp(``repeat_delay_days``). The state at a horizon of ``updates(α)`` fresh requests is a draw
    from the stationary distribution *at a random moment* (a bad outcome followed by a quick repeat is
    held briefly), which is what the daily satisfaction KPI observes. ``ages`` (days, per row): a
    requester younger than the horizon has had only its life's judgements since its starting value
    (enterprises: drawn from the stable age distribution); ``relative_rate`` (per row, mean 1): its
    request rate against its township's mean (enterprises: by life-cycle stage). ``compiled``: the kernel's
    replay (``kernel.settle_replay``, the same draws) instead of ``_replay``.

    Over 60 lines: the replay is one vectorised loop over judgement rounds whose state (satisfaction,
    channel experience, pending repeats, each requester's clock) is updated together each round; split, that
    state would be passed back and forth every round."""
    arr = pool.arrays()
    if arr is None or len(rows_all) == 0 or days <= 0:
        return
    mine = arr["enterprise"] == enterprise
    if not mine.any():
        return
    alpha = params.satisfaction_learning
    k_updates = updates(alpha)
    if k_updates == 0:
        return
    town, online, s_case, pending, repeat = arr["township"], arr["online"], arr["s_case"], arr["pending"], arr["repeat"]
    fresh = mine & ~repeat
    sat, x_on, x_off = state["satisfaction"], state["exp_online"], state["exp_offline"]
    where = state["township"][rows_all]
    kind_rate = fresh.sum() / (len(rows_all) * days)
    for t in np.unique(where).tolist():
        rows = rows_all[where == t]
        sel = mine & (town == t)
        # judgements to draw from by (channel online, a repeat contact): a requester who is coming
        # back draws its next judgement from the repeats, otherwise from first contacts
        idx = {key: _subpool(sel, mine, online == key[0], repeat == key[1]) for key in _KEYS}
        n_fresh = int((fresh & (town == t)).sum())
        rate = n_fresh / (len(rows) * days) if n_fresh >= MIN_POOL else kind_rate
        if rate <= 0:
            continue
        rate = np.full(len(rows), rate)
        if relative_rate is not None:
            rate = rate * relative_rate[where == t]
        horizon = k_updates / rate
        if ages is not None:
            horizon = np.minimum(horizon, ages[where == t])
        if compiled is not None:
            s, a, b = _replay_compiled(compiled, params, rng, idx, s_case, pending, rate, horizon, k_updates)
        else:
            s, a, b = _replay(params, rng, idx, s_case, pending, rate, horizon, k_updates)
        sat[rows], x_on[rows], x_off[rows] = s, a, b


def _replay(params, rng, idx: dict, s_case, pending, rate, horizon, k_updates: int):
    """One township's requesters replayed to their horizon (``settle_requesters``): satisfaction, online and
    offline experience per requester. The draws come in a fixed order per round (channels, judgements by
    (channel, contact kind) in ``_KEYS`` order, both gaps), so the loop keeps its arrays whole and updates
    them in place: tiny arrays, many rounds, so numpy's per-call cost is what it spends."""
    n = len(rate)
    s = np.full(n, SATISFACTION_START)
    a, b = s.copy(), s.copy()
    clock = rng.exponential(1.0 / rate)
    back = np.zeros(n, bool)  # its last judgement left a repeat pending
    live = np.flatnonzero(clock < horizon)
    alpha = params.satisfaction_learning
    delay = params.repeat_delay_days
    inv_rate = 1.0 / rate
    pools = [(int(key[0]) + 2 * int(key[1]), idx[key]) for key in _KEYS]  # (online, coming back) as 0..3
    for _ in range(50 * k_updates):
        m = len(live)
        if not m:
            break
        al, bl = a[live], b[live]
        on = rng.random(m) < online_probability(params, al, bl)
        code = on + 2 * back[live]
        pick = np.zeros(m, np.int64)
        for k, vals in pools:
            w = np.flatnonzero(code == k)
            if len(w):
                pick[w] = _draw(rng, vals, len(w))
        x = s_case[pick]
        sl = s[live]
        s[live] = sl + alpha * (x - sl)
        a[live] = np.where(on, al + alpha * (x - al), al)
        b[live] = np.where(on, bl, bl + alpha * (x - bl))
        pend = pending[pick]
        gap = np.where(pend, rng.exponential(delay, m), rng.exponential(inv_rate[live]))
        c = clock[live] + gap
        clock[live] = c
        back[live] = pend
        live = live[c < horizon[live]]
    return s, a, b


def _replay_compiled(replay: Callable, params, rng, idx: dict, s_case, pending, rate, horizon, k_updates: int):
    """``_replay`` in the kernel (``kernel.settle.replay``): the pools one after the other in ``_KEYS``
    order with their codes, the channel's coefficients as one array."""
    pools = [np.asarray(idx[key], np.int64) for key in _KEYS]
    starts = np.cumsum([0] + [len(v) for v in pools]).astype(np.int64)
    codes = np.array([int(on) + 2 * int(back) for on, back in _KEYS], np.int64)  # as ``_replay`` codes them
    share = float(params.online_share)
    logit = _logit(share) if 0.0 < share < 1.0 else 0.0
    coefs = np.array([share, logit, float(params.channel_experience_slope), SATISFACTION_START])
    return replay(
        rng,
        np.ascontiguousarray(s_case, np.float64),
        np.ascontiguousarray(pending, np.bool_),
        np.concatenate(pools),
        starts,
        codes,
        np.ascontiguousarray(rate, np.float64),
        np.ascontiguousarray(horizon, np.float64),
        int(k_updates),
        float(params.satisfaction_learning),
        float(params.repeat_delay_days),
        coefs,
    )


def settle(model) -> None:
    """Draw the slow stocks from their stationary state under the current (status-quo) levers."""
    p = model.params
    pool = model.settle_pool
    n = model.n_enterprises
    if pool is not None:
        compiled = kernel.settle_replay() if model.compiled else None
        days = model.clock_day - pool.day
        citizens = np.arange(model.n_citizens)
        settle_requesters(p, model.rng, model.citizen_state, citizens, pool, days, enterprise=False, compiled=compiled)
        firms = np.flatnonzero(model.enterprise_state["stage"][:n] < Stage.EXITED)
        if len(firms):  # ages from the stable age distribution: exponential at the per-capita entry rate
            mean_s = float(model.enterprise_state["satisfaction"][:n][firms].mean())
            b = p.enterprise_entry_rate * mean_s / ENTRY_REFERENCE
            ages = model.rng.exponential(1.0 / b, len(firms)) if b > 0 else np.full(len(firms), np.inf)
            stage_rate = STAGE_RATE[model.enterprise_state["stage"][:n][firms]]
            rel = stage_rate / stage_rate.mean() if stage_rate.mean() > 0 else None
            settle_requesters(
                p,
                model.rng,
                model.enterprise_state,
                firms,
                pool,
                days,
                enterprise=True,
                ages=ages,
                relative_rate=rel,
                compiled=compiled,
            )
    if n:
        stage = model.enterprise_state["stage"][:n]
        live = np.flatnonzero(stage < Stage.EXITED)
        if len(live):
            mean_s = float(model.enterprise_state["satisfaction"][:n][live].mean())
            stage[live] = model.rng.choice(int(Stage.EXITED), size=len(live), p=stage_shares(p, mean_s))
