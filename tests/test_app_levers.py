"""The app's levers are a query of the parameters' metadata: a field declared with ``P(app=..., label=...,
label_zh=..., desc_zh=...)`` gets its control, its card, its place and its texts with no other edit."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import create_model

from townsim.model.params import KindError, P, Params, meta
from townsim.viz import help as app_help
from townsim.viz import i18n
from townsim.viz.levers import GROUPS, LEVERS, app_levers, field_lever, lever_groups, lever_texts

FIXTURE = dict(
    unit="share",
    group="assessment",
    kind="lever",
    ge=0,
    le=1,
    desc="A fixture lever: share of county meetings cut.",
    label="Fixture: meetings cut",
    label_zh="会议精简比例",
    desc_zh="县里会议与文件精简的比例（测试用）。",
)


def with_fixture(**changes):
    """``Params`` with one more field, ``fixture_cut``, declared like any lever of the app."""
    return create_model("WithFixture", __base__=Params, fixture_cut=(float, P(0.0, **{**FIXTURE, **changes})))


def test_the_app_shows_exactly_the_fields_that_declare_a_card():
    declared = {n for n in Params.model_fields if "app" in meta(n)}
    assert {lv.name for lv in LEVERS if not lv.virtual} == declared
    assert LEVERS == app_levers() and GROUPS == lever_groups(LEVERS)
    for name in declared:  # the labels and the Chinese help are the field's own, never a second copy
        assert i18n.TEXT[f"lever_{name}"] == {"en": meta(name)["label"], "zh": meta(name)["label_zh"]}
        assert app_help.LEVER_ZH[name] == meta(name)["desc_zh"]
        assert meta(name)["desc_zh"] in app_help.lever_help(name, "zh")


def test_the_cards_and_their_order_are_as_the_class_knows_them():
    assert GROUPS == (
        ("group_delegation", ("delegated_share", "staff_transfer", "equal_staff")),
        ("group_service", ("escalation_135", "online_share", "township_hall_share")),
        (
            "group_assessment",
            ("two_way_weight", "responsibility_list", "inspection_hours_per_week", "township_service_weight"),
        ),
        ("group_grid", ("grid_coverage", "callback_share", "callback_penalty")),
        ("group_geography", ("county_area_km2", "travel_hours")),
        ("group_time", ("reform_half_life_days", "warmup_days")),
    )
    by = {lv.name: lv for lv in LEVERS}
    assert (by["inspection_hours_per_week"].max, by["inspection_hours_per_week"].step) == (80.0, 1.0)
    assert (by["county_area_km2"].min, by["county_area_km2"].max, by["county_area_km2"].step) == (100, 3000, 100)
    assert by["reform_half_life_days"].inf_at_max and by["reform_half_life_days"].coerce(720) == float("inf")
    assert by["escalation_135"].kind == "switch" and by["delegated_share"].step == 0.05


def test_a_fixture_lever_gets_its_place_range_and_labels_from_its_declaration():
    model = with_fixture(app="assessment@5")
    levers = app_levers(model)
    names = [lv.name for lv in levers]
    assert names.index("fixture_cut") == names.index("township_service_weight") + 1  # last of its card
    lever = levers[names.index("fixture_cut")]
    assert (lever.kind, lever.min, lever.max, lever.step, lever.card) == ("slider", 0.0, 1.0, 0.05, "assessment")
    assert lever_texts(model)["lever_fixture_cut"] == {"en": "Fixture: meetings cut", "zh": "会议精简比例"}
    assert dict(lever_groups(levers))["group_assessment"][-1] == "fixture_cut"
    # a place of its own: first of the card without one; a narrower slider and its step
    first = app_levers(with_fixture(app="assessment", slider=(0.0, 0.5), step=0.1))
    ours = [lv for lv in first if lv.card == "assessment"][0]
    assert (ours.name, ours.min, ours.max, ours.step) == ("fixture_cut", 0.0, 0.5, 0.1)
    # without a card the field is a parameter like any other, not a control
    assert "fixture_cut" not in [lv.name for lv in app_levers(with_fixture())]


@pytest.mark.parametrize(
    "changes, words",
    [
        (dict(app="nowhere"), "allowed: a card of"),
        (dict(app="assessment@x"), "allowed: a card of"),
        (dict(app="assessment", label_zh=None), "needs label_zh="),
        (dict(step=0.1), "only for a field the app shows"),
        (dict(app="assessment", slider=(0.0, 2.0)), "outside the allowed bounds"),
        (dict(app="assessment", step=0.0), "step 0.0 must be positive"),
        (dict(app="assessment", label="two\nlines"), "one line"),
        (dict(kind="setting", screen=(0.0, 0.5)), "only a numeric lever takes screen="),
        (dict(screen=(0.5, 2.0)), "within the allowed bounds"),
    ],
)
def test_a_bad_app_declaration_is_refused_when_the_class_is_defined(changes, words):
    with pytest.raises(KindError, match=words):
        with_fixture(**changes)


def test_a_switch_or_an_open_range_needs_no_more_and_a_slider_needs_ends():
    switch = create_model(
        "S",
        __base__=Params,
        fixture_on=(bool, P(False, **{**FIXTURE, "unit": "switch", "ge": None, "le": None, "app": "grid"})),
    )
    assert field_lever("fixture_on", switch).kind == "switch"
    with pytest.raises(KindError, match="finite bounds"):
        with_fixture(app="grid", le=None)


RENDER = r"""
import json, sys
from pydantic import create_model
from townsim.model.params import P, Params
fixture = json.loads(sys.argv[1])
Params.model_fields["fixture_cut"] = create_model("F", fixture_cut=(float, P(0.0, **fixture))).model_fields[
    "fixture_cut"
]  # a field of Params before the app is imported: the app is built from what Params declares
import solara
import ipyvuetify as v
from townsim.viz.controls import LeverPanel, Settings
from townsim.viz.levers import LEVERS
from test_viz_components import by_class

values = tuple((lv.name, False if lv.kind == "switch" else lv.min) for lv in LEVERS)
out = {}
for lang in ("en", "zh"):
    _, rc = solara.render(LeverPanel(Settings("baseline", values, 1), dict(values), ["baseline"], "", lang, print))
    slider = by_class(rc, v.Slider, "lever-fixture_cut")
    label = by_class(rc, v.Html, "lever-fixture_cut-label")
    helps = by_class(rc, v.Html, "lever-fixture_cut-help")
    out[lang] = [label.children[0], helps.attributes["title"], slider.min, slider.max, slider.step]
    rc.close()
print(json.dumps(out, ensure_ascii=False))
"""


def test_a_fixture_field_declared_for_the_app_is_a_slider_with_its_labels_in_both_languages():
    pytest.importorskip("solara")
    fixture = {**FIXTURE, "app": "assessment@5", "step": 0.1}
    done = subprocess.run(
        [sys.executable, "-c", RENDER, json.dumps(fixture)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parent),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["en"][0].startswith("Fixture: meetings cut") and shown["zh"][0].startswith("会议精简比例")
    assert shown["en"][1].startswith(FIXTURE["desc"]) and shown["zh"][1].startswith(FIXTURE["desc_zh"])
    assert shown["en"][2:] == shown["zh"][2:] == [0.0, 1.0, 0.1]
