"""The experiment protocol and its one runner (experiments/core/protocol.py).

A toy experiment of cheap jobs (no model run) shows what the runner owns for every experiment: the
manifest (in progress first, complete or incomplete last, one entry per invocation), the folder's
settings and lock, resume from the store, ``runs.parquet`` and ``failures.csv``. The last tests hold
the architecture's claims: each ported workflow declares an experiment and leaves that pipeline to
the runner.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from townsim.experiments.core.executors import SerialExecutor
from townsim.experiments.core.outdir import locked
from townsim.experiments.core.protocol import Experiment, Folder, run_experiment
from townsim.experiments.core.store import ResultStore, RunKey
from townsim.experiments.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
CALLS: list[int] = []


@dataclass(frozen=True)
class Job:
    x: int
    out: str
    fail: bool = False

    @property
    def key(self) -> RunKey:
        return RunKey("toy", f"x{self.x}", 0, self.x)


def square(job: Job) -> dict[str, float]:
    """The toy's run: records the call, checks the folder is locked while it runs."""
    CALLS.append(job.x)
    with pytest.raises(UserError, match="in use by another townsim command"):
        with locked(job.out):
            pass
    if job.fail:
        raise ValueError(f"x={job.x} fails")
    return {"y": float(job.x * job.x)}


class Toy(Experiment):
    command = "toy"

    def __init__(self, n: int, out: Path, fail: int | None = None) -> None:
        self.n, self.out, self.fail = n, out, fail

    def settings_hash(self) -> str:
        return f"n{self.n}"

    def describe(self) -> str:
        return f"{self.n} squares"

    def manifest(self, out: Path, argv: list[str] | None) -> dict:
        return {"townsim_command": self.command, "n": self.n}

    def jobs(self, store: ResultStore | None = None) -> list[Job]:
        return [Job(x, str(self.out), x == self.fail) for x in range(self.n)]

    def job_fn(self, fn):
        return fn or square

    def table(self, store: ResultStore) -> pd.DataFrame:
        return pd.DataFrame(store.rows([j.key for j in self.jobs()]))

    def analyse(self, table: pd.DataFrame, folder: Folder) -> float:
        return float(table["y"].sum()) if len(table) else 0.0

    def report(self, analysis: float, folder: Folder, make_figures: bool, lang: str) -> dict:
        (folder.out / "report.md").write_text(f"sum {analysis:g}\n", encoding="utf-8")
        return {"sum": analysis, "execution": folder.execution, "failures": folder.failures}


def run(toy: Toy) -> dict:
    with SerialExecutor() as ex:
        return run_experiment(toy, toy.out, ex, show_progress=False)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_the_runner_runs_writes_and_resumes(tmp_path, capsys):
    out = tmp_path / "out"
    CALLS.clear()
    res = run(Toy(4, out))
    assert res["sum"] == 0 + 1 + 4 + 9 and sorted(CALLS) == [0, 1, 2, 3]
    assert "townsim toy: 4 squares" in capsys.readouterr().err  # the banner
    man = manifest(out)
    assert man["status"] == "complete" and man["settings_hash"] == "n4" and man["n"] == 4
    assert {"manifest.json", "report.md", "runs.parquet"} <= set(man["files"])
    assert len(pd.read_parquet(out / "runs.parquet")) == 4 and not (out / "failures.csv").exists()
    CALLS.clear()
    again = run(Toy(4, out))  # same settings: every run is reused, nothing runs
    assert CALLS == [] and again["execution"].skipped == 4 and again["sum"] == res["sum"]
    assert [i["runs"]["ran"] for i in manifest(out)["invocations"]] == [4, 0]


def test_other_settings_and_other_folders_are_refused(tmp_path):
    out = tmp_path / "out"
    run(Toy(2, out))
    with pytest.raises(UserError, match="other settings"):
        run(Toy(3, out))
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not an earlier 'townsim toy' output"):
        run(Toy(2, other))
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_a_failed_run_makes_the_folder_incomplete_until_it_is_rerun(tmp_path):
    out = tmp_path / "out"
    res = run(Toy(3, out, fail=1))
    assert [f["error"] for f in res["failures"]] == ["ValueError: x=1 fails"]
    assert manifest(out)["status"] == "incomplete" and (out / "failures.csv").is_file()
    CALLS.clear()
    res = run(Toy(3, out))  # the same settings, fixed: only the failed run is retried
    assert CALLS == [1] and res["failures"] == [] and res["sum"] == 0 + 1 + 4
    assert manifest(out)["status"] == "complete" and not (out / "failures.csv").exists()


# --- the architecture's claims (docs/architecture.md, "how to add an experiment type") --------------
PORTED = {
    "robust": ("experiments/workflows/robust/pipeline.py", "RobustExperiment"),
    "compare": ("experiments/workflows/compare.py", "CompareExperiment"),
    "sweep": ("experiments/workflows/sweep.py", "SweepExperiment"),
    "sensitivity": ("experiments/workflows/sensitivity/pipeline.py", "SensitivityExperiment"),
    "discover": ("experiments/workflows/discover/pipeline.py", "DiscoverExperiment"),
    "validate": ("experiments/workflows/validate/__init__.py", "ValidateExperiment"),
    "province": ("experiments/workflows/province/__init__.py", "ProvinceExperiment"),
    "calibrate": ("experiments/workflows/calibrate/pipeline.py", "CalibrateExperiment"),
    "run": ("experiments/workflows/run.py", "RunExperiment"),
}
OWN_EXECUTOR = {"validate", "province", "calibrate", "run"}
"""Commands that make their executor themselves (capped by cores or memory; calibrate cuts its batches by
the executor's workers; run is one run in this process) and call the runner themselves or through their
workflow's function."""
RUNNER_ONLY = re.compile(r"\b(write_manifest|experiment_folder|check_out_dir|previous_invocations|execute)\(")


@pytest.mark.parametrize("name", sorted(PORTED))
def test_each_ported_workflow_declares_its_experiment_and_leaves_the_pipeline_to_the_runner(name):
    import importlib

    path, cls = PORTED[name]
    module = importlib.import_module("townsim." + path.removesuffix(".py").removesuffix("/__init__").replace("/", "."))
    experiment = getattr(module, cls)
    assert issubclass(experiment, Experiment) and experiment.command == name
    text = (ROOT / path).read_text(encoding="utf-8")
    assert not RUNNER_ONLY.findall(text), f"{path} runs its own pipeline: {RUNNER_ONLY.findall(text)}"
    cli = (ROOT / "experiments" / "cli" / f"{name}.py").read_text(encoding="utf-8")
    assert not RUNNER_ONLY.findall(cli)
    assert "run_command(" in cli or name in OWN_EXECUTOR


def test_robust_is_one_small_module_on_the_protocol():
    """The robustness experiment's declaration (settings hash, manifest, jobs, table, analysis, report)
    is one module of about 200 lines; its worlds, plan, analysis and report are its own modules."""
    lines = (ROOT / "experiments/workflows/robust/pipeline.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 260, lines


def test_the_architecture_names_the_experiments_on_the_protocol():
    """docs/architecture.md §8 names exactly the experiment classes that exist on the protocol."""
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    section = text[text.index("## 8. One protocol, one runner") :]
    named = set(re.findall(r"`(\w+Experiment)`", section))
    assert named == {cls for _, cls in PORTED.values()}
