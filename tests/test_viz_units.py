"""Unit tests of the app's parts that need no page: labels, levers, sampling, county view, assets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from townsim.model import Params, TownshipModel
from townsim.model.metrics import KPI, SHORT
from townsim.model.params import ParamsError
from townsim.scenarios import list_scenarios, load_scenario
from townsim.viz import i18n
from townsim.viz.levers import LEVERS, build_params, lever_values

SMALL = dict(
    townships=4,
    departments=6,
    enterprises=300,
    residents=20_000,
    residents_per_agent=100,
    matter_types=40,
    department_staff=10.0,
    township_staff=8.0,
)


# --- labels ------------------------------------------------------------------
def test_every_label_has_both_languages():
    for key, entry in i18n.TEXT.items():
        assert set(entry) == set(i18n.LANGS), key
        assert all(entry[lang].strip() for lang in i18n.LANGS), key


def test_labels_cover_levers_scenarios_and_charts():
    from townsim.viz.charts import APP_SERIES, CHARTS

    for lv in LEVERS:
        assert f"lever_{lv.name}" in i18n.TEXT
    for sc in list_scenarios():
        assert f"scenario_{sc.name}" in i18n.TEXT, sc.name
    for chart in CHARTS:
        assert chart.title in i18n.TEXT and chart.ylabel in i18n.TEXT and chart.help in i18n.TEXT
        for column in chart.series:  # legend labels come from the KPI registry (short if it has one)
            if column in APP_SERIES:  # the page's own columns (trips made): their label and definition keys
                assert all(key in i18n.TEXT for key in APP_SERIES[column]), column
                continue
            assert column in KPI and KPI[column].zh and KPI[column].en, column
            assert all(SHORT[column]) if column in SHORT else True


def test_chinese_labels_use_the_glossary():
    zh = {k: v["zh"] for k, v in i18n.TEXT.items()}
    for term, key in [
        ("强镇扩权", "lever_delegated_share"),
        ("编制下沉", "lever_staff_transfer"),
        ("135", "lever_escalation_135"),
        ("双向互评", "lever_two_way_weight"),
        ("责任清单", "lever_responsibility_list"),
        ("一网通办", "lever_online_share"),
        ("网格化管理", "lever_grid_coverage"),
        ("督查检查考核", "lever_inspection_hours_per_week"),
        ("首席代表", "desk_1"),
        ("领导小组办公室", "desk_2"),
        ("联席会议", "desk_3"),
        ("县级职能部门", "departments"),
        ("上访", "kpi_petitions"),
    ]:
        assert term in zh[key], (term, key)


def test_unknown_label_is_an_error_not_a_fallback():
    with pytest.raises(KeyError):
        i18n.t("no_such_label", "zh")
    with pytest.raises(KeyError):
        i18n.t("app_title", "fr")


# --- levers --------------------------------------------------------------------
def test_lever_ranges_come_from_params():
    fields = Params.model_fields
    from townsim.viz.levers import _bounds

    for lv in LEVERS:
        if lv.virtual:  # applied by the page (equal_staff), not a Params field
            assert lv.kind == "switch" and lv.name not in fields
            continue
        assert lv.name in fields
        if lv.kind == "switch":
            assert fields[lv.name].annotation is bool
        else:
            lo, hi = lv.min, lv.max
            Params.build(**{lv.name: lo})
            Params.build(**{lv.name: lv.coerce(hi)})  # both ends of every slider are valid values
            if lo == _bounds(lv.name)[0]:  # a slider that starts at the field's own bound
                with pytest.raises(ParamsError):
                    Params.build(**{lv.name: lo - 1.0})


def test_build_params_applies_levers_and_validates():
    base = load_scenario("baseline").params
    p = build_params(base, {"delegated_share": 0.6, "escalation_135": 1, "unrelated": 3})
    assert p.delegated_share == 0.6 and p.escalation_135 is True
    assert p.townships == base.townships
    assert lever_values(p)["delegated_share"] == 0.6
    with pytest.raises(ParamsError):
        build_params(base, {"online_share": 1.5})


# --- sampling and the county view --------------------------------------------------
def test_sample_is_bounded_stratified_and_stable():
    from townsim.viz.sampling import MarkSample

    p = Params(**{**SMALL, "enterprises": 2000, "residents": 200_000, "residents_per_agent": 10})
    m = TownshipModel(p, rng=2)
    s = MarkSample(m, per_township=25, seed=5)
    T = p.townships
    assert s.size <= 2 * 25 * T
    assert np.bincount(s.citizen_town, minlength=T).max() <= 25
    e_town = m.enterprise_state["township"][s.enterprises]
    assert np.bincount(e_town, minlength=T).max() <= 25
    again = MarkSample(m, per_township=25, seed=5)
    assert np.array_equal(s.citizens, again.citizens) and np.array_equal(s.enterprises, again.enterprises)


def test_drawing_never_changes_the_run():
    """The view reads the model only: a run drawn every day equals a run never drawn."""
    from townsim.viz.county import Layout, draw_county, figure_png
    from townsim.viz.sampling import MarkSample

    p = Params(**{**SMALL, "escalation_135": True, "responsibility_list": True})
    drawn, plain = TownshipModel(p, rng=7), TownshipModel(p, rng=7)
    sample, lay = MarkSample(drawn, seed=1), Layout(drawn)
    for _ in range(6):
        drawn.step()
        plain.step()
        png = figure_png(draw_county(drawn, sample, "zh", "test", lay), dpi=40)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
    a, b = drawn.summary(), plain.summary()
    assert a.keys() == b.keys()
    for k in a:
        assert (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k], k


def test_county_view_draws_flows_of_the_day():
    from townsim.viz import county
    from townsim.viz.sampling import MarkSample

    p = Params(**{**SMALL, "duty_tasks_per_department": 3.0, "escalation_135": True})
    m = TownshipModel(p, rng=3)
    m.run(8)
    flows = m.day_flows
    fig = county.draw_county(m, MarkSample(m), "en", "test")
    arrows = [a for a in fig.axes[0].texts if getattr(a, "arrow_patch", None) is not None]
    expected = sum(min(len(flows[k]), county.MAX_ARROWS) for k in ("referrals", "dumped", "bounced"))
    expected += sum(1 for lvl in (1, 2, 3) if flows["escalations"].get(lvl, 0))
    assert len(arrows) == expected
    assert sum(len(flows[k]) for k in ("referrals", "dumped")) > 0  # the test county does move work


def test_queued_days_matches_the_model_overload_rule():
    from townsim.model import metrics
    from townsim.viz.county import queued_days

    p = Params(**{**SMALL, "township_staff": 2.0, "delegated_share": 0.6})
    m = TownshipModel(p, rng=1)
    m.run(15)
    for town in m.townships:
        assert (queued_days(m, town.handler) > p.overload_threshold) == metrics.overloaded(m, town)


# --- KPIs ------------------------------------------------------------------------
def test_kpis_before_and_after_a_day():
    from townsim.viz.kpis import kpi_values

    m = TownshipModel(Params(**SMALL), rng=1)
    before = dict((k, v) for k, _, v in kpi_values(m))
    assert before["day"] == "0" and before["backlog"] == "—" and before["petitions"] == "—"
    m.run(2)
    after = dict((k, v) for k, _, v in kpi_values(m))
    assert after["day"] == "2"
    assert after["backlog"] == f"{m.kpi_today['backlog']:,.0f}"
    assert after["petitions"] == f"{m.kpi_totals['petitions']:,.0f}"


# --- Mesa accepts the model as it is, and assets ---------------------------------------
def test_mesa_accepts_the_model_and_keeps_its_checks():
    """TownshipModel's signature passes Mesa's own parameter check (3.3) or instance check (3.5)."""
    pytest.importorskip("solara")
    from mesa.visualization import solara_viz

    check = solara_viz._check_model_params
    try:
        check(TownshipModel.__init__, {"params": Params(), "rng": 1})
    except TypeError:  # Mesa 3.5: the check takes a model instance
        check(TownshipModel(Params(**SMALL), rng=1), {"params": Params(), "rng": 1})
        return
    # Mesa lets any keyword through to **kwargs; the model itself rejects what is not a Params field
    with pytest.raises(ValueError, match="bogus"):
        TownshipModel(Params(**SMALL), rng=1, bogus=1)


def test_model_takes_mesas_scenario_keyword():
    """Mesa 3.5's Reset passes ``scenario=``; it must not be taken for a Params override."""
    import mesa

    if "scenario" not in __import__("inspect").signature(mesa.Model.__init__).parameters:
        pytest.skip("this Mesa has no scenarios")
    m = TownshipModel(Params(**SMALL), rng=1, scenario=None)
    assert m.params == Params(**SMALL)


def test_assets_required_names_the_page_files():
    pytest.importorskip("solara")
    from townsim.viz import assets

    specs = assets.required()
    assert any(s.startswith("requirejs@") for s in specs)
    assert any("solara-vuetify" in s for s in specs)
    assert sum("solara-vuetify" in s for s in specs) == 1  # only the app matching ipyvuetify
    assert {"vega@5", "vega-lite@5", "vega-embed@6"} <= set(specs) or not any(s.startswith("vega") for s in specs)
