"""Mechanism: grid reporting, mediation and petitions (model/grid.py).

A dispute reported through the app (probability min(1, app·(1 + points))) is filed at once;
the rest are latent: in a covered grid (``grid_coverage``) a patrol finds it at a daily
hazard ``8 · patrol_residents_per_hour / grid_worker_residents`` before it surfaces
Exp(``dispute_surface_days``) later as a harder case. Early disputes are mediated
(probability ``local_mediation · (1 − exp(−hours / dispute_difficulty_hours))``) or become
general township cases; a dispute open longer than its citizen's patience becomes a
petition, once. (Local problems are off here, ``local_problem_rate = 0``.)
"""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params, TownshipModel, grid, patrol
from townsim.model.cases import GRID_REPORT
from townsim.model.catalogue import DISPUTE, DISPUTE_ESCALATED, DISPUTE_GENERAL, DISPUTE_MEDIATION
from townsim.model.grid import detection_probability

BASE = dict(
    townships=3,
    departments=5,
    enterprises=100,
    residents=20_000,
    matter_types=20,
    department_staff=12.0,
    township_staff=8.0,
    dispute_rate=0.0005,
    local_problem_rate=0.0,
    citizen_patience_days=8.0,
)


FOUND = 1.0 / (1.0 + 0.1)  # patrol hazard 8 · 1250 / 10,000 = 1 a day against surfacing at 1/10 a day


@pytest.mark.parametrize(
    "grid_cov,app,points,expected",
    [
        (0.0, 0.0, 0.0, 0.0),
        (0.6, 0.0, 0.0, 0.6 * FOUND),
        (0.0, 0.3, 0.0, 0.3),
        (0.0, 0.3, 0.5, 0.45),
        (0.5, 0.2, 1.0, 1 - (1 - 0.5 * FOUND) * 0.6),
        (0.2, 0.8, 1.0, 1.0),
        (1.0, 0.0, 0.0, FOUND),
    ],
)
def test_detection_probability_formula(grid_cov, app, points, expected):
    p = Params(grid_coverage=grid_cov, app_reporting=app, points_incentive=points)
    assert detection_probability(p) == pytest.approx(expected)


def test_detection_rises_with_every_channel():
    base = Params(grid_coverage=0.3, app_reporting=0.2, points_incentive=0.2)
    d0 = detection_probability(base)
    for change in ({"grid_coverage": 0.5}, {"app_reporting": 0.4}, {"points_incentive": 0.8}):
        assert detection_probability(base.replace(**change)) > d0


def draw_disputes(days=150, seed=1, **kw):
    m = TownshipModel(Params(**{**BASE, "dispute_rate": 0.002, **kw}), rng=seed)
    total = sum(grid.new_disputes(m, d) for d in range(days))
    return m, total


def test_dispute_counts_detection_and_mediation_shares():
    p_kw = dict(grid_coverage=0.5, app_reporting=0.2, points_incentive=0.5, local_mediation=0.4)
    m, total = draw_disputes(**p_kw)
    lam = 150 * m.township_residents.sum() * 0.002
    assert abs(total - lam) < 4 * np.sqrt(lam)
    c, cat = m.cases, m.catalogue
    early = c.n
    latent = patrol.latent_entries(m)
    assert early + len(latent) == total
    p = min(1.0, 0.2 * 1.5)  # reported through the app at once; the rest wait for a patrol
    assert abs(early / total - p) < 4 * np.sqrt(p * (1 - p) / total)
    covered = np.mean([entry[4] for entry in latent.values()])
    assert abs(covered - 0.5) < 4 * np.sqrt(0.25 / len(latent)), "latent disputes lie in a covered grid"
    matter = c.view("matter")
    assert np.all(matter == cat.dispute_id(DISPUTE_MEDIATION)), "every early dispute goes to local mediation"
    assert np.all(c.view("source") == GRID_REPORT)
    assert np.all(c.view("reported"))
    assert np.all(c.view("requester_kind") == DISPUTE)
    # an early dispute is filed when it arises, by a citizen of its own township
    np.testing.assert_array_equal(c.view("onset"), c.view("created"))
    np.testing.assert_array_equal(m.citizen_state["township"][c.view("requester")], c.view("township"))


def test_undetected_disputes_surface_later_as_escalated_cases():
    m, total = draw_disputes(days=60, grid_coverage=0.0, app_reporting=0.0, dispute_surface_days=4.0)
    assert m.cases.n == 0, "with no detection nothing is filed early"
    latent = [(entry[5], entry[2]) for entry in patrol.latent_entries(m).values()]  # (surfaces, onset), hours
    delay = np.array([t - onset for t, onset in latent]) / 8.0
    assert abs(delay.mean() - 4.0) < 4 * 4.0 / np.sqrt(len(delay))  # exponential: sd = mean
    due_day = 70
    n_due = sum(1 for t, _ in latent if t < (due_day + 1) * 8)
    surfaced = sum(grid.surface(m, d) for d in range(due_day + 1))
    assert surfaced == n_due
    c, cat = m.cases, m.catalogue
    assert np.all(c.view("matter") == cat.dispute_id(DISPUTE_ESCALATED))
    assert np.all(c.view("created") > c.view("onset"))
    assert cat.n_departments[cat.dispute_id(DISPUTE_ESCALATED)] == 2, "surfaced late: needs a department too"


def test_full_detection_means_no_late_disputes():
    m, total = draw_disputes(days=30, app_reporting=1.0)
    assert total > 100 and not patrol.latent_entries(m) and m.cases.n == total


def test_patrols_find_covered_disputes_at_their_daily_hazard():
    """Full coverage, ample grid hours: each latent dispute is found on a day with probability 1 − e^(−1)."""
    m, total = draw_disputes(
        days=5,
        grid_coverage=1.0,
        app_reporting=0.0,
        grid_worker_residents=1000.0,
        patrol_residents_per_hour=125.0,
        dispute_surface_days=1000.0,
    )
    n0 = len(patrol.latent_entries(m))
    found = patrol.patrol(m, 5)
    h = m.grid_hours["patrol"] / (1.0 * m.township_residents.sum() / 1000.0 * 8.0)  # patrol share of the day
    p = 1 - np.exp(-h)
    assert n0 > 100 and abs(found / n0 - p) < 4 * np.sqrt(p * (1 - p) / n0)
    assert m.cases.n == found and np.all(m.cases.view("source") == GRID_REPORT)
    assert np.all(m.cases.view("created") >= 40.0) and np.all(m.cases.view("onset") < 40.0)


def test_mediation_succeeds_with_its_documented_probability():
    """Fixed work-hours, ample township staff (f = 1), every dispute found by a patrol: success =
    local_mediation · (1 − exp(−(township hours + grid hours) / difficulty))."""
    p = Params(
        **{**BASE, "dispute_rate": 0.002, "township_staff": 30.0},
        grid_coverage=1.0,
        app_reporting=0.0,
        local_mediation=0.7,
        grid_mediation_hours=1.0,
        dispute_difficulty_hours=2.0,
        service_time_distribution="deterministic",
    )
    m = TownshipModel(p, rng=5).run(40)
    c, cat = m.cases, m.catalogue
    med = (c.view("matter") == cat.dispute_id(DISPUTE_MEDIATION)) & ~np.isnan(c.view("closed"))
    n = med.sum()
    assert n > 300
    hours = cat.hours[cat.dispute_id(DISPUTE_MEDIATION)] + 1.0
    q = 0.7 * (1 - np.exp(-hours / 2.0))
    assert abs(c.view("resolved")[med].mean() - q) < 4 * np.sqrt(q * (1 - q) / n)
    # failed mediations come back as general dispute cases linked to the first
    rep = c.view("repeat_of")
    back = (rep >= 0) & (c.view("matter")[np.maximum(rep, 0)] == cat.dispute_id(DISPUTE_MEDIATION))
    assert back.any() and np.all(c.view("matter")[back] == cat.dispute_id(DISPUTE_GENERAL))


def test_petitions_follow_patience_and_are_counted_once():
    days = 40
    m = TownshipModel(Params(**BASE, petition_propensity=1.0, petition_distrust_slope=0.0), rng=3).run(days)
    c = m.cases
    kind, pet = c.view("requester_kind"), c.view("petitioned")
    assert pet.sum() > 20
    assert not pet[kind != DISPUTE].any(), "only disputes become petitions"
    root = np.where(c.view("repeat_of") >= 0, c.view("repeat_of"), np.arange(c.n))
    chains = len(np.unique(root[pet]))
    assert m.summary()["petitions"] == chains, "each chain counted once"
    ts = m.timeseries()
    assert ts["petitions"].sum() == chains
    decided = c.view("petition_decided")
    # replay (every resident petitions when asked): a decision only for a case open at the end of a day
    # past its patience; every such case's chain petitioned
    patience = m.citizen_state["patience"][c.view("requester")] * 8.0
    created, closed, onset = c.view("created"), c.view("closed"), c.view("onset")
    expected = np.zeros(c.n, bool)
    for k in range(days):
        t1 = 8.0 * (k + 1)
        open_ = (created < t1) & (np.isnan(closed) | (closed >= t1))
        expected |= open_ & (kind == DISPUTE) & (t1 - onset > patience)
    assert not (decided & ~expected).any()
    assert pet[root[expected]].all() and pet[decided].all()


def test_grid_coverage_cuts_petitions_over_replications():
    """Common seeds; every replication must show fewer petitions with a dense grid (patrols find most
    disputes early; mediation can still fail, so the cut is not the detection share)."""

    def petitions(g, seed):
        return TownshipModel(Params(**BASE, grid_coverage=g), rng=seed).run(40).summary()["petitions"]

    none = np.array([petitions(0.0, s) for s in range(3)])
    dense = np.array([petitions(0.9, s) for s in range(3)])
    assert none.min() > 50
    assert np.all(dense < 0.85 * none), (none, dense)


def test_local_mediation_shortens_early_disputes():
    def mean_days(med, seed=4):
        p = Params(**BASE, grid_coverage=1.0, local_mediation=med)
        m = TownshipModel(p, rng=seed).run(30)
        c = m.cases
        d = (c.view("requester_kind") == DISPUTE) & ~np.isnan(c.view("closed"))
        return ((c.view("closed") - c.view("created"))[d]).mean()

    assert mean_days(1.0) < mean_days(0.0)
