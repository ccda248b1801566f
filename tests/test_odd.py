"""docs/ODD.md: the generated parameter table is current, and the text covers every parameter and module."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from townsim.experiments import odd
from townsim.model.params import Params, field_table_markdown

ROOT = Path(__file__).resolve().parent.parent
TEXT = odd.ODD_PATH.read_text(encoding="utf-8")


def test_parameter_block_equals_generated_table():
    block = odd.current_block(TEXT)
    assert block == odd.generated_block(), "docs/ODD.md is stale: run  python -m townsim.experiments.odd --write"
    assert field_table_markdown() in block


def test_generated_table_has_one_row_per_field():
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|", odd.generated_block(), flags=re.M)
    assert sorted(rows) == sorted(Params.model_fields)


@pytest.mark.parametrize("name", sorted(Params.model_fields))
def test_every_parameter_is_explained_in_the_text(name):
    # outside the generated table: each lever must be named where a submodel uses it
    prose = odd.outside_block(TEXT)
    assert f"`{name}`" in prose, f"parameter {name} is not mentioned in docs/ODD.md outside the table"


def test_modules_named_in_the_text_exist():
    named = set(re.findall(r"`((?:model|tests|scenarios)/[A-Za-z0-9_/.-]+\.(?:py|toml))`", TEXT))
    assert "model/params/kinds.py" in named and "model/escalation.py" in named
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"docs/ODD.md names files that do not exist: {missing}"


def test_every_mechanism_module_has_a_section():
    skip = {"__init__.py", "odd.py"}
    modules = sorted(p.name for p in (ROOT / "model").glob("*.py") if p.name not in skip)
    undocumented = [m for m in modules if f"model/{m}" not in TEXT]
    assert not undocumented, f"modules not described in docs/ODD.md: {undocumented}"


def test_odd_sections_present_in_order():
    heads = [
        "## 1 Purpose and patterns",
        "## 2 Entities, state variables and scales",
        "## 3 Process overview and scheduling",
        "## 4 Design concepts",
        "## 5 Initialization",
        "## 6 Input data",
        "## 7 Submodels",
    ]
    pos = [TEXT.find(h) for h in heads]
    assert -1 not in pos, [h for h, p in zip(heads, pos) if p == -1]
    assert pos == sorted(pos)


def _copy(tmp_path, text):
    path = tmp_path / "ODD.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_fails_on_a_stale_table_and_write_repairs_only_the_block(tmp_path):
    stale = odd.render(TEXT).replace("| `townships` | 10 |", "| `townships` | 11 |")
    path = _copy(tmp_path, "intro text\n" + stale + "\ntrailing text\n")
    assert odd.main(["--check", "--path", str(path)]) == 1
    assert odd.main(["--write", "--path", str(path)]) == 0
    fixed = path.read_text(encoding="utf-8")
    assert fixed.startswith("intro text\n") and fixed.endswith("\ntrailing text\n")
    assert odd.main(["--check", "--path", str(path)]) == 0
    assert odd.write(path) is False  # idempotent
    assert list(tmp_path.glob(".ODD.*")) == []  # no temporary file left behind


def test_missing_marker_is_one_line_error_with_exit_2(tmp_path, capsys):
    path = _copy(tmp_path, TEXT.replace(odd.END, "(end marker removed)"))
    assert odd.main(["--check", "--path", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(path) in err and odd.END in err
    before = path.read_text(encoding="utf-8")
    assert odd.main(["--write", "--path", str(path)]) == 2
    assert path.read_text(encoding="utf-8") == before  # nothing half-written
    assert odd.main(["--check", "--path", str(tmp_path / "absent.md")]) == 2


def test_cli_check_on_the_repository():
    r = subprocess.run(
        [sys.executable, "-m", "townsim.experiments.odd", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
