"""Mechanism: assessment and the departments' learning rule (model/assessment.py).

S_t = 1 − ½·late share − ½·undone duty share; S_d = 1 − ½·dump share − ½·late share;
Δ̂ ← Δ̂ + η(½·dump share − Δ̂) (only when ω > 0);
e ← e + η(1 + effort_gain·ω·(1 − S_d) − e). ω = 0 leaves effort at 1.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from townsim.model import Params, TownshipModel
from townsim.model import assessment
from townsim.model.assessment import department_score, township_score, update_department

BASE = dict(townships=3, departments=6, enterprises=200, residents=20_000, matter_types=25,
            department_staff=30.0, township_staff=8.0, duty_tasks_per_department=2.0, dumping_base=0.8,
            assessment_period=5)


def dept(**kw):
    d = dict(period_dumped=0, period_tasks=0, period_late=0, period_cases=0, score=1.0,
             expected_score_drop=0.0, effort=1.0)
    d.update(kw)
    return SimpleNamespace(**d)


@pytest.mark.parametrize("late,cases,left,done,expected", [
    (0, 0, 0.0, 0.0, 1.0), (5, 10, 0.0, 8.0, 0.75), (0, 10, 2.0, 6.0, 0.875), (10, 10, 5.0, 0.0, 0.0),
])
def test_township_score_formula(late, cases, left, done, expected):
    assert township_score(late, cases, left, done) == pytest.approx(expected)


@pytest.mark.parametrize("dumped,tasks,late,cases,expected", [
    (0, 0, 0, 0, 1.0), (3, 12, 0, 5, 0.875), (4, 4, 1, 4, 0.375), (0, 7, 2, 8, 0.875),
])
def test_department_score_formula(dumped, tasks, late, cases, expected):
    assert department_score(dumped, tasks, late, cases) == pytest.approx(expected)


def test_learning_rule_moves_expected_drop_and_effort():
    p = Params(two_way_weight=0.6, learning_rate=0.5, effort_gain=0.3)
    d = dept(period_dumped=4, period_tasks=10, period_late=2, period_cases=8, expected_score_drop=0.05, effort=1.02)
    update_department(d, p)
    s = 1 - 0.5 * 0.4 - 0.5 * 0.25
    assert d.score == pytest.approx(s)
    # it learns the township score lost per unit of dumped share: ½ (the scoring rule)
    assert d.expected_score_drop == pytest.approx(0.05 + 0.5 * (0.5 - 0.05))
    assert d.effort == pytest.approx(1.02 + 0.5 * (1 + 0.3 * 0.6 * (1 - s) - 1.02))
    assert (d.period_dumped, d.period_tasks, d.period_late, d.period_cases) == (0, 0, 0, 0)


def test_repeated_periods_converge_to_the_best_response():
    p = Params(two_way_weight=1.0, learning_rate=0.3, effort_gain=0.5)
    d = dept()
    for _ in range(60):
        d.period_dumped, d.period_tasks, d.period_late, d.period_cases = 2, 10, 1, 10
        update_department(d, p)
    s = 1 - 0.5 * 0.2 - 0.5 * 0.1
    assert d.expected_score_drop == pytest.approx(0.5, rel=1e-6)
    assert d.effort == pytest.approx(1 + 0.5 * 1.0 * (1 - s), rel=1e-6)


def test_one_way_assessment_leaves_effort_at_one_and_learns_no_drop():
    p = Params(two_way_weight=0.0, learning_rate=0.8, effort_gain=2.0)
    d = dept(period_dumped=9, period_tasks=10, period_late=5, period_cases=5)
    update_department(d, p)
    assert d.effort == 1.0 and d.expected_score_drop == 0.0
    assert d.score == pytest.approx(1 - 0.45 - 0.5), "the score is still computed"


def test_higher_weight_means_more_effort_for_a_poorly_scored_department():
    efforts = []
    for w in (0.0, 0.5, 1.0):
        d = dept(period_dumped=5, period_tasks=10, period_late=3, period_cases=6)
        update_department(d, Params(two_way_weight=w, learning_rate=1.0))
        efforts.append(d.effort)
    assert efforts[0] == 1.0 < efforts[1] < efforts[2]


# --- in a model --------------------------------------------------------------------------

def test_assessment_runs_at_the_end_of_each_period(monkeypatch):
    days = []
    original = assessment.apply

    def spy(model, day):
        ran = original(model, day)
        if ran:
            days.append(day)
        return ran

    monkeypatch.setattr(assessment, "apply", spy)
    TownshipModel(Params(**{**BASE, "assessment_period": 4}), rng=0).run(13)
    assert days == [3, 7, 11]  # after 4, 8 and 12 working days


def test_one_way_model_keeps_effort_exactly_one():
    m = TownshipModel(Params(**BASE, two_way_weight=0.0), rng=1).run(30)
    assert all(d.effort == 1.0 for d in m.departments)
    assert all(d.expected_score_drop == 0.0 for d in m.departments)
    assert m.summary()["department_effort"] == 1.0
    assert any(d.score < 1.0 for d in m.departments), "departments are still scored"


def test_two_way_model_raises_effort_and_learns_to_dump_less():
    m = TownshipModel(Params(**BASE, two_way_weight=1.0, learning_rate=0.5), rng=1)
    m.run(4)
    first = np.array([d.dumping_propensity for d in m.departments])
    assert all(d.effort == 1.0 for d in m.departments), "nothing changes before the first assessment"
    m.run(36)
    low = [d for d in m.departments if d.score < 1.0]
    assert low, "some department must be scored below 1"
    assert all(d.effort > 1.0 for d in low)
    assert np.mean([d.expected_score_drop for d in m.departments]) > 0.05
    # the learned drop enters the cost of dumping: propensity falls relative to the first period
    last = np.array([d.dumping_propensity for d in m.departments])
    assert last.mean() < 0.75 * first.mean()


def test_two_way_dumping_falls_against_one_way_with_common_seeds():
    def dumped(w, seed):
        return TownshipModel(Params(**BASE, two_way_weight=w), rng=seed).run(40).summary()["dumped_tasks"]

    one = np.array([dumped(0.0, s) for s in range(3)])
    two = np.array([dumped(1.0, s) for s in range(3)])
    assert np.all(two < 0.8 * one), (one, two)


def test_townships_are_scored_on_their_period(monkeypatch):
    """Every assessment scores a township on that period's late share and its undone duty share."""
    seen = []
    original = assessment.update_township

    def spy(town, duty_done):
        args = (town.period_late, town.period_cases, town.handler.duty_backlog, duty_done)
        original(town, duty_done)
        seen.append((town.index, args, town.score))

    monkeypatch.setattr(assessment, "update_township", spy)
    p = Params(**{**BASE, "township_staff": 4.0}, delegated_share=0.5, inspection_hours_per_week=25.0)
    m = TownshipModel(p, rng=2).run(20)
    assert len(seen) == 4 * p.townships
    for idx, (late, cases, left, done), score in seen:
        exp = 1 - 0.5 * (late / cases if cases else 0) - 0.5 * (left / (left + done) if left + done else 0)
        assert score == pytest.approx(exp)
    # duty done per period adds up to all duty hours worked by the township
    for t in m.townships:
        assert sum(a[3] for i, a, _ in seen if i == t.index) == pytest.approx(t.handler.duty_total)
    assert any(a[1] > 0 for _, a, _ in seen) and any(s < 1 for *_, s in seen)


def test_a_period_without_dumping_teaches_nothing_about_dumping():
    p = Params(two_way_weight=0.8, learning_rate=0.5)
    d = dept(period_dumped=0, period_tasks=10, period_late=0, period_cases=5, expected_score_drop=0.2)
    update_department(d, p)
    assert d.expected_score_drop == 0.2
