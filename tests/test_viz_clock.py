"""Time on the page: Step is one working day whatever Mesa's Render Interval says, "run to day N" stops
exactly at N, and a pause lands at the end of the day being computed (issue 26, defect 2)."""

from __future__ import annotations

import time

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from test_viz_components import app, by_class, kpi, walk  # noqa: E402,F401


def widgets(rc, widget_type, predicate):
    return [w for root in rc.find().widgets for w in walk(root) if isinstance(w, widget_type) and predicate(w)]


def wait_for(condition, timeout=60.0):
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(0.05)
    assert condition()


def test_step_is_one_day_whatever_the_render_interval(app):
    rc, built, _ = app
    model = built[-1]
    # Mesa's Render Interval slider, raised as exercise 3 once told teachers to
    for s in widgets(rc, v.Slider, lambda w: "Render Interval" in str(getattr(w, "label", ""))):
        s.v_model = 19
    step = by_class(rc, v.Btn, "townsim-step")
    step.click()
    assert model.clock_day == 1
    step.click()
    assert model.clock_day == 2 and kpi(rc, "day") == "2"


def test_run_to_day_stops_exactly_there_and_shows_it(app):
    rc, built, _ = app
    model = built[-1]
    by_class(rc, v.TextField, "townsim-run-to").v_model = "7"
    by_class(rc, v.Btn, "townsim-run").click()
    wait_for(lambda: kpi(rc, "day") == "7" and not by_class(rc, v.Btn, "townsim-step").disabled)
    time.sleep(0.5)
    assert model.clock_day == 7  # not one day more
    by_class(rc, v.Btn, "townsim-step").click()
    assert model.clock_day == 8


def test_run_to_a_day_not_offered_is_one_line_and_runs_nothing(app):
    rc, built, _ = app
    model = built[-1]
    for _ in range(3):
        by_class(rc, v.Btn, "townsim-step").click()
    for typed in ["abc", "3", "1e400", "-1", "2.5", "99999", "[5]"]:
        by_class(rc, v.TextField, "townsim-run-to").v_model = typed
        by_class(rc, v.Btn, "townsim-run").click()
        time.sleep(0.2)
        assert model.clock_day == 3
        errors = widgets(rc, v.Alert, lambda w: "townsim-run-error" in (w.class_ or ""))
        assert len(errors) == 1 and "run to day" in str(errors[0].children)
        assert repr(typed) in str(errors[0].children) or "already at day 3" in str(errors[0].children)


def test_pause_lands_at_the_end_of_the_day_being_computed(app):
    rc, built, _ = app
    model = built[-1]
    for s in widgets(rc, v.Slider, lambda w: "Render Interval" in str(getattr(w, "label", ""))):
        s.v_model = 19
    play = by_class(rc, v.Btn, "townsim-play")
    play.click()
    wait_for(lambda: model.clock_day >= 3)
    by_class(rc, v.Btn, "townsim-play").click()  # pause
    paused_at = model.clock_day
    time.sleep(1.5)
    assert paused_at <= model.clock_day <= paused_at + 1
    assert not by_class(rc, v.Btn, "townsim-step").disabled
