"""The app explains why (issue 26): hover definitions on levers and tiles read from the KPI registry and
``Params``; chart tooltips show labels, never raw KPI names; running totals of trips; the compared run
drawn in grey on the townships' hours panels, both drawn by one function."""

from __future__ import annotations

import numpy as np
import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from helpers import small  # noqa: E402
from test_viz_components import app, walk  # noqa: E402,F401

from townsim.model.metrics import DAILY_KPIS, definition, kpi  # noqa: E402
from townsim.model.params import Params  # noqa: E402
from townsim.viz import charts, compare, help, hours, strip  # noqa: E402
from townsim.viz.beforeafter import BeforeAfterModel  # noqa: E402
from townsim.viz.kpis import tiles  # noqa: E402
from townsim.viz.levers import LEVERS  # noqa: E402

LANGS = ("zh", "en")


def run(days: int, **changes) -> BeforeAfterModel:
    model = BeforeAfterModel(small(**changes), rng=1)
    for _ in range(days):
        model.step()
    return model


@pytest.fixture(scope="module")
def two_runs():
    """A run and the run it is compared with (another lever), 12 days each."""
    return run(12, two_way_weight=0.8), run(12)


def test_every_lever_offered_has_hover_help_from_its_params_field():
    for lever in LEVERS:
        for lang in LANGS:
            text = help.lever_help(lever.name, lang)
            assert len(text) > 10, (lever.name, lang)
        if lever.virtual:
            continue
        info = Params.model_fields[lever.name]
        extra = info.json_schema_extra or {}
        en, zh = help.lever_help(lever.name, "en"), help.lever_help(lever.name, "zh")
        assert en.startswith(str(info.description)), lever.name  # the field's own description, not a copy
        assert zh.startswith(help.LEVER_ZH[lever.name]) and not any(
            "a" <= ch <= "z" for ch in help.LEVER_ZH[lever.name]
        )
        if extra["kind"] == "assumption":  # its plausible range (and in English its basis) is shown
            lo, hi = extra["plausible"]  # written by the one set of formatters (5,000; 0.125)
            span = f"{help._range_end(lo)}–{help._range_end(hi)}"
            assert span in en and span in zh and extra["basis"] in en
        if extra["kind"] == "fact":
            assert extra["cite"] in en and extra["cite"] in zh
    assert set(help.LEVER_ZH) == {lv.name for lv in LEVERS}  # no stale translation either


def test_every_tile_has_a_definition_from_the_kpi_registry():
    snap_keys = [key for key, _, _ in tiles(_empty_snapshot(), "en")]
    assert snap_keys[:2] == ["day", "reform"] and snap_keys[2:] == list(strip.keys())
    for key in snap_keys:
        for lang in LANGS:
            assert help.tile_help(key, lang), (key, lang)
    for key in strip.keys():
        assert help.tile_kpis(key), key  # every registry tile shows some KPI
        for name in help.tile_kpis(key):
            for lang in LANGS:
                text = help.tile_help(key, lang)
                assert definition(name, lang), (name, lang)  # the registry holds it, in both languages
                assert kpi(name).text(lang) in text and kpi(name).unit_text(lang) in text
                assert definition(name, lang) in text


def _empty_snapshot() -> dict:
    return {"day": 0, "today": {}, "run": {}, "start": 0, "reform": False, "townships": 0}


def test_tiles_and_levers_carry_their_help_on_the_page(app):
    rc, _, _ = app
    titled = {
        w.class_: (w.attributes or {}).get("title", "")
        for root in rc.find().widgets
        for w in walk(root)
        if isinstance(w, v.Html) and w.class_
    }
    tiles_shown = {
        cls.split()[1].removeprefix("kpi-"): tip for cls, tip in titled.items() if "townsim-kpi " in cls + " "
    }
    assert set(tiles_shown) == {*strip.keys(), "day", "reform"}
    for key, tip in tiles_shown.items():
        assert tip == help.tile_help(key, "en"), key
    levers_shown = {
        cls.split()[1].removeprefix("lever-").removesuffix("-help"): tip
        for cls, tip in titled.items()
        if "townsim-lever-help" in cls.split()
    }
    assert set(levers_shown) == {lv.name for lv in LEVERS}
    for name, tip in levers_shown.items():
        assert tip == help.lever_help(name, "en"), name


def _tooltips_and_data(spec: dict):
    """Every tooltip list and every inline dataset of a Vega-Lite spec (layers included)."""
    tips, data = [], []
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            enc = node.get("encoding", {})
            if "tooltip" in enc:
                tips.append(enc["tooltip"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    for values in (spec.get("datasets") or {}).values():
        data.extend(values)
    return tips, data


def test_chart_tooltips_show_labels_and_definitions_never_raw_names(two_runs):
    now, before = two_runs
    kept = compare.keep(before, _settings(), {})
    # a column name that is not also its own English label ("petitions" is both)
    raw = {n for n in (*DAILY_KPIS, *charts.APP_SERIES) if charts.series_label(n, "en") != n}
    for lang in LANGS:
        frame = charts.daily_frame(now)
        specs = [charts.spec(c, frame, lang, kept, 0).to_dict() for c in charts.CHARTS]
        specs += [hours.panel_spec(kind, now, hours.ALL, lang, kept).to_dict() for kind in hours.PANELS]
        for s in specs:
            tips, rows = _tooltips_and_data(s)
            assert tips
            for tip in tips:
                for field in tip:
                    assert field.get("title") and field["title"] not in raw, field
                    assert field["field"] != "column"
            shown = {r[f["field"]] for r in rows for tip in tips for f in tip if f["field"] in r}
            assert not shown & raw, shown & raw
        for c in charts.CHARTS:  # every series carries its one-line definition in the tooltip
            rows = charts.long_frame(frame, c, lang, "x")
            assert (rows["definition"].str.len() > 10).all(), c.title


def _settings():
    from townsim.viz.controls import Settings

    return Settings("baseline", (), 1)


def test_trips_so_far_are_a_running_total_of_the_trips_made():
    model = run(15)
    chart = next(c for c in charts.CHARTS if c.title == "chart_trips_total")
    assert chart.cumulative
    rows = charts.long_frame(charts.daily_frame(model), chart, "en", "now")
    c = model.cases
    for col, field in (("trips_made", "trips"), ("seat_trips_made", "seat_trips")):
        series = rows[rows["column"] == col].sort_values("day")["value"].to_numpy()
        assert len(series) == 15 and (np.diff(series) >= 0).all()  # cumulative, never a daily value
        assert series[-1] == c.view(field).sum() > 0  # every trip in the case table, each counted once
    # the cause removed (everything filed online: no trips at all), the line stays at zero
    flat = charts.long_frame(charts.daily_frame(run(15, online_share=1.0)), chart, "en", "now")
    assert (flat["value"] == 0).all() and len(flat) == 30


def test_dumped_tasks_are_drawn_as_a_running_total():
    model = run(15, dumping_base=0.5)
    chart = next(c for c in charts.CHARTS if "dumped_tasks" in c.series)
    rows = charts.long_frame(charts.daily_frame(model), chart, "en", "now")
    dumped = rows[rows["column"] == "dumped_tasks"].sort_values("day")["value"].to_numpy()
    daily = model.datacollector.get_model_vars_dataframe()["dumped_tasks"].to_numpy()
    assert daily.sum() > 0 and np.array_equal(dumped, np.cumsum(daily))


def _grey_layers(spec: dict) -> list[dict]:
    return [
        layer
        for layer in spec.get("layer", [])
        if isinstance(layer.get("mark"), dict) and layer["mark"].get("color") == charts.GREY
    ]


@pytest.mark.parametrize("kind", ["hours", "util"])
def test_hours_panels_draw_the_compared_run_in_grey(two_runs, kind):
    now, before = two_runs
    kept = compare.keep(before, _settings(), {})
    assert kept.hours is not None and kept.util is not None
    alone = hours.panel_spec(kind, now, hours.ALL, "en", None).to_dict()
    assert not _grey_layers(alone)
    for township in (hours.ALL, 1):
        with_grey = hours.panel_spec(kind, now, township, "en", kept).to_dict()
        grey = _grey_layers(with_grey)
        assert len(grey) == 1
        rows = with_grey["datasets"][grey[0]["data"]["name"]]
        assert rows and {r["run"] for r in rows} == {"compared run"}
        if kind == "hours":  # the tops of the compared run's stacked uses, same days
            arr = np.stack(before.township_day_hours)
            per_day = arr.mean(axis=1) if township == hours.ALL else arr[:, township, :]
            tops = {}
            for r in rows:
                tops[r["day"]] = max(tops.get(r["day"], 0.0), r["top"])
            assert sorted(tops) == list(range(1, len(arr) + 1))
            assert np.allclose([tops[d] for d in sorted(tops)], per_day.sum(axis=1))
        else:
            arr = np.stack(before.township_day_util)
            want = arr.mean(axis=1) if township == hours.ALL else arr[:, township]
            got = np.array([r["utilisation"] for r in sorted(rows, key=lambda r: r["day"])])
            assert np.allclose(got, want)
            # this run: every township thin, and the same line (mean or chosen township) thick to compare with
            mine = [r for key, rs in with_grey["datasets"].items() for r in rs if r.get("run") == "this run"]
            thick = sorted((r for r in mine if r["chosen"]), key=lambda r: r["day"])
            arr_now = np.stack(now.township_day_util)
            want_now = arr_now.mean(axis=1) if township == hours.ALL else arr_now[:, township]
            assert np.allclose([r["utilisation"] for r in thick], want_now)
            assert len(mine) == arr_now.size + (len(thick) if township == hours.ALL else 0)


def test_one_function_draws_both_hours_panels():
    import inspect

    src = inspect.getsource(hours)
    assert "def panel_spec(" in src and "def hours_spec(" not in src and "def util_spec(" not in src
    assert src.count(".properties(") == 1


def test_the_comparison_table_rows_carry_the_tiles_definitions(two_runs):
    now, before = two_runs
    kept = solara.reactive(compare.keep(before, _settings(), {}))
    _, rc = solara.render(compare.CompareTable(now, kept, "zh"), handle_error=False)
    try:
        rows = {
            w.class_.removeprefix("compare-"): w
            for root in rc.find().widgets
            for w in walk(root)
            if isinstance(w, v.Html) and w.tag == "tr" and (w.class_ or "").startswith("compare-")
        }
        assert set(rows) == set(compare.compared_tile_keys())
        for key, row in rows.items():
            label = row.children[0]
            assert label.attributes["title"] == help.tile_help(key, "zh"), key
    finally:
        rc.close()


def test_a_kpi_declaring_a_tile_is_on_the_rendered_strip_with_its_label_and_help():
    """The strip on the page is the registry's ``tiles`` view: a KPI registered with ``tiles.<key>`` is a tile
    there (label, value, hover help), after the shipped ones, and gone when unregistered."""
    from townsim.model.metrics import Kpi, registered
    from townsim.viz.kpis import KpiStrip

    model = run(1)

    def shown() -> dict[str, tuple[str, str]]:
        _, rc = solara.render(KpiStrip(model, "en"), handle_error=False)
        try:
            box = next(w for w in walk(rc.find().widgets[0]) if "townsim-kpis" in str(getattr(w, "class_", "")))
            found = {}
            for w in box.children:  # the tiles in the order shown
                texts = [c.children[0] for c in w.children if isinstance(c, v.Html)]
                found[w.class_.split()[1].removeprefix("kpi-")] = (texts[0], (w.attributes or {})["title"])
            return found
        finally:
            rc.close()

    before = shown()
    assert list(before) == ["day", "reform", *strip.keys()]
    fixture = Kpi("backlog_copy", "open cases again", "在办事项（副本）", "cases", "count", 0, "daily", "stock",
                  "tiles.copy")  # fmt: skip
    with registered(fixture):
        with_it = shown()
        assert list(with_it) == [*before, "copy"]
        label, tip = with_it["copy"]
        assert label == "Open cases again" and tip.startswith("open cases again (cases): ")
    assert shown() == before
