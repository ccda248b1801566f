"""``townsim validate``: every verification check passes in its quick version (the suite's run of
``townsim validate --quick``) and every validation check gives the verdict docs/validation.md states;
the report keeps verification and validation apart, exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from checks_cache import explain, group, quick

from townsim.experiments.checks import CHECKS, CheckResult, check
from townsim.experiments.cli import main
from townsim.experiments.workflows.validate import load_checks

ALL = list(load_checks())
OWN = [n for n, c in CHECKS.items() if c.fn.__module__.rsplit(".", 1)[-1] in ("queueing", "patterns")]
"""Checks whose quick runs this file asserts (cached: tests/test_queueing.py etc. share them); the
mechanisms' and incentives' checks are asserted by their own test files (one run each per suite)."""
TESTS = Path(__file__).resolve().parent


def test_registry_has_both_parts_and_cites_sources():
    parts = {c.part for c in CHECKS.values()}
    assert parts == {"verification", "validation"}
    for c in CHECKS.values():
        assert c.quick_reps <= c.full_reps and c.source
        if c.part == "validation":  # only published patterns count as validation: cite the fact
            assert re.search(r"\b[FGP]\d+\b", c.source), c


def documented_verdict(name: str) -> bool | None:
    """The verdict docs/validation.md states for check ``name`` (its result column), None if absent."""
    text = (TESTS.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| `{re.escape(name)}` \|.*\| (pass|\*\*FAIL\*\*) \|[^|]*\|$", text, flags=re.M)
    return None if row is None else row.group(1) == "pass"


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=group(n)) for n in OWN])
def test_every_check_passes_quick(name):
    """`townsim validate --quick`, check by check (results shared with the per-part test files).

    Verification must pass. A validation check (a published pattern, DESIGN §7: validation can fail)
    must give the verdict docs/validation.md states, so a model change that turns a pattern from met
    to missed (or back) fails here until the page is regenerated and says so."""
    r = quick(name)
    if CHECKS[name].part == "verification":
        assert r.passed, explain(r)
    else:
        stated = documented_verdict(name)
        assert stated is not None, f"docs/validation.md does not report {name}: run townsim validate --docs"
        assert r.passed == stated, f"docs/validation.md says {'pass' if stated else 'FAIL'}; now " + explain(r)


def test_every_registered_check_is_asserted_by_the_suite():
    """Together with the files of the other parts, the suite runs every check's quick version."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py"))
    for name, c in CHECKS.items():
        module = c.fn.__module__.rsplit(".", 1)[-1]
        assert name in OWN or f'"{name}"' in text or f"'{name}'" in text, (name, module)


@pytest.fixture
def cheap_pattern():
    """A stand-in validation pattern (no model run) to test the command's mechanics."""

    @check(
        "cheap_pattern",
        part="validation",
        claim="a share above a published bound",
        source="F11 (test)",
        quick_reps=3,
        full_reps=6,
    )
    def _cheap(reps, seed):
        vals = [0.97, 0.98, 0.99][:reps]
        return CheckResult(
            "cheap_pattern",
            "≥ 95 % (F11)",
            0.98,
            (0.955, 1.0),
            True,
            True,
            reps,
            {"values": vals, "target": 0.95, "kind": "min", "label": "on-time share"},
        )

    yield "cheap_pattern"
    del CHECKS["cheap_pattern"]


def test_cli_writes_report_with_parts_apart(tmp_path, cheap_pattern):
    out = tmp_path / "v"
    rc = main(
        ["validate", "--quick", "--only", "conservation", cheap_pattern, "--out", str(out), "--progress", "never"]
    )
    assert rc == 0
    text = (out / "validation.md").read_text()
    ver, val = text.index("## Verification"), text.index("## Validation")
    assert ver < text.index("`conservation`") < val < text.index("`cheap_pattern`")
    assert "**2 of 2 checks pass**" in text and "| pass |" in text
    assert "## Not run in this report" in text and "`erlang_c_c4_rho0.9`" in text
    assert (out / "figures" / "cheap_pattern.png").stat().st_size > 1000
    table = pd.read_csv(out / "checks.csv")
    assert set(table.check) == {"conservation", "cheap_pattern"} and table.passed.all()
    assert {"expected", "measured", "ci_low", "ci_high", "powered", "replications"} <= set(table.columns)


@pytest.fixture
def failing_check():
    @check("always_fails", part="verification", claim="fails", source="test", quick_reps=2, full_reps=2)
    def _fails(reps, seed):
        return CheckResult("always_fails", "1", 0.0, (0.0, 0.0), False, True, reps)

    yield "always_fails"
    del CHECKS["always_fails"]


def test_exit_code_1_when_a_check_fails(tmp_path, failing_check, capsys):
    rc = main(["validate", "--quick", "--only", failing_check, "--out", str(tmp_path / "v"), "--progress", "never"])
    assert rc == 1
    assert "FAIL always_fails" in capsys.readouterr().out
    assert "**FAIL**" in (tmp_path / "v" / "validation.md").read_text()


def test_unknown_check_is_one_line_exit_2_nothing_written(tmp_path, capsys):
    rc = main(["validate", "--only", "nonesuch", "--out", str(tmp_path / "v")])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "nonesuch" in err and "allowed" in err
    assert not (tmp_path / "v").exists()


def test_registry_order_does_not_depend_on_which_module_was_imported_first():
    """The report's lists follow CHECK_MODULES, whatever a long-lived process imported first."""
    import subprocess
    import sys

    code = (
        "import importlib, sys\n"
        "if sys.argv[1]: importlib.import_module(sys.argv[1])\n"
        "from townsim.experiments.workflows.validate.suite import load_checks\n"
        "print(','.join(load_checks()))\n"
    )
    orders = {
        first: subprocess.run(
            [sys.executable, "-c", code, first], capture_output=True, text=True, check=True
        ).stdout.strip()
        for first in ("", "townsim.experiments.workflows.validate.generic", "townsim.experiments.checks.patterns")
    }
    assert len(set(orders.values())) == 1, orders
    assert orders[""].split(",")[0].startswith("erlang_c")
