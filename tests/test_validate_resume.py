"""``townsim validate`` follows the rules of the other experiment commands: its folder is checked before any
work, its settings are written at the start, each finished check is kept in the result store so that a rerun
after ``kill -9`` resumes (and equals an uninterrupted run), its work is bounded unless ``--yes``, workers are
capped at the cores, and Ctrl-C stops it with one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import cli_env

from townsim.experiments.cli import main

CHEAP = [
    "fork_join_serial_n2",
    "fork_join_joint_n2",
    "fork_join_serial_n3",
    "fork_join_joint_n3",
    "conservation",
    "littles_law",
]
"""Quick checks of about a second each (one or a few replications)."""
ARGS = ["validate", "--quick", "--only", *CHEAP, "--power-worlds", "0", "--progress", "never", "--workers", "1"]
VOLATILE = ["seconds"]


def _start(out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "townsim.experiments.cli", *ARGS, *extra, "--out", str(out)]
    return subprocess.Popen(cmd, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finished(out: Path) -> list[Path]:
    return sorted(p for p in (out / "runs").glob("*.json") if not p.name.startswith("."))


def _stop_after_first_check(out: Path, sig: int) -> subprocess.Popen:
    proc = _start(out)
    deadline = time.monotonic() + 120
    while not (out / "runs").is_dir() or not _finished(out):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no check finished within 2 minutes"
        time.sleep(0.02)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return proc


def _table(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "checks.csv").drop(columns=VOLATILE)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_killed_validate_resumes_and_equals_an_uninterrupted_run(tmp_path):
    killed = tmp_path / "killed"
    _stop_after_first_check(killed, signal.SIGKILL)
    done = len(_finished(killed))
    assert 0 < done < len(CHEAP), "killed after the first check landed, before the last"
    man = json.loads((killed / "manifest.json").read_text(encoding="utf-8"))
    assert man["townsim_command"] == "validate" and man["status"] == "in progress" and man["settings_hash"]

    rerun = subprocess.run(
        [sys.executable, "-m", "townsim.experiments.cli", *ARGS, "--out", str(killed)],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming" in rerun.stderr
    assert f"checks: {len(CHEAP) - done} made, {done} reused" in rerun.stdout, rerun.stdout

    whole = tmp_path / "whole"
    assert main([*ARGS, "--out", str(whole)]) == 0
    pd.testing.assert_frame_equal(_table(killed), _table(whole))
    assert (killed / "validation.md").read_text(encoding="utf-8").split("\n## ")[1:] == (
        whole / "validation.md"
    ).read_text(encoding="utf-8").split("\n## ")[1:], "the same report, section by section"
    assert json.loads((killed / "manifest.json").read_text(encoding="utf-8"))["status"] == "complete"


@pytest.mark.timeout(120)
def test_ctrl_c_stops_with_one_line_and_the_rerun_resumes(tmp_path):
    out = tmp_path / "v"
    proc = _stop_after_first_check(out, signal.SIGINT)
    err = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 130, err
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("townsim validate:")]
    assert len(lines) == 1 and "interrupted" in lines[0], err


def test_other_settings_in_the_same_folder_are_refused(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--quick", "--only", "conservation", "--progress", "never", "--out", str(out)]) == 0
    before = sorted(p.name for p in out.rglob("*"))
    capsys.readouterr()
    rc = main(
        ["validate", "--quick", "--only", "conservation", "--seed", "5", "--progress", "never", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "other settings" in err, err
    assert sorted(p.name for p in out.rglob("*")) == before


def test_the_same_settings_again_reuse_every_check(tmp_path, capsys):
    out = tmp_path / "v"
    args = ["validate", "--quick", "--only", "conservation", "fork_join_serial_n2", "--progress", "never"]
    assert main([*args, "--out", str(out)]) == 0
    first = _table(out)
    capsys.readouterr()
    assert main([*args, "--out", str(out)]) == 0
    assert "checks: 0 made, 2 reused" in capsys.readouterr().out
    pd.testing.assert_frame_equal(_table(out), first)


def test_work_beyond_the_bound_is_refused_without_yes(tmp_path, capsys):
    out = tmp_path / "v"
    # the validation checks' power over 3,000 prior worlds: 8 × 3,000 quick replications of each
    rc = main(["validate", "--quick", "--part", "validation", "--power-worlds", "3000", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "--yes" in err and "run-days" in err, err
    assert not out.exists(), "nothing is written"


def test_the_bound_is_the_shared_one_and_yes_passes_it(tmp_path, capsys, monkeypatch):
    from townsim.experiments.core import budget

    monkeypatch.setattr(budget, "WORK_BOUND", 10)
    args = ["validate", "--quick", "--only", "conservation", "--progress", "never"]
    assert main([*args, "--out", str(tmp_path / "no")]) == 2
    assert "--yes" in capsys.readouterr().err and not (tmp_path / "no").exists()
    assert main([*args, "--yes", "--out", str(tmp_path / "yes")]) == 0


def test_workers_beyond_the_cores_are_capped_with_a_warning(tmp_path, capsys):
    from townsim.experiments.core.executors import default_workers

    args = ["validate", "--quick", "--only", "conservation", "--progress", "never", "--power-worlds", "0"]
    assert main([*args, "--workers", str(default_workers() + 7), "--out", str(tmp_path / "v")]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and f"capped to {default_workers()}" in err
