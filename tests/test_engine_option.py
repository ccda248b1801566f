"""``--engine auto|python|compiled`` on every experiment command: parsing, ``auto``'s rule, the manifest's
record, a folder resumed with the other engine, and the engine reaching every run of the one runner."""

from __future__ import annotations

import dataclasses
import json

import pytest
from helpers import SMALL

from townsim.experiments.cli import _engine as cli_engine
from townsim.experiments.cli import build_parser, main
from townsim.experiments.core import engine_choice, protocol
from townsim.experiments.core.design import RunSpec
from townsim.experiments.core.execute import simulate_run
from townsim.experiments.core.executors import SerialExecutor
from townsim.experiments.errors import UserError
from townsim.experiments.workflows.compare import CompareExperiment, CompareSettings
from townsim.model import Params

COMMANDS = {
    "run": ["baseline"],
    "compare": [],
    "sweep": ["baseline", "--vary", "delegated_share=0:1:2"],
    "sensitivity": ["morris_screening"],
    "discover": ["discover_delegation"],
    "robust": [],
    "validate": [],
    "calibrate": ["linping"],
    "province": ["synthetic_100"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_experiment_command_takes_the_engine_option(command):
    parser = build_parser(only=command)
    assert parser.parse_args([command, *COMMANDS[command]]).engine == "auto"
    for engine in ("python", "compiled"):
        assert parser.parse_args([command, *COMMANDS[command], "--engine", engine]).engine == engine
    with pytest.raises(SystemExit):
        parser.parse_args([command, *COMMANDS[command], "--engine", "numba"])


@pytest.mark.parametrize("installed", [True, False])
def test_auto_picks_compiled_only_from_the_threshold_and_with_numba(monkeypatch, installed):
    monkeypatch.setattr(engine_choice, "numba_available", lambda: installed)
    monkeypatch.setattr(engine_choice, "COMPILED_IS_FASTER", True)
    n = engine_choice.AUTO_MIN_COUNTY_YEARS
    below = engine_choice.county_years(n - 1, engine_choice.DAYS_PER_COUNTY_YEAR)
    at = engine_choice.county_years(n, engine_choice.DAYS_PER_COUNTY_YEAR)
    assert engine_choice.choose("auto", below) == "python"
    assert engine_choice.choose("auto", at) == ("compiled" if installed else "python")
    assert engine_choice.choose("python", 10 * at) == "python"  # asked: never overruled
    assert engine_choice.choose("compiled", 0) == "compiled"


def test_auto_stays_python_when_the_compiled_engine_is_not_faster(monkeypatch):
    monkeypatch.setattr(engine_choice, "numba_available", lambda: True)
    monkeypatch.setattr(engine_choice, "COMPILED_IS_FASTER", False)
    assert engine_choice.choose("auto", 10**6) == "python"
    assert engine_choice.choose("compiled", 0) == "compiled"


def test_set_engine_wins_over_the_option(monkeypatch):
    monkeypatch.setattr(engine_choice, "numba_available", lambda: True)
    args = build_parser(only="compare").parse_args(["compare", "--engine", "compiled", "--set", "engine=python"])
    engine, about = cli_engine.chosen_engine(args, 10**6, 250)
    assert engine == "python" and about["requested"] == "set engine=python"
    args = build_parser(only="compare").parse_args(["compare", "--set", "engine=numba"])
    with pytest.raises(UserError, match="allowed: python, compiled"):
        cli_engine.chosen_engine(args, 1, 1)


def test_with_engine_sets_every_params_and_keeps_the_keys():
    p = Params(**SMALL)
    spec = RunSpec("a", p, 0, 1, 5)
    chunk = ("township", [(p, 1, 5), (p, 2, 5)])
    new = engine_choice.with_engine(spec, "compiled")
    assert new.params.engine == "compiled" and new.key == spec.key and spec.params.engine == "python"
    got = engine_choice.with_engine(chunk, "compiled")
    assert [r[0].engine for r in got[1]] == ["compiled", "compiled"]
    assert engine_choice.with_engine(spec, "python") is spec  # nothing to change: the same object


def _manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_manifest_records_the_engine_and_a_folder_resumes_with_the_other(tmp_path, monkeypatch):
    """A tiny compare made on the Python engine, resumed on the compiled one: nothing rerun, the same tables."""
    monkeypatch.setattr(engine_choice, "numba_available", lambda: True)
    out = tmp_path / "cmp"
    county = [f"--set={k}={v}" for k, v in {**SMALL, "warmup_days": 0}.items()]
    argv = ["compare", "baseline", "full_reform", "--reps", "2", "--days", "3", *county, "--workers", "1"]
    argv += ["--progress", "never", "--out", str(out)]
    assert main([*argv, "--engine", "python"]) == 0
    first = _manifest(out)
    assert first["engine"]["used"] == "python" and first["invocations"][-1]["engine"] == "python"
    summary = (out / "summary.csv").read_bytes()
    stored = sorted(p.name for p in (out / "runs").rglob("*") if p.is_file())

    assert main([*argv, "--engine", "compiled"]) == 0
    second = _manifest(out)
    assert second["engine"]["requested"] == "compiled" and second["engine"]["used"] == "compiled"
    assert [i["engine"] for i in second["invocations"]] == ["python", "compiled"]
    assert second["invocations"][-1]["runs"]["ran"] == 0 and second["invocations"][-1]["runs"]["skipped"] == 4
    assert second["settings_hash"] == first["settings_hash"]
    assert (out / "summary.csv").read_bytes() == summary
    assert sorted(p.name for p in (out / "runs").rglob("*") if p.is_file()) == stored


def test_auto_applies_to_the_runs_of_the_one_runner(tmp_path, monkeypatch):
    """The runner hands every job the chosen engine: the worker sees it in the run's parameters."""
    seen: list[str] = []

    def spy(spec):
        seen.append(spec.params.engine)
        return simulate_run(dataclasses.replace(spec, params=spec.params.replace(engine="python")))

    monkeypatch.setattr(engine_choice, "numba_available", lambda: True)
    monkeypatch.setattr(engine_choice, "COMPILED_IS_FASTER", True)
    monkeypatch.setattr(engine_choice, "AUTO_MIN_COUNTY_YEARS", 0.01)
    monkeypatch.setattr(protocol, "_WARMED", [0.0])  # no warm-up in a unit test

    settings = CompareSettings(scenarios=["baseline"], reps=2, days=3, overrides=[f"{k}={v}" for k, v in SMALL.items()])
    args = build_parser(only="compare").parse_args(["compare"])
    with cli_engine.engine_for(args, 2, 3) as engine, SerialExecutor() as ex:
        assert engine == "compiled"
        protocol.run_experiment(CompareExperiment(settings), tmp_path / "o", ex, fn=spy, make_figures=False)
    assert seen == ["compiled", "compiled"]


def test_local_workers_get_the_kernel_warmed_once_and_only_for_missing_compiled_runs(tmp_path, monkeypatch):
    """Before a pool starts on compiled runs the parent loads the kernel (workers then read numba's cache);
    not for the Python engine, not in a single process, not when every run is stored, once per process."""
    calls: list[int] = []
    monkeypatch.setattr(engine_choice, "warm", lambda: calls.append(1) or 0.0)
    monkeypatch.setattr(protocol, "_WARMED", [])
    monkeypatch.setattr(engine_choice, "numba_available", lambda: True)

    class Pool(SerialExecutor):
        workers = 2  # runs in this process, counts as a pool

    def python_run(spec):
        return simulate_run(dataclasses.replace(spec, params=spec.params.replace(engine="python")))

    settings = CompareSettings(scenarios=["baseline"], reps=2, days=2, overrides=[f"{k}={v}" for k, v in SMALL.items()])
    for engine, executor, out in (("python", Pool(), "a"), ("compiled", SerialExecutor(), "b")):
        args = build_parser(only="compare").parse_args(["compare", "--engine", engine])
        with cli_engine.engine_for(args, 2, 2):
            protocol.run_experiment(
                CompareExperiment(settings), tmp_path / out, executor, fn=python_run, make_figures=False
            )
    assert calls == []
    args = build_parser(only="compare").parse_args(["compare", "--engine", "compiled"])
    with cli_engine.engine_for(args, 2, 2):
        protocol.run_experiment(CompareExperiment(settings), tmp_path / "a", Pool(), fn=python_run, make_figures=False)
        assert calls == []  # every run already stored (made on the Python engine)
        protocol.run_experiment(CompareExperiment(settings), tmp_path / "c", Pool(), fn=python_run, make_figures=False)
        protocol.run_experiment(CompareExperiment(settings), tmp_path / "d", Pool(), fn=python_run, make_figures=False)
    assert calls == [1]


def test_a_province_spec_may_name_the_engine_or_auto(tmp_path):
    """``engine`` in a province spec's [overrides]: python or compiled win over --engine, auto defers to it
    (and leaves the overrides), anything else is one line naming the spec."""
    from types import SimpleNamespace

    from townsim.experiments.cli.province import _spec_engine

    class Bad(Exception):
        pass

    def spec(value):
        return SimpleNamespace(path=tmp_path / "p.toml", overrides={"engine": value, "townships": 4})

    assert _spec_engine(SimpleNamespace(path="p", overrides={}), Bad) is None
    assert _spec_engine(spec("compiled"), Bad) == "compiled"
    auto = spec("auto")
    assert _spec_engine(auto, Bad) is None and auto.overrides == {"townships": 4}
    with pytest.raises(Bad, match="p.toml: overrides.engine: got 'numba'; allowed: auto, python, compiled"):
        _spec_engine(spec("numba"), Bad)
    args = build_parser(only="province").parse_args(["province", "x", "--engine", "python"])
    assert cli_engine.chosen_engine(args, 1, 250, explicit="compiled")[0] == "compiled"


def test_a_calibration_runs_on_the_chosen_engine_with_the_same_keys():
    """calibrate's jobs carry its spec: the engine is set in the spec's scenario parameters, keys unchanged."""
    from townsim.experiments.cli.calibrate import resolve_spec
    from townsim.experiments.workflows.calibrate import load_spec
    from townsim.experiments.workflows.calibrate.runs import key_of

    spec = load_spec(resolve_spec("linping"))
    key = key_of(spec, {"x": 1.0}, 3)
    cli_engine.with_spec_engine(spec, "compiled")
    assert spec.model_params.engine == "compiled" and key_of(spec, {"x": 1.0}, 3) == key


@pytest.mark.parametrize("engine", [None, "python", "compiled"])
def test_validate_jobs_carry_the_engine_to_every_model_their_checks_build(monkeypatch, engine):
    """validate's checks build their counties inside their jobs: the runner sets the job's ``engine``, and
    every model the check builds runs it (None: the checks' own, the Python engine)."""
    pytest.importorskip("numba")
    from townsim.experiments.workflows.validate.jobs import check_jobs, run_job
    from townsim.experiments.workflows.validate.suite import load_checks
    from townsim.model import kernel

    checks = [load_checks()["conservation"]]
    job = check_jobs(checks, quick=True, seed=1)[0]
    ran = engine_choice.with_engine(job, engine) if engine else job
    assert ran.key == job.key, "the engine is out of the key"
    seen: list[bool] = []
    real = kernel.choose
    monkeypatch.setattr(kernel, "choose", lambda p, q: seen.append(real(p, q)[0]) or real(p, q))
    row = run_job(ran)
    assert row["error"] == "" and row["result"]
    assert seen and set(seen) == {engine == "compiled"}
