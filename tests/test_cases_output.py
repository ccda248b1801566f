"""``townsim run --cases`` and ``townsim compare --cases`` write cases.parquet (one row per case), the same
table as ``TownshipModel.cases_frame()`` of the run."""

from __future__ import annotations

import json

import pandas as pd

from townsim.experiments.cli import main
from townsim.model import TownshipModel

SMALL = {"townships": 3, "enterprises": 60, "residents": 6000}
SETS = [x for k, v in SMALL.items() for x in ("--set", f"{k}={v}")]


def test_run_cases_is_the_models_table(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", "baseline", "--days", "4", "--seed", "3", *SETS, "--cases", "--out", str(out)]) == 0
    cases = pd.read_parquet(out / "cases.parquet")
    from townsim.scenarios import apply_overrides, load_scenario

    params = apply_overrides(load_scenario("baseline").params, [f"{k}={v}" for k, v in SMALL.items()])
    m = TownshipModel(params, rng=3)
    m.run(4)
    expected = m.cases_frame().reset_index(drop=True)
    assert len(cases) > 0
    pd.testing.assert_frame_equal(cases, expected, check_dtype=False)
    assert "cases.parquet" in json.loads((out / "manifest.json").read_text())["files"]
    assert main(["run", "baseline", "--days", "2", *SETS, "--out", str(tmp_path / "plain")]) == 0
    assert not (tmp_path / "plain" / "cases.parquet").exists()


def test_compare_cases_has_every_run(tmp_path, capsys):
    out = tmp_path / "c"
    assert (
        main(
            [
                "compare",
                "baseline",
                "one_stop_135",
                "--reps",
                "2",
                "--days",
                "3",
                *SETS,
                "--cases",
                "--workers",
                "1",
                "--progress",
                "never",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    cases = pd.read_parquet(out / "cases.parquet")
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(cases.columns[:3]) == ["scenario", "replication", "seed"]
    assert set(map(tuple, cases[["scenario", "replication"]].drop_duplicates().to_numpy())) == set(
        map(tuple, runs[["scenario", "replication"]].to_numpy())
    )
