"""The app's levers are a query of the parameters' metadata: a field declared with ``P(app=..., label=...,
label_zh=..., desc_zh=...)`` gets its control, its card, its place and its texts with no other edit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    with pytest.raises(KindError, match="finite closed bounds"):
        with_fixture(app="grid", le=None)


RENDER = r"""
import json, sys
from pydantic import create_model
from townsim.model.params import P, Params
name, declared = sys.argv[1], json.loads(sys.argv[2])
# before the app is imported: the app is built from what Params declares
existing = name in Params.model_fields
if existing:  # a field of the model: the app keys added to its own declaration
    Params.model_fields[name].json_schema_extra.update(declared)
else:  # a new field of Params, declared like any other
    Params.model_fields[name] = create_model("F", **{name: (float, P(0.0, **declared))}).model_fields[name]
import solara
import ipyvuetify as v
from townsim.viz.controls import LeverPanel, Settings
from townsim.viz.levers import LEVERS, build_params
from test_viz_components import by_class

values = tuple((lv.name, False if lv.kind == "switch" else lv.min) for lv in LEVERS)
out = {}
for lang in ("en", "zh"):
    _, rc = solara.render(LeverPanel(Settings("baseline", values, 1), dict(values), ["baseline"], "", lang, print))
    slider = by_class(rc, v.Slider, f"lever-{name}")
    label = by_class(rc, v.Html, f"lever-{name}-label")
    helps = by_class(rc, v.Html, f"lever-{name}-help")
    out[lang] = [label.children[0], helps.attributes["title"], slider.min, slider.max, slider.step]
    rc.close()
if existing:  # the page's value reaches the model through the same path as every lever's
    from townsim.scenarios import load_scenario
    out["built"] = getattr(build_params(load_scenario("baseline").params, {name: 0.4}), name)
print(json.dumps(out, ensure_ascii=False))
"""


def render(name: str, declared: dict) -> dict:
    """The lever panel's control of field ``name`` in a fresh process whose ``Params`` declares it for the app:
    its label, hover help, slider ends and step in each language."""
    pytest.importorskip("solara")
    done = subprocess.run(
        [sys.executable, "-c", RENDER, name, json.dumps(declared)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(Path(__file__).resolve().parent),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fixture_field_declared_for_the_app_is_a_slider_with_its_labels_in_both_languages():
    shown = render("fixture_cut", {**FIXTURE, "app": "assessment@5", "step": 0.1})
    assert shown["en"][0].startswith("Fixture: meetings cut") and shown["zh"][0].startswith("会议精简比例")
    assert shown["en"][1].startswith(FIXTURE["desc"]) and shown["zh"][1].startswith(FIXTURE["desc_zh"])
    assert shown["en"][2:] == shown["zh"][2:] == [0.0, 1.0, 0.1]


WALK_THROUGH = {
    "label": "Meetings and documents cut (基层减负)",
    "label_zh": "基层减负：会议与文件精简比例",
    "desc_zh": "县里会议与文件精简的比例（P2：精简 30–50%，督查检查除外）。",
    "app": "assessment@5",
}
"""The app keys docs/architecture.md §4 adds to ``meeting_document_cut``'s declaration."""


def test_the_walk_through_shows_the_keys_this_test_renders():
    text = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text[text.index("## 4. Walk-through") : text.index("## 5.")]
    for key, value in WALK_THROUGH.items():
        assert f'{key}="{value}",' in section, key
    assert "**6 files**" in section and "`meeting_document_cut`" in section


def test_the_walk_through_lever_becomes_a_slider_by_its_declaration_alone():
    """docs/architecture.md §4, step 8: ``meeting_document_cut`` with the four app keys in its ``P(...)`` call
    is a slider of the assessment card with its labels, help and range, and the page's values reach Params."""
    declared = WALK_THROUGH
    shown = render("meeting_document_cut", declared)
    assert shown["en"][0].startswith(declared["label"]) and shown["zh"][0].startswith(declared["label_zh"])
    assert shown["en"][1].startswith("Share of the county meetings") and declared["desc_zh"] in shown["zh"][1]
    assert shown["en"][2:] == [0.0, 1.0, 0.05] and shown["built"] == 0.4


def test_an_open_bound_needs_the_slider_range():
    with pytest.raises(KindError, match="finite closed bounds"):
        with_fixture(app="grid", ge=None, gt=0)
    assert field_lever("fixture_cut", with_fixture(app="grid", ge=None, gt=0, slider=(0.1, 1.0))).min == 0.1
