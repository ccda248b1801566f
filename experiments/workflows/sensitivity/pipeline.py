"""Run a sensitivity spec end to end: design → runs (executors + results store, resumable) → analysis → files.

Every (scenario, design point, replication) is one run with key
``RunKey(scenario, param_hash, replication, seed)`` in the
:class:`experiments.store.ResultStore` under the output folder. The hash
covers the resolved parameters, the horizon and a fingerprint of the model's
code (or the plug-in, its values and its module's code), so a rerun of the
same command skips every finished run of the same code, and two
points that resolve to the same parameters (e.g. after rounding an integer)
share their runs. Replication ``r`` uses seed ``replication_seeds(seed, R)[r]``
at every point (common random numbers).

Runs are sent to the executor in chunks (one township run per chunk; many cheap
plug-in calls per chunk); each run's result is stored as soon as its chunk
returns, and a run that raises is recorded as a failure (retried on the next rerun).
The code fingerprint is taken from the files on this machine: restart long-lived Dask
workers (``--scheduler``) after changing the model, or they keep running the code they imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.execute import ExecutionReport
from townsim.experiments.core.executors import Executor
from townsim.experiments.core.protocol import Experiment, Folder, run_experiment
from townsim.experiments.core.store import IncompleteRuns, ResultStore, RunKey, hashable

from . import analysis
from . import report as reporting
from .runs import (
    PLUGIN_CHUNK,
    Chunk,
    Plan,
    RunStats,
    chunks,
    make_plan,
    plan_fingerprint,
    run_chunk,
    run_chunk_job,
    store_label,
)
from .spec import SensitivitySpec

__all__ = [
    "PLUGIN_CHUNK",
    "Chunk",
    "IncompleteRuns",
    "Plan",
    "Result",
    "RunStats",
    "SensitivityExperiment",
    "collect",
    "make_plan",
    "output_arrays",
    "plan_fingerprint",
    "run_chunk",
    "chunks",
    "run_chunk_job",
    "run_sensitivity",
    "samples_frame",
    "settings_hash",
    "store_label",
]


# ------------------------------------------------------------------------------------------
# collecting
# ------------------------------------------------------------------------------------------
def collect(plan: Plan, store: ResultStore) -> pd.DataFrame:
    """``outputs.parquet`` rows: scenario, point, replication, seed, param_hash and every returned output."""
    spec = plan.spec
    rows_by_key = store.finished(plan.unique_keys)
    out = []
    skip = set(RunKey._fields)
    for scenario, per_point in plan.keys.items():
        for i, row in enumerate(per_point):
            for r, key in enumerate(row):
                rec = rows_by_key[key]
                out.append(
                    {
                        "scenario": scenario,
                        "point": i,
                        "replication": r,
                        "seed": key.seed,
                        "param_hash": key.param_hash,
                        **{k: v for k, v in rec.items() if k not in skip},
                    }
                )
    df = pd.DataFrame(out)
    absent = [o for o in spec.outputs if o not in df.columns]
    if absent:
        have = [c for c in df.columns if c not in ("scenario", "point", "replication", "seed", "param_hash")]
        raise IncompleteRuns(
            f"output '{absent[0]}' is not returned by the model; it returns: "
            f"{', '.join(have[:12])}{', ...' if len(have) > 12 else ''}"
        )
    return df


def output_arrays(spec: SensitivitySpec, df: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    """(scenario, output) → array points × replications (float, NaN where undefined)."""
    n, R = spec.n_points(), spec.replications
    arrays = {}
    for scenario in spec.run_scenarios:
        sub = df[df["scenario"] == scenario].sort_values(["point", "replication"])
        for o in spec.outputs:
            arrays[(scenario, o)] = pd.to_numeric(sub[o], errors="coerce").to_numpy(float).reshape(n, R)
    return arrays


def samples_frame(plan: Plan) -> pd.DataFrame:
    """``samples.parquet``: the model value of every parameter at every point, and its continuous draw."""
    spec = plan.spec
    df = pd.DataFrame(plan.values)
    df.insert(0, "point", np.arange(len(df)))
    for j, name in enumerate(spec.names):
        df[f"{name}__draw"] = plan.X[:, j]
    return df


# ------------------------------------------------------------------------------------------
# the experiment
# ------------------------------------------------------------------------------------------
@dataclass
class Result:
    out_dir: Path
    stats: RunStats
    indices: pd.DataFrame
    convergence: pd.DataFrame
    noise: pd.DataFrame
    rankings: pd.DataFrame
    differences: pd.DataFrame
    size_advice: pd.DataFrame
    skipped: dict
    figures: list[Path]
    execution: ExecutionReport = field(default_factory=ExecutionReport)
    failures: list[dict] = field(default_factory=list)

    @property
    def out(self) -> Path:
        return self.out_dir


class SensitivityExperiment(Experiment):
    """``townsim sensitivity`` on the protocol: chunks of runs (one township run, or many plug-in calls,
    a chunk), ``outputs.parquet`` as the results table, the indices and their report."""

    command = "sensitivity"
    table_file = "outputs.parquet"

    def __init__(self, spec: SensitivitySpec) -> None:
        self.spec = spec
        self.plan = make_plan(spec)

    def settings_hash(self) -> str:
        return settings_hash(self.spec)

    def describe(self) -> str:
        return f"{self.spec.method} on {self.spec.n_points()} points"

    def notes(self, out: Path) -> list[str]:
        spec, keys = self.spec, self.plan.unique_keys
        store = ResultStore(out)
        done = sum(store.has(k) for k in keys)
        return [
            f"townsim sensitivity: {len(spec.run_scenarios)} scenario(s) × {spec.n_points()} points × "
            f"{spec.replications} replication(s): {len(keys)} distinct runs, {done} already done, "
            f"{len(keys) - done} to run; writing {out}"
        ]

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        return _manifest(self.spec, self.plan, None, None)

    def prepare(self, out: Path) -> None:
        path = Path(self.spec.path)
        _write_text(out / "spec.toml", path.read_text(encoding="utf-8") if path.is_file() else "")

    def jobs(self, store: ResultStore | None = None) -> list[Chunk]:
        return chunks(self.plan, store)

    def keys(self) -> list[RunKey]:
        return self.plan.unique_keys

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        return fn or run_chunk_job

    def record(self, manifest: dict[str, Any], invocation: dict[str, Any]) -> None:
        """The invocation counts runs made, failed and already done; the manifest's head the latest ones."""
        runs = invocation["runs"]
        stats = RunStats(runs["total"], runs["skipped"], runs["ran"], runs["failed"], runs["seconds"])
        invocation["runs"] = {"ran": stats.ran, "failed": stats.failed, "already_done": stats.already_done}
        manifest.update(_manifest(self.spec, self.plan, stats, invocation["executor"]))
        super().record(manifest, invocation)

    def table(self, store: ResultStore) -> pd.DataFrame:
        return collect(self.plan, store)

    def analyse(self, table: pd.DataFrame, folder: Folder) -> Result:
        spec, plan, out = self.spec, self.plan, folder.out
        arrays = output_arrays(spec, table)
        means = {k: analysis.replication_mean(v) for k, v in arrays.items()}
        indices, skipped = analysis.indices_table(spec, plan.X, means)
        indices["scenario"] = indices["scenario"].astype(str)
        conv = analysis.convergence_table(spec, plan.X, means)
        noise = analysis.noise_table(spec, arrays)
        rank = analysis.rankings(spec, indices)
        diffs = analysis.regime_differences(rank, spec.run_scenarios)
        advice = analysis.size_advice(spec, indices, conv)
        _write_parquet(out / "samples.parquet", samples_frame(plan))
        _write_csv(out / "indices.csv", indices)
        _write_csv(out / "convergence.csv", conv)
        _write_csv(out / "noise.csv", noise)
        _write_csv(out / "rankings.csv", rank)
        _write_csv(out / "regimes.csv", diffs)
        ex = folder.execution
        stats = RunStats(ex.total, ex.skipped, ex.ran, ex.failed, ex.seconds)
        return Result(out, stats, indices, conv, noise, rank, diffs, advice, skipped, [], ex, folder.failures)

    def report(self, analysis: Result, folder: Folder, make_figures: bool, lang: str) -> Result:
        from townsim.experiments.render.report import write_report  # deferred: it pulls in matplotlib (heavy)

        from . import plots as plotting  # deferred: it pulls in matplotlib (heavy)

        r = analysis
        r.figures = (
            plotting.all_figures(self.spec, r.indices, r.convergence, folder.out / "figures") if make_figures else []
        )
        write_report(folder.out, reporting.render(self.spec, r, lang), lang)
        return r


def run_sensitivity(
    spec: SensitivitySpec,
    out_dir: str | os.PathLike,
    executor: Executor,
    *,
    progress: bool | None = None,
    plots: bool = True,
    lang: str = "en",
) -> Result:
    """Run (or resume) ``spec`` into ``out_dir`` and write every result file (report in ``lang``);
    :class:`IncompleteRuns` when some runs have no result (the manifest then says "incomplete")."""
    experiment = SensitivityExperiment(spec)
    return run_experiment(experiment, Path(out_dir), executor, show_progress=progress, make_figures=plots, lang=lang)


def settings_hash(spec: SensitivitySpec) -> str:
    """Hash of what defines the analysis (its design, scenarios' parameters, days, seed, outputs, code)."""
    return runio.settings_hash(
        {
            "method": spec.method,
            "N": spec.N,
            "seed": spec.seed,
            "replications": spec.replications,
            "parameters": [p.__dict__ for p in spec.parameters],
            "outputs": list(spec.outputs),
            "evaluate": spec.evaluate,
            "days": None if spec.plugin else spec.days,
            "scenarios": {k: hashable(v) for k, v in spec.base_params.items()},
            "options": [spec.second_order, spec.num_levels, spec.M],
        }
    )


def _manifest(spec: SensitivitySpec, plan: Plan, stats: RunStats | None, executor: dict | None) -> dict:
    """The manifest's body (the runner adds ``invocations``, one per invocation, and the status)."""
    stats = stats or RunStats(total=len(plan.unique_keys), already_done=0)
    return {
        "townsim_command": "sensitivity",
        "settings_hash": settings_hash(spec),
        "spec": str(spec.path),
        "method": spec.method,
        "N": spec.N,
        "seed": spec.seed,
        "replications": spec.replications,
        "scenarios": list(spec.run_scenarios),
        "evaluate": spec.evaluate,
        "days": None if spec.plugin else spec.days,
        "parameters": {p.name: p.describe() for p in spec.parameters},
        "outputs": list(spec.outputs),
        "points": spec.n_points(),
        "distinct_runs": stats.total,
        "already_done": stats.already_done,
        "ran_now": stats.ran,
        "failed_now": stats.failed,
        "run_seconds_now": round(stats.seconds, 2),
        "replication_seeds": plan.seeds,
        "code_fingerprint": plan.code,
        "executor": executor,
        "versions": runio.versions(),
        "git_commit": runio.git_commit(),
        "command_line": runio.command_line(),
        "argv": sys.argv,
    }


# --- writers (the one atomic writer) ------------------------------------------------------------
def _write_text(path: Path, text: str) -> None:
    atomic.write_text(path, text)


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    atomic.write_csv(path, df, float_format="%.6g")


def _write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic.write_parquet(path, df)
