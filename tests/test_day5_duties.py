"""The departments' duty draws in one kernel call (``kernel.duties.draw_duties``) are ``dumping.draw_tasks``'s:
the same draws from the same generator in the same order, and ``dumping.departments_day`` (which uses it on
the compiled engine) writes what every department's ``Department.decide_dumping`` writes, also where
numpy's Poisson and binomial switch algorithm (a mean of 10 or more tasks; 30 or more expected dumped)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small
from test_day3_twins import _department_state

from townsim.model import TownshipModel, demand, dumping
from townsim.model.agents import Department

numba = pytest.importorskip("numba")
from townsim.model.kernel.duties import draw_duties  # noqa: E402
from townsim.model.kernel.rawrng import addresses  # noqa: E402


def _python_draws(rng, mean, probs, listed, off_share, enforcement, cdf):
    """``draw_tasks``'s draws, department by department."""
    counts, dest = [], []
    for prob in probs:
        tasks = int(rng.poisson(mean))
        dumped = int(rng.binomial(tasks, prob)) if tasks else 0
        bounced = 0
        if listed and dumped:
            off = int(rng.binomial(dumped, off_share))
            bounced = int(rng.binomial(off, enforcement)) if off else 0
        counts.append([tasks, dumped, bounced])
        if dumped:
            dest += demand.choose(rng, cdf, dumped).tolist()
    return counts, dest


@pytest.mark.parametrize("mean", [0.0, 0.3, 2.0, 9.9, 10.0, 45.0, 120.0])
@pytest.mark.parametrize("listed", [False, True])
def test_draw_duties_are_draw_tasks_draws(mean, listed):
    cdf = demand.choice_cdf(np.array([0.05, 0.3, 0.0, 0.15, 0.2, 0.3]))
    for seed in range(20):
        probs = np.random.default_rng(100 + seed).random(20)
        probs[:3] = (0.0, 1.0, 0.5)
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        counts = np.zeros((20, 3), dtype=np.int64)
        dest = draw_duties(addresses(a), mean, probs, listed, 0.35, 0.8, cdf, counts)
        want_counts, want_dest = _python_draws(b, mean, probs, listed, 0.35, 0.8, cdf)
        assert counts.tolist() == want_counts and dest.tolist() == want_dest
        assert a.bit_generator.state == b.bit_generator.state
        assert mean == 0.0 or sum(c[0] for c in want_counts) > 0


@pytest.mark.parametrize(
    "changes",
    [
        dict(duty_tasks_per_department=60.0, dumping_base=0.6, responsibility_list=True, list_enforcement=0.9),
        dict(duty_tasks_per_department=15.0, dumping_base=0.3, dumping_pressure_slope=2.0),
    ],
)
def test_departments_day_is_decide_dumping_with_many_tasks(changes):
    p = small(engine="compiled", **changes)
    ref, twin = TownshipModel(p, rng=7), TownshipModel(p, rng=7)
    assert twin.compiled, twin.engine_reason
    for _ in range(6):
        ref.agents_by_type[Department].do("decide_dumping")
        totals = dumping.departments_day(twin)
        assert _department_state(ref) == _department_state(twin)
        assert totals == dumping.today(twin) == dumping.today(ref)
        ref.run(2)
        twin.run(2)
    assert sum(d.period_dumped for d in ref.departments) > 100
