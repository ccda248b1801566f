"""Component tests of the teaching app, the way Mesa tests its own visualisation: ``solara.render``,
find the controls, press Step, check the model advanced. A small county keeps them fast."""

from __future__ import annotations

import math
import time

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from townsim.model import TownshipModel  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402

SMALL = """extends = "baseline"
description = "small county for the app's component tests"
townships = 4
departments = 6
enterprises = 300
residents = 20000
residents_per_agent = 100
matter_types = 40
department_staff = 10.0
township_staff = 8.0
"""


@pytest.fixture
def app(tmp_path, monkeypatch):  # noqa: D401
    """The rendered page on a small scenario; records every model the page builds."""
    import townsim.viz.app as app_mod

    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", str(path))
    monkeypatch.setenv("TOWNSIM_VIZ_LANG", "en")
    monkeypatch.setenv("TOWNSIM_VIZ_SEED", "3")
    built = []
    real_build = app_mod.build

    def recording_build(settings):
        model, params = real_build(settings)
        built.append(model)
        return model, params

    monkeypatch.setattr(app_mod, "build", recording_build)
    monkeypatch.setattr(app_mod, "IDLE_SECONDS", 0.05)
    _, rc = solara.render(solara.AppLayout(children=[app_mod.Page()]), handle_error=False)
    yield rc, built, path
    rc.close()  # unmount: Mesa's step counter is shared, a page left mounted would redraw at every step


def walk(widget):
    """Every widget under ``widget`` (children and widget-valued traits), depth first."""
    from ipywidgets import Widget

    seen, stack = set(), [widget]
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        yield w
        for name in w.keys:
            value = getattr(w, name, None)
            items = value if isinstance(value, (list, tuple)) else [value]
            stack.extend(x for x in items if isinstance(x, Widget))


def by_class(rc, widget_type, token: str):
    """The one widget of ``widget_type`` whose CSS classes include ``token``."""
    found = [
        w
        for root in rc.find().widgets
        for w in walk(root)
        if isinstance(w, widget_type) and token in (getattr(w, "class_", None) or "").split()
    ]
    assert len(found) == 1, (token, len(found))
    return found[0]


def kpi(rc, key: str) -> str:
    return by_class(rc, v.Html, f"kpi-{key}").children[1].children[0]


def settle(built, n: int, timeout: float = 30.0, rc=None):
    """Wait until the page has built ``n`` models (it rebuilds once the controls are idle, in a thread) and,
    given the page ``rc``, until its "rebuilding…" note is gone (the new model is on screen)."""
    end = time.monotonic() + timeout
    while len(built) < n and time.monotonic() < end:
        time.sleep(0.02)
    assert len(built) >= n, (len(built), n)
    while rc is not None and pending(rc) and time.monotonic() < end:
        time.sleep(0.05)
    time.sleep(0.3)  # let the page re-render with the new model


def pending(rc) -> bool:
    from ipywidgets import Widget  # noqa: F401

    return any(
        "townsim-pending" in (getattr(w, "class_", None) or "").split()
        for root in rc.find().widgets
        for w in walk(root)
    )


def button(rc, label: str):
    """The page's own time controls (Mesa's, hidden on the page, are not used)."""
    return by_class(rc, v.Btn, {"Step": "townsim-step", "Reset": "townsim-reset"}[label])


def test_step_advances_the_very_model(app):
    rc, built, path = app
    assert len(built) == 1
    model = built[0]
    assert isinstance(model, TownshipModel)  # the model of model/ (its warm-up shown day by day)
    assert model.reform_params.model_copy(update={"pre_reform": {}}) == load_scenario(path).params.model_copy(
        update={"pre_reform": {}}
    )
    assert kpi(rc, "day") == "0" and kpi(rc, "backlog") == "—"
    for _ in range(3):
        button(rc, "Step").click()
    assert model.day == 3 and model.steps == 3
    assert kpi(rc, "day") == "3"
    assert kpi(rc, "backlog") == f"{model.kpi_today['backlog']:,.0f}"
    sat = model.kpi_today["citizen_satisfaction"]
    assert not math.isnan(sat) and kpi(rc, "cit_sat") == f"{sat:.2f}"
    assert len(model.datacollector.get_model_vars_dataframe()) == 3


def test_lever_switch_rebuilds_model_at_day_zero(app):
    rc, built, _ = app
    button(rc, "Step").click()
    assert built[-1].day == 1
    by_class(rc, v.Switch, "lever-escalation_135").v_model = True
    settle(built, 2, rc=rc)
    assert len(built) == 2
    new = built[-1]
    assert new.reform_params.escalation_135 is True and built[0].reform_params.escalation_135 is False
    end = time.monotonic() + 20
    while kpi(rc, "day") != "0" and time.monotonic() < end:  # the page re-renders from the rebuild thread
        time.sleep(0.1)
    assert new.day == 0 and kpi(rc, "day") == "0"
    assert "townsim-lever-changed" in by_class(rc, v.Switch, "lever-escalation_135").class_
    button(rc, "Step").click()
    assert new.day == 1 and built[0].day == 1  # Step drives the new model; the old one is left alone


def test_slider_change_event_sets_lever(app):
    rc, built, _ = app
    by_class(rc, v.Slider, "lever-delegated_share").fire_event("change", 0.4)
    settle(built, 2)
    assert math.isclose(built[-1].reform_params.delegated_share, 0.4)
    label = by_class(rc, v.Html, "lever-delegated_share-label")
    assert "0.40" in label.children[0] and "townsim-lever-changed" in label.class_


def test_slider_follows_values_set_elsewhere(app):
    # The page sets a slider's position itself only when the value changed elsewhere (the browser owns
    # it while it is moved): at first, and when a scenario sets every lever.
    rc, built, _ = app
    slider = by_class(rc, v.Slider, "lever-delegated_share")
    assert slider.v_model == 0.0  # the scenario's value
    slider.v_model = 0.20  # the browser moved it
    slider.fire_event("change", 0.20)
    assert by_class(rc, v.Slider, "lever-delegated_share").v_model == 0.20
    by_class(rc, v.Select, "townsim-scenario").v_model = "full_reform"
    end = time.monotonic() + 30  # the county of the new scenario is built and shown
    while not (built[-1].reform_params.one_stop_centre and not pending(rc)) and time.monotonic() < end:
        time.sleep(0.05)
    time.sleep(0.3)
    expected = load_scenario("full_reform").params.delegated_share
    assert by_class(rc, v.Slider, "lever-delegated_share").v_model == expected != 0.20
    assert f"{expected:.2f}" in by_class(rc, v.Html, "lever-delegated_share-label").children[0]


def test_page_releases_the_counties_it_no_longer_shows(app):
    # Every lever change builds a county (~12 MB at full size). Mesa 3.3 keeps every model in its
    # class-level agent-id registry, so a class session grew by a county per click: the page must take
    # out of it each county it replaced or dropped (newer settings came in), and only those.
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if not isinstance(ids, dict):
        pytest.skip("this Mesa keeps no class-level registry of models")
    rc, built, _ = app
    for i, share in enumerate([0.1, 0.2, 0.3]):
        by_class(rc, v.Slider, "lever-delegated_share").fire_event("change", share)
        settle(built, i + 2, rc=rc)
    assert math.isclose(built[-1].reform_params.delegated_share, 0.3)
    assert [m in ids for m in built] == [False, False, False, True]  # the one on screen stays registered


@pytest.mark.slow
def test_mesa_reset_rebuilds_the_same_model(app):
    rc, built, _ = app
    by_class(rc, v.Switch, "lever-responsibility_list").v_model = True
    settle(built, 2, rc=rc)
    for _ in range(3):
        button(rc, "Step").click()
    first = (kpi(rc, "backlog"), kpi(rc, "closed"), kpi(rc, "cit_sat"))
    n = len(built)
    button(rc, "Reset").click()  # the page restarts the settings on screen
    settle(built, n + 1)
    assert kpi(rc, "day") == "0"
    assert len(built) > n and built[-1].reform_params.responsibility_list is True and built[-1].day == 0
    for _ in range(3):
        button(rc, "Step").click()
    assert built[-1].day == 3  # Step drives the rebuilt model
    assert (kpi(rc, "backlog"), kpi(rc, "closed"), kpi(rc, "cit_sat")) == first  # same params, same seed


def test_scenario_select_and_language(app):
    rc, built, _ = app
    select = by_class(rc, v.Select, "townsim-scenario")
    names = [item["value"] for item in select.items]
    assert {"baseline", "full_reform", "linping"} <= set(names)
    select.v_model = "two_way_assessment"
    settle(built, 2)
    model = built[-1]
    assert model.reform_params == load_scenario("two_way_assessment").params
    assert rc.find(children=["Open cases"]).widgets  # English labels (TOWNSIM_VIZ_LANG=en)
    assert by_class(rc, v.Html, "kpi-day").children[0].children == ["Working day"]


def test_chinese_labels(tmp_path, monkeypatch):
    import townsim.viz.app as app_mod

    monkeypatch.setenv("TOWNSIM_VIZ_SCENARIO", "baseline")
    monkeypatch.setenv("TOWNSIM_VIZ_LANG", "zh")
    _, rc = solara.render(solara.AppLayout(children=[app_mod.Page()]), handle_error=False)
    try:
        assert by_class(rc, v.Html, "kpi-backlog").children[0].children == ["在办事项"]
        assert by_class(rc, v.Switch, "lever-escalation_135").label.startswith("135 响应机制")
        assert "强镇扩权" in by_class(rc, v.Html, "lever-delegated_share-label").children[0]
    finally:
        rc.close()
