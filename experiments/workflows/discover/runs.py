"""The runs of a discover spec: the Latin hypercube design, one run per (scenario, point, replication),
plug-in calls in batches, and the table of every run's outputs read back from the results store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core.design import RunSpec
from townsim.experiments.core.executors import call_safely
from townsim.experiments.core.fingerprint import code_fingerprint, model_fingerprint
from townsim.experiments.core.seeds import replication_seeds
from townsim.experiments.core.spec import Parameter, load_evaluate
from townsim.experiments.core.store import IncompleteRuns, ResultStore, RunKey, param_hash
from townsim.model import simulate

from .spec import DiscoverSpec


# ------------------------------------------------------------------------------------------
# the runs
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PluginRun:
    """One call of an ``evaluate`` plug-in (picklable; keyed like a model run)."""

    target: str
    values: tuple[tuple[str, Any], ...]
    replication: int
    seed: int
    code: str

    @property
    def key(self) -> RunKey:
        h = param_hash({"evaluate": self.target, "values": dict(self.values), "code": self.code})
        return RunKey(f"plugin:{self.target}", h, self.replication, self.seed)


def run_one(run: RunSpec | PluginRun) -> dict[str, float]:
    """Worker side: the summary row of one model run or plug-in call."""
    if isinstance(run, PluginRun):
        out = load_evaluate(run.target)(dict(run.values), int(run.seed))
        if not isinstance(out, dict):
            raise TypeError(f"the evaluate plug-in must return a dict of outputs, got {type(out).__name__}")
        return {str(k): float(v) for k, v in out.items()}

    return dict(simulate(run.params, run.seed, run.days)[0])


@dataclass(frozen=True)
class PluginBatch:
    """Several plug-in calls sent to a worker together (cheap functions: amortise the per-task overhead)."""

    runs: tuple[PluginRun, ...]

    @property
    def keys(self) -> list[RunKey]:
        return [r.key for r in self.runs]


PLUGIN_BATCH = 128
"""Plug-in calls per task."""


def plugin_batches(runs: list[PluginRun], store: ResultStore) -> list[PluginBatch]:
    """The plug-in runs the store does not hold yet, in batches (finished runs are never run again)."""
    todo = [r for r in runs if not store.has(r.key)]
    return [PluginBatch(tuple(todo[i : i + PLUGIN_BATCH])) for i in range(0, len(todo), PLUGIN_BATCH)]


def run_job(job: RunSpec | PluginRun | PluginBatch) -> Any:
    """Worker side: one run's summary row, or a batch's list of rows (a failing call is a :class:`Failure`)."""
    if isinstance(job, PluginBatch):
        return [call_safely(run_one, r) for r in job.runs]
    return run_one(job)


def plugin_fingerprint(target: str) -> str:
    """Fingerprint of the plug-in's module (part of its run keys)."""
    return code_fingerprint(target.partition(":")[0])


@dataclass
class Plan:
    """The design: lever values per point and the run of every (scenario, point, replication)."""

    points: pd.DataFrame
    """One row per sample point: ``point`` and one column per lever (model values)."""
    runs: dict[str, list[list[RunSpec | PluginRun]]] = field(default_factory=dict)
    """Scenario label → [point][replication] → run."""

    def unique(self) -> list[RunSpec | PluginRun]:
        seen: dict[RunKey, Any] = {}
        for per_point in self.runs.values():
            for row in per_point:
                for run in row:
                    seen.setdefault(run.key, run)
        return list(seen.values())


def lhs(parameters: tuple[Parameter, ...], samples: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``samples`` points in the continuous draw space (SALib, with distributions)."""
    from SALib.sample import latin  # deferred: SALib is heavy, loaded only by a sensitivity analysis

    problem = {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [p.salib_bounds() for p in parameters],
        "dists": [p.dist for p in parameters],
    }
    return latin.sample(problem, samples, seed=int(seed))


def make_plan(spec: DiscoverSpec) -> Plan:
    """Draw the design and build every run (checks each point's parameters for the township model)."""
    assert spec.samples is not None  # a spec that runs the model has its samples (checked by its schema)
    X = lhs(spec.parameters, spec.samples, spec.seed)
    cols = {p.name: p.values(X[:, j]) for j, p in enumerate(spec.parameters)}
    points = pd.DataFrame(cols)
    points.insert(0, "point", np.arange(len(points)))
    values = points.drop(columns="point").to_dict("records")
    seeds = replication_seeds(spec.seed, spec.replications)
    plan = Plan(points)
    if spec.plugin:
        code = plugin_fingerprint(spec.evaluate)
        plan.runs[""] = [
            [PluginRun(spec.evaluate, tuple(v.items()), r, s, code) for r, s in enumerate(seeds)] for v in values
        ]
        return plan
    code = model_fingerprint()
    for scenario in spec.scenarios:
        base = spec.base_params[scenario]
        per_point = []
        for v in values:
            params = base.replace(**v)
            per_point.append([RunSpec(scenario, params, r, s, spec.days, code) for r, s in enumerate(seeds)])
        plan.runs[scenario] = per_point
    return plan


def collect(spec: DiscoverSpec, plan: Plan, store: ResultStore) -> pd.DataFrame:
    """One row per run: scenario, point, replication, seed, the levers and every output."""
    rows = store.finished([r.key for r in plan.unique()])
    skip = set(RunKey._fields)
    lever_rows = plan.points.to_dict("records")
    out = []
    for scenario, per_point in plan.runs.items():
        for i, row in enumerate(per_point):
            for run in row:
                rec = rows[run.key]
                out.append(
                    {
                        "scenario": scenario,
                        **lever_rows[i],
                        "replication": run.replication,
                        "seed": run.seed,
                        **{k: v for k, v in rec.items() if k not in skip},
                    }
                )
    df = pd.DataFrame(out)
    if spec.outcome not in df.columns:
        have = [c for c in df.columns if c not in ("scenario", "point", "replication", "seed", *spec.names)]
        raise IncompleteRuns(
            f"outcome '{spec.outcome}' is not returned by the model; it returns: "
            f"{', '.join(have[:12])}{', ...' if len(have) > 12 else ''}"
        )
    return df
