"""Mechanism: assessment as a feedback loop (model/assessment.py).

S_t = 1 − ½·late − ½·undone − ½·penalty·caught/cases; S_td = 1 − w_dump·x_dt − w_bounce·b_d − w_serv·l_dt + ε;
departments fit S_d ≈ α + β·x_d by recursive least squares (never the formula) and dump less by
ω·k·(−β̂); effort e ← e + η(1 + effort_gain·ω·(1 − S_d) − e).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from townsim.model import Params, TownshipModel, assessment
from townsim.model.assessment import ScoreEstimator, ranks, township_score, townships_scores, update_department

BASE = dict(
    townships=3,
    departments=6,
    enterprises=200,
    residents=20_000,
    matter_types=25,
    department_staff=30.0,
    township_staff=8.0,
    duty_tasks_per_department=2.0,
    dumping_base=0.8,
    assessment_period=5,
)


def dept(params, **kw):
    d = dict(
        period_dumped=0,
        period_tasks=0,
        period_late=0,
        period_cases=0,
        score=1.0,
        expected_score_drop=0.0,
        effort=1.0,
        estimator=ScoreEstimator(params),
    )
    d.update(kw)
    return SimpleNamespace(**d)


@pytest.mark.parametrize(
    "late,cases,left,done,caught,pen,expected",
    [
        (0, 0, 0.0, 0.0, 0, 0.0, 1.0),
        (5, 10, 0.0, 8.0, 0, 0.0, 0.75),
        (0, 10, 2.0, 6.0, 0, 0.0, 0.875),
        (10, 10, 5.0, 0.0, 0, 0.0, 0.0),
        (0, 10, 0.0, 1.0, 2, 3.0, 0.7),
    ],
)
def test_township_score_formula(late, cases, left, done, caught, pen, expected):
    assert township_score(late, cases, left, done, caught, pen) == pytest.approx(expected)


def test_townships_score_departments_by_what_they_experienced():
    p = Params(score_dumping_weight=0.5, score_bounce_weight=0.1, score_service_weight=0.4, score_noise_sd=0.2)
    dumped = np.array([[2.0, 0.0], [0.0, 0.0]])
    tasks = np.array([8.0, 4.0])
    share = np.array([0.5, 0.5])
    bounced = np.array([0.25, 0.0])
    bad, cases = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[4.0, 0.0], [0.0, 4.0]])
    noise = np.array([[1.0, 0.0], [0.0, -1.0]])
    S = townships_scores(p, dumped, tasks, share, bounced, bad, cases, noise)
    expected = np.array([[1 - 0.5 * 0.5 - 0.1 * 0.25 - 0.4 * 0.25 + 0.2, 1 - 0.1 * 0.25], [1.0, 1 - 0.4 * 0.5 - 0.2]])
    np.testing.assert_allclose(S, expected)
    # a score that ignores dumping
    S0 = townships_scores(p.replace(score_dumping_weight=0.0), dumped, tasks, share, bounced, bad, cases, noise)
    assert S0[0, 0] == pytest.approx(expected[0, 0] + 0.25)


def test_rls_recovers_a_slope_it_is_never_told():
    p = Params(estimator_forgetting=1.0, estimator_prior_sd=1.0)
    rng = np.random.default_rng(3)
    est = ScoreEstimator(p)
    for _ in range(200):
        x = rng.uniform(0, 0.6)
        est.update(x, 0.9 - 0.35 * x + 0.02 * rng.standard_normal())
    assert est.cost == pytest.approx(0.35, abs=0.03)
    assert est.theta[0] == pytest.approx(0.9, abs=0.02)
    # the same estimator facing scores independent of x learns no cost
    est0 = ScoreEstimator(p)
    for _ in range(200):
        est0.update(rng.uniform(0, 0.6), 0.9 + 0.02 * rng.standard_normal())
    assert abs(est0.cost) < 0.03


def test_rls_update_is_the_documented_recursion():
    p = Params(estimator_forgetting=0.8, estimator_prior_sd=0.5)
    est = ScoreEstimator(p)
    theta, P, s2 = est.theta.copy(), est.P.copy(), est.s2
    assert s2 == pytest.approx(Params().estimator_residual_prior_sd ** 2)
    est.update(0.3, 0.7)
    phi = np.array([1.0, 0.3])
    e = 0.7 - phi @ theta
    k = P @ phi / (s2 + phi @ P @ phi)
    np.testing.assert_allclose(est.theta, theta + k * e)
    np.testing.assert_allclose(est.P, (P - np.outer(k, phi @ P)) / 0.8)
    assert est.s2 == pytest.approx(s2 + p.estimator_residual_rate * (e * e - s2))


def test_department_learns_only_under_two_way_and_effort_follows_score():
    p = Params(two_way_weight=0.6, learning_rate=0.5, effort_gain=0.3)
    d = dept(p, period_dumped=4, period_tasks=10, effort=1.02)
    update_department(d, p, 0.7, 0.6)
    assert d.score == 0.7 and d.estimator.n == 1
    assert d.expected_score_drop == pytest.approx(d.estimator.cost)
    assert d.effort == pytest.approx(1.02 + 0.5 * (1 + 0.3 * 0.6 * 0.3 - 1.02))
    d1 = dept(p, period_dumped=4, period_tasks=10)
    update_department(d1, p, 0.7, 0.0)
    assert d1.estimator.n == 0 and d1.expected_score_drop == 0.0 and d1.effort == 1.0


def test_ranks_from_the_top():
    np.testing.assert_allclose(ranks(np.array([0.9, 0.5, 0.7, 0.9])), [0.0, 1.0, 2 / 3, 0.0])
    assert ranks(np.array([0.4])).tolist() == [0.0]


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
    assert all(d.expected_score_drop == 0.0 and d.exploration == 0.0 for d in m.departments)
    assert m.summary()["department_effort"] == 1.0
    assert any(d.score < 1.0 for d in m.departments), "departments are still scored"


def test_two_way_model_raises_effort_and_learns_a_cost_of_dumping():
    m = TownshipModel(Params(**BASE, two_way_weight=1.0, learning_rate=0.5), rng=1)
    m.run(4)
    assert all(d.effort == 1.0 for d in m.departments), "nothing changes before the first assessment"
    m.run(56)
    assert all(d.estimator.n == 12 for d in m.departments)
    low = [d for d in m.departments if d.score < 1.0]
    assert low and all(d.effort > 1.0 for d in low)
    assert np.mean([d.expected_score_drop for d in m.departments]) > 0.1


def test_townships_are_scored_on_their_period(monkeypatch):
    """Every assessment scores a township on that period's late share and its undone duty share."""
    seen = []
    original = assessment.update_township

    def spy(town, duty_done, params=None):
        args = (town.period_late, town.period_cases, town.handler.duty_backlog, duty_done)
        original(town, duty_done, params)
        seen.append((town.index, args, town.score))

    monkeypatch.setattr(assessment, "update_township", spy)
    p = Params(**{**BASE, "township_staff": 4.0}, delegated_share=0.5, inspection_hours_per_week=25.0)
    m = TownshipModel(p, rng=2).run(20)
    assert len(seen) == 4 * p.townships
    for _idx, (late, cases, left, done), score in seen:
        exp = 1 - 0.5 * (late / cases if cases else 0) - 0.5 * (left / (left + done) if left + done else 0)
        assert score == pytest.approx(exp)
    for t in m.townships:
        assert sum(a[3] for i, a, _ in seen if i == t.index) == pytest.approx(t.handler.duty_total)
    assert any(a[1] > 0 for _, a, _ in seen) and any(s < 1 for *_, s in seen)
    assert sorted(t.rank for t in m.townships)[0] == 0.0


def test_the_countys_new_scoring_weights_hold_from_the_reforms_first_day():
    """A scenario that changes ``township_service_weight`` at the reform: townships split their day by the
    new weights from the first counted day, not from the next assessment (it once waited ~60 days)."""
    from helpers import small

    from townsim.model import TownshipModel

    p = small(township_service_weight=0.6, warmup_days=5, pre_reform={"township_service_weight": 0.3})
    m = TownshipModel(p, rng=1)
    assert m.params.township_service_weight == 0.6
    assert all(t.score_weights["service"] == 0.6 for t in m.townships)
