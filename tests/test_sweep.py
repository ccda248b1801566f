"""townsim sweep: grids, common random numbers, line plot / heat map, report, bad input."""

from __future__ import annotations

import json

import matplotlib.image as mpimg
import pandas as pd
import pytest

from townsim.experiments.cli import main
from townsim.experiments.workflows.sweep import SweepError, parse_vary

TINY = ["townships=3", "departments=4", "enterprises=60", "residents=6000", "department_staff=6", "township_staff=6"]
SETS = [x for o in TINY for x in ("--set", o)]


def test_parse_vary_grids():
    v = parse_vary("delegated_share=0:1:5")
    assert v.values == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert parse_vary("staff_transfer=0:0.3:4").values == (0.0, 0.1, 0.2, 0.3)
    assert parse_vary("townships=2:4:5").values == (2, 3, 4)  # integers rounded, duplicates dropped
    for bad in (
        "delegated_share",
        "delegated_share=0:1",
        "delegated_share=a:1:3",
        "delegated_share=0:1:1",
        "nope=0:1:3",
        "one_stop_centre=0:1:2",
        "tier_deadlines=1:2:3",
    ):
        with pytest.raises(SweepError):
            parse_vary(bad)


def test_two_parameter_sweep_heatmap_and_crn(tmp_path):
    out = tmp_path / "sw"
    rc = main(
        [
            "sweep",
            "baseline",
            "--vary",
            "delegated_share=0:1:3",
            "--vary",
            "staff_transfer=0:1:2",
            "--reps",
            "2",
            "--days",
            "20",
            "--seed",
            "4",
            "--workers",
            "1",
            *SETS,
            "--kpi",
            "township_backlog_end",
            "--kpi",
            "on_time_rate",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 3 * 2 * 2
    assert {"point", "delegated_share", "staff_transfer"} <= set(runs.columns)
    assert sorted(set(zip(runs.delegated_share, runs.staff_transfer))) == [
        (a, b) for a in (0.0, 0.5, 1.0) for b in (0.0, 1.0)
    ]
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()  # same seeds at every point
    assert runs["param_hash"].nunique() == 6
    summ = pd.read_csv(out / "summary.csv")
    assert len(summ) == 6 * 2 and {"mean", "ci_low", "ci_high", "n"} <= set(summ.columns)
    # the summary agrees with the runs it came from
    cell = runs[(runs.delegated_share == 1.0) & (runs.staff_transfer == 0.0)]["township_backlog_end"].mean()
    row = summ[(summ.delegated_share == 1.0) & (summ.staff_transfer == 0.0) & (summ.kpi == "township_backlog_end")]
    assert row["mean"].iloc[0] == pytest.approx(cell)
    for kpi in ("township_backlog_end", "on_time_rate"):
        img = mpimg.imread(out / "figures" / f"sweep_{kpi}.png")
        assert img.shape[0] > 300 and img.std() > 0.01
    report = (out / "report.md").read_text()
    assert "figures/sweep_township_backlog_end.png" in report and "townsim sweep baseline" in report
    man = json.loads((out / "manifest.json").read_text())
    assert len(man["points"]) == 6 and man["vary"][0]["key"] == "delegated_share"
    # resume: nothing is run again
    assert (
        main(
            [
                "sweep",
                "baseline",
                "--vary",
                "delegated_share=0:1:3",
                "--vary",
                "staff_transfer=0:1:2",
                "--reps",
                "2",
                "--days",
                "20",
                "--seed",
                "4",
                "--workers",
                "1",
                *SETS,
                "--kpi",
                "township_backlog_end",
                "--kpi",
                "on_time_rate",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads((out / "manifest.json").read_text())["invocation"]["runs"]["skipped"] == 12


def test_one_parameter_sweep_line_plot(tmp_path):
    out = tmp_path / "line"
    assert (
        main(
            [
                "sweep",
                "baseline",
                "--vary",
                "online_share=0:1:3",
                "--reps",
                "2",
                "--days",
                "15",
                "--workers",
                "1",
                *SETS,
                "--kpi",
                "trips_per_case",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summ = pd.read_csv(out / "summary.csv")
    trips = summ.sort_values("online_share")["mean"].to_numpy()
    assert trips[0] > trips[-1]  # more online filing, fewer trips: the sweep moves the model
    assert (out / "figures" / "sweep_trips_per_case.png").is_file()


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["sweep", "baseline", "--vary", "delegated_share=0:1"], "LOW:HIGH:STEPS"),
        (["sweep", "baseline", "--vary", "delegated_share=0:2:3"], "delegated_share"),
        (["sweep", "baseline", "--vary", "delegated_sharex=0:1:3"], "did you mean"),
        (["sweep", "baseline", "--vary", "a=0:1:3", "--vary", "b=0:1:3", "--vary", "c=0:1:3"], "--vary"),
        (["sweep", "baseline", "--vary", "delegated_share=0:1:3", "--kpi", "nope"], "--kpi nope"),
        (["sweep", "baseline", "--vary", "delegated_share=0:1:3", "--set", "delegated_share=0.1"], "--set"),
        (["sweep", "nosuch", "--vary", "delegated_share=0:1:3"], "nosuch"),
    ],
)
def test_sweep_bad_input(tmp_path, capsys, argv, needle):
    out = tmp_path / "o"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and needle in err
    assert not out.exists()
