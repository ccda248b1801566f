"""KPI views are queries of the registry: a KPI declares its kind and its views, and every view finds it.

A fixture KPI, registered for the test only, appears in each view it declares (the run table, the
dashboard's panels, the compare report's tables, the app's charts) and in no other; the shipped views
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
from townsim.viz import charts

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


def test_a_fixture_kpi_is_in_every_view_it_declares_and_in_no_other():
    with registered(_fixture("run dashboard.requests report.cost@9 app.petitions")):
        assert _in_run_table()
        assert _dashboard_panel() == "Requests: new vs closed"
        assert _report_tables() == ["Cost and load"]
        assert report.tables()[1][1][-1] == NAME  # position 9: after the four shipped ones
        assert _app_charts() == ["chart_petitions"]
        for view in ("headline", "timeseries", "findings", "worlds", "sweep", "province", "warmup", "probe"):
            assert NAME not in kpis(view), view
    # gone again: the registry is as shipped
    assert NAME not in KPI and not _in_run_table() and _dashboard_panel() is None
    assert _report_tables() == [] and _app_charts() == []


def test_a_fixture_kpi_declaring_other_views_is_found_there_only():
    with registered(_fixture("headline@0.5 report.resolved dashboard.effort findings")):
        assert not _in_run_table() and _app_charts() == []
        assert _dashboard_panel() == "County departments' effort (two-way assessment)"
        assert _report_tables() == ["Closed or really solved"]
        assert kpis("headline")[:2] == (NAME, "on_time_rate")  # position 0.5: before on_time_rate (1)
        assert NAME in kpis("findings") and NAME not in kpis("worlds")


def test_a_new_group_becomes_a_new_panel_and_a_new_chart():
    with registered(_fixture("dashboard.fixture app.fixture")):
        assert [p[4] for p in dashboard.panels() if p[4][0][0] == NAME] == [[(NAME, "C0")]]
        assert [c.title for c in charts.charts()][-1] == "chart_fixture"


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
