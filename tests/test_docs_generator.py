"""``townsim docs``: one generator for every generated document, into a folder it is given.

The teaching numbers are left out here (they step the app's models for over a minute); their
generator has its own test (test_viz_teaching.py), and ``townsim docs`` only calls it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import townsim
from townsim.experiments.cli import main

DOCS = Path(townsim.__file__).resolve().parent / "docs"
QUICK = ["--only", "odd", "fonts", "findings", "validation"]


@pytest.fixture
def copy(tmp_path) -> Path:
    dest = tmp_path / "docs"
    shutil.copytree(DOCS, dest, ignore=shutil.ignore_patterns("figures", "img", "generated.json"))
    return dest


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_on_a_fresh_copy_passes_and_writes_nothing(copy, capsys):
    before = _files(copy)
    assert main(["docs", "--check", "--out", str(copy), *QUICK]) == 0
    out = capsys.readouterr().out
    assert "odd" in out and all(ln.split()[1] != "stale" for ln in out.splitlines())
    assert _files(copy) == before


def test_check_finds_a_stale_parameter_table_and_write_repairs_only_it(copy, capsys):
    odd = copy / "ODD.md"
    text = odd.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `townships` |"))
    odd.write_text(text.replace(row, row.replace("| `townships` |", "| `townships` | 11 |", 1)), encoding="utf-8")
    stale = _files(copy)
    assert main(["docs", "--check", "--out", str(copy), *QUICK]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines if ln.split()[1] == "stale"] == ["odd"]
    assert _files(copy) == stale  # --check wrote nothing
    assert main(["docs", "--write", "--out", str(copy), "--only", "odd"]) == 0
    assert odd.read_text(encoding="utf-8") == text  # the table regenerated, the prose as it was
    assert main(["docs", "--check", "--out", str(copy), *QUICK]) == 0


def test_experiment_documents_go_stale_when_the_model_behaves_otherwise(copy, capsys):
    from townsim.experiments.core.fingerprint import model_fingerprint

    (copy / "generated.json").write_text(json.dumps({"findings": {"model": model_fingerprint()}}))
    assert main(["docs", "--check", "--out", str(copy), "--only", "findings"]) == 0
    (copy / "generated.json").write_text(json.dumps({"findings": {"model": "0000000000000000"}}))
    assert main(["docs", "--check", "--out", str(copy), "--only", "findings"]) == 1
    assert "made with model behaviour 0000000000000000" in capsys.readouterr().out


def test_findings_without_result_folders_are_skipped_not_overwritten(copy, tmp_path, capsys):
    before = (copy / "findings.md").read_bytes()
    assert main(["docs", "--write", "--out", str(copy), "--only", "findings", "--results", str(tmp_path / "none")]) == 0
    assert "skipped" in capsys.readouterr().out
    assert (copy / "findings.md").read_bytes() == before


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--only", "odd", "nonsense"], "unknown document(s) nonsense"),
        (["--only", "odd"], "ODD.md: missing"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, words):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["docs", "--check", "--out", str(empty), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert not any(empty.iterdir())


def test_writing_validation_counts_the_failed_checks_and_stamps_it(tmp_path, monkeypatch, capsys):
    """``--write --validation`` reads the outcomes of the validation run (a run of two checks stands in for
    the full one here) and stamps validation.md."""
    from townsim.experiments.checks import CHECKS
    from townsim.experiments.core.execute import ExecutionReport
    from townsim.experiments.workflows import validate
    from townsim.experiments.workflows.validate.suite import Outcome, load_checks

    checks = list(load_checks().values())[:2]
    ran = [Outcome(checks[0], None, "stopped", 0.1, False), Outcome(checks[1], None, None, 0.1, False)]
    assert CHECKS[checks[0].name] is checks[0]
    monkeypatch.setattr(validate, "DOCS_DIR", tmp_path)
    monkeypatch.setattr(validate, "default_out", lambda: tmp_path / "run")
    monkeypatch.setattr(
        validate,
        "validate",
        lambda *a, **k: validate.Validation(ran, pd.DataFrame(), ExecutionReport(), ExecutionReport()),
    )
    assert main(["docs", "--write", "--out", str(tmp_path), "--only", "validation", "--workers", "1"]) == 0
    assert "2 of 2 checks fail" in capsys.readouterr().out
    assert "validation" in json.loads((tmp_path / "generated.json").read_text())
