"""``townsim discover`` end to end: the known box through the plug-in, bad specs (one line, exit 2,
nothing written), a run killed with SIGKILL part-way and resumed (same result), and a tiny
township-model run in two regimes."""

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

from townsim.experiments.cli import main
from townsim.experiments.workflows.discover.testfunctions import KNOWN_BOX

ROOT = Path(__file__).resolve().parent.parent
LIMIT_TOL = 0.05
"""As in test_discover_prim: two peeling steps of a side of the box."""

KNOWN = """
description = "known box: y = 1 inside x2 in [0.2, 0.7] and x4 in [0.5, 0.9]"
evaluate = "townsim.experiments.workflows.discover.testfunctions:{fn}"
samples = {samples}
seed = 3
outcome = "y"
threshold = 0.5
min_density = 0.9

[parameters]
x1 = [0.0, 1.0]
x2 = [0.0, 1.0]
x3 = [0.0, 1.0]
x4 = [0.0, 1.0]
x5 = [0.0, 1.0]
"""


def _spec(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _run(spec: Path, out: Path) -> int:
    return main(["discover", str(spec), "--workers", "1", "--out", str(out), "--progress", "never"])


@pytest.fixture(scope="module")
def known_out(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("known")
    spec = _spec(tmp, KNOWN.format(fn="known_box", samples=600))
    out = tmp / "out"
    assert _run(spec, out) == 0
    return out


def test_known_box_through_the_command(known_out):
    boxes = pd.read_csv(known_out / "boxes.csv")
    first = boxes[boxes["box"] == 1]
    assert sorted(first["lever"]) == sorted(KNOWN_BOX)
    for _, row in first.iterrows():
        lo, hi = KNOWN_BOX[row["lever"]]
        assert abs(row["lower"] - lo) <= LIMIT_TOL and abs(row["upper"] - hi) <= LIMIT_TOL
        assert row["qp_lower"] < 0.01 and row["qp_upper"] < 0.01  # every side matters at 1 %
    assert first["coverage"].iloc[0] >= 0.9 and first["density"].iloc[0] >= 0.9
    for name in (
        "report.md",
        "trajectory.csv",
        "samples.parquet",
        "outputs.parquet",
        "manifest.json",
        "figures/trajectory_plugin.png",
        "figures/limits_plugin_box1.png",
    ):
        assert (known_out / name).is_file(), name
    report = (known_out / "report.md").read_text(encoding="utf-8")
    assert "y rises above 0.5 when x" in report and "of such cases" in report
    assert json.loads((known_out / "manifest.json").read_text())["status"] == "complete"
    assert len(pd.read_parquet(known_out / "outputs.parquet")) == 600


BAD = [
    ("samples = 5", "samples: got integer 5; allowed: an integer in [10, 1000000]"),
    ('outcome = "y"\nthreshold = 0.5\nsamples = 50\nthreshold_x = 1', "threshold_x: unknown key"),
    ("samples = 50\nmin_density = 0", "min_density: got integer 0; allowed: a number in (0, 1]"),
    ('samples = 50\nbelow = "yes"', "below: got text 'yes'; allowed: true or false"),
    ('samples = 50\ndesign = "nowhere"', "samples: not used with design"),
]


@pytest.mark.parametrize("extra,expected", BAD)
def test_bad_spec_one_line_exit_2_nothing_written(tmp_path, capsys, extra, expected):
    head = "" if extra.startswith("outcome") else 'outcome = "on_time_rate"\nthreshold = 0.8\n'
    spec = _spec(tmp_path, head + extra + "\n\n[parameters]\ndelegated_share = [0.0, 1.0]\n")
    out = tmp_path / "out"
    assert _run(spec, out) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("townsim: error: ") and f"spec.toml: {expected}" in err, err
    assert not out.exists()


def test_bad_outcome_and_design_folder(tmp_path, capsys):
    spec = _spec(
        tmp_path, 'outcome = "on_tme_rate"\nthreshold = 0.8\nsamples = 20\n[parameters]\ndelegated_share = [0.0, 1.0]\n'
    )
    assert _run(spec, tmp_path / "o1") == 2
    assert "outcome: unknown output 'on_tme_rate'; did you mean 'on_time_rate'?" in capsys.readouterr().err
    spec = _spec(tmp_path, f'outcome = "on_time_rate"\nthreshold = 0.8\ndesign = "{tmp_path}"\n')
    assert _run(spec, tmp_path / "o2") == 2
    err = capsys.readouterr().err
    assert "design: " in err and "has no samples.parquet" in err
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_unknown_shipped_name(capsys):
    assert main(["discover", "no_such_spec"]) == 2
    assert "shipped: discover_delegation" in capsys.readouterr().err


def run_files(out: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (out / "runs").glob("*.json")
        if not p.name.startswith(".")
    }


def test_killed_run_resumes_with_the_same_result(known_out, tmp_path):
    spec = _spec(tmp_path, KNOWN.format(fn="known_box_slow", samples=600))
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / ".dev"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "townsim.experiments.cli",
            "discover",
            str(spec),
            "--workers",
            "1",
            "--out",
            str(out),
            "--progress",
            "never",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "runs").is_dir() and len(run_files(out)) >= 50:
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
    before = run_files(out)
    assert 50 <= len(before) < 600
    assert not (out / "boxes.csv").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "in progress"

    assert _run(spec, out) == 0  # the same command resumes
    after = run_files(out)
    assert len(after) == 600
    assert all(after[name] == stamp for name, stamp in before.items()), "a finished run was rerun"
    man = json.loads((out / "manifest.json").read_text())
    assert man["reused"] == len(before) and man["ran"] == 600 - len(before)
    assert (out / "boxes.csv").read_text() == (known_out / "boxes.csv").read_text()
    assert (out / "trajectory.csv").read_text() == (known_out / "trajectory.csv").read_text()


TINY = """
description = "tiny township discover: two regimes"
scenarios = ["baseline", "full_reform"]
days = 15
samples = 12
replications = 2
seed = 2
outcome = "on_time_rate"
threshold = 0.9
below = true
min_density = 0.6

[overrides]
townships = 3
departments = 5
enterprises = 100
residents = 5000
matter_types = 30

[parameters]
delegated_share = [0.0, 1.0]
staff_transfer = [0.0, 1.0]
escalation_135 = [false, true]
chief_representatives = [0, 10]
"""


@pytest.mark.slow
def test_tiny_township_run_two_regimes(tmp_path):
    spec = _spec(tmp_path, TINY, "tiny.toml")
    out = tmp_path / "out"
    assert _run(spec, out) == 0
    runs = pd.read_parquet(out / "outputs.parquet")
    assert len(runs) == 2 * 12 * 2 and set(runs["scenario"]) == {"baseline", "full_reform"}
    assert runs["escalation_135"].dtype == bool and runs["chief_representatives"].dtype.kind == "i"
    # common seeds: replication r has the same seed at every point and in both regimes
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "### baseline" in report and "### full_reform" in report
    assert "cases closed on time falls below 0.9" in report
    # rerun: nothing is run again
    assert _run(spec, out) == 0
    assert json.loads((out / "manifest.json").read_text())["ran"] == 0


SENS = """
evaluate = "townsim.experiments.workflows.discover.testfunctions:known_box"
method = "sobol"
N = 64
seed = 4
outputs = ["y"]

[parameters]
x1 = [0.0, 1.0]
x2 = [0.0, 1.0]
x3 = [0.0, 1.0]
x4 = [0.0, 1.0]
x5 = [0.0, 1.0]
"""


def test_design_reused_from_a_sensitivity_run(tmp_path, capsys):
    sens_out = tmp_path / "sens"
    assert (
        main(
            [
                "sensitivity",
                str(_spec(tmp_path, SENS, "sens.toml")),
                "--workers",
                "1",
                "--out",
                str(sens_out),
                "--progress",
                "never",
            ]
        )
        == 0
    )
    spec = _spec(tmp_path, f'design = "{sens_out}"\noutcome = "y"\nthreshold = 0.5\nmin_density = 0.9\n', "re.toml")
    out = tmp_path / "re"
    capsys.readouterr()
    assert _run(spec, out) == 0
    assert "no model runs" in capsys.readouterr().err
    assert not (out / "runs").exists()
    runs = pd.read_parquet(out / "outputs.parquet")
    assert len(runs) == len(pd.read_parquet(sens_out / "outputs.parquet")) == 64 * 7
    boxes = pd.read_csv(out / "boxes.csv")
    first = boxes[boxes["box"] == 1]
    assert sorted(first["lever"]) == sorted(KNOWN_BOX)
    assert first["coverage"].iloc[0] >= 0.9 and first["density"].iloc[0] >= 0.9
    # an output the sensitivity run does not have: one line, exit 2
    bad = _spec(tmp_path, f'design = "{sens_out}"\noutcome = "z"\nthreshold = 0.5\n', "bad.toml")
    assert _run(bad, tmp_path / "bad") == 2
    assert "has no output 'z'" in capsys.readouterr().err


def test_shipped_discover_specs_validate():
    from townsim.experiments.workflows.discover.spec import load_spec

    specs = sorted((ROOT / "experiments" / "specs").glob("discover_*.toml"))
    assert [p.stem for p in specs] == ["discover_delegation", "discover_quick"]  # the full question, a first try
    quick = load_spec(specs[1])
    assert quick.outcome == "on_time_rate" and quick.below and quick.scenarios == ["delegation_no_staff"]
    spec = load_spec(specs[0])
    assert spec.outcome == "on_time_rate" and spec.below and spec.threshold == 0.8
    assert spec.samples * spec.replications * len(spec.scenarios) == 400
