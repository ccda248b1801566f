"""``dumping.departments_day`` keeps its lever values between days and still decides as every department's
``decide_dumping`` (the reference)."""

from __future__ import annotations

import math

import pytest
from helpers import small

from townsim.model import TownshipModel


def _dumping_state(m) -> tuple:
    """What a day's dumping decisions write: the departments', the townships' duty, the day's flows, the rng."""
    depts = [
        (d.dumping_propensity, d.period_tasks, d.period_dumped, d.period_bounced, d.today_dumped, d.today_bounced)
        for d in m.departments
    ]
    duty = [h.duty_backlog for h in m.handlers]
    return depts, duty, dict(m.day_dumped), dict(m.day_bounced), m.period_dumped_dt.tolist(), m.rng.bit_generator.state


@pytest.mark.parametrize("half_life", [4.0, math.inf])
def test_departments_day_constants_follow_the_fading_weight_and_the_levers(half_life):
    """``dumping.departments_day`` keeps its lever values between days: with a fading reform (its two-way weight
    new each day) or none, after the counted window starts anew (``count_under``, on the day of a decision) and
    after the levers change within it, each day's decisions are still those of every department's
    ``decide_dumping``."""
    pytest.importorskip("numba")
    from townsim.model import Department, dumping, reform

    p = small(
        engine="compiled",
        duty_tasks_per_department=4.0,
        two_way_weight=0.8,
        score_sensitivity=3.0,
        reform_half_life_days=half_life,
        assessment_period=3,
        dumping_exploration_sd=0.4,
    )
    later = p.replace(dumping_pressure_slope=2.5, responsibility_list=True, list_enforcement=0.6, two_way_weight=0.3)
    ref, twin = TownshipModel(p, rng=9), TownshipModel(p, rng=9)
    weights, drops = set(), set()
    for step in range(30):
        if step == 12:  # a decision, then the window starts anew on the same day (the fading weight back to full)
            ref.agents_by_type[Department].do("decide_dumping")
            dumping.departments_day(twin)
        for m in (ref, twin):
            if step == 12:
                m.count_under(m.params)  # the same levers (the same object)
            elif step == 18:  # the levers changed within the window (the same day count, the same start)
                m.params = later
            elif step == 24:
                m.params = p.replace(territorial_share=0.2, list_enforcement=0.9, duty_tasks_per_department=6.0)
        ref.agents_by_type[Department].do("decide_dumping")
        dumping.departments_day(twin)
        assert _dumping_state(ref) == _dumping_state(twin), step
        weights.add(reform.two_way_weight(twin))
        drops.update(d.expected_score_drop for d in twin.departments)
        ref.run(1)
        twin.run(1)
    assert len(drops - {0.0}) > 3  # the weight was weighed against learned drops
    if half_life == math.inf:
        assert weights == {0.8, 0.3}  # the lever's value (0.8 again in the last levers)
    else:
        assert len(weights) > 20  # new (almost) every day while it fades
