"""`townsim run`: the folder it writes, reproducibility, quiet off a terminal, and interruption."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from townsim.experiments.cli import main
from townsim.model import simulate
from townsim.scenarios import apply_overrides, load_scenario

SMALL = [
    "--set",
    "townships=3",
    "--set",
    "residents=20000",
    "--set",
    "enterprises=200",
    "--set",
    "departments=5",
    "--set",
    "matter_types=20",
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_writes_complete_folder(workdir, capsys):
    code = main(["run", "one_stop_135", "--days", "6", "--seed", "5", *SMALL])
    out, err = capsys.readouterr()
    assert code == 0, err
    folders = list((workdir / "results").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("run-one_stop_135-")
    run = folders[0]
    # the outputs, and the stored run (runs/, failures/) like every experiment's folder
    outputs = ["figures", "manifest.json", "summary.json", "timeseries.parquet"]
    shown = sorted(p.name for p in run.iterdir() if not p.name.startswith("."))  # not the hidden lock
    assert shown == sorted([*outputs, "runs", "failures"])
    assert (run / "figures" / "dashboard.png").stat().st_size > 20_000

    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["days"] == 6 and manifest["scenario"] == "one_stop_135"
    assert manifest["params"]["townships"] == 3 and manifest["params"]["one_stop_centre"] is True
    assert manifest["overrides"][0] == "townships=3"
    assert manifest["command_line"].startswith("townsim run one_stop_135 --days 6")
    assert manifest["versions"]["mesa"] and manifest["started"] <= manifest["finished"]
    assert manifest["status"] == "complete" and manifest["invocations"][0]["runs"]["ran"] == 1
    assert manifest["files"] == ["figures/dashboard.png", "manifest.json", "summary.json", "timeseries.parquet"]

    ts = pd.read_parquet(run / "timeseries.parquet")
    assert list(ts["day"]) == [1, 2, 3, 4, 5, 6]
    assert {"cases_created", "on_time_rate", "backlog"} <= set(ts.columns)

    summary = json.loads((run / "summary.json").read_text())
    assert summary["cases_created"] == ts["cases_created"].sum()
    # the same (params, seed, days) through the Python API gives the same summary: a pure function
    params = apply_overrides(load_scenario("one_stop_135").params, [a for a in SMALL if a != "--set"])
    expected, _ = simulate(params, 5, 6)
    for key, value in expected.items():
        assert summary[key] == pytest.approx(value, nan_ok=True) or (summary[key] is None and value != value)

    assert "requests created" in out and f"results: {run.relative_to(workdir)}" in out
    assert err == ""  # not a terminal: no progress bar, nothing else


def test_run_from_path_into_given_out(workdir, capsys):
    mine = workdir / "my_reform.toml"
    mine.write_text('extends = "baseline"\ndelegated_share = 0.4\n')
    out_dir = workdir / "elsewhere" / "r1"
    assert main(["run", str(mine), "--days", "3", "--out", str(out_dir), *SMALL]) == 0
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["scenario"] == "my_reform" and manifest["params"]["delegated_share"] == 0.4
    assert not (workdir / "results").exists()


def test_progress_bar_only_when_asked_or_on_terminal(workdir, capsys):
    assert main(["run", "baseline", "--days", "2", "--progress", "always", "--out", "a", *SMALL]) == 0
    assert "1/1" in capsys.readouterr().err  # the run goes through the executor: one run of one
    assert main(["run", "baseline", "--days", "2", "--out", "b", *SMALL]) == 0
    assert capsys.readouterr().err == ""


def test_an_interrupted_run_resumes_from_its_stored_run(workdir, capsys, monkeypatch):
    """Ctrl-C after the run: its folder says "in progress" and holds the stored run; the same command
    into it makes the outputs from the stored run (nothing runs again), the same bytes as an
    uninterrupted run's; another run's settings are refused there with one line."""
    import townsim.experiments.render.dashboard as dashboard

    args = ["run", "baseline", "--days", "2", "--seed", "4", *SMALL]
    save = dashboard.save_dashboard

    def interrupted(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(dashboard, "save_dashboard", interrupted)
    assert main([*args, "--out", "cut"]) == 130
    cut = workdir / "cut"
    assert json.loads((cut / "manifest.json").read_text())["status"] == "in progress"
    assert len(list((cut / "runs").glob("*.json"))) == 1 and not (cut / "figures").exists()
    monkeypatch.setattr(dashboard, "save_dashboard", save)
    assert main([*args, "--out", "cut"]) == 0
    man = json.loads((cut / "manifest.json").read_text())
    assert man["status"] == "complete" and man["invocations"][-1]["runs"] == {
        **man["invocations"][-1]["runs"],
        "ran": 0,
        "skipped": 1,
    }
    assert main([*args, "--out", "whole"]) == 0
    for name in ("timeseries.parquet", "summary.json", "figures/dashboard.png"):
        assert (cut / name).read_bytes() == (workdir / "whole" / name).read_bytes(), name
    capsys.readouterr()
    assert main(["run", "baseline", "--days", "3", "--seed", "4", *SMALL, "--out", "cut"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "other settings" in err


def test_help_on_every_command(capsys):
    for argv in (
        ["run", "--help"],
        ["scenarios", "--help"],
        ["scenarios", "list", "--help"],
        ["scenarios", "show", "--help"],
        ["scenarios", "validate", "--help"],
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
        assert "usage: townsim" in capsys.readouterr().out


def test_scenarios_list_and_show(capsys):
    assert main(["scenarios", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("baseline", "linping", "full_reform"):
        assert name in out
    assert main(["scenarios", "list", "--all"]) == 0
    assert "validation/mmc" in capsys.readouterr().out
    assert main(["scenarios", "show", "delegation_with_staff"]) == 0
    out = capsys.readouterr().out
    assert "staff_transfer = 1.0" in out and "# scenarios/delegation_with_staff.toml" in out
    assert "# default" in out


def test_show_output_is_valid_toml_that_loads_back(tmp_path, capsys):
    assert main(["scenarios", "show", "linping"]) == 0
    dumped = tmp_path / "copy.toml"
    dumped.write_text(capsys.readouterr().out)
    assert load_scenario(dumped).params == load_scenario("linping").params
