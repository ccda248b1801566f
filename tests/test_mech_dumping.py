"""Mechanism: duty tasks, dumping and responsibility lists (model/dumping.py).

p_d = σ(logit(base) + slope·(load − 1) − C_d), C_d = list cost + ω·k·Δ̂_d;
dumped tasks go to townships by population; with a responsibility list an
off-list task is bounced back with probability ``list_enforcement``. Duty
work-hours are conserved: each task is done by its department or a township.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from townsim.model import (
    Params,
    TownshipModel,
    dumping,  # noqa: F401
)
from townsim.model.agents import Department
from townsim.model.dumping import department_load, dump_probability, list_cost, logit

BASE = dict(
    townships=4,
    departments=10,
    enterprises=50,
    residents=8000,
    matter_types=20,
    department_staff=20.0,
    township_staff=10.0,
    duty_tasks_per_department=20.0,
    duty_task_hours=1.0,
)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- the probability ----------------------------------------------------------------------


def test_dump_probability_is_the_documented_logistic():
    p = Params(
        dumping_base=0.3,
        dumping_pressure_slope=2.0,
        two_way_weight=0.5,
        score_sensitivity=10.0,
        responsibility_list=True,
        territorial_share=0.3,
        list_enforcement=0.8,
        bounce_cost=2.0,
    )
    load = np.array([0.0, 1.0, 2.5])
    drop = np.array([0.0, 0.1, 0.2])
    z = np.log(0.3 / 0.7) + 2.0 * (load - 1) - 0.7 * 0.8 * 2.0 - 0.5 * 10.0 * drop
    np.testing.assert_allclose(dump_probability(p, load, drop), sigmoid(z), rtol=1e-12)
    assert list_cost(p) == pytest.approx(0.7 * 0.8 * 2.0)
    assert logit(0.3) == pytest.approx(np.log(3 / 7))


def test_base_probability_at_unit_load_without_accountability():
    p = Params(dumping_base=0.17, two_way_weight=0.0)
    assert dump_probability(p, np.array([1.0]), np.array([0.9]))[0] == pytest.approx(0.17)


def test_dumping_rises_with_load():
    p = Params(dumping_pressure_slope=1.5)
    pr = dump_probability(p, np.linspace(0, 5, 11), np.zeros(11))
    assert np.all(np.diff(pr) > 0)
    flat = dump_probability(p.replace(dumping_pressure_slope=0.0), np.linspace(0, 5, 11), np.zeros(11))
    np.testing.assert_allclose(flat, p.dumping_base)


def test_dumping_falls_with_omega_times_expected_drop():
    load = np.ones(5)
    drop = np.linspace(0, 0.5, 5)
    for w in (0.25, 1.0):
        pr = dump_probability(Params(two_way_weight=w), load, drop)
        assert np.all(np.diff(pr) < 0)
    # one-way assessment (ω = 0): the learned drop has no effect
    np.testing.assert_allclose(dump_probability(Params(two_way_weight=0.0), load, drop), Params().dumping_base)
    # and a larger ω lowers it further for the same Δ̂
    assert (
        dump_probability(Params(two_way_weight=1.0), load, drop)[-1]
        < dump_probability(Params(two_way_weight=0.25), load, drop)[-1]
    )


def test_responsibility_list_lowers_dumping():
    off = Params(responsibility_list=False)
    on = off.replace(responsibility_list=True)
    load, drop = np.array([0.5, 1.0, 2.0]), np.zeros(3)
    assert np.all(dump_probability(on, load, drop) < dump_probability(off, load, drop))
    assert list_cost(off) == 0.0
    # a list that covers every task (territorial_share = 1) or is never enforced costs nothing
    assert list_cost(on.replace(territorial_share=1.0)) == 0.0
    assert list_cost(on.replace(list_enforcement=0.0)) == 0.0


# --- applying a day -----------------------------------------------------------------------


def apply(m):
    """One day's dumping decisions of all departments (``Department.decide_dumping``): (dumped, bounced)."""
    m.agents_by_type[Department].do("decide_dumping")
    return sum(d.today_dumped for d in m.departments), sum(d.today_bounced for d in m.departments)


def snapshot(m):
    return (
        np.array([d.handler.duty_backlog for d in m.departments]),
        np.array([t.handler.duty_backlog for t in m.townships]),
        np.array([d.period_tasks for d in m.departments]),
        np.array([d.period_dumped for d in m.departments]),
    )


@pytest.mark.parametrize("with_list", [False, True])
def test_duty_hours_are_conserved_and_flows_recorded(with_list):
    m = TownshipModel(Params(**BASE, responsibility_list=with_list), rng=1)
    for _ in range(5):
        m._reset_day_flows()
        d0, t0, n0, x0 = snapshot(m)
        dumped, bounced = apply(m)
        d1, t1, n1, x1 = snapshot(m)
        tasks = (n1 - n0).sum()
        assert tasks > 0
        assert (x1 - x0).sum() == dumped
        accepted = dumped - bounced
        h = m.params.duty_task_hours
        assert (t1 - t0).sum() == pytest.approx(accepted * h)
        assert (d1 - d0).sum() == pytest.approx((tasks - accepted) * h)
        assert sum(m.day_dumped.values()) == accepted
        assert sum(m.day_bounced.values()) == bounced
        if not with_list:
            assert bounced == 0 and not m.day_bounced


def test_dump_rate_matches_probability_and_bounce_share():
    p = Params(
        **BASE,
        dumping_pressure_slope=0.0,
        dumping_base=0.4,
        responsibility_list=True,
        territorial_share=0.25,
        list_enforcement=0.6,
        bounce_cost=1.0,
    )
    m = TownshipModel(p, rng=2)
    tasks = dumped = bounced = 0
    for _ in range(60):
        _, _, n0, _ = snapshot(m)
        dd, bb = apply(m)
        tasks += (snapshot(m)[2] - n0).sum()
        dumped += dd
        bounced += bb
    prob = sigmoid(np.log(0.4 / 0.6) - 0.75 * 0.6 * 1.0)
    assert abs(dumped / tasks - prob) < 4 * np.sqrt(prob * (1 - prob) / tasks)
    q = 0.75 * 0.6  # off-list and enforced
    assert abs(bounced / dumped - q) < 4 * np.sqrt(q * (1 - q) / dumped)
    assert all(d.dumping_propensity == pytest.approx(prob) for d in m.departments)


def test_dumped_tasks_land_on_townships_by_population():
    m = TownshipModel(Params(**BASE, township_size_spread=1.0, dumping_base=0.9, dumping_pressure_slope=0.0), rng=3)
    counts = np.zeros(m.params.townships)
    for _ in range(40):
        m._reset_day_flows()
        apply(m)
        for (_, t), n in m.day_dumped.items():
            counts[t] += n
    assert counts.sum() > 3000
    assert stats.chisquare(counts, m.township_share * counts.sum()).pvalue > 1e-4


def test_more_load_more_dumping_in_a_model():
    m = TownshipModel(Params(**BASE, dumping_pressure_slope=3.0), rng=4)
    light = dump_probability(m.params, np.array([department_load(d) for d in m.departments]), np.zeros(10))
    for d in m.departments:
        d.handler.duty_backlog += 3 * d.handler.capacity_hours  # three days of work waiting
    loads = np.array([department_load(d) for d in m.departments])
    staffed = np.array([d.handler.capacity_hours > 0 for d in m.departments])
    assert staffed.sum() >= 5
    np.testing.assert_allclose(loads[staffed], 3.0, atol=1e-9)  # no open cases yet: load = backlog / capacity
    m._reset_day_flows()
    apply(m)
    heavy = np.array([d.dumping_propensity for d in m.departments])
    assert np.all(heavy[staffed] > light[staffed])
    np.testing.assert_allclose(heavy, sigmoid(np.log(0.3 / 0.7) + 3.0 * (loads - 1)))


@pytest.mark.parametrize("with_list", [False, True])
def test_bounced_tasks_only_with_a_list(with_list):
    p = Params(**{**BASE, "duty_tasks_per_department": 2.0}, dumping_base=0.6, responsibility_list=with_list)
    s = TownshipModel(p, rng=5).run(20).summary()
    assert s["dumped_tasks"] > 10
    if with_list:
        assert s["bounced_tasks"] > 0
    else:
        assert s["bounced_tasks"] == 0
