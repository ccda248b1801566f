"""Reports in English and Chinese from templates, as Markdown and self-contained HTML; numbers with one minus
sign and fixed decimals; KPI labels only from the registry; no backend switching; the package's layout."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from townsim.experiments.core.stats import compare_to_baseline, summarize
from townsim.experiments.errors import EXIT_CODES
from townsim.experiments.render import fmt, html, report
from townsim.experiments.render.templates import FOLDER
from townsim.experiments.workflows.compare import CompareSettings, different_county, resolve_scenarios
from townsim.model.metrics import KPIS, UNITS_ZH
from townsim.scenarios import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCEN = ["baseline", "one_stop_135", "linping"]


# --- numbers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, v, text",
    [
        ("on_time_rate", 0.96123, "96.1%"),
        ("staff_hours", -1234567.4, "−1,234,567"),
        ("trips_per_case", -0.456, "−0.46"),
        ("enterprise_satisfaction", 0.7, "0.700"),
        ("petitions", float("nan"), "—"),
    ],
)
def test_values_have_fixed_decimals_and_one_minus_sign(name, v, text):
    assert fmt.value(name, v) == text


def test_differences_are_signed_in_points_or_units_and_never_minus_zero():
    assert fmt.diff("on_time_rate", -0.0123) == "−1.2 pp"
    assert fmt.diff("on_time_rate", 0.0123, "zh") == "+1.2 个百分点"
    assert fmt.diff("trips_per_case", -0.001) == "0.00"
    assert fmt.interval("on_time_rate", -0.02, 0.01, difference=True) == "[−2.0, +1.0]"


def test_a_cell_says_same_in_every_run_only_when_the_runs_are_the_same():
    # 20 runs of trips per case spread over 0.879–0.895 have a 95 % CI [0.885, 0.889]: shown at two
    # decimals it collapses to 0.89, but the runs were not the same
    narrow = pd.Series({"mean": 0.8873, "ci_low": 0.8853, "ci_high": 0.8893})
    assert report.cell(narrow, "trips_per_case") == "0.89 (interval narrower than the digits shown)"
    assert report.cell(narrow, "trips_per_case", "zh") == "0.89 (区间小于所示精度)"
    same = pd.Series({"mean": 0.5, "ci_low": 0.5, "ci_high": 0.5})
    assert report.cell(same, "trips_per_case") == "0.50 (same in every run)"
    wide = pd.Series({"mean": 0.5, "ci_low": 0.4, "ci_high": 0.6})
    assert report.cell(wide, "trips_per_case") == "0.50 [0.40, 0.60]"


def test_every_kpi_unit_has_a_chinese_text():
    assert not [k.unit for k in KPIS if k.unit not in UNITS_ZH]
    assert all(k.unit_text("zh") and k.text("zh") != k.text("en") for k in KPIS)


# --- the compare report from synthetic runs ----------------------------------------------------------
@pytest.fixture(scope="module")
def compare_tables():
    settings = CompareSettings(scenarios=SCEN, reps=6, days=20)
    scenarios = resolve_scenarios(settings)
    rng = np.random.default_rng(3)
    rows = []
    for s in scenarios:
        big = s.name == "linping"
        for r in range(6):
            rows.append(
                {
                    "scenario": s.name,
                    "replication": r,
                    "seed": r,
                    "param_hash": "h",
                    "on_time_rate": 0.90 + 0.05 * (s.name != "baseline") + 0.01 * rng.standard_normal(),
                    "trips_per_case": 1.0 - 0.5 * (s.name != "baseline") + 0.02 * rng.standard_normal(),
                    "staff_hours": (60000.0 if big else 10000.0) + 10 * rng.standard_normal(),
                    "cases_created": 1000.0,
                    "backlog_end": 20.0 + rng.standard_normal(),
                }
            )
    runs = pd.DataFrame(rows)
    kpis = ["on_time_rate", "trips_per_case", "staff_hours", "backlog_end", "cases_created"]
    summary = summarize(runs, kpis, order=SCEN)
    comparison = compare_to_baseline(runs, "baseline", kpis, order=SCEN)
    return settings, scenarios, runs, summary, comparison


def _report(tables, lang, out):
    settings, scenarios, runs, summary, comparison = tables
    return report.compare_report(
        settings=settings,
        scenarios=scenarios,
        runs=runs,
        summary=summary,
        comparison=comparison,
        failures=[],
        figures=[],
        out=out,
        lang=lang,
        different_county=different_county(scenarios),
    )


def _prose(md: str) -> str:
    """The report without code blocks and code spans (commands and file names keep their hyphens)."""
    return re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", md, flags=re.S))


def test_compare_report_in_english(compare_tables, tmp_path):
    md = _report(compare_tables, "en", tmp_path)
    assert "| Status quo |" in md and "| One-stop centre + 135 rule |" in md  # labels, not code names
    assert not re.search(r"(?<![\w.])-\d", _prose(md)), "a hyphen used as a minus sign"
    assert "−" in md  # differences below zero
    short = md.split("## In short")[1].split("##")[0]
    linping = next(line for line in short.splitlines() if "Linping" in line)
    assert "staff cost" not in linping.split("*(")[0] and "staff cost" in linping  # named as left out only
    assert "staff cost" in md.split("## What changes")[1]  # still in the details
    assert "How on-time is measured" in md and "Status quo" in md.split("How on-time is measured")[1][:200]


def test_compare_report_in_chinese(compare_tables, tmp_path):
    md = _report(compare_tables, "zh", tmp_path)
    assert "## 要点" in md and "| 现状 |" in md and "按期办结率" in md and "个百分点" in md
    assert "按期办结如何计算" in md
    assert not re.search(r"(?<![\w.])-\d", _prose(md))


def test_unknown_language_is_refused(compare_tables, tmp_path):
    with pytest.raises(ValueError, match="allowed: en, zh"):
        _report(compare_tables, "fr", tmp_path)


def test_html_page_is_self_contained(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [1, 0])
    (tmp_path / "figures").mkdir()
    fig.savefig(tmp_path / "figures" / "f.png")
    written: dict[str, bytes] = {}
    md = "# Title\n\n| a | b |\n|---|---|\n| 1 | −2 |\n\n![f](figures/f.png)\n"
    report.write_report(tmp_path, md, "zh", lambda p, b: written.__setitem__(p.name, b))
    page = written["report.html"].decode()
    assert written["report.md"].decode() == md
    assert '<html lang="zh-CN">' in page and "<title>Title</title>" in page and "<td>−2</td>" in page
    assert 'src="data:image/png;base64,' in page and 'src="figures/' not in page
    assert html.embed_images('<img src="../secret.png">', tmp_path) == '<img src="../secret.png">'


def test_every_report_template_exists_in_both_languages():
    names = {p.name for p in FOLDER.glob("*.md.j2") if not p.name.startswith("_")}
    stems = {n.split(".")[0] for n in names}
    assert stems >= {"compare", "sweep", "sensitivity"}
    assert {f"{s}.{lang}.md.j2" for s in stems for lang in report.LANGS} == names


# --- one KPI registry, no backend switching ---------------------------------------------------------
def test_no_kpi_label_table_outside_the_registry():
    labels = {k.en for k in KPIS if len(k.en) > 12} | {k.zh for k in KPIS if len(k.zh) > 4}
    files = [p for p in (ROOT / "experiments").rglob("*") if p.suffix in {".py", ".j2"}]
    found = {
        f"{p.relative_to(ROOT)}: {lab}" for p in files for lab in labels if f'"{lab}"' in p.read_text(encoding="utf-8")
    }
    assert not found, f"KPI labels typed outside the KPI registry (model/metrics/): {sorted(found)}"


def test_no_backend_switch_and_no_pyplot_on_import():
    code = (
        "import sys, townsim.experiments.render.plots, townsim.experiments.render.dashboard, "
        "townsim.experiments.workflows.sensitivity.plots; assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    uses = [
        p
        for d in ("model", "scenarios", "experiments", "viz")
        for p in (ROOT / d).rglob("*.py")
        if "matplotlib.use(" in p.read_text(encoding="utf-8")
    ]
    assert not uses


# --- the package and the README ---------------------------------------------------------------------
def test_every_package_folder_ships_with_its_templates():
    """The packages are discovered by setup.py (find_packages minus NOT_SHIPPED), not listed in pyproject.

    Skipped only where pyproject's build backend cannot be imported (an environment without setuptools
    cannot build the wheel at all); any other error in finding the packages fails."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    backend = pyproject["build-system"]["build-backend"]
    pytest.importorskip(backend, reason=f"the build backend {backend} is not installed: no wheel to check")
    from setuptools import find_packages

    conf = pyproject["tool"]["setuptools"]
    setup_py = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    not_shipped = next(
        ast.literal_eval(node.value)
        for node in setup_py.body
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["NOT_SHIPPED"]
    )
    listed = {"townsim"} | {f"townsim.{name}" for name in find_packages(str(ROOT), exclude=not_shipped)}
    found = {"townsim"} | {
        "townsim." + ".".join(p.parent.relative_to(ROOT).parts)
        for d in ("model", "scenarios", "experiments", "viz")
        for p in (ROOT / d).rglob("__init__.py")
    }
    assert found == listed
    assert "*.j2" in conf["package-data"]["townsim.experiments.render.templates"]


def test_readme_lists_the_exit_codes_of_errors_py():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, meaning in EXIT_CODES:
        assert f"| {code} | {meaning} |" in text


# --- the command line ---------------------------------------------------------------------------------
def test_report_commands_take_lang_and_every_command_quiet_and_the_exit_codes(capsys):
    from townsim.experiments.cli import _commands, build_parser, main

    parser = build_parser()
    for name in ("run", "compare", "sweep", "sensitivity"):
        args = parser.parse_args(
            [name, "x", "--lang", "zh", "--quiet"] + (["--vary", "a=0:1:2"] if name == "sweep" else [])
        )
        assert args.lang == "zh" and args.quiet
    assert parser.parse_args(["--quiet", "scenarios", "list"]).quiet
    assert parser.parse_args(["scenarios", "validate", "--quiet"]).quiet
    for p in [parser, *_commands(parser)]:
        assert all(meaning in p.format_help() for _, meaning in EXIT_CODES[:3]), p.prog
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("townsim ")
    with pytest.raises(SystemExit) as stop:
        main(["compare", "--lang", "fr"])
    assert stop.value.code == 2


def test_every_shipped_scenario_has_a_label_in_both_languages():
    from townsim.scenarios import list_scenarios

    missing = [s.name for s in list_scenarios() if not (s.label and s.label_zh)]
    assert not missing, f"scenarios without label / label_zh (shown in reports): {missing}"


# --- facts about the run come from the run's settings -------------------------------------------------
def _caveat(md: str, head: str, section: str = "## Caveats") -> str:
    return next(line for line in md.split(section)[1].split("\n- ") if head in line)


def test_the_horizon_caveat_states_each_scenarios_warm_up(compare_tables, tmp_path):
    md = _report(compare_tables, "en", tmp_path)  # baseline and one_stop_135 warm up, linping none
    w = load_scenario("baseline").params.warmup_days
    assert w > 0
    horizon = _caveat(md, "Horizon")
    assert "no warm-up is removed" not in md
    assert f"Status quo {w} working days of warm-up" in horizon
    assert re.search(r"Linping[^;.]* none, from an empty start", horizon), horizon
    zh = _caveat(_report(compare_tables, "zh", tmp_path), "时间跨度", "## 注意事项")
    assert "未剔除预热期" not in zh and f"{w} 个工作日" in zh


def test_report_facts_follow_overridden_settings(compare_tables, tmp_path):
    settings, _, runs, summary, comparison = compare_tables
    changed = CompareSettings(scenarios=SCEN, reps=6, days=20, overrides=["warmup_days=0", "tier_deadlines=[2,4,6]"])
    scenarios = resolve_scenarios(changed)
    for lang, empty, tiers in (("en", "from an empty start", "2, 4 or 6"), ("zh", "从空状态开始", "2、4 或 6")):
        md = _report((changed, scenarios, runs, summary, comparison), lang, tmp_path)
        assert empty in md and tiers in md
        assert "1, 3 or 5" not in md and "1、3 或 5" not in md


def test_sweep_report_states_the_warm_up(tmp_path):
    from townsim.experiments.workflows.sweep import SweepSettings, parse_vary, plan

    w = load_scenario("baseline").params.warmup_days
    for over, needle in (([], f"{w} working days of warm-up"), (["warmup_days=0"], "from an empty start")):
        settings = SweepSettings(scenario="baseline", varies=[parse_vary("delegated_share=0:1:2")], overrides=over)
        scenario, _, _ = plan(settings)
        md = report.sweep_report(
            settings=settings,
            scenario=scenario,
            summary=pd.DataFrame(),
            keys=["delegated_share"],
            figures=[],
            failures=[],
            out=tmp_path,
        )
        assert needle in md


def test_a_compare_of_the_baseline_alone_says_so(compare_tables, tmp_path):
    settings, scenarios, runs, summary, comparison = compare_tables
    base = [s for s in scenarios if s.name == "baseline"]
    one = (settings, base, runs[runs.scenario == "baseline"], summary[summary.scenario == "baseline"], comparison[:0])
    for lang, needle in (("en", "no reform scenario"), ("zh", "未给出改革情景")):
        md = _report(one, lang, tmp_path)
        assert needle in md and "0 reform" not in md and "0 个改革" not in md


def test_the_forest_plot_leaves_another_countys_totals_out(compare_tables, tmp_path, monkeypatch):
    """A county six times larger (Linping) would squash the staff-hours panel of the others to a dot."""
    from townsim.experiments.render import plots

    settings, scenarios, runs, summary, comparison = compare_tables
    figs = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, dpi=0: figs.append(fig) or path)
    kpis = ["staff_hours", "on_time_rate"]
    order = [s.name for s in scenarios]
    colours = {n: (0.1, 0.2, 0.3) for n in order}
    plots.forest_figure(tmp_path / "f.png", comparison, kpis, order, colours, "baseline", size_outliers=["linping"])
    staff, rate = figs[0].axes[:2]
    assert abs(staff.get_xlim()[1]) < 1000  # one_stop_135 differs by tens of hours; Linping by 50,000
    assert "Linping" in staff.get_title() or "linping" in staff.get_title()
    assert len([t for t in rate.get_yticklabels() if t.get_text()]) == 2  # a rate is comparable: both shown
