"""A small sensitivity spec on the real township model, end to end through ``townsim sensitivity``:
serially, on a Dask LocalCluster (same results), and killed with SIGKILL part-way then resumed
(finished runs are not rerun; the results equal an uninterrupted run). Tiny county, 15 days after a
5-day warm-up (the pipeline is under test, not the model's settled state)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import cli_env

from townsim.experiments.cli import main
from townsim.experiments.workflows.sensitivity.pipeline import make_plan
from townsim.experiments.workflows.sensitivity.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent

SPEC = """
description = "tiny test spec: two regimes, four levers of three kinds"
scenarios = ["baseline", "full_reform"]
method = "morris"
N = 8
seed = 2
replications = 2
days = 15
outputs = ["on_time_rate", "township_utilisation", "trips_per_case", "staff_hours"]

[overrides]
townships = 3
departments = 5
enterprises = 100
residents = 5000
matter_types = 30
warmup_days = 5

[parameters]
delegated_share = [0.0, 1.0]
staff_transfer = [0.0, 1.0]
escalation_135 = [false, true]
chief_representatives = [0, 10]
"""


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("spec") / "tiny.toml"
    p.write_text(SPEC, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def serial_out(spec_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "out"
    assert main(["sensitivity", str(spec_file), "--workers", "1", "--out", str(out), "--progress", "never"]) == 0
    return out


def run_files(out: Path) -> dict[str, tuple[int, int]]:
    """Finished runs (the store's temp files of a killed writer are hidden ``.tmp-*`` names)."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (out / "runs").glob("*.json")
        if not p.name.startswith(".")
    }


def test_end_to_end_files_report_and_figures(serial_out, spec_file):
    spec = load_spec(spec_file)
    idx = pd.read_csv(serial_out / "indices.csv")
    assert list(idx.columns) == ["scenario", "output", "parameter", "index", "value", "conf"]
    assert set(idx["scenario"]) == {"baseline", "full_reform"}
    assert set(idx["parameter"]) == set(spec.names)
    assert set(idx["index"]) == {"mu_star", "sigma", "mu"}
    assert idx["value"].notna().all()
    # The levers do something: on each scenario at least one lever moves staff hours.
    mu = idx[(idx["index"] == "mu_star") & (idx["output"] == "staff_hours")]
    assert (mu.groupby("scenario")["value"].max() > 0).all()
    samples = pd.read_parquet(serial_out / "samples.parquet")
    assert len(samples) == spec.n_points()
    assert samples["chief_representatives"].between(0, 10).all()
    assert samples["escalation_135"].dtype == bool
    outputs = pd.read_parquet(serial_out / "outputs.parquet")
    assert len(outputs) == spec.n_runs()
    assert set(spec.outputs) <= set(outputs.columns)
    plan = make_plan(spec)
    assert len(plan.unique_keys) < spec.n_runs()  # rounding/switch duplicates share their runs
    report = (serial_out / "report.md").read_text()
    for heading in (
        "## Levers ranked per output",
        "## Where rankings differ between regimes",
        "## Seed noise",
        "## Is N large enough?",
    ):
        assert heading in report
    figs = {p.name for p in (serial_out / "figures").glob("*.png")}
    assert figs == {
        "morris_baseline.png",
        "morris_full_reform.png",
        "convergence_baseline.png",
        "convergence_full_reform.png",
        "heatmap_total_order.png",
    }
    man = json.loads((serial_out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["townsim_command"] == "sensitivity"


@pytest.mark.dask
def test_dask_local_cluster_gives_the_same_indices(serial_out, spec_file, tmp_path):
    out = tmp_path / "dask"
    rc = main(["sensitivity", str(spec_file), "--dask-local", "--out", str(out), "--progress", "never"])
    assert rc == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["executor"]["kind"] == "dask" and man["executor"]["local_cluster"]
    assert (out / "indices.csv").read_text() == (serial_out / "indices.csv").read_text()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "outputs.parquet"), pd.read_parquet(serial_out / "outputs.parquet")
    )


def test_killed_run_resumes_without_rerunning_finished_runs(serial_out, spec_file, tmp_path):
    out = tmp_path / "killed"
    total = len(make_plan(load_spec(spec_file)).unique_keys)
    env = cli_env()  # this tree's townsim
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "townsim.experiments.cli",
            "sensitivity",
            str(spec_file),
            "--workers",
            "1",
            "--out",
            str(out),
            "--progress",
            "never",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "runs").is_dir() and len(run_files(out)) >= 12:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be killed: " + proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_before = run_files(out)
    assert 12 <= len(done_before) < total, (len(done_before), total)
    assert not (out / "indices.csv").exists()  # killed before the analysis
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "in progress"

    # Rerun the same command: it resumes.
    assert main(["sensitivity", str(spec_file), "--workers", "1", "--out", str(out), "--progress", "never"]) == 0
    after = run_files(out)
    assert len(after) == total
    for name, stamp in done_before.items():
        assert after[name] == stamp, f"{name} was rerun"
    man = json.loads((out / "manifest.json").read_text())
    assert man["already_done"] == len(done_before) and man["ran_now"] == total - len(done_before)
    assert not list((out / "runs").glob(".tmp-*"))
    # Same results as the uninterrupted run.
    assert (out / "indices.csv").read_text() == (serial_out / "indices.csv").read_text()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "outputs.parquet"), pd.read_parquet(serial_out / "outputs.parquet")
    )
