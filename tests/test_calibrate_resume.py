"""``townsim calibrate`` checks its output folder before any work, caps its workers, writes its spec
and settings at the start (a killed run resumes), stops on Ctrl-C with one line, and is deterministic:
the same posterior whatever the number of workers, and a resumed run equals an uninterrupted one, also
after a SIGKILL mid-generation (its simulations are the runner's stored runs, its folder the runner's)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import cli_env

from townsim.experiments.cli import main
from townsim.experiments.core.outdir import locked

PLUGIN = "townsim.experiments.workflows.calibrate.testproblems:normal_mean"
STOP_AFTER = "TOWNSIM_TEST_STOP_AFTER"
_calls = [0]


def interruptible(params: dict, seed: int) -> dict:
    """The normal-mean test problem; raises KeyboardInterrupt at call STOP_AFTER (a Ctrl-C mid-generation)."""
    from townsim.experiments.workflows.calibrate.testproblems import normal_mean

    _calls[0] += 1
    stop = int(os.environ.get(STOP_AFTER, "0"))
    if stop and _calls[0] >= stop:
        raise KeyboardInterrupt
    return normal_mean(params, seed)


KILL_AFTER = "TOWNSIM_TEST_KILL_AFTER"


def killed(params: dict, seed: int) -> dict:
    """The normal-mean test problem; the process SIGKILLs itself at call KILL_AFTER (a kill mid-generation)."""
    from townsim.experiments.workflows.calibrate.testproblems import normal_mean

    _calls[0] += 1
    stop = int(os.environ.get(KILL_AFTER, "0"))
    if stop and _calls[0] >= stop:
        os.kill(os.getpid(), signal.SIGKILL)
    return normal_mean(params, seed)


def _spec(tmp_path, generations=3, evaluate=PLUGIN, population=40):
    path = tmp_path / f"spec-{generations}.toml"
    path.write_text(
        textwrap.dedent(f"""\
        evaluate = "{evaluate}"
        population_size = {population}
        max_generations = {generations}
        seed = 5
        predictive_draws = 4
        [parameters]
        theta = {{dist = "normal", mean = 0.0, sd = 1.0, bounds = [-8, 8]}}
        [targets]
        y = 1.0
        """)
    )
    return str(path)


def _post(out) -> pd.DataFrame:
    return pd.read_parquet(out / "posterior.parquet")


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("where", ["file", "under_file", "proc"])
def test_out_is_checked_before_any_work(tmp_path, capsys, where):
    f = tmp_path / "README.md"
    f.write_text("mine")
    out = {"file": f, "under_file": f / "x", "proc": "/proc/x"}[where]
    assert main(["calibrate", _spec(tmp_path), "--out", str(out)]) == 2
    err = _one_line(capsys)
    assert err.count("\n") == 0 and "--out" in err
    assert f.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "spec-3.toml"]


def test_an_unreachable_scheduler_is_one_line_and_leaves_no_folder(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["calibrate", _spec(tmp_path), "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)]) == 2
    err = _one_line(capsys)
    assert err.count("\n") == 0 and "--scheduler" in err
    assert not out.exists()


def test_workers_beyond_the_cores_are_capped_with_a_warning(tmp_path, capsys):
    from townsim.experiments.core.executors import default_workers

    out = tmp_path / "o"
    many = default_workers() + 6
    assert main(["calibrate", _spec(tmp_path, generations=1), "--workers", str(many), "--out", str(out)]) == 0
    assert f"capped to {default_workers()}" in capsys.readouterr().err


def test_same_posterior_with_one_or_two_workers(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["calibrate", _spec(tmp_path), "--workers", "1", "--out", str(a), "--progress", "never"]) == 0
    assert main(["calibrate", _spec(tmp_path), "--workers", "2", "--out", str(b), "--progress", "never"]) == 0
    pd.testing.assert_frame_equal(_post(a), _post(b))
    ga, gb = pd.read_csv(a / "generations.csv"), pd.read_csv(b / "generations.csv")
    assert list(ga.epsilon) == list(gb.epsilon) and list(ga.simulations) == list(gb.simulations)


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main(["calibrate", _spec(tmp_path, 3), "--workers", "1", "--out", str(whole)]) == 0
    assert main(["calibrate", _spec(tmp_path, 1), "--workers", "1", "--out", str(parts)]) == 0
    assert main(["calibrate", _spec(tmp_path, 3), "--workers", "1", "--out", str(parts)]) == 0
    pd.testing.assert_frame_equal(_post(whole), _post(parts))
    assert np.allclose(pd.read_csv(whole / "generations.csv").epsilon, pd.read_csv(parts / "generations.csv").epsilon)


def test_ctrl_c_is_one_line_and_the_interrupted_run_resumes_to_the_same_posterior(tmp_path, capsys, monkeypatch):
    spec = _spec(tmp_path, 3, evaluate="test_calibrate_resume:interruptible")
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert main(["calibrate", spec, "--workers", "1", "--out", str(whole)]) == 0
    capsys.readouterr()
    _calls[0] = 0
    monkeypatch.setenv(STOP_AFTER, "100")  # in the second generation
    assert main(["calibrate", spec, "--workers", "1", "--out", str(cut)]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("townsim: interrupted") and not any("Traceback" in line for line in err)
    # its spec and settings were written at the start: the folder is a resumable calibration
    assert json.loads((cut / "manifest.json").read_text())["townsim_command"] == "calibrate"
    assert (cut / "spec.json").is_file()
    monkeypatch.delenv(STOP_AFTER)
    assert main(["calibrate", spec, "--workers", "1", "--out", str(cut)]) == 0
    pd.testing.assert_frame_equal(_post(whole), _post(cut))


MINUTES = re.compile(rb"[0-9.]+ minutes of wall time")


def _outputs(out: Path) -> dict[str, bytes]:
    """The calibration's outputs, byte for byte (the report without its minutes of wall time; the
    generations without their end times and seconds)."""
    gens = pd.read_csv(out / "generations.csv").drop(columns=["population_end_time", "wall_time"])
    return {
        "posterior.parquet": (out / "posterior.parquet").read_bytes(),
        "predictive.parquet": (out / "predictive.parquet").read_bytes(),
        "report.md": MINUTES.sub(b"", (out / "report.md").read_bytes()),
        "generations": gens.to_csv(index=False).encode(),
    }


def test_a_calibration_killed_mid_generation_resumes_byte_identically(tmp_path, capsys):
    """SIGKILL in the second generation: the simulations stored before it are reused (not run again), the
    resumed folder's posterior, predictive draws and report equal an uninterrupted calibration's in the
    same folder, and the folder refuses another spec with the runner's one line."""
    spec = _spec(tmp_path, 3, evaluate="test_calibrate_resume:killed")
    out = tmp_path / "out"
    args = ["calibrate", spec, "--workers", "1", "--progress", "never", "--out", str(out)]
    tests = str(Path(__file__).parent)
    env = cli_env(**{KILL_AFTER: "150"})
    env["PYTHONPATH"] = os.pathsep.join([tests, env["PYTHONPATH"]])
    proc = subprocess.run([sys.executable, "-m", "townsim.experiments.cli", *args], env=env, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert json.loads((out / "manifest.json").read_text())["status"] == "in progress"
    stored = sorted((out / "runs").glob("*.json"))
    assert len(stored) >= 100 and not (out / "posterior.parquet").exists()
    made = {p.name: p.stat().st_mtime_ns for p in stored}
    _calls[0] = 0
    assert main(args) == 0  # resume
    assert all((out / "runs" / n).stat().st_mtime_ns == t for n, t in made.items())  # not made again
    man = json.loads((out / "manifest.json").read_text())
    # finished generations resume from abc.db; the interrupted one's stored batch (20 proposals) is reused
    assert man["status"] == "complete" and man["invocations"][-1]["runs"]["skipped"] >= 20
    resumed = _outputs(out)
    shutil.rmtree(out)
    assert main(args) == 0  # the same calibration, uninterrupted, in the same folder
    clean = _outputs(out)
    assert [k for k in clean if resumed[k] != clean[k]] == []
    capsys.readouterr()
    other = _spec(tmp_path, 3, evaluate="test_calibrate_resume:killed", population=30)
    assert main(["calibrate", other, *args[2:]]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "other settings" in err


FAIL_AT = "TOWNSIM_TEST_FAIL_ABOVE"


def failing(params: dict, seed: int) -> dict:
    """The normal-mean test problem; raises for θ above FAIL_AT (a simulation that fails)."""
    from townsim.experiments.workflows.calibrate.testproblems import normal_mean

    limit = os.environ.get(FAIL_AT)
    if limit is not None and params["theta"] > float(limit):
        raise ValueError(f"theta {params['theta']:.3f} is too large for this test")
    return normal_mean(params, seed)


def test_a_failed_simulation_stops_the_calibration_incomplete_and_the_rerun_retries_it(tmp_path, capsys, monkeypatch):
    """A simulation that raises is stored as a failure: the command stops with one line (exit 1), the
    manifest says "incomplete", failures.csv names it; the same command, once the cause is gone, retries
    only what has no result and ends as an uninterrupted calibration does."""
    spec = _spec(tmp_path, 2, evaluate="test_calibrate_resume:failing")
    out, whole = tmp_path / "out", tmp_path / "whole"
    monkeypatch.setenv(FAIL_AT, "1.5")
    assert main(["calibrate", spec, "--workers", "1", "--progress", "never", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()  # the banner, then one line
    assert len(err) == 2 and "ValueError: theta" in err[-1] and "rerun the same command" in err[-1]
    assert json.loads((out / "manifest.json").read_text())["status"] == "incomplete"
    failed = pd.read_csv(out / "failures.csv")
    assert len(failed) >= 1 and failed.error.str.startswith("ValueError: theta").all()
    monkeypatch.delenv(FAIL_AT)
    assert main(["calibrate", spec, "--workers", "1", "--progress", "never", "--out", str(out)]) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["invocations"][-1]["runs"]["skipped"] > 0
    assert not (out / "failures.csv").exists()
    assert main(["calibrate", spec, "--workers", "1", "--progress", "never", "--out", str(whole)]) == 0
    assert (out / "posterior.parquet").read_bytes() == (whole / "posterior.parquet").read_bytes()


LOCKED_OUT = "TOWNSIM_TEST_LOCKED_OUT"
_lock_checks: list[bool] = []


def holds_lock(params: dict, seed: int) -> dict:
    """The normal-mean test problem; records whether the calibration's folder is locked while it runs."""
    from townsim.experiments.errors import UserError
    from townsim.experiments.workflows.calibrate.testproblems import normal_mean

    try:
        with locked(os.environ[LOCKED_OUT]):
            _lock_checks.append(False)
    except UserError:
        _lock_checks.append(True)
    return normal_mean(params, seed)


def test_the_folder_is_locked_while_the_simulations_run(tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv(LOCKED_OUT, str(out))
    _lock_checks.clear()
    spec = _spec(tmp_path, 1, evaluate="test_calibrate_resume:holds_lock", population=10)
    assert main(["calibrate", spec, "--workers", "1", "--progress", "never", "--out", str(out)]) == 0
    assert _lock_checks and all(_lock_checks)
    with locked(out):
        pass  # released once the command ends
