"""``townsim compare --equal-staff`` (issue 10 item 4): every reform also runs at the staff-hours of the root
of its extends chain, named NAME+equal_staff, and the manifest and report say which run is which."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from townsim.experiments.cli import main
from townsim.model import Params
from townsim.model.staffing import budget

SMALL = ["--set", "townships=3", "--set", "enterprises=60", "--set", "residents=6000"]


def test_equal_staff_variants_have_the_roots_staff_hours(tmp_path, capsys):
    out = tmp_path / "eq"
    code = main(
        [
            "compare",
            "baseline",
            "one_stop_135",
            "--equal-staff",
            "--reps",
            "2",
            "--days",
            "3",
            *SMALL,
            "--workers",
            "1",
            "--progress",
            "never",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    man = json.loads((out / "manifest.json").read_text())
    assert man["equal_staff"] is True
    params = {s["name"]: Params(**s["params"]) for s in man["scenarios"]}
    assert list(params) == ["baseline", "one_stop_135", "one_stop_135+equal_staff"]
    total = {n: budget(p)["total"] for n, p in params.items()}
    assert total["one_stop_135"] > total["baseline"]  # the reform adds posts ...
    assert total["one_stop_135+equal_staff"] == pytest.approx(total["baseline"])  # ... funded by departments
    assert params["one_stop_135+equal_staff"].department_staff < params["one_stop_135"].department_staff
    desc = {s["name"]: s["description"] for s in man["scenarios"]}
    assert "equal staff" in desc["one_stop_135+equal_staff"] and "equal staff" not in desc["one_stop_135"]
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs["scenario"]) == set(params)
    report = (out / "report.md").read_text()
    assert "one_stop_135+equal_staff" in report
    # the report names the variant by its label, marked as the equal-staff run
    assert "**One-stop centre + 135 rule (equal staff)**" in report
    # and says in words where closures and real resolution part ways (the two on-time measures)
    assert "**Where closure and resolution part ways.**" in report


def test_equal_staff_is_part_of_the_settings(tmp_path, capsys):
    out = tmp_path / "eq"
    args = [
        "compare",
        "baseline",
        "one_stop_135",
        "--reps",
        "2",
        "--days",
        "3",
        *SMALL,
        "--workers",
        "1",
        "--progress",
        "never",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--equal-staff"]) == 2
    assert "other settings" in capsys.readouterr().err


def test_a_different_county_gets_no_equal_staff_variant():
    """linping (1.18 M residents) extends the default county's scenarios: equal staff-hours with a county
    of another size would compare counties, not reforms — no variant, and the compare is not refused."""
    from townsim.experiments.workflows.compare import CompareSettings, resolve_scenarios

    runs = resolve_scenarios(CompareSettings(scenarios=["baseline", "one_stop_135", "linping"], equal_staff=True))
    names = [r.name for r in runs]
    assert "one_stop_135+equal_staff" in names
    assert "linping" in names and "linping+equal_staff" not in names
