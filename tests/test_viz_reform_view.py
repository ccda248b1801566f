"""The app teaches the model of the reform-mechanisms and incentives issues: their levers and KPIs are on the
page, and the days before the reform are shown one by one, the reform switching on at the end of the warm-up."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("solara")

from townsim.model import TownshipModel  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402

NEW_LEVERS = {
    "county_area_km2",
    "travel_hours",
    "equal_staff",
    "township_service_weight",
    "callback_share",
    "reform_half_life_days",
    "warmup_days",
}
NEW_TILES = {"req_hours", "town_service", "resolution", "on_time", "reform"}


def settings_for(name: str, **levers):
    from townsim.viz import app
    from townsim.viz.controls import Settings

    s = app.normalise(Settings(name, (), 1))
    for k, v in levers.items():
        s = s.with_lever(k, v)
    return app.normalise(s)


def test_new_levers_and_kpis_are_on_the_page():
    from townsim.viz.i18n import TEXT
    from townsim.viz.kpis import kpi_values
    from townsim.viz.levers import LEVER_NAMES

    assert NEW_LEVERS <= set(LEVER_NAMES)
    assert all(f"lever_{n}" in TEXT for n in LEVER_NAMES)
    tiles = {key for key, _, _ in kpi_values(TownshipModel(load_scenario("baseline").params, rng=1).run(1))}
    assert NEW_TILES <= tiles


def test_before_after_days_are_shown_and_the_reform_switches_on_at_the_end_of_the_warm_up(monkeypatch):
    from townsim.viz import app
    from townsim.viz.kpis import kpi_values

    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", "baseline")
    model, params = app.build(settings_for("full_reform", warmup_days=10))
    assert params.warmup_days == 10 and params.pre_reform["escalation_135"] is False
    assert params.escalation_135 is True
    assert model.clock_day == 0  # the warm-up is not run at construction: the page shows it
    for _ in range(9):
        model.step()
    assert model.clock_day == 9 and model.params.escalation_135 is False  # before: the status quo's levers
    assert len(model.datacollector.get_model_vars_dataframe()) == 9  # every day before is drawn
    tiles = dict((k, v) for k, _, v in kpi_values(model))
    assert "off until day 10" in tiles["reform"]
    model.step()
    model.step()
    assert model.clock_day == 11 and model.day == 1  # the model counts its days from the reform
    assert model.params.escalation_135 is True  # after: the reform's levers
    assert "on since day 10" in dict((k, v) for k, _, v in kpi_values(model))["reform"]


def test_levers_changed_in_the_app_switch_on_with_the_reform(monkeypatch):
    from townsim.viz import app

    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", "baseline")
    _, params = app.build(settings_for("baseline", warmup_days=20, callback_share=0.5, travel_hours=2.0))
    assert params.callback_share == 0.5 and params.pre_reform["callback_share"] == 0.0
    assert params.travel_hours == 2.0 and "travel_hours" not in params.pre_reform  # an assumption: all run


def test_an_assumption_set_in_the_app_reaches_the_model_from_day_0(monkeypatch):
    """The county's service weight (an assumption) moved in the app once became a reform lever whose
    switch the townships never saw (their scoring weights are read at construction and at assessments):
    0.10 and 0.60 gave the same county to every digit. It now holds all run, as in a model run with it."""
    from townsim.viz import app
    from townsim.viz.kpis import kpi_values

    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", "baseline")
    shown = {}
    for w in (0.1, 0.6):
        model, params = app.build(settings_for("baseline", warmup_days=5, township_service_weight=w))
        assert "township_service_weight" not in params.pre_reform
        for _ in range(25):
            model.step()
        assert all(tw.score_weights["service"] == w for tw in model.townships)
        shown[w] = dict((k, v) for k, _, v in kpi_values(model))["town_service"]
    assert float(shown[0.6].rstrip("%")) > float(shown[0.1].rstrip("%")), shown


def test_equal_staff_funds_the_reform_from_department_posts(monkeypatch):
    from townsim.model.staffing import budget_hours
    from townsim.viz import app

    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", "baseline")
    root = load_scenario("baseline").params
    _, more = app.build(settings_for("full_reform"))
    _, equal = app.build(settings_for("full_reform", equal_staff=True))
    assert equal.department_staff < more.department_staff
    assert math.isclose(budget_hours(equal)["total"], budget_hours(root)["total"], rel_tol=1e-6)


def test_half_life_slider_top_means_never(monkeypatch):
    from townsim.viz import app
    from townsim.viz.levers import LEVERS

    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", "baseline")
    lever = next(lv for lv in LEVERS if lv.name == "reform_half_life_days")
    _, top = app.build(settings_for("baseline", reform_half_life_days=lever.max))
    _, mid = app.build(settings_for("baseline", reform_half_life_days=180.0))
    assert top.reform_half_life_days == math.inf and mid.reform_half_life_days == 180.0


def test_the_status_quo_has_no_reform_to_switch_on(monkeypatch):
    """Issue 26, defect 6: the baseline county was titled "status quo (before the reform) · … · after the
    reform" once its first days were over; the status quo switches nothing on."""
    from townsim.viz import app
    from townsim.viz.kpis import kpi_values

    base = settings_for("baseline", warmup_days=3)
    model, _ = app.build(base)
    for _ in range(5):
        model.step()
    for lang in ("zh", "en"):
        reform = dict((k, v) for k, _, v in kpi_values(model, lang))["reform"]
        assert "since" not in reform and "已开启" not in reform, reform
        title = app.county_title(model, lang, "status quo")
        assert "after the reform" not in title and "改革后" not in title and "before the reform" not in title
    # a reform of the same county still shows its switch
    reform_model, _ = app.build(settings_for("baseline", warmup_days=3, escalation_135=True))
    for _ in range(5):
        reform_model.step()
    assert "after the reform" in app.county_title(reform_model, "en", "x")
    assert "on since day 3" in dict((k, v) for k, _, v in kpi_values(reform_model, "en"))["reform"]


def test_so_far_tiles_read_the_run_not_the_day(monkeypatch):
    """The requester-hours, on-time and really-resolved tiles "so far" are the run summary's rates since
    the counted window began, not the last day's (a day's few closures made exercises 4 and 7 read noise)."""
    from townsim.model.metrics import summary
    from townsim.viz import app
    from townsim.viz.kpis import kpi_values

    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", "baseline")
    model, _ = app.build(settings_for("one_stop_135", warmup_days=5))
    for _ in range(30):
        model.step()
    shown = dict((k, v) for k, _, v in kpi_values(model))
    run, today = summary(model), model.kpi_today
    assert shown["on_time_so_far"] == f"{100 * run['on_time_rate']:.0f}%"
    assert shown["resolution_so_far"] == f"{100 * run['resolution_rate']:.0f}%"
    assert shown["req_hours"] == f"{run['requester_hours_per_case']:.1f}"
    assert shown["resolution"] == f"{100 * today['resolution_rate']:.0f}%"  # the day's tile stays the day's
