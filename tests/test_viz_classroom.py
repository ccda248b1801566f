"""Classroom mode: exercise presets set the levers and stop at the exercise's day; levers are grouped."""

from __future__ import annotations

import time

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from test_viz_components import app, by_class, kpi, walk  # noqa: E402,F401


def test_every_lever_is_in_exactly_one_group():
    from townsim.viz.levers import GROUPS, LEVER_NAMES

    grouped = [name for _, names in GROUPS for name in names]
    assert sorted(grouped) == sorted(LEVER_NAMES) and len(set(grouped)) == len(grouped)


def test_presets_are_the_exercise_steps_of_the_teaching_doc():
    from townsim.viz import teaching
    from townsim.viz.classroom import presets

    table = presets()
    assert len(table) == sum(len(ex.steps) for ex in teaching.EXERCISES)
    _, scenario, levers, day = table["ex2:1"]
    assert (scenario, levers, day) == ("baseline", {"escalation_135": True}, teaching.EXERCISES[1].steps[1].day)


def test_a_preset_sets_the_levers_and_stops_at_its_day(app, monkeypatch):
    import townsim.viz.app as app_mod
    import townsim.viz.classroom as classroom

    rc, built, path = app
    table = {"exA:0": ("A · 135 rule", str(path), {"escalation_135": True, "delegated_share": 0.3}, 6)}
    monkeypatch.setattr(classroom, "presets", lambda: table)
    monkeypatch.setattr(app_mod, "presets", lambda: table)
    by_class(rc, v.Btn, "townsim-step").click()
    by_class(rc, v.Select, "townsim-preset").v_model = "exA:0"
    end = time.monotonic() + 60
    while not (len(built) > 1 and built[-1].clock_day == 6 and kpi(rc, "day") == "6") and time.monotonic() < end:
        time.sleep(0.1)
    model = built[-1]
    assert model.reform_params.escalation_135 is True and abs(model.reform_params.delegated_share - 0.3) < 1e-9
    assert model.clock_day == 6 and kpi(rc, "day") == "6"
    time.sleep(0.5)
    assert model.clock_day == 6  # stopped at the exercise's day
    assert abs(by_class(rc, v.Slider, "lever-delegated_share").v_model - 0.3) < 1e-9  # the slider shows it


def test_a_preset_not_offered_is_refused(app):
    rc, built, _ = app
    by_class(rc, v.Select, "townsim-preset").v_model = "ex99:0"
    time.sleep(0.3)
    assert len(built) == 1
    errors = [
        w
        for root in rc.find().widgets
        for w in walk(root)
        if isinstance(w, v.Alert) and "townsim-error" in (w.class_ or "")
    ]
    assert errors and "exercise" in str(errors[0].children)
