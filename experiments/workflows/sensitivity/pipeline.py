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

import functools
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
from townsim.experiments.core.design import run_hash
from townsim.experiments.core.execute import execute as core_execute
from townsim.experiments.core.executors import Executor, Failure, one_line
from townsim.experiments.core.fingerprint import code_fingerprint as core_fingerprint
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.seeds import replication_seeds
from townsim.experiments.core.store import ResultStore, RunKey, param_hash
from townsim.model.params import keyed_dump

from . import analysis, sampling
from .spec import SensitivitySpec, load_evaluate

PLUGIN_CHUNK = 256
"""Plug-in calls per executor item (cheap functions: amortise the per-item overhead)."""


class IncompleteRuns(RuntimeError):
    """Some runs failed; ``str()`` is one line (how many, the first error, where the records are)."""


# ------------------------------------------------------------------------------------------
# worker side (module-level, picklable)
# ------------------------------------------------------------------------------------------
_PLUGINS: dict[tuple[str, str], Callable] = {}


def run_chunk(item: tuple) -> list[Any]:
    """Run one chunk of runs in a worker; return one outcome per run (summary dict or :class:`Failure`).

    ``item`` is ``("township", [(params, seed, days), ...])`` or
    ``("plugin", "module:function", code_fingerprint, [(values, seed), ...])``.
    """
    kind = item[0]
    out: list[Any] = []
    if kind == "township":
        for params, seed, days in item[1]:
            out.append(_safely(functools.partial(_township_summary, params, seed, days)))
    else:
        target, code = item[1], item[2]
        fn = _PLUGINS.get((target, code))
        if fn is None:
            fn = _PLUGINS[(target, code)] = _load_current(target)
        for values, seed in item[3]:
            out.append(_safely(functools.partial(_plugin_outputs, fn, values, seed)))
    return out


def _township_summary(params: Any, seed: int, days: int) -> dict:
    from townsim.model import simulate

    return simulate(params, seed, days)[0]


def _plugin_outputs(fn: Callable, values: Any, seed: int) -> dict:
    return _check_outputs(fn(dict(values), int(seed)))


def _load_current(target: str) -> Callable:
    """The plug-in function, re-imported if its module was imported before its file changed."""
    import importlib

    modname = target.partition(":")[0]
    mod = sys.modules.get(modname)
    if mod is not None:
        importlib.reload(mod)
    return load_evaluate(target)


def _safely(thunk: Callable[[], Any]) -> Any:
    import traceback

    try:
        return thunk()
    except Exception as exc:  # noqa: BLE001 - every run error is recorded, not raised
        return Failure(error=one_line(exc), traceback=traceback.format_exc())


def _check_outputs(result: Any) -> dict[str, float]:
    if not isinstance(result, dict):
        raise TypeError(f"the evaluate plug-in must return a dict of outputs, got {type(result).__name__}")
    return {str(k): float(v) for k, v in result.items()}


# ------------------------------------------------------------------------------------------
# plan
# ------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """The design and the run key of every (scenario, point, replication)."""

    spec: SensitivitySpec
    X: np.ndarray
    values: list[dict]
    seeds: list[int]
    keys: dict[str, list[list[RunKey]]]
    """scenario label → [point][replication] → key."""
    code: str = ""
    """Fingerprint of the model's or plug-in's code (part of every key)."""
    payload: dict[RunKey, tuple] = field(default_factory=dict)
    """Unique key → what its run needs ((params, seed, days) or (values, seed))."""

    @property
    def unique_keys(self) -> list[RunKey]:
        return list(self.payload)


def plan_fingerprint(target: str | None = None) -> str:
    """Fingerprint of what produces a run's outputs: the township model's behaviour, or the plug-in's code."""
    return model_fingerprint() if target is None else core_fingerprint(target.partition(":")[0])


def store_label(spec: SensitivitySpec, scenario: str) -> str:
    """Scenario field of the run keys (plug-ins: ``plugin:<module:function>``)."""
    return f"plugin:{spec.evaluate}" if spec.plugin else scenario


def make_plan(spec: SensitivitySpec) -> Plan:
    """Draw the design and key every run (validates every point's parameters)."""
    X = sampling.design(spec)
    values = sampling.point_values(spec, X)
    seeds = replication_seeds(spec.seed, spec.replications)
    code = plan_fingerprint(spec.evaluate)
    plan = Plan(spec, X, values, seeds, {}, code)
    for scenario in spec.run_scenarios:
        label = store_label(spec, scenario)
        per_point: list[list[RunKey]] = []
        cache: dict[tuple, tuple[Any, str]] = {}
        for v in values:
            sig = tuple(v.values())
            if sig not in cache:
                if spec.plugin:
                    cache[sig] = (v, param_hash({"evaluate": spec.evaluate, "values": v, "code": code}))
                else:
                    params = spec.base_params[scenario].replace(**v)
                    cache[sig] = (params, run_hash(params, spec.days, code))
            params, h = cache[sig]
            row = []
            for r, seed in enumerate(seeds):
                key = RunKey(label, h, r, seed)
                row.append(key)
                if key not in plan.payload:
                    plan.payload[key] = (params, seed, spec.days) if not spec.plugin else (v, seed)
            per_point.append(row)
        plan.keys[scenario] = per_point
    return plan


@dataclass(frozen=True)
class Chunk:
    """One task for a worker: the store keys of its runs and what they need (see :func:`run_chunk`)."""

    keys: tuple[RunKey, ...]
    item: tuple


def run_chunk_job(chunk: Chunk) -> list[Any]:
    """:func:`run_chunk` of a :class:`Chunk` (the function :func:`core.execute.execute` maps)."""
    return run_chunk(chunk.item)


def _chunks(spec: SensitivitySpec, plan: Plan, todo: list[RunKey]) -> list[Chunk]:
    size = PLUGIN_CHUNK if spec.plugin else 1
    out = []
    for i in range(0, len(todo), size):
        keys = todo[i : i + size]
        runs = [plan.payload[k] for k in keys]
        item = ("plugin", spec.evaluate, plan.code, runs) if spec.plugin else ("township", runs)
        out.append(Chunk(tuple(keys), item))
    return out


# ------------------------------------------------------------------------------------------
# running
# ------------------------------------------------------------------------------------------
@dataclass
class RunStats:
    total: int
    already_done: int
    ran: int = 0
    failed: int = 0
    seconds: float = 0.0


def run_plan(
    plan: Plan,
    store: ResultStore,
    executor: Executor,
    *,
    progress: bool | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> RunStats:
    """Run every key of ``plan`` the store does not have yet, through the one ``core.execute``."""
    spec = plan.spec
    keys = plan.unique_keys
    todo = [k for k in keys if not store.has(k)]
    log(
        f"{len(spec.run_scenarios)} scenario(s) × {spec.n_points()} points × {spec.replications} "
        f"replication(s): {len(keys)} distinct runs, {len(keys) - len(todo)} already done, {len(todo)} to run "
        f"on {executor.name} ({executor.workers} worker(s))"
    )
    pending = set(todo)
    done = [Chunk((k,), ()) for k in keys if k not in pending]  # counted as already done, never run
    rep = core_execute(
        done + _chunks(spec, plan, todo), store, executor, fn=run_chunk_job, desc="sensitivity", show_progress=progress
    )
    return RunStats(total=rep.total, already_done=rep.skipped, ran=rep.ran, failed=rep.failed, seconds=rep.seconds)


# ------------------------------------------------------------------------------------------
# collecting
# ------------------------------------------------------------------------------------------
def collect(plan: Plan, store: ResultStore) -> pd.DataFrame:
    """``outputs.parquet`` rows: scenario, point, replication, seed, param_hash and every returned output."""
    spec = plan.spec
    rows_by_key = {
        RunKey(r["scenario"], r["param_hash"], int(r["replication"]), int(r["seed"])): r
        for r in store.rows(plan.unique_keys)
    }
    missing = [k for k in plan.unique_keys if k not in rows_by_key]
    if missing:
        fails = store.failures(missing)
        first = fails[0]["error"] if fails else "not run"
        raise IncompleteRuns(
            f"{len(missing)} of {len(plan.unique_keys)} runs have no result (first error: {first}); "
            f"records in {store.fail_dir}; rerun the same command to retry them"
        )
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
# the whole job
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


def run_sensitivity(
    spec: SensitivitySpec,
    out_dir: str | os.PathLike,
    executor: Executor,
    *,
    progress: bool | None = None,
    plots: bool = True,
    log: Callable[[str], None] = lambda s: None,
    lang: str = "en",
) -> Result:
    """Run (or resume) ``spec`` into ``out_dir`` and write every result file (report in ``lang``)."""
    from . import plots as plotting
    from . import report as reporting

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    store = ResultStore(out)
    plan = make_plan(spec)
    _write_text(out / "spec.toml", Path(spec.path).read_text(encoding="utf-8") if Path(spec.path).is_file() else "")
    started, earlier = runio.now(), runio.previous_invocations(out)
    runio.write_manifest(out, _manifest(spec, plan, None, executor, earlier), runio.IN_PROGRESS)
    stats = run_plan(plan, store, executor, progress=progress, log=log)
    invocations = [*earlier, _invocation(started, stats, executor)]
    try:
        df = collect(plan, store)
    except IncompleteRuns:
        runio.write_manifest(out, _manifest(spec, plan, stats, executor, invocations), runio.INCOMPLETE)
        raise

    arrays = output_arrays(spec, df)
    means = {k: analysis.replication_mean(v) for k, v in arrays.items()}
    indices, skipped = analysis.indices_table(spec, plan.X, means)
    indices["scenario"] = indices["scenario"].astype(str)
    conv = analysis.convergence_table(spec, plan.X, means)
    noise = analysis.noise_table(spec, arrays)
    rank = analysis.rankings(spec, indices)
    diffs = analysis.regime_differences(rank, spec.run_scenarios)
    advice = analysis.size_advice(spec, indices, conv)

    _write_parquet(out / "samples.parquet", samples_frame(plan))
    _write_parquet(out / "outputs.parquet", df)
    _write_csv(out / "indices.csv", indices)
    _write_csv(out / "convergence.csv", conv)
    _write_csv(out / "noise.csv", noise)
    _write_csv(out / "rankings.csv", rank)
    _write_csv(out / "regimes.csv", diffs)
    figures = plotting.all_figures(spec, indices, conv, out / "figures") if plots else []
    result = Result(out, stats, indices, conv, noise, rank, diffs, advice, skipped, figures)
    from townsim.experiments.render.report import write_report

    write_report(out, reporting.render(spec, result, lang), lang)
    runio.write_manifest(out, _manifest(spec, plan, stats, executor, invocations), runio.COMPLETE)  # written last
    return result


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
            "scenarios": {k: keyed_dump(v) for k, v in spec.base_params.items()},
            "options": [spec.second_order, spec.num_levels, spec.M],
        }
    )


def _invocation(started, stats: RunStats, executor: Executor) -> dict:
    """One invocation of the analysis: when, how long, on what, and how many runs it simulated."""
    return runio.invocation(
        started, executor, {"ran": stats.ran, "failed": stats.failed, "already_done": stats.already_done}
    )


def _manifest(
    spec: SensitivitySpec, plan: Plan, stats: RunStats | None, executor: Executor, invocations: list[dict]
) -> dict:
    """The manifest; ``invocations`` lists every invocation so far (a resumed analysis appends its own)."""
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
        "executor": executor.describe(),
        "versions": runio.versions(),
        "git_commit": runio.git_commit(),
        "command_line": runio.command_line(),
        "argv": sys.argv,
        "invocations": invocations,
    }


# --- writers (the one atomic writer) ------------------------------------------------------------
def _write_text(path: Path, text: str) -> None:
    atomic.write_text(path, text)


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    atomic.write_csv(path, df, float_format="%.6g")


def _write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic.write_parquet(path, df)
