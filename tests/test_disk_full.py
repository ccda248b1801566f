"""A full disk under --out is one line ("no space left on … while writing …; finished runs are kept"),
exit 1, no traceback, in every command that writes results (a small tmpfs; skipped where it cannot be
mounted); the guard itself is tested everywhere."""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys
import textwrap

import pytest
from helpers import cli_env

TINY = ["townships=3", "departments=4", "enterprises=60", "residents=6000", "department_staff=6", "township_staff=6"]
SETS = [x for o in TINY for x in ("--set", o)]
PLUGIN = "townsim.experiments.workflows.calibrate.testproblems:normal_mean"


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KiB tmpfs (root only); skipped where it cannot be mounted."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _commands(tmp_path):
    spec = tmp_path / "cal.toml"
    spec.write_text(
        textwrap.dedent(f"""\
        evaluate = "{PLUGIN}"
        population_size = 40
        max_generations = 2
        predictive_draws = 4
        [parameters]
        theta = [-3.0, 3.0]
        [targets]
        y = 1.0
        """)
    )
    return {
        "run": ["run", "baseline", "--days", "5", *SETS],
        "run_cases": ["run", "baseline", "--days", "5", "--cases", *SETS],
        "compare": ["compare", "baseline", "one_stop_135", "--reps", "2", "--days", "5", "--workers", "1", *SETS],
        "sweep": [
            "sweep",
            "baseline",
            "--vary",
            "delegated_share=0:1:2",
            "--reps",
            "2",
            "--days",
            "5",
            "--workers",
            "1",
        ]
        + SETS,
        "calibrate": ["calibrate", str(spec), "--workers", "1"],
    }


@pytest.mark.parametrize("name", ["run", "run_cases", "compare", "sweep", "calibrate"])
def test_a_full_disk_is_one_line(tmp_path, full_disk, name):
    argv = _commands(tmp_path)[name]
    done = subprocess.run(
        [sys.executable, "-m", "townsim.experiments.cli", *argv, "--out", str(full_disk / "out")],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    err = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr[-2000:]
    assert not any("Traceback" in line for line in err), done.stderr[-2000:]
    assert err[-1].startswith("townsim: error: no space left on ") and "while writing" in err[-1], err[-1]
    assert "finished runs are kept" in err[-1]


def test_the_guard_turns_enospc_and_a_full_database_into_one_line(tmp_path):
    from townsim.experiments.cli._common import guarded

    for exc in (
        OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "runs.parquet")),
        RuntimeError("(sqlite3.OperationalError) database or disk is full"),
    ):

        def cmd(args, exc=exc):
            raise exc

        with pytest.raises(Exception) as stop:
            guarded(cmd)(type("A", (), {"out": tmp_path})())
        assert type(stop.value).__name__ == "RunFailed"
        text = str(stop.value)
        assert text.startswith("no space left on ") and "finished runs are kept" in text and "\n" not in text
    # any other error is not the guard's
    with pytest.raises(ZeroDivisionError):
        guarded(lambda args: 1 / 0)(type("A", (), {"out": tmp_path})())
