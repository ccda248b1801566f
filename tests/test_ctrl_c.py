"""Ctrl-C (SIGINT to the terminal's process group: the command and its worker processes) stops a
command with two workers at once, with one line and exit 130, and a rerun resumes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import cli_env

pytestmark = pytest.mark.timeout(240)

TINY = ["townships=3", "departments=4", "enterprises=60", "residents=6000", "department_staff=6", "township_staff=6"]


@pytest.mark.slow
def test_ctrl_c_with_two_workers_is_one_line_and_resumes(tmp_path):
    out = tmp_path / "cmp"
    argv = [sys.executable, "-m", "townsim.experiments.cli", "compare", "baseline", "one_stop_135"]
    argv += ["--reps", "16", "--days", "40", "--workers", "2", "--progress", "never", "--out", str(out)]
    argv += [x for o in TINY for x in ("--set", o)]
    proc = subprocess.Popen(
        argv, cwd=tmp_path, env=cli_env(), stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.json"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)  # a few runs stored, more in flight in both workers
    assert proc.poll() is None, "the command ended before it could be interrupted: give it more work"
    # (a command that ignores the interrupt runs to the end and exits 0: see tests/conftest.py on SIGINT)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    lines = [line for line in err.strip().splitlines() if not line.startswith("townsim compare:")]
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    assert lines == ["townsim: interrupted; finished results are kept"], lines
    done = subprocess.run(argv, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=200)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reused" in done.stdout and " 0 reused" not in done.stdout, done.stdout
