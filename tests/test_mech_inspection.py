"""Mechanism: inspections of townships (model/inspection.py).

Each working day every township owes ``inspection_hours_per_week / 5`` hours,
worked before its cases; departments are not inspected.
"""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params, TownshipModel, inspection

BASE = dict(
    townships=4,
    departments=5,
    enterprises=100,
    residents=20_000,
    matter_types=20,
    department_staff=15.0,
    township_staff=12.0,
    duty_tasks_per_department=0.0,
    attendance_share=0.0,  # coordination attendance is departments' duty too (escalation): none here
    dispute_rate=0.0,
)


@pytest.mark.parametrize("weekly", [0.0, 7.5, 20.0, 60.0])
def test_daily_hours_are_a_fifth_of_the_weekly(weekly):
    p = Params(inspection_hours_per_week=weekly)
    assert inspection.daily_inspection_hours(p) == pytest.approx(weekly / 5)
    m = TownshipModel(Params(**BASE, inspection_hours_per_week=weekly), rng=0)
    before = [t.handler.duty_backlog for t in m.townships]
    added = inspection.apply(m.townships, m.params)
    assert added == pytest.approx(len(m.townships) * weekly / 5)
    for b, t in zip(before, m.townships):
        assert t.handler.duty_backlog - b == pytest.approx(weekly / 5)
        assert t.inspection_load == pytest.approx(weekly / 5)


def test_township_hours_are_consumed_every_day():
    weekly, days = 20.0, 12
    m = TownshipModel(Params(**BASE, inspection_hours_per_week=weekly), rng=1).run(days)
    for t in m.townships:
        assert t.handler.capacity_hours > weekly / 5, "test assumes a township can do its inspections"
        assert t.handler.duty_total == pytest.approx(days * weekly / 5)
        assert t.handler.duty_backlog == pytest.approx(0.0)
    assert all(d.handler.duty_total == 0.0 for d in m.departments), "departments are not inspected"


def test_inspections_beyond_capacity_pile_up():
    m = TownshipModel(Params(**BASE, inspection_hours_per_week=500.0), rng=1).run(5)
    for t in m.townships:
        cap = t.handler.capacity_hours
        assert cap < 100.0
        assert t.handler.duty_total == pytest.approx(5 * cap)
        assert t.handler.duty_backlog == pytest.approx(5 * 100.0 - 5 * cap)
        assert t.utilisation == pytest.approx(1.0)


def test_inspections_crowd_out_township_cases():
    """Same seeds (common random numbers): heavier inspections → delegated cases take longer."""

    def mean_days(weekly, seed):
        p = Params(
            **{**BASE, "township_staff": 6.0},
            delegated_share=1.0,
            initial_competence=1.0,
            inspection_hours_per_week=weekly,
        )
        return TownshipModel(p, rng=seed).run(20).summary()["mean_resolution_days"]

    light = np.array([mean_days(0.0, s) for s in range(3)])
    heavy = np.array([mean_days(60.0, s) for s in range(3)])
    assert np.all(heavy > light), (light, heavy)
