"""Results folders never misstate what they hold (issue 13), tested through the command line:
settings hash and refusal to resume other settings, a manifest "in progress" until the tables are
written, one writer per folder (lock), unique default folder names, the user's normal file mode,
and pool workers that exit when their parent is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
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
    "--set",
    "warmup_days=5",  # the folders are under test, not the model's settled state
]
SCEN = ["baseline", "one_stop_135"]


def compare_args(out: Path, *more: str, reps: int = 2, days: int = 5, seed: int = 3) -> list[str]:
    return [
        "compare",
        *SCEN,
        "--reps",
        str(reps),
        "--days",
        str(days),
        "--seed",
        str(seed),
        *TINY,
        "--workers",
        "1",
        "--progress",
        "never",
        "--out",
        str(out),
        *more,
    ]


def popen(args: list[str], cwd: Path, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "townsim.experiments.cli", *args],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kw,
    )


def row_files(out: Path) -> list[Path]:
    return [p for p in (out / "runs").glob("*.json") if not p.name.startswith(".")] if (out / "runs").exists() else []


def wait_for_runs(proc: subprocess.Popen, out: Path, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None and len(row_files(out)) < n:
        time.sleep(0.02)
    assert proc.poll() is None, "finished before it could be interrupted: " + proc.stderr.read().decode()


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.mark.slow
def test_manifest_has_settings_hash_and_refuses_other_settings(tmp_path, capsys):
    out = tmp_path / "exp"
    assert main(compare_args(out)) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert len(man["settings_hash"]) >= 12
    before = snapshot(out)
    for other in (["--seed", "4"], ["--days", "6"], ["--set", "online_share=0.5"], ["--independent-seeds"]):
        args = compare_args(out, *other)
        if other[0] in ("--seed", "--days"):  # replace, not repeat, the option
            args = compare_args(out, **{other[0][2:]: int(other[1])})
        capsys.readouterr()
        assert main(args) == 2, other
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "other settings" in err, err
        assert snapshot(out) == before  # nothing written
    # more replications of the same experiment is a resume, not other settings
    assert main(compare_args(out, reps=3)) == 0
    assert json.loads((out / "manifest.json").read_text())["settings_hash"] == man["settings_hash"]


def test_manifest_in_progress_until_tables_written(tmp_path):
    out = tmp_path / "exp"
    proc = popen(compare_args(out, reps=6, days=40), tmp_path)
    wait_for_runs(proc, out, 2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stderr.close()
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "in progress"
    assert not (out / "runs.parquet").exists()
    assert main(compare_args(out, reps=6, days=40)) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["reps"] == 6
    import pandas as pd

    assert len(pd.read_parquet(out / "runs.parquet")) == 12
    # written last: no table is newer than the manifest
    newest = max(p.stat().st_mtime_ns for p in out.iterdir() if p.is_file() and p.name != "manifest.json")
    assert (out / "manifest.json").stat().st_mtime_ns >= newest


def test_two_commands_cannot_write_one_folder(tmp_path, capsys):
    out = tmp_path / "exp"
    proc = popen(compare_args(out, reps=6, days=40), tmp_path)
    try:
        wait_for_runs(proc, out, 1)
        before = len(row_files(out))
        assert main(compare_args(out, reps=6, days=40)) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "in use" in err, err
        assert len(row_files(out)) >= before
    finally:
        proc.kill()
        proc.wait(30)
        proc.stderr.close()


def test_default_folder_names_are_unique_within_a_second(tmp_path):
    from townsim.experiments.core.manifest import now
    from townsim.experiments.core.outdir import default_out_dir

    when = now()
    names = {default_out_dir("run", "baseline", when, root=tmp_path) for _ in range(3)}
    assert len(names) == 3


def test_files_have_the_users_normal_mode(tmp_path):
    out = tmp_path / "exp"
    proc = subprocess.run(
        [sys.executable, "-m", "townsim.experiments.cli", *compare_args(out)],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert proc.returncode == 0, proc.stderr
    modes = {str(p.relative_to(out)): p.stat().st_mode & 0o777 for p in out.rglob("*") if p.is_file()}
    assert modes and all(m == 0o644 for m in modes.values()), {k: oct(m) for k, m in modes.items() if m != 0o644}


def test_pool_workers_exit_when_the_parent_is_killed(tmp_path):
    out = tmp_path / "exp"
    args = compare_args(out, reps=8, days=60)
    args[args.index("--workers") + 1] = "2"
    proc = popen(args, tmp_path)
    try:
        wait_for_runs(proc, out, 1)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc.stderr.close()
    gone, alive = psutil.wait_procs(children, timeout=15)
    for p in alive:
        p.kill()
    assert not alive, f"{len(alive)} worker(s) outlived their killed parent"
