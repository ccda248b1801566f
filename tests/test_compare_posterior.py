"""``townsim compare --posterior``: paired posterior draws across scenarios, the scenario's own levers win,
a posterior for another county is refused unless --force."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from townsim.experiments.cli import main
from townsim.experiments.workflows.compare import CompareError, CompareSettings, plan
from townsim.scenarios import load_scenario

SET = ["residents=20000", "enterprises=200", "townships=3"]


def _posterior(tmp_path, residents=20000):
    folder = tmp_path / "cal"
    folder.mkdir()
    own = load_scenario("one_stop_135").params.chief_representatives  # draws never equal the lever's value
    pd.DataFrame(
        {
            "department_staff": [30.0, 60.0, 90.0],
            "chief_representatives": [own + 1, own + 2, own + 3],
            "weight": [0.2, 0.3, 0.5],
        }
    ).to_parquet(folder / "posterior.parquet")
    b = load_scenario("baseline").params
    county = {
        "scenario": "baseline",
        "townships": 3,
        "residents": residents,
        "departments": b.departments,
        "enterprises": 200,
    }
    (folder / "spec.json").write_text(json.dumps({"scenario": "baseline", "county": county}))
    return folder


def test_draw_k_is_shared_by_every_scenario_and_levers_keep_their_values(tmp_path):
    settings = CompareSettings(
        scenarios=["baseline", "one_stop_135"], reps=6, days=2, overrides=SET, posterior=str(_posterior(tmp_path))
    )
    scenarios, specs = plan(settings)
    by = {(s.scenario, s.replication): s for s in specs}
    staff = set()
    for k in range(6):
        a, b = by[("baseline", k)], by[("one_stop_135", k)]
        assert a.seed == b.seed  # paired: same seed ...
        assert a.params.department_staff == b.params.department_staff  # ... and the same draw
        staff.add(a.params.department_staff)
        own = load_scenario("one_stop_135").params.chief_representatives
        assert a.params.chief_representatives in (own + 1, own + 2, own + 3)  # posterior applied
        assert b.params.chief_representatives == own  # the scenario's own lever wins
    assert staff <= {30.0, 60.0, 90.0} and len(staff) > 1
    assert "one_stop_135: `chief_representatives`" in settings.posterior_note
    assert "6 draws" in settings.posterior_note


def test_posterior_for_another_county_is_refused_unless_forced(tmp_path):
    post = str(_posterior(tmp_path, residents=1_000_000))
    with pytest.raises(CompareError, match="another county.*--force"):
        plan(CompareSettings(scenarios=["baseline"], reps=2, days=2, overrides=SET, posterior=post))
    settings = CompareSettings(scenarios=["baseline"], reps=2, days=2, overrides=SET, posterior=post, force=True)
    plan(settings)
    assert "Forced" in settings.posterior_note


def test_cli_report_says_how_intervals_were_formed(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = [
        "compare",
        "baseline",
        "one_stop_135",
        "--reps",
        "2",
        "--days",
        "3",
        "--workers",
        "1",
        "--out",
        str(out),
        "--posterior",
        str(_posterior(tmp_path)),
        "--progress",
        "never",
    ]
    for s in SET:
        args += ["--set", s]
    assert main(args) == 0
    assert "Parameter uncertainty" in (out / "report.md").read_text()
    assert main(["compare", "baseline", "--posterior", str(tmp_path / "nothing"), "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def _bad(tmp_path, table=None, meta=None):
    """A posterior folder with ``table`` (default: a good one) and ``spec.json`` text ``meta``."""
    folder = _posterior(tmp_path)
    if table is not None:
        pd.DataFrame(table).to_parquet(folder / "posterior.parquet")
    if meta is not None:
        (folder / "spec.json").write_text(meta)
    return folder


GOOD = {"department_staff": [30.0, 60.0, 90.0], "weight": [0.2, 0.3, 0.5]}


@pytest.mark.parametrize(
    "table, meta, needles",
    [
        ({**GOOD, "weight": [float("nan"), 0.3, 0.5]}, None, ["posterior.parquet", "weight", "allowed"]),
        ({**GOOD, "weight": [0.0, 0.0, 0.0]}, None, ["weight", "allowed"]),
        ({**GOOD, "weight": [-0.2, 0.7, 0.5]}, None, ["weight", "allowed"]),
        ({**GOOD, "no_such_lever": [1.0, 2.0, 3.0]}, None, ["no_such_lever", "allowed"]),
        ({**GOOD, "department_staff": ["a", "b", "c"]}, None, ["department_staff", "allowed"]),
        ({**GOOD, "department_staff": [30.0, float("nan"), 90.0]}, None, ["department_staff", "allowed"]),
        ({**GOOD, "department_staff": [30.0, float("inf"), 90.0]}, None, ["department_staff", "allowed"]),
        ({**GOOD, "department_staff": [30.0, -60.0, 90.0]}, None, ["department_staff", "allowed"]),
        ({**GOOD, "townships": [2.5, 3.0, 3.0]}, None, ["townships", "allowed"]),
        ({"weight": [0.5, 0.5]}, None, ["parameter column", "allowed"]),
        (None, "[1, 2]", ["spec.json", "allowed"]),
        (None, '{"scenario": "no_such_scenario"}', ["spec.json", "scenario", "no_such_scenario"]),
        (None, '{"scenario": "baseline", "county": "big"}', ["spec.json", "county", "allowed"]),
        (None, '{"scenario": "baseline", "county": {"townships": "three"}}', ["spec.json", "townships", "allowed"]),
        (None, "{not json", ["spec.json", "JSON"]),
    ],
)
def test_a_malformed_posterior_is_one_line_exit_2_nothing_written(tmp_path, capsys, table, meta, needles):
    folder = _bad(tmp_path, table, meta)
    out = tmp_path / "out"
    args = ["compare", "baseline", "--reps", "2", "--days", "2", "--posterior", str(folder), "--out", str(out)]
    for s in SET:
        args += ["--set", s]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    assert all(n in err for n in needles), err
    assert not out.exists()
