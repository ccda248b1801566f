"""Units of the incentives modules: reform attention, resolution and repeats, gaming, channel choice,
satisfaction, grid reporting and petitions (model/reform.py, resolution.py, gaming.py, channel.py,
satisfaction.py, grid.py) — their documented formulas, and each lever's effect in a small model."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import SMALL

from townsim.model import Params, TownshipModel, channel, gaming, grid, reform, satisfaction
from townsim.model.cases import GRID_REPORT, HALL, HOTLINE, ONLINE, SEAT, SOURCES

# --- reform attention ----------------------------------------------------------------------


def test_attention_halves_every_half_life_and_renews():
    p = Params(reform_half_life_days=50.0)
    assert reform.attention(p, 0) == 1.0
    assert reform.attention(p, 50) == pytest.approx(0.5)
    assert reform.attention(p, 125) == pytest.approx(0.5**2.5)
    r = p.replace(reform_renewal_days=60.0)
    assert reform.attention(r, 59) == pytest.approx(0.5 ** (59 / 50))
    assert reform.attention(r, 60) == 1.0 and reform.attention(r, 110) == pytest.approx(0.5)
    assert reform.attention(Params(), 10_000) == 1.0, "infinite half-life: no fading"


def test_none_half_life_is_infinite():
    assert math.isinf(Params.build(reform_half_life_days=None).reform_half_life_days)


def test_inspection_and_weight_fade_to_the_pre_reform_levels():
    p = Params(
        **SMALL,
        two_way_weight=0.8,
        inspection_hours_per_week=8.0,
        reform_half_life_days=20.0,
        warmup_days=5,
        pre_reform={"inspection_hours_per_week": 20.0, "two_way_weight": 0.0},
    )
    m = TownshipModel(p, rng=1)
    m.run(1)
    start = m.count_start / 8
    m.run(40)
    a = 0.5 ** ((m.clock_day - m.count_start / 8) / 20.0)
    assert reform.two_way_weight(m) == pytest.approx(0.8 * a)
    assert reform.inspection_hours_per_week(m) == pytest.approx(20.0 + a * (8.0 - 20.0))
    ts = m.timeseries()["inspection_hours"].to_numpy()
    assert ts[0] == pytest.approx(8.0 + (20 - 8) * (1 - 0.5 ** (1 / 20)), rel=1e-6) and np.all(np.diff(ts) > 0)
    assert start == 5
    # the day's faded parameters are the validated copy ``Params.replace`` would make, field for field
    faded = reform.effective_params(m)
    assert faded is not p and faded.inspection_hours_per_week == reform.inspection_hours_per_week(m)
    assert faded.model_dump() == p.replace(inspection_hours_per_week=faded.inspection_hours_per_week).model_dump()


# --- resolution and repeats ----------------------------------------------------------------


def test_resolution_rate_follows_base_and_unresolved_come_back():
    # every step fully worked (corner_cutting = 0): resolution at its ceiling, resolution_base
    full = dict(SMALL, resolution_base=0.6, repeat_share=1.0, repeat_delay_days=2.0, corner_cutting=0.0)
    m = TownshipModel(Params(**full), rng=2).run(60)
    c = m.cases
    closed = ~np.isnan(c.view("closed")) & ~c.view("delegated")
    n = closed.sum()
    disp = c.view("requester_kind") == 2
    sel = closed & ~disp
    assert abs(c.view("resolved")[sel].mean() - 0.6) < 4 * np.sqrt(0.24 / sel.sum())
    rep = c.view("repeat_of")
    back = rep >= 0
    assert back.sum() > 0.3 * n * 0.4
    # a repeat belongs to the first case of its chain: same requester and township, filed later
    np.testing.assert_array_equal(c.view("requester")[back], c.view("requester")[rep[back]])
    np.testing.assert_array_equal(c.view("township")[back], c.view("township")[rep[back]])
    assert np.all(c.view("repeat_of")[rep[back]] == -1) and np.all(
        c.view("created")[back] > c.view("created")[rep[back]]
    )
    np.testing.assert_array_equal(c.view("onset")[back], c.view("onset")[rep[back]])
    s = m.summary()
    assert s["repeat_contacts"] == back.sum()
    assert s["resolution_rate"] == pytest.approx(c.view("resolved")[~np.isnan(c.view("closed"))].mean())


def test_no_repeats_when_everything_is_resolved():
    full = dict(SMALL, resolution_base=1.0, local_mediation=1.0, corner_cutting=0.0)
    s = TownshipModel(Params(**full), rng=3).run(30).summary()
    assert s["repeat_contacts"] == 0 and s["resolution_rate"] == 1.0


# --- gaming -----------------------------------------------------------------------------


def test_game_probability_formula():
    p = Params(ontime_weight=0.8, ranking_pressure=2.0, gaming_aversion=0.5, callback_penalty=3.0)
    rank, det = np.array([0.0, 0.5, 1.0, 1.0]), np.array([0.1, 0.1, 0.1, 0.9])
    net = np.maximum(0, 0.8 * (1 + 2 * rank) - 3 * det)
    np.testing.assert_allclose(gaming.game_probability(p, rank, det), 1 - np.exp(-net / 0.5))
    assert np.all(gaming.game_probability(p.replace(ontime_weight=0.0), rank, det) == 0)


def test_detection_is_learned_from_own_caught_closures():
    p = Params(detection_prior=0.2)
    a = SimpleNamespace(gamed=0, caught=0)
    assert gaming.GamingState.detection(a, p) == pytest.approx(0.2)
    a.gamed, a.caught = 8, 6
    assert gaming.GamingState.detection(a, p) == pytest.approx((0.4 + 6) / 10)


def test_no_gaming_unless_on_time_counts_and_gamed_cases_are_unresolved():
    base = dict(SMALL, tier_deadlines=(0.5, 1.5, 3.0))
    s0 = TownshipModel(Params(**base), rng=4).run(40)
    assert s0.summary()["gamed_closures"] == 0
    m = TownshipModel(Params(**base, ontime_weight=2.0), rng=4).run(40)
    c = m.cases
    g = c.view("gamed")
    assert g.sum() > 20 and m.summary()["gamed_closures"] == g.sum()
    assert not c.view("resolved")[g].any(), "closing without solving never resolves"
    assert np.all(c.view("closed")[g] <= c.view("deadline")[g]), "a gamed closure is on time"
    assert np.all(c.view("work_share")[g] < 1)
    assert m.timeseries()["gamed_closures"].sum() == g.sum()


def test_callbacks_catch_only_gamed_closures_and_owners_learn():
    m = TownshipModel(
        Params(**SMALL, tier_deadlines=(0.5, 1.5, 3.0), ontime_weight=2.0, callback_share=1.0, callback_penalty=0.0),
        rng=5,
    ).run(30)
    gamed = sum(a.gamed for a in [*m.departments, *m.townships])
    caught = sum(a.caught for a in [*m.departments, *m.townships])
    assert gamed == m.cases.view("gamed").sum() > 0 and caught == gamed, "every gamed closure called back"
    assert m.cases.view("called_back")[~np.isnan(m.cases.view("closed"))].all()


# --- channel ------------------------------------------------------------------------------


def test_channel_starts_from_online_share_and_follows_experience():
    p = Params(online_share=0.3, channel_experience_slope=4.0, township_hall_share=0.4, channel_travel_slope=1.0)
    same = np.full(3, 0.7)
    np.testing.assert_allclose(channel.online_probability(p, same, same), 0.3)
    better = channel.online_probability(p, np.array([0.9]), np.array([0.5]))[0]
    assert better == pytest.approx(1 / (1 + np.exp(-(np.log(0.3 / 0.7) + 4 * 0.4))))
    np.testing.assert_allclose(channel.hall_probability(p, np.array([0.0])), 0.4)
    assert channel.hall_probability(p, np.array([1.0]))[0] > 0.4 > channel.hall_probability(p, np.array([-1.0]))[0]
    ch = channel.choose(
        p,
        np.array([0.1, 0.9, 0.9, 0.9]),
        np.array([0.5, 0.3, 0.5, 0.5]),
        same[:1].repeat(4),
        same[:1].repeat(4),
        np.zeros(4),
        np.array([False, False, False, True]),
    )
    assert ch.tolist() == [ONLINE, HALL, SEAT, HALL]


def test_cases_record_channel_and_source():
    p = Params(**SMALL, dispute_rate=0.001, grid_coverage=0.5)
    m = TownshipModel(p, rng=6).run(20)
    df = m.cases_frame()
    assert set(df["source"].cat.categories) == set(SOURCES)
    assert {"walk-in", "online", "grid report", "hotline"} <= set(df["source"].astype(str))
    c = m.cases
    assert np.all(c.view("online") == (c.view("channel") == ONLINE))
    assert np.all(c.view("seat_trips")[c.view("channel") != SEAT] == 0)
    share = (c.view("source") == GRID_REPORT).mean()
    assert m.summary()["grid_report_share"] == pytest.approx(share) and share > 0
    assert (c.view("source") == HOTLINE).sum() > 0
    for col in (
        "requester",
        "township",
        "matter",
        "source",
        "channel",
        "tier",
        "created_day",
        "closed_day",
        "trips",
        "travel_hours",
        "resolved",
        "gamed",
        "repeat_of",
    ):
        assert col in df.columns
    assert len(df) == c.n


# --- satisfaction -------------------------------------------------------------------------


def test_case_satisfaction_formula_and_zero_trips_beat_one():
    s = satisfaction.case_satisfaction
    assert s([1], [0], [0], [0], [0], [0])[0] == 1.0
    assert s([1], [0], [1], [0], [0], [0])[0] == pytest.approx(0.95), "zero trips better than one (F6)"
    assert s([0], [0.5], [2], [3.0], [1], [0])[0] == pytest.approx(1 - 0.5 - 0.15 - 0.1 - 0.06 - 0.1)
    assert s([0], [2.0], [9], [20], [3], [1])[0] == 0.0


def test_ewma_update_applies_repeated_rows_in_order():
    arr = np.array([0.5, 0.5])
    satisfaction.ewma_update(arr, np.array([0, 1, 0]), np.array([1.0, 0.0, 0.0]), 0.5)
    assert arr.tolist() == [0.375, 0.25]


# --- grid reporting and petitions -----------------------------------------------------------


def test_bush_mosteller_and_points_soften_ignored_reports():
    assert grid.bush_mosteller(0.4, 1.0, 0.5) == pytest.approx(0.7)
    assert grid.bush_mosteller(0.4, -1.0, 0.5) == pytest.approx(0.2)
    p = Params(points_incentive=0.5)
    np.testing.assert_allclose(grid.report_stimulus(p, np.array([True, False])), [1.0, -0.5])
    assert grid.initial_reporting(Params(app_reporting=0.3, points_incentive=0.5)) == pytest.approx(0.45)


def test_petition_probability_rises_as_satisfaction_falls():
    p = Params(petition_propensity=0.4, petition_distrust_slope=3.0)
    pr = grid.petition_probability(p, np.array([0.9, 0.7, 0.3]))
    assert pr[1] == pytest.approx(0.4) and pr[0] < pr[1] < pr[2]
    assert pr[2] == pytest.approx(1 / (1 + np.exp(-(np.log(0.4 / 0.6) + 3 * 0.4))))


def test_failed_mediation_drives_petitions():
    def pet(med, seed):
        p = Params(**SMALL, dispute_rate=0.001, grid_coverage=0.9, local_mediation=med, citizen_patience_days=6.0)
        return TownshipModel(p, rng=seed).run(50).summary()["petitions"]

    for seed in (1, 2):
        assert pet(0.2, seed) > pet(1.0, seed)
