"""KPI views are queries of the registry: a KPI declares its kind and its views, and every view finds it.

A fixture KPI, registered for the test only, appears in each view it declares (the run table, the
dashboard's panels, the compare report's tables, the app's charts and its tiles) and in no other; the shipped views
keep the KPIs and the order they had as hand lists; a stock is drawn as it is and a flow smoothed,
because the registry says so.
"""

import math

import numpy as np
import pandas as pd
import pytest

from townsim.experiments.cli.run import format_summary
from townsim.experiments.render import dashboard, fmt, report
from townsim.model import metrics
from townsim.model.metrics import KPI, KPIS, Kpi, kpis, registered
from townsim.viz import charts, help, strip
from townsim.viz import kpis as strip_page
from townsim.viz.i18n import t

NAME = "fixture_widgets"
LABEL = "fixture widgets counted"


def _fixture(views: str, kind: str = "flow") -> Kpi:
    return Kpi(NAME, LABEL, "测试指标", "cases", "count", +1, "both", kind, views)


def _in_run_table() -> bool:
    return LABEL in format_summary({NAME: 7.0, "cases_created": 1.0})


def _dashboard_panel() -> str | None:
    found = [p[0] for p in dashboard.panels() if NAME in [c for c, _ in p[4]]]
    assert len(found) <= 1
    return found[0] if found else None


def _report_tables() -> list[str]:
    summary = pd.DataFrame(
        [
            {"scenario": "a", "kpi": k, "mean": 0.5, "ci_low": math.nan, "ci_high": math.nan}
            for k in dict.fromkeys((*KPI, NAME))
        ]
    )
    tables = report._tables(summary, ["a"], {"a": "A"}, "en")
    return [t["title"] for t in tables if fmt.axis_label(NAME, "en") in t["header"]]


def _app_charts() -> list[str]:
    return [c.title for c in charts.charts() if NAME in c.series]


def _tiles(today: dict | None = None, run: dict | None = None) -> dict[str, tuple[str, str]]:
    """The app's KPI strip for one day's values: tile key → (label, text), as the page shows them."""
    snap = {"day": 3, "today": {"backlog": 1.0, **(today or {})}, "run": run or {}, "start": 0, "reform": False,
            "townships": 8}  # fmt: skip
    return {key: (t(label, "en"), text) for key, label, text in strip_page.tiles(snap, "en")}


def _tiles_showing_the_fixture() -> list[str]:
    return [key for key in strip.keys() if NAME in help.tile_kpis(key)]


def test_a_fixture_kpi_is_in_every_view_it_declares_and_in_no_other():
    with registered(_fixture("run dashboard.requests report.cost@9 app.petitions tiles.fixture")):
        assert _in_run_table()
        assert _dashboard_panel() == "Requests: new vs closed"
        assert _report_tables() == ["Cost and load"]
        assert report.tables()[1][1][-1] == NAME  # position 9: after the four shipped ones
        assert _app_charts() == ["chart_petitions"]
        assert _tiles_showing_the_fixture() == ["fixture"]  # a new tile, after the shipped ones
        shown = _tiles({NAME: 7.0})
        assert list(shown)[-1] == "fixture" and shown["fixture"] == ("Fixture widgets counted", "7")
        assert LABEL in help.tile_help("fixture", "en") and "测试指标" in help.tile_help("fixture", "zh")
        for view in ("headline", "timeseries", "findings", "worlds", "sweep", "province", "warmup", "probe",
                     "tradeoff", "closure_gap", "options", "drivers", "footnote"):  # fmt: skip
            assert NAME not in kpis(view), view
    # gone again: the registry is as shipped
    assert NAME not in KPI and not _in_run_table() and _dashboard_panel() is None
    assert _report_tables() == [] and _app_charts() == [] and _tiles_showing_the_fixture() == []
    assert "fixture" not in _tiles({NAME: 7.0})


def test_a_fixture_kpi_declaring_other_views_is_found_there_only():
    with registered(_fixture("headline@0.5 report.resolved dashboard.effort findings")):
        assert not _in_run_table() and _app_charts() == [] and _tiles_showing_the_fixture() == []
        assert _dashboard_panel() == "County departments' effort (two-way assessment)"
        assert _report_tables() == ["Closed or really solved"]
        assert kpis("headline")[:2] == (NAME, "on_time_rate")  # position 0.5: before on_time_rate (1)
        assert NAME in kpis("findings") and NAME not in kpis("worlds")


def test_a_new_group_becomes_a_new_panel_and_a_new_chart():
    with registered(_fixture("dashboard.fixture app.fixture")):
        assert [p[4] for p in dashboard.panels() if p[4][0][0] == NAME] == [[(NAME, "C0")]]
        assert [c.title for c in charts.charts()][-1] == "chart_fixture"


def test_a_fixture_kpi_joins_a_shipped_tile_summed_or_side_by_side():
    """KPIs of one tile that share a tile label are added up, others shown side by side, and a running tile
    reads the run so far, not the day."""
    today = {"escalations_level1": 1.0, "escalations_level2": 2.0, "escalations_level3": 3.0}
    assert _tiles(today)["escalations"] == ("Escalations today", "6")
    with registered(Kpi(NAME, LABEL, "测试指标", "cases", "count", 0, "both", "flow", "tiles.escalations@4",
                        tile=("escalations", "升级"))):  # fmt: skip
        assert _tiles({**today, NAME: 10.0})["escalations"] == ("Escalations today", "16")
    run = {"dumped_tasks": 4.0, "bounced_tasks": 1.0}
    assert _tiles({"dumped_tasks": 9.0}, run)["dumped_total"] == ("Dumped / bounced so far", "4 / 1")
    with registered(_fixture("tiles.dumped_total@3")):
        label, text = _tiles(run={**run, NAME: 2.0})["dumped_total"]
        assert (label, text) == ("Dumped / bounced / fixture widgets counted so far", "4 / 1 / 2")
        assert t("kpi_dumped_total", "zh") == "累计下压 / 退回 / 测试指标"


def test_the_shipped_tiles_keep_their_order_and_labels():
    assert kpis("tiles.dumped") == ("dumped_tasks", "bounced_tasks")
    assert list(strip.keys()) == [
        "backlog", "closed", "on_time", "resolution", "on_time_so_far", "resolution_so_far", "escalations",
        "dumped", "overloaded", "town_util", "town_service", "req_hours", "ent_sat", "cit_sat", "petitions",
        "esc_total", "dumped_total",
    ]  # fmt: skip
    assert t("kpi_req_hours", "zh") == "每件群众耗时（小时，累计）"  # a qualifier joins the label's bracket
    assert t("kpi_overloaded", "en") == "Overloaded townships" and _tiles({"overloaded_townships": 2.0})[
        "overloaded"
    ] == ("Overloaded townships", "2 / 8")


def test_stock_or_flow_is_read_from_the_registry_when_drawing():
    days = np.arange(1, 31)
    ts = pd.DataFrame({"day": days, NAME: np.random.default_rng(1).random(30)})

    def lines(kind: str) -> int:
        with registered(_fixture("dashboard.fixture", kind)):
            fig = dashboard.dashboard_figure(ts)
            ax = next(a for a in fig.axes if a.get_visible() and a.get_lines())
            return len(ax.get_lines())

    assert lines("flow") == 2  # daily values faintly, and their rolling mean
    assert lines("stock") == 1  # the level as it is


def test_the_shipped_views_keep_the_lists_they_replace():
    assert kpis("headline") == (
        "on_time_rate",
        "mean_resolution_days",
        "trips_per_case",
        "backlog_end",
        "township_utilisation",
        "overloaded_townships",
        "staff_hours",
        "enterprise_satisfaction",
        "citizen_satisfaction",
        "petitions",
        "dumped_tasks",
        "escalations",
    )
    assert kpis("timeseries") == (
        "backlog",
        "on_time_rate",
        "township_utilisation",
        "overloaded_townships",
        "enterprise_satisfaction",
        "citizen_satisfaction",
    )
    assert [len(names) for _, names in report.tables()] == [4, 4, 4, 4, 6]
    assert kpis("report.service") == ("on_time_rate", "mean_resolution_days", "trips_per_case", "backlog_end")
    assert kpis("sweep") == ("on_time_rate", "township_backlog_end", "township_utilisation", "enterprise_satisfaction")
    assert len(dashboard.panels()) == 12 and dashboard.panels()[1][4][-1] == ("backlog", "black")
    assert [c.title for c in charts.CHARTS][-2:] == ["chart_trips_total", "chart_outcomes"]
    stocks = {k.name for k in KPIS if k.kind == "stock" and k.name in kpis("dashboard")}
    assert stocks == {
        "backlog",
        "backlog_department",
        "backlog_township",
        "backlog_desk",
        "enterprises",
        "enterprise_satisfaction",
        "citizen_satisfaction",
        "department_effort",
        "overloaded_townships",
    }


def _province_headline() -> list[str]:
    from types import SimpleNamespace

    from townsim.experiments.workflows.province.report import report_context

    spec = SimpleNamespace(
        description="", path="p.toml", scenario="baseline", days=5, replications=1, memory_per_worker_mib=1.0,
        synthetic=None,
    )  # fmt: skip
    cols = ("province", "min", "p10", "median", "p90", "max")
    province = pd.DataFrame([{"kpi": k, "how": "sum", **dict.fromkeys(cols, 1.0)} for k in dict.fromkeys((*KPI, NAME))])
    return [r["name"] for r in report_context(spec, [], pd.DataFrame(), province, [], None)["headline"]]


def _warmup_kpis(monkeypatch) -> list[str]:
    """The KPIs the run-in measures (a stand-in model whose daily table has every column asked for)."""
    from townsim.experiments import warmup
    from townsim.model import Params

    class Stub:
        def __init__(self, params, rng):
            pass

        def run(self, days):
            return self

        def timeseries(self):
            return pd.DataFrame({k: np.linspace(1.0, 0.0, 40) for k in dict.fromkeys((*KPI, NAME))})

    monkeypatch.setattr(warmup, "TownshipModel", Stub)
    return list(warmup.run_in(Params(), [1], 40))


def _probe_lines(monkeypatch) -> list[str]:
    """The probe's hashed lines of one case (a stand-in run: summary and daily table of every KPI)."""
    from townsim.experiments.core import probe

    names = dict.fromkeys((*KPI, NAME))
    daily = pd.DataFrame({k: [1.0, 2.0] for k in ("day", *names)})
    monkeypatch.setattr(probe, "run_case", lambda name: (dict.fromkeys(names, 1.0), daily))
    return probe.case_lines(next(iter(probe.CASES)))


def test_the_province_warmup_and_probe_views_find_a_fixture_kpi(monkeypatch):
    assert NAME not in _province_headline() and NAME not in _warmup_kpis(monkeypatch)
    assert not any(NAME in line for line in _probe_lines(monkeypatch))
    with registered(_fixture("province@0.5 warmup probe.summary probe.daily")):
        assert len(_province_headline()) == 10 and _province_headline()[-1] == NAME  # rows in the table's order
        assert _warmup_kpis(monkeypatch) == [NAME, *kpis("warmup")[1:]]  # no position: before the @1
        lines = _probe_lines(monkeypatch)
        assert sum(NAME in line for line in lines) == 2  # once in the summary, once as a daily column


def test_the_province_warmup_and_probe_views_keep_the_lists_they_replace():
    assert kpis("province") == (
        "cases_created",
        "on_time_rate",
        "mean_resolution_days",
        "trips_per_case",
        "enterprise_satisfaction",
        "citizen_satisfaction",
        "petitions",
        "overloaded_townships",
        "staff_hours",
    )
    assert kpis("warmup") == (
        "backlog",
        "on_time_rate",
        "resolution_rate",
        "department_utilisation",
        "township_utilisation",
    )
    assert len(kpis("probe.daily")) == 26 and len(kpis("probe.summary")) == 43
    assert kpis("probe.daily")[:3] == ("cases_created", "cases_closed", "backlog")
    assert kpis("probe.summary")[-3:] == ("grid_report_share", "grid_participation", "inspection_hours")


def test_every_kpi_declares_a_kind_and_only_known_views():
    for k in KPIS:
        assert k.kind in metrics.KINDS, k.name
        assert set(k.placements) <= set(metrics.VIEWS), k.name
        for view, groups in k.placements.items():
            declared = metrics.GROUPS.get(view)
            assert declared is None or set(groups) <= set(declared), (k.name, view)


@pytest.mark.parametrize(
    "bad",
    [dict(kind="level"), dict(views="run@first"), dict(views="run run"), dict(views="@3")],
)
def test_a_bad_declaration_is_one_clear_error(bad):
    args = dict(name="x", en="x", zh="x", unit="cases", **{"kind": "flow", "views": "", **bad})
    with pytest.raises(ValueError, match="KPI 'x'"):
        Kpi(**args)


def test_a_name_registered_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        with registered(Kpi("on_time_rate", "x", "x", "cases")):
            pass
    assert KPI["on_time_rate"].en == "cases closed on time"


def _gap_summary(*extra: str) -> pd.DataFrame:
    """A run summary of two scenarios holding the closure gap's shipped KPIs and ``extra``."""
    names = ("on_time_rate", "request_on_time_rate", "resolution_rate", "gamed_closures", "repeat_contacts", *extra)
    return pd.DataFrame([{"scenario": sc, "kpi": k, "mean": m} for sc, m in (("a", 0.9), ("b", 0.6)) for k in names])


def _driver_lines(tmp_path, output: str) -> list[str]:
    """The findings page's top-lever sentences from a ranking whose one output is ``output``."""
    from townsim.experiments.workflows.findings_sensitivity import sensitivity_section

    rows = [{"scenario": "baseline", "output": output, "parameter": "delegated_share", "rank": 1, "influential": True}]
    pd.DataFrame(rows).to_csv(tmp_path / "rankings.csv", index=False)
    return sensitivity_section(tmp_path, "Morris", {}, "morris")[1]


def test_a_fixture_kpi_is_found_in_the_trade_off_gap_options_drivers_and_footnote_views(tmp_path):
    from townsim.experiments.render import plots

    other = Kpi(NAME + "_y", "fixture y", "测试 y", "cases", "count", +1, "run", "flow", "tradeoff.fixture@2")
    titles = {"a": "A", "b": "B"}
    ts = pd.DataFrame({"day": [1, 2, 3], NAME: [1.0, 2.0, 7.0]})
    assert report._closure_gap(_gap_summary(), ["a", "b"], titles) is not None
    assert _driver_lines(tmp_path, NAME) == [] and dashboard.footnotes(ts) == []
    with registered(_fixture("tradeoff.fixture@1 closure_gap@6 options@5 drivers@4 footnote.total"), other):
        assert plots.tradeoffs()[-1] == (NAME, NAME + "_y", "")  # a new panel, after the shipped ones, untitled
        assert report._closure_gap(_gap_summary(), ["a", "b"], titles) is None  # the gap now needs it
        assert report._closure_gap(_gap_summary(NAME), ["a", "b"], titles)["widest"]["title"] in ("A", "B")
        assert kpis("options")[-1] == NAME
        assert _driver_lines(tmp_path, NAME) == [f"{LABEL} in `baseline`: delegated_share"]
        assert dashboard.footnotes(ts) == [f"{LABEL} over the run: 10"]
    assert plots.tradeoffs()[-1][0] != NAME and dashboard.footnotes(ts) == []


def test_the_new_views_keep_the_lists_and_words_they_replace():
    from townsim.experiments.render import plots
    from townsim.viz import compare

    assert compare.compared_tile_keys() == (
        "backlog", "on_time", "resolution", "town_util", "town_service", "overloaded", "req_hours", "ent_sat",
        "cit_sat", "esc_total", "dumped_total", "petitions",
    )  # fmt: skip
    assert plots.tradeoffs("en") == [
        ("staff_hours", "on_time_rate", "Cost against speed: better is up and to the left"),
        ("township_utilisation", "enterprise_satisfaction", "Township load against enterprise satisfaction"),
        ("township_utilisation", "citizen_satisfaction", "Township load against citizen satisfaction"),
    ]
    assert [p[2] for p in plots.tradeoffs("zh")] == [
        "成本与速度：越靠左上越好",
        "乡镇负荷与企业满意度",
        "乡镇负荷与群众满意度",
    ]
    assert kpis("closure_gap") == (
        "on_time_rate", "request_on_time_rate", "resolution_rate", "gamed_closures", "repeat_contacts",
    )  # fmt: skip
    assert kpis("options") == ("on_time_rate", "request_on_time_rate", "requester_hours_per_case", "staff_hours")
    assert kpis("drivers") == ("on_time_rate", "request_on_time_rate", "requester_hours_per_case")
    ts = pd.DataFrame({"overloaded_townships": [0.0, 3.0], "petitions": [4.0, np.nan], "enterprises": [1200, 1188]})
    assert dashboard.footnotes(ts, "en") == [
        "overloaded townships at the end: 3", "petitions over the run: 4", "enterprises: 1,200 → 1,188",
    ]  # fmt: skip
    assert dashboard.footnotes(ts, "zh") == ["期末超负荷乡镇：3", "全程上访：4", "企业数：1,200 → 1,188"]


def test_a_total_that_grows_with_the_county_is_read_from_the_registry():
    from townsim.experiments.render.figkit import grows_with_county

    assert [k.name for k in KPIS if grows_with_county(k.name) and k.fmt != "count"] == ["overloaded_townships"]
    assert grows_with_county("staff_hours") and not grows_with_county("on_time_rate")
    with registered(Kpi(NAME, LABEL, "测试指标", "townships, daily mean", "num", -1, "both", "stock")):
        assert grows_with_county(NAME)  # a counted level's daily mean, like overloaded townships
    with registered(Kpi(NAME, LABEL, "测试指标", "townships, daily mean", "num", -1, "both", "rate")):
        assert not grows_with_county(NAME)
