"""The day's bookkeeping done with fewer numpy calls gives the very values of the array code it stands for:
``numeric.mean_of_floats`` against ``numeric.mean`` (numpy's pairwise sum), ``reform.effective_inspection_hours``
against ``reform.effective_params``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import SMALL

from townsim.model import Params, TownshipModel, inspection, reform
from townsim.model.metrics.numeric import mean, mean_of_floats


@pytest.mark.parametrize("n", [0, 1, 2, 7, 8, 9, 15, 16, 17, 20, 34, 63, 64, 65, 127, 128, 129, 200, 300])
def test_mean_of_floats_is_numpys_mean_bit_for_bit(n):
    rng = np.random.default_rng(n)
    for _ in range(300):
        # magnitudes 1e-8..1e8 of both signs: any change in the order of the additions shows in the last bits
        xs = (rng.random(n) * 10.0 ** rng.integers(-8, 9, n) * rng.choice([-1.0, 1.0], n)).tolist()
        got, want = mean_of_floats(xs), mean(np.array(xs))
        assert (math.isnan(got) and math.isnan(want)) or got.hex() == want.hex()
    if n:  # signed zeros: numpy's sum of zeros is +0
        assert mean_of_floats([-0.0] * n).hex() == mean(np.array([-0.0] * n)).hex() == "0x0.0p+0"
        mixed = [np.float64(x) for x in rng.random(n)]  # numpy scalars add as doubles too
        assert mean_of_floats(mixed).hex() == mean(np.array(mixed)).hex()


def test_a_reordered_sum_would_fail():
    xs = [1e16, 1.0, -1e16] + [1.0] * 6  # numpy's pairwise order sums to 5.0, left to right to 6.0
    left_to_right = 0.0
    for x in xs:
        left_to_right += x
    assert left_to_right == 6.0
    assert mean_of_floats(xs) == mean(np.array(xs)) == 5.0 / 9


def test_effective_inspection_hours_is_the_faded_parameters_value():
    p = Params(
        **SMALL,
        inspection_hours_per_week=8.0,
        meeting_document_cut=0.4,
        reform_half_life_days=20.0,
        reform_renewal_days=30.0,
        warmup_days=5,
        pre_reform={"inspection_hours_per_week": 20.0},
    )
    m = TownshipModel(p, rng=1)
    faded_days = 0
    for _ in range(45):
        want = reform.effective_params(m).inspection_hours_per_week
        got = reform.effective_inspection_hours(m)
        assert got.hex() == want.hex()
        faded_days += want != 8.0
        eff = reform.effective_params(m)
        assert inspection.weekly_duty_hours(p, got) == inspection.weekly_duty_hours(eff)
        assert inspection.daily_inspection_hours(p, got) == inspection.daily_inspection_hours(eff)
        m.run(1)
    assert faded_days > 20
    unfaded = TownshipModel(Params(**SMALL), rng=1).run(3)
    assert reform.effective_inspection_hours(unfaded) == unfaded.params.inspection_hours_per_week


def test_enterprise_stocks_without_a_memo_are_the_models_own():
    from townsim.model.metrics import collect

    m = TownshipModel(Params(**SMALL, enterprise_exit_base=0.01, enterprise_entry_rate=0.01), rng=3)
    exited = 0
    for _ in range(30):
        m.run(1)
        m.enterprise_stocks = None  # as on a day a firm entered: worked out from the rows
        sat, live = collect.enterprise_stocks(m)
        assert sat.hex() == m.mean_enterprise_satisfaction().hex() and live == m.live_enterprises
        exited = m.n_enterprises - live
    assert exited > 0  # dead rows were left out
