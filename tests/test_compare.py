"""townsim compare: identical results on every executor, resume after SIGKILL, failed runs recorded,
report and figures produced, bad input refused (small counties, few days)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest
from helpers import cli_env

from townsim.experiments.cli import main
from townsim.experiments.core.execute import simulate_run
from townsim.experiments.core.executors import SerialExecutor, make_executor
from townsim.experiments.workflows.compare import CompareSettings, run_compare

REPO = Path(__file__).resolve().parent.parent
TINY = ["townships=3", "departments=4", "enterprises=60", "residents=6000", "department_staff=6", "township_staff=6"]
SCEN = ["baseline", "one_stop_135", "delegation_no_staff"]


def tiny(reps=3, days=20, **kw) -> CompareSettings:
    return CompareSettings(scenarios=list(SCEN), reps=reps, days=days, seed=7, overrides=list(TINY), **kw)


def flaky_run(spec):
    """The real run, except that replication 1 of one_stop_135 raises."""
    if spec.scenario == "one_stop_135" and spec.replication == 1:
        raise RuntimeError("injected failure in replication 1")
    return simulate_run(spec)


@pytest.mark.slow
@pytest.mark.dask
def test_identical_runs_serial_two_workers_and_dask(tmp_path):
    settings = tiny()
    frames = {}
    for label, kwargs in [
        ("serial", {"workers": 1}),
        ("pool2", {"workers": 2}),
        ("dask", {"workers": 2, "dask_local": True}),
    ]:
        with make_executor(**kwargs) as ex:
            res = run_compare(settings, tmp_path / label, ex, show_progress=False, make_figures=False)
        assert res.failures == [] and res.execution.ran == 9
        frames[label] = pd.read_parquet(tmp_path / label / "runs.parquet")
        ts = pd.read_parquet(tmp_path / label / "timeseries.parquet")
        assert len(ts) == 9 * 20
    ref = frames["serial"]
    assert list(ref["scenario"]) == [s for s in SCEN for _ in range(3)]
    assert list(ref["replication"]) == [0, 1, 2] * 3
    # common random numbers: replication k has the same seed in every scenario
    assert ref.groupby("replication")["seed"].nunique().eq(1).all()
    for label in ("pool2", "dask"):
        pd.testing.assert_frame_equal(frames[label], ref)
        assert (tmp_path / label / "runs.parquet").read_bytes() == (tmp_path / "serial" / "runs.parquet").read_bytes()
    # scenarios really differ (the test could fail): trips per case fall with the one-stop centre
    m = ref.groupby("scenario")["trips_per_case"].mean()
    assert m["one_stop_135"] < m["baseline"]
    man = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert man["invocations"][-1]["executor"]["kind"] == "dask"
    assert man["seeds"]["baseline"] == man["seeds"]["one_stop_135"]


def test_independent_seeds_use_welch(tmp_path):
    with SerialExecutor() as ex:
        res = run_compare(tiny(independent_seeds=True), tmp_path, ex, show_progress=False, make_figures=False)
    seeds = res.runs.groupby("scenario")["seed"].apply(tuple)
    assert len(set(seeds)) == 3
    tested = res.comparison[res.comparison["test"] != "constant difference"]
    assert set(tested["test"]) <= {"Welch t", "too few runs"} and "Welch t" in set(tested["test"])


def test_failed_run_recorded_others_finish_then_resume_fills_it(tmp_path):
    with make_executor(workers=2) as ex:
        res = run_compare(tiny(), tmp_path, ex, fn=flaky_run, show_progress=False, make_figures=False)
    assert res.execution.ran == 8 and res.execution.failed == 1
    assert len(res.runs) == 8
    fails = pd.read_csv(tmp_path / "failures.csv")
    assert list(fails["scenario"]) == ["one_stop_135"] and list(fails["replication"]) == [1]
    assert "RuntimeError: injected failure in replication 1" in fails["error"].iloc[0]
    rec = json.loads(next((tmp_path / "failures").glob("*.json")).read_text())
    assert "Traceback" in rec["traceback"]
    report = (tmp_path / "report.md").read_text()
    assert "1 run(s) failed" in report and "injected failure" in report
    one = res.comparison[(res.comparison.scenario == "one_stop_135") & (res.comparison.kpi == "trips_per_case")]
    assert int(one["n"].iloc[0]) == 2  # the unpaired replication is left out
    assert res.summary.query("scenario == 'one_stop_135' and kpi == 'cases_created'")["n"].iloc[0] == 2
    # CLI exit code 1 when runs failed is covered by cmd_compare; resume with the real run fills the gap
    with SerialExecutor() as ex:
        again = run_compare(tiny(), tmp_path, ex, show_progress=False, make_figures=False)
    assert again.execution.skipped == 8 and again.execution.ran == 1 and again.failures == []
    assert not (tmp_path / "failures.csv").exists() and len(again.runs) == 9


def _row_files(out: Path) -> list[Path]:
    return sorted(p for p in (out / "runs").glob("*.json") if not p.name.startswith("."))


@pytest.mark.slow
def test_sigkill_then_resume_gives_same_tables_without_rerunning(tmp_path):
    quick = [*TINY, "warmup_days=5"]  # a small county, a short warm-up: resume is under test, not the model
    sets = [a for kv in quick for a in ("--set", kv)]
    args = [
        "compare",
        *SCEN,
        "--reps",
        "4",
        "--days",
        "20",
        "--seed",
        "7",
        *sets,
        "--workers",
        "1",
        "--progress",
        "never",
    ]
    killed = tmp_path / "killed"
    env = cli_env()  # this tree's townsim
    proc = subprocess.Popen(
        [sys.executable, "-m", "townsim.experiments.cli", *args, "--out", str(killed)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (killed / "runs").exists() and len(_row_files(killed)) >= 4:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the experiment finished before it could be killed: " + proc.stderr.read().decode()
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stderr.close()
    done = _row_files(killed)
    assert 4 <= len(done) < 12
    assert not (killed / "runs.parquet").exists()  # killed before the tables were written
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in done}

    assert main([*args, "--out", str(killed)]) == 0  # resume in process
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in _row_files(killed)}
    assert len(after) == 12
    assert all(after[n] == before[n] for n in before)  # finished runs were not run (or written) again
    man = json.loads((killed / "manifest.json").read_text())
    assert man["invocations"][-1]["runs"]["skipped"] == len(done)
    assert man["invocations"][-1]["runs"]["ran"] == 12 - len(done)

    clean = tmp_path / "clean"
    settings = CompareSettings(scenarios=list(SCEN), reps=4, days=20, seed=7, overrides=quick)
    with SerialExecutor() as ex:
        run_compare(settings, clean, ex, show_progress=False, make_figures=False)
    for name in ("runs.parquet", "timeseries.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(killed / name), pd.read_parquet(clean / name))
    for name in ("summary.csv", "comparison.csv"):
        assert (killed / name).read_text() == (clean / name).read_text()
    assert not list((killed / "runs").glob(".tmp-*"))


def test_report_and_every_figure(tmp_path, capsys):
    out = tmp_path / "cmp"
    rc = main(
        [
            "compare",
            *SCEN,
            "--reps",
            "3",
            "--days",
            "25",
            "--seed",
            "3",
            "--workers",
            "1",
            *[x for o in TINY for x in ("--set", o)],
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert f"report: {out / 'report.md'}" in printed
    for name in ("manifest.json", "runs.parquet", "timeseries.parquet", "summary.csv", "comparison.csv", "report.md"):
        assert (out / name).is_file(), name
    figs = sorted((out / "figures").glob("*.png"))
    names = {p.stem for p in figs}
    assert {
        "forest_differences",
        "tradeoffs",
        "timeseries_backlog",
        "timeseries_on_time_rate",
        "timeseries_township_utilisation",
        "timeseries_enterprise_satisfaction",
        "timeseries_citizen_satisfaction",
        "timeseries_overloaded_townships",
    } <= names
    report = (out / "report.md").read_text()
    for p in figs:
        img = mpimg.imread(p)
        assert img.shape[0] > 300 and img.shape[1] > 600 and img.std() > 0.01  # a real picture
        assert f"(figures/{p.name})" in report
    for s in SCEN:
        assert f"`{s}`" in report
    assert "## How to reproduce" in report and "townsim compare baseline one_stop_135" in report
    assert "--set townships=3" in report and "Caveats" in report
    assert "| Status quo |" in report  # the headline table, scenarios by their labels
    summ = pd.read_csv(out / "summary.csv")
    assert set(summ.columns) == {"scenario", "kpi", "mean", "sd", "ci_low", "ci_high", "n"}
    comp = pd.read_csv(out / "comparison.csv")
    assert {"difference", "ci_low", "ci_high", "p_value", "p_holm", "effect_size", "test"} <= set(comp.columns)
    assert set(comp["scenario"]) == {"one_stop_135", "delegation_no_staff"}
    man = json.loads((out / "manifest.json").read_text())
    for key in ("command_line", "reproduce", "scenarios", "seeds", "versions", "git_commit", "invocations"):
        assert key in man
    assert man["scenarios"][0]["params"]["townships"] == 3
    assert "figures/tradeoffs.png" in man["files"]


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["compare", "no_such_scenario"], "no_such_scenario"),
        (["compare", "baseline", "--reps", "1"], "--reps 1"),
        (["compare", "baseline", "--days", "0"], "--days 0"),
        (["compare", "baseline", "--set", "townships=0"], "townships"),
        (["compare", "baseline", "--set", "nonsense=1"], "nonsense"),
        (["compare", "baseline", "one_stop_135", "one_stop_135"], "twice"),
        (["compare", "baseline", "--workers", "0"], "--workers 0"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, argv, needle):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and needle in err and "Traceback" not in err
    assert not out.exists()


def test_refuses_foreign_nonempty_out(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["compare", "baseline", "--out", str(tmp_path)]) == 2
    assert "not an earlier 'townsim compare' output" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_run_key_covers_params_days_and_model_code():
    from townsim.experiments.core.execute import RunSpec, model_fingerprint
    from townsim.model import Params

    code = model_fingerprint()
    assert len(code) == 16 and code == model_fingerprint()
    a = RunSpec("s", Params(), 0, 1, 20, code)
    assert a.key == RunSpec("s", Params(), 0, 1, 20, code).key
    assert a.key.param_hash != RunSpec("s", Params(), 0, 1, 21, code).key.param_hash
    assert a.key.param_hash != RunSpec("s", Params(townships=4), 0, 1, 20, code).key.param_hash
    assert a.key.param_hash != RunSpec("s", Params(), 0, 1, 20, "0" * 16).key.param_hash


def test_settings_hash_reads_files_by_content_so_a_moved_checkout_resumes(tmp_path):
    """Linping's parameters name its catalogue and township table: a copy of them elsewhere (a checkout
    moved, an installed package) keeps the comparison's settings hash; other bytes change it."""
    import shutil

    from townsim.experiments.workflows.compare import CompareSettings, ScenarioRun, settings_hash
    from townsim.scenarios import load_scenario

    params = load_scenario("linping").params
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    moved = {}
    for folder in ("a", "b"):
        paths = {}
        for field in ("matter_catalogue", "township_table"):
            dest = tmp_path / folder / f"{field}.csv"
            shutil.copyfile(getattr(params, field), dest)
            paths[field] = str(dest)
        moved[folder] = params.replace(**paths)
    settings = CompareSettings(scenarios=["linping"])

    def h(p):
        return settings_hash(settings, [ScenarioRun("linping", "linping.toml", "", p)])

    assert h(moved["a"]) == h(moved["b"]) == h(params)
    edited = tmp_path / "b" / "matter_catalogue.csv"
    edited.write_bytes(edited.read_bytes() + b"\n")
    assert h(moved["b"].replace(matter_catalogue=str(edited))) != h(moved["a"])
