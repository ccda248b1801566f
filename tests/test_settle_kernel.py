"""The compiled replay of settling requesters (``kernel.settle.replay``) against the reference
(``settle._replay``): the same satisfaction and channel memories, the generator left in the same state."""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params, TownshipModel, settle

pytest.importorskip("numba")

from townsim.model import kernel  # noqa: E402


def _pools(rng, n_judgements: int, sizes: tuple[int, int, int, int]) -> dict:
    """Four pools of judgement indices (online, coming back), as ``settle._subpool`` makes them."""
    return {key: np.sort(rng.choice(n_judgements, size=k, replace=False)) for key, k in zip(settle._KEYS, sizes)}


CASES = [
    {},  # the defaults
    {"online_share": 0.0},  # no logistic: a constant probability
    {"online_share": 1.0},
    {"online_share": 0.5, "channel_experience_slope": 8.0},
    {"repeat_delay_days": 0.05},  # quick repeats: many rounds
    {"satisfaction_learning": 0.5},
    {"satisfaction_learning": 1.0},  # one update
]


@pytest.mark.parametrize("levers", CASES, ids=[",".join(f"{k}={v}" for k, v in c.items()) or "defaults" for c in CASES])
@pytest.mark.parametrize("seed", range(6))
def test_the_compiled_replay_is_the_reference(levers, seed):
    params = Params(**levers)
    setup = np.random.default_rng(1000 + seed)
    n_j = int(setup.integers(40, 400))
    s_case = setup.random(n_j)
    pending = setup.random(n_j) < 0.2
    idx = _pools(setup, n_j, tuple(int(setup.integers(1, n_j // 2)) for _ in range(4)))
    n = int(setup.integers(1, 300))
    rate = setup.uniform(0.01, 0.2, n)
    k = settle.updates(params.satisfaction_learning)
    horizon = np.minimum(k / rate, setup.uniform(0, 3 * k / rate.mean(), n))
    r_ref, r_new = np.random.default_rng(seed), np.random.default_rng(seed)
    want = settle._replay(params, r_ref, idx, s_case, pending, rate, horizon, k)
    got = settle._replay_compiled(kernel.settle_replay(), params, r_new, idx, s_case, pending, rate, horizon, k)
    for w, g in zip(want, got):
        np.testing.assert_array_equal(g, w)
    assert r_ref.random() == r_new.random()  # the same draws taken: the generator is where the reference left it


def test_a_changed_draw_is_caught():
    """The comparison can fail: a replay from another generator state differs."""
    params = Params()
    setup = np.random.default_rng(7)
    s_case, pending = setup.random(200), setup.random(200) < 0.2
    idx = _pools(setup, 200, (30, 40, 20, 25))
    rate = setup.uniform(0.01, 0.2, 50)
    k = settle.updates(params.satisfaction_learning)
    want = settle._replay(params, np.random.default_rng(1), idx, s_case, pending, rate, k / rate, k)
    got = settle._replay_compiled(
        kernel.settle_replay(), params, np.random.default_rng(2), idx, s_case, pending, rate, k / rate, k
    )
    assert not np.array_equal(want[0], got[0])


def test_a_county_starts_settled_alike_on_both_engines():
    """A model's settled stocks (after the warm-up's settling rounds) are the same on both engines."""
    states = []
    for engine in ("python", "compiled"):
        m = TownshipModel(Params(engine=engine, townships=4, residents=20_000, warmup_days=40), rng=3)
        assert m.compiled == (engine == "compiled")
        states.append(m)
    a, b = states
    assert len(np.unique(a.citizen_state["satisfaction"])) > 10  # settled: drawn, not the starting value
    for name in ("satisfaction", "exp_online", "exp_offline"):
        np.testing.assert_array_equal(a.citizen_state[name], b.citizen_state[name])
        np.testing.assert_array_equal(a.enterprise_state[name], b.enterprise_state[name])
