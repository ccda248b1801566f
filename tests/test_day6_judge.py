"""The compiled engine's feedback day (``kernel.feedback``) is ``model.feedback``'s numpy reference, bit for bit:
the day's closures judged in one call (the requesters' satisfaction, memories and trips, the reports learnt,
the owners' counters) and the enterprises' life cycle in one call (the same draws, moves, exits, mean
satisfaction and entries)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import small

from townsim.model import TownshipModel, feedback
from townsim.model.catalogue import ENTERPRISE

pytest.importorskip("numba")


def _state(m) -> tuple:
    rows = tuple(a.tobytes() for st in (m.enterprise_state, m.citizen_state) for a in st.values())
    agents = tuple((a.period_cases, a.period_late) for a in (*m.townships, *m.departments))
    return rows, agents, m.period_cases_dt.tobytes(), m.period_bad_dt.tobytes()


def _reference_judge(m, ids) -> None:
    """``feedback.judge``'s numpy path on a compiled model (the agents' reference methods)."""
    m.compiled = False
    try:
        feedback.judge(m, ids)
    finally:
        m.compiled = True


@pytest.mark.parametrize(
    "changes",
    [
        {},
        dict(delegated_share=0.5, points_incentive=0.5),
        dict(resolution_base=0.5, department_staff=3.0, satisfaction_trip_weight=0, report_learning=1),
    ],
)
def test_judge_compiled_is_the_numpy_judge(changes):
    m = TownshipModel(small(engine="compiled", **changes), rng=4).run(30)
    assert m.compiled, m.engine_reason
    c = m.cases
    closed = np.flatnonzero(~np.isnan(c.closed[: c.n]))
    c.reported[closed[::3]] = True  # reports to learn from (a citizen's or an enterprise's row alike)
    c.petitioned[closed[::7]] = True
    rng = np.random.default_rng(0)
    kinds = set()
    for k in (1, 5, 40, len(closed), 3 * len(closed)):
        ids = rng.choice(closed, size=k, replace=True).astype(np.int64)  # a requester's cases in turn
        a, b = copy.deepcopy(m), copy.deepcopy(m)
        _reference_judge(a, ids)
        feedback.judge(b, ids)
        assert _state(a) == _state(b)
        kinds |= set(c.requester_kind[ids].tolist())
    assert int(ENTERPRISE) in kinds and len(kinds) > 1  # enterprises' and citizens' cases were judged


def test_judge_compiled_moves_the_state():
    """The comparison above can fail: the compiled judgement changes what the reference changes."""
    m = TownshipModel(small(engine="compiled"), rng=4).run(30)
    c = m.cases
    ids = np.flatnonzero(~np.isnan(c.closed[: c.n])).astype(np.int64)
    before = _state(m)
    feedback.judge(m, ids)
    after = _state(m)
    assert all(x != y for x, y in zip(before, after))


@pytest.mark.parametrize("n", [0, 1, 7, 130, 2542])
@pytest.mark.parametrize("rate", [0.0, 0.002, 0.05])
def test_life_cycle_compiled_is_the_numpy_life_cycle(n, rate):
    p = small(enterprise_entry_rate=rate, enterprise_exit_base=0.01, enterprise_exit_sensitivity=0.3)
    rng = np.random.default_rng(n)
    stage = rng.integers(0, 4, n).astype(np.int8)
    sat = rng.random(n)
    for _day in range(4):
        outs = []
        for step in (feedback._life_cycle_arrays, feedback._life_cycle_compiled):
            g, st, s = copy.deepcopy(rng), stage.copy(), sat.copy()
            exits, live, mean_sat, entries = step(g, p, st, s)
            outs.append((exits.tolist(), live, float(mean_sat), int(entries), st.tobytes(), g.bit_generator.state))
        assert outs[0] == outs[1]
        stage = np.frombuffer(outs[0][4], dtype=np.int8).copy()
        rng = copy.deepcopy(rng)
        rng.random(2 * n + 1)
    if n > 100 and rate == 0.05:
        assert outs[0][3] > 0 and outs[0][0]  # entries and exits were drawn


def test_kernel_mean_is_numeric_mean():
    from townsim.model.kernel.pairwise import pairwise_mean  # deferred: numba only here
    from townsim.model.metrics.numeric import mean

    rng = np.random.default_rng(3)
    a = rng.random(300_000) * 1e3 - rng.random(300_000) * 1e-3
    for n in [*range(0, 1100), 4096, 8191, 70_001, 300_000]:
        want, got = mean(a[:n]), pairwise_mean(a, n)
        assert got == want or (np.isnan(want) and np.isnan(got)), n
    assert any(pairwise_mean(a, n) != sum(a[:n].tolist()) / n for n in range(200, 1100))  # the tree's order shows


def test_a_generator_from_its_addresses_draws_the_generators_numbers():
    """``kernel.rawrng``: a kernel's Generator rebuilt from the model's Generator's addresses draws what the
    Generator draws (numpy's values and state), follows a state set on it, and a copy has its own."""
    from numba import njit  # deferred: numba only here

    from townsim.model.kernel.rawrng import addresses, generator  # deferred: as above

    @njit
    def draws(addrs, n, lam):
        rng = generator(addrs)
        return rng.random(n), rng.poisson(lam), rng.binomial(9, 0.3), rng.standard_exponential()

    a, b = np.random.default_rng(11), np.random.default_rng(11)
    saved = a.bit_generator.state
    for lam in (0.4, 6.0, 12.0, 300.0):
        u, k, j, e = draws(addresses(a), 40, lam)
        want = (b.random(40), b.poisson(lam), b.binomial(9, 0.3), b.standard_exponential())
        assert (u.tobytes(), k, j, e) == (want[0].tobytes(), *want[1:])
        assert a.bit_generator.state == b.bit_generator.state
    a.bit_generator.state = saved  # the same memory: the kept addresses still draw from it
    assert draws(addresses(a), 40, 0.4)[0].tobytes() == np.random.default_rng(11).random(40).tobytes()
    c = copy.deepcopy(a)
    assert addresses(c) != addresses(a)
    before = a.bit_generator.state
    draws(addresses(c), 5, 1.0)
    assert a.bit_generator.state == before and c.bit_generator.state != before
