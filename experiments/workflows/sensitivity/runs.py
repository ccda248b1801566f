"""The runs of a sensitivity spec: the plan (every run's key and payload), the worker side (chunks of runs,
picklable), and running the plan through the one ``core.execute``."""

from __future__ import annotations

import functools
import importlib
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from townsim.experiments.core.design import run_hash
from townsim.experiments.core.executors import Failure, one_line
from townsim.experiments.core.fingerprint import code_fingerprint as core_fingerprint
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.seeds import replication_seeds
from townsim.experiments.core.store import ResultStore, RunKey, param_hash
from townsim.model import simulate

from . import sampling
from .spec import SensitivitySpec, load_evaluate

PLUGIN_CHUNK = 256
"""Plug-in calls per executor item (cheap functions: amortise the per-item overhead)."""


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
    return simulate(params, seed, days)[0]


def _plugin_outputs(fn: Callable, values: Any, seed: int) -> dict:
    return _check_outputs(fn(dict(values), int(seed)))


def _load_current(target: str) -> Callable:
    """The plug-in function, re-imported if its module was imported before its file changed."""
    modname = target.partition(":")[0]
    mod = sys.modules.get(modname)
    if mod is not None:
        importlib.reload(mod)
    return load_evaluate(target)


def _safely(thunk: Callable[[], Any]) -> Any:
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


def chunks(plan: Plan, store: ResultStore | None = None) -> list[Chunk]:
    """The jobs of ``plan``: runs ``store`` already has as empty chunks (counted as already done, never
    run), then the others in chunks (one township run, or :data:`PLUGIN_CHUNK` plug-in calls, a chunk)."""
    spec, keys = plan.spec, plan.unique_keys
    todo = [k for k in keys if store is None or not store.has(k)]
    pending = set(todo)
    out = [Chunk((k,), ()) for k in keys if k not in pending]
    size = PLUGIN_CHUNK if spec.plugin else 1
    for i in range(0, len(todo), size):
        batch = todo[i : i + size]
        runs = [plan.payload[k] for k in batch]
        item = ("plugin", spec.evaluate, plan.code, runs) if spec.plugin else ("township", runs)
        out.append(Chunk(tuple(batch), item))
    return out


@dataclass
class RunStats:
    total: int
    already_done: int
    ran: int = 0
    failed: int = 0
    seconds: float = 0.0
