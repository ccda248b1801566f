"""Bad command-line input that used to get a traceback, a long wait or a wrong exit code (issue 13):
an --out that cannot be written is refused before simulating; absurd numbers are shortened in the
one-line message; seeds have one range in every command; --workers beyond the cores is capped with a
warning; compare treats a bad scenario as run does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli_env

from townsim.experiments.cli import main

TINY = [
    "--set",
    "townships=3",
    "--set",
    "departments=4",
    "--set",
    "enterprises=60",
    "--set",
    "residents=6000",
    "--set",
    "department_staff=6",
    "--set",
    "township_staff=6",
]
HUGE = "9" * 309


def cli(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "townsim.experiments.cli", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_exit_2(proc_or_code, err: str | None = None) -> str:
    code, err = (proc_or_code.returncode, proc_or_code.stderr) if err is None else (proc_or_code, err)
    err = err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and "Traceback" not in err, err
    return err


@pytest.fixture
def blocker(tmp_path):
    f = tmp_path / "a_file"
    f.write_text("not a folder")
    return f


@pytest.mark.parametrize(
    "command",
    [
        ["run", "baseline", "--days", "60000"],
        ["compare", "baseline", "one_stop_135", "--days", "60000", "--reps", "2", "--workers", "1"],
        ["sweep", "baseline", "--vary", "delegated_share=0:1:2", "--reps", "2", "--days", "60000", "--workers", "1"],
    ],
)
@pytest.mark.parametrize("where", ["under_a_file", "system_folder"])
def test_unwritable_out_refused_before_simulating(tmp_path, blocker, command, where):
    out = blocker / "sub" if where == "under_a_file" else Path("/proc/townsim-results")
    proc = cli([*command, "--out", str(out)], tmp_path, timeout=60)  # a 60000-day simulation takes minutes
    err = one_line_exit_2(proc)
    assert "--out" in err and str(out) in err
    assert blocker.read_text() == "not a folder"
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    "args, option",
    [
        (["run", "baseline", "--seed", HUGE], "--seed"),
        (["run", "baseline", "--days", HUGE], "--days"),
        (["compare", "baseline", "--reps", HUGE], "--reps"),
        (["sweep", "baseline", "--vary", f"delegated_share=0:1:{HUGE}"], "--vary"),
    ],
)
def test_absurd_values_are_shortened(tmp_path, capsys, args, option):
    err = one_line_exit_2(main([*args, "--out", str(tmp_path / "out")]), capsys.readouterr().err)
    assert option in err and len(err) < 300, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["run", "baseline"],
        ["compare", "baseline"],
        ["sweep", "baseline", "--vary", "delegated_share=0:1:2"],
    ],
)
@pytest.mark.parametrize("seed, ok", [(2**63 - 1, True), (2**63, False), (-1, False)])
def test_one_seed_range_in_every_command(tmp_path, capsys, command, seed, ok):
    out = tmp_path / "out"
    if ok:  # accepted: stop right after validation by giving an --out that is a file
        out.write_text("x")
    code = main([*command, "--seed", str(seed), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    if ok:
        assert "--seed" not in err, err
    else:
        assert "--seed" in err and "2**63 - 1" in err, err


def test_workers_beyond_the_cores_are_capped_with_a_warning(tmp_path):
    from townsim.experiments.core.executors import default_workers

    out = tmp_path / "out"
    proc = cli(
        [
            "compare",
            "baseline",
            "one_stop_135",
            "--reps",
            "2",
            "--days",
            "3",
            *TINY,
            "--workers",
            "5000",
            "--progress",
            "never",
            "--out",
            str(out),
        ],
        tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--workers 5000" in proc.stderr and "capped" in proc.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert man["invocations"][-1]["executor"]["workers"] <= default_workers()


def test_compare_bad_scenario_exit_2_nothing_written(tmp_path, capsys):
    (tmp_path / "m.csv").write_text("name,category\nx,approval\n")
    bad = tmp_path / "cat.toml"
    bad.write_text('extends = "baseline"\nmatter_catalogue = "m.csv"\n')
    out = tmp_path / "out"
    err = one_line_exit_2(
        main(["compare", "baseline", str(bad), "--reps", "2", "--days", "3", "--workers", "1", "--out", str(out)]),
        capsys.readouterr().err,
    )
    assert "m.csv" in err
    assert not out.exists()


def test_viz_takes_the_scenario_as_every_command_does(capsys):
    assert main(["viz", "no_such_scenario", "--port", "8799"]) == 2
    assert "no_such_scenario" in capsys.readouterr().err
    assert main(["viz", "baseline", "--seed", str(2**63), "--port", "8799"]) == 2
    assert "2**63 - 1" in capsys.readouterr().err


def test_a_huge_value_is_shortened_in_every_echo(tmp_path, capsys):
    """A 309-digit value given with --set or in a scenario file: one short line, the value cut once."""
    scen = tmp_path / "big.toml"
    scen.write_text(f'extends = "baseline"\ndelegated_share = {HUGE}\n')
    for argv in (
        ["run", "baseline", "--set", f"delegated_share={HUGE}"],
        ["run", str(scen)],
        ["compare", "baseline", "--set", f"delegated_share={HUGE}"],
        ["sweep", "baseline", "--vary", "staff_transfer=0:1:2", "--set", f"delegated_share={HUGE}"],
    ):
        assert main([*argv, "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and len(err) < 250 and "delegated_share" in err, (argv, err)
        assert "9" * 41 not in err
        assert not (tmp_path / "o").exists()


def test_messages_read_once(tmp_path, capsys):
    """No doubled words: a non-empty folder for a command that does not resume, a folder given as a
    spec file, a corrupt spec.json of a calibration folder named."""
    from townsim.experiments.core.outdir import check_out_dir
    from townsim.experiments.errors import UserError

    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserError) as err:
        check_out_dir(tmp_path, "validate", resumable=False)
    assert str(err.value).count("not empty") == 1 and "already exists" not in str(err.value)
    folder = tmp_path / "spec_dir.toml"
    folder.mkdir()
    assert main(["sensitivity", str(folder), "--out", str(tmp_path / "o")]) == 2
    assert "is a folder" in capsys.readouterr().err
    cal = tmp_path / "cal"
    cal.mkdir()
    (cal / "spec.json").write_text("{not json")
    from townsim.experiments.workflows.calibrate import check_resume, load_spec

    spec = tmp_path / "c.toml"
    spec.write_text(
        'evaluate = "townsim.experiments.workflows.calibrate.testproblems:normal_mean"\n'
        "population_size = 10\nmax_generations = 1\n[parameters]\ntheta = [-1.0, 1.0]\n[targets]\ny = 1.0\n"
    )
    with pytest.raises(ValueError, match="spec.json"):
        check_resume(load_spec(spec), cal)


def test_the_compare_report_names_the_baseline_once(tmp_path):
    from townsim.experiments.render.templates import FOLDER

    text = (FOLDER / "compare.en.md.j2").read_text(encoding="utf-8")
    assert "with the status quo **{{ base.title }}**" not in text


@pytest.mark.timeout(120)
def test_discover_and_sensitivity_leave_no_folder_for_an_unreachable_scheduler(tmp_path, capsys):
    for command, spec in (("discover", "discover_quick"), ("sensitivity", "morris_quick")):
        out = tmp_path / command
        assert main([command, spec, "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "--scheduler" in err and "Traceback" not in err, err
        assert not out.exists()
