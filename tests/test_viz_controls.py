"""The lever controls keep what the browser reported and accept only values the page offered.

Issue 26, defect 7: 16 arrow-key presses on a slider once ended 4 stops short. Cause: a render of the
page with settings older than the slider's last report (the county rebuilt in another thread while key
presses arrived) pushed that older position back to the browser, and the next presses counted from it.
Issue 24, defect 8: a slider value that is not a number, then any valid lever change, raised a KeyError
(``SliderLever.place``); a language index out of range raised an IndexError.
"""

from __future__ import annotations

import math

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from test_viz_components import app, by_class, kpi, settle, walk  # noqa: E402,F401

from townsim.viz.controls import LeverPanel, Settings  # noqa: E402
from townsim.viz.levers import LEVERS  # noqa: E402


def settings(share: float) -> Settings:
    levers = tuple(
        (lv.name, share if lv.name == "delegated_share" else (False if lv.kind == "switch" else lv.min))
        for lv in LEVERS
    )
    return Settings("baseline", levers, 1)


def test_a_render_with_older_settings_never_moves_the_slider_back():
    shown = solara.reactive(settings(0.70))
    redraw = solara.reactive(0)
    reports = []

    @solara.component
    def Host():
        _ = redraw.value  # a render for another reason (the county rebuilt in another thread)
        scenario_values = dict(settings(0.0).levers)
        LeverPanel(shown.value, scenario_values, ["baseline"], "", "en", on_change=reports.append)

    _, rc = solara.render(Host(), handle_error=False)
    try:
        slider = by_class(rc, v.Slider, "lever-delegated_share")
        assert math.isclose(slider.v_model, 0.70)
        slider.v_model = 0.75  # the student pressed → in the browser
        slider.fire_event("change", 0.75)  # reported; the page has not applied it yet
        assert math.isclose(reports[-1].lever("delegated_share"), 0.75)
        redraw.value += 1  # a render with the older settings (0.70) before the page applied 0.75
        assert math.isclose(by_class(rc, v.Slider, "lever-delegated_share").v_model, 0.75)
        shown.value = reports[-1]  # the page applies 0.75
        assert math.isclose(by_class(rc, v.Slider, "lever-delegated_share").v_model, 0.75)
    finally:
        rc.close()


@pytest.mark.parametrize("bad", ["abc", [0.5], float("inf"), {"x": 1}, None, True])
def test_a_slider_value_not_offered_then_a_valid_change_does_not_raise(app, bad):
    rc, built, _ = app
    slider = by_class(rc, v.Slider, "lever-delegated_share")
    slider.fire_event("change", bad)  # what the developer tools could send
    by_class(rc, v.Switch, "lever-escalation_135").v_model = True  # any valid change afterwards
    settle(built, 2, rc=rc)
    assert built[-1].reform_params.escalation_135 is True
    assert built[-1].reform_params.delegated_share == 0.0  # the value not offered was never used
    assert math.isclose(by_class(rc, v.Slider, "lever-delegated_share").v_model, 0.0)
    by_class(rc, v.Slider, "lever-delegated_share").fire_event("change", 0.2)  # the slider still works
    settle(built, 3, rc=rc)
    assert math.isclose(built[-1].reform_params.delegated_share, 0.2)


@pytest.mark.parametrize("bad", [2, -1, 99, "zh", None, 0.5, True, [0]])
def test_a_language_index_not_offered_is_refused(bad):
    from townsim.viz.controls import LanguageToggle

    chosen = []
    _, rc = solara.render(LanguageToggle("en", chosen.append), handle_error=False)
    try:
        toggle = by_class(rc, v.BtnToggle, "townsim-lang")
        assert toggle.v_model == 1
        toggle.v_model = bad  # what the developer tools could send
        assert chosen == []
        assert by_class(rc, v.BtnToggle, "townsim-lang").v_model == 1  # the page shows what it uses
        by_class(rc, v.BtnToggle, "townsim-lang").v_model = 0  # 中文, offered
        assert chosen == ["zh"]
    finally:
        rc.close()
