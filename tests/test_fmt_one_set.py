"""One set of number formatters: the run table, the reports, the findings page, the sweep's ``--set`` text
and the app's tiles write numbers through ``model/metrics/text.py`` (re-exported by ``render/fmt``)."""

import ast
import math
from pathlib import Path

from townsim.experiments.cli.run import format_summary
from townsim.experiments.render import fmt
from townsim.experiments.render.worlds import short_number
from townsim.experiments.workflows.findings import _fmt as findings_diff
from townsim.experiments.workflows.sweep import parse_vary
from townsim.model.metrics import text

ROOT = Path(__file__).resolve().parents[1]
ONE_SET = [
    "experiments/cli/run.py",
    "experiments/workflows/findings.py",
    "experiments/workflows/findings_sensitivity.py",
    "experiments/workflows/findings_worlds.py",
    "experiments/workflows/sweep.py",
    *[p.relative_to(ROOT).as_posix() for p in (ROOT / "experiments" / "render").glob("*.py")],
    "viz/kpis.py",
    "viz/charts.py",
]


def test_render_fmt_is_the_model_formatters():
    for name in ("number", "value", "diff", "interval", "share", "tick", "plain", "significant", "MISSING"):
        assert getattr(fmt, name) is getattr(text, name), name


def test_no_private_number_formatter_in_the_files_that_use_the_one_set():
    found = []
    for rel in ONE_SET:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in {"_fmt", "_num", "_pct", "_tick", "_effect"}:
                if node.name == "_fmt" and rel.endswith("findings.py"):
                    continue  # a one-line use of fmt.diff (checked below)
                found.append(f"{rel}: {node.name}")
    assert not found


def test_differences_of_shares_are_percentage_points_everywhere():
    assert findings_diff(0.04, "on_time_rate") == fmt.diff("on_time_rate", 0.04) == "+4.0 pp"
    assert findings_diff(-0.03, "on_time_rate") == "\u22123.0 pp"  # one minus sign
    assert findings_diff(math.nan, "on_time_rate") == fmt.MISSING


def test_the_run_table_writes_values_as_the_reports_do():
    table = format_summary({"on_time_rate": 0.9612, "citizen_satisfaction": 0.8531, "petitions": 1234.0})
    for name, v in (("on_time_rate", 0.9612), ("citizen_satisfaction", 0.8531), ("petitions", 1234.0)):
        assert fmt.value(name, v) in table
    assert "96.1%" in table and "0.853" in table and "1,234" in table


def test_command_line_numbers_and_bounds():
    assert parse_vary("delegated_share=0:1:3").text == "delegated_share=0:1:3"
    assert parse_vary("delegated_share=0.25:0.5:2").values == (0.25, 0.5)
    assert fmt.plain(-0.5) == "-0.5" and fmt.plain(3.0) == "3"  # typed back on a command line: ASCII minus
    assert short_number(-0.0123) == "\u22120.0123" and short_number(math.inf) == fmt.MISSING
    assert fmt.tick(2.0) == "2" and fmt.tick(-0.125) == "\u22120.125"
