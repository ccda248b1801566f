"""The townships' accounts in one pass (``Township.account_all``, ``inspection.account_townships``) book the
doubles each township's ``account_day`` books, every day, on both engines."""

from __future__ import annotations

import math
import struct

import pytest
from helpers import small

from townsim.model import Township, TownshipModel, inspection


def _bits(towns) -> list[tuple]:
    """Each township's hour accounts as the doubles' bytes (a 1-ulp or signed-zero change shows)."""
    return [tuple(struct.pack("<d", t.hours[k]) for k in t.hours) for t in towns]


def _both(m: TownshipModel) -> tuple[list, list]:
    """The accounts after one more booking of today by each township's ``account_day`` (the reference), and by
    ``Township.account_all`` from the same start; the model's accounts are left as they were."""
    kept = [dict(t.hours) for t in m.townships]
    for t in m.townships:
        t.account_day()
    want = _bits(m.townships)
    for t, h in zip(m.townships, kept):
        t.hours = dict(h)
    Township.account_all(m)
    got = _bits(m.townships)
    for t, h in zip(m.townships, kept):
        t.hours = h
    return want, got


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_account_all_is_each_account_day(engine):
    """Day by day (busy days, idle hours split by each township's weights), the one pass books
    what the townships' own methods book; the model's run is not moved by the comparison."""
    if engine == "compiled":
        pytest.importorskip("numba")
    p = small(engine=engine, citizen_request_rate=0.03, assessment_period=1000)
    m, twin = TownshipModel(p, rng=11), TownshipModel(p, rng=11)
    for model in (m, twin):  # each township its own weights, not adding up to 1 (kept: no assessment here)
        for t, (w, u) in zip(model.townships, ((0.3, 0.9), (0.55, 0.1), (0.8, 0.8), (1.0, 0.0), (0.1, 0.45))):
            t.score_weights = {"service": w, "upward": u}
    slack_seen = {True: 0, False: 0}
    for day in range(30):
        m.run(1)
        twin.run(1)
        want, got = _both(m)
        assert got == want, day
        assert _bits(m.townships) == _bits(twin.townships), day  # the comparison left the run as it was
        for t in m.townships:
            h = t.handler
            slack_seen[h.capacity_hours - h.worked_today - h.duty_today > 0] += 1
    assert slack_seen[True] and sum(h.worked_today for h in m.handlers) > 0
    assert len({t.score_weights["upward"] for t in m.townships}) > 1  # the weights differ between townships


def test_account_all_edge_values():
    """No slack (a day's hours used up or overrun), weights adding up to 0, a NaN and a negative-zero slack: the
    same bookings as the reference's ``max`` and ``inspection.split_slack``."""
    m = TownshipModel(small(citizen_request_rate=0.02), rng=3).run(3)
    towns = m.townships
    h0, h1, h2, h3 = (t.handler for t in towns[:4])
    h0.capacity_hours = h0.worked_today + h0.duty_today  # slack 0.0
    h1.capacity_hours = h1.worked_today + h1.duty_today - 2.5  # overrun: slack below zero
    towns[2].score_weights = {"service": 0.0, "upward": 0.0}
    h3.capacity_hours = math.nan
    if len(towns) > 4:
        h4 = towns[4].handler
        h4.capacity_hours, h4.worked_today, h4.duty_today = -0.0, 0.0, 0.0  # slack -0.0
    for t in towns:
        t.hours = {k: 1.25 for k in t.hours}
    towns[0].hours = {k: -0.0 for k in towns[0].hours}  # 0.0 added to a negative zero: a positive zero
    want, got = _both(m)
    assert got == want
    assert math.isnan(struct.unpack("<d", got[3][2])[0])  # the NaN slack split as the reference splits it


def test_account_townships_weights_each_use():
    """The split follows each weight, in ``split_slack``'s order of operations (slack × weight / total: 6.52 idle
    hours and weights 0.9 and 0.3 give other doubles as slack / total × weight)."""
    m = TownshipModel(small(), rng=4).run(2)
    t = m.townships[0]
    t.score_weights = {"service": 0.3, "upward": 0.9}
    h = t.handler
    h.capacity_hours, h.worked_today, h.duty_today = 6.52, 0.0, 0.0
    t.hours = dict.fromkeys(t.hours, 0.0)
    inspection.account_townships([t])
    assert (t.hours["paperwork"], t.hours["outreach"]) == inspection.split_slack(t, 6.52)
    assert t.hours["paperwork"] != 6.52 / 1.2 * 0.9 and t.hours["outreach"] != 6.52 / 1.2 * 0.3
    assert t.hours["paperwork"] > t.hours["outreach"]


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
