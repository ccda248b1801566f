"""Runs: the pure function (resolved Params, seed, days) → (summary row, daily KPI table), executed at scale.

:class:`RunSpec` describes one run; :func:`simulate_run` performs it in a
worker (it only calls :func:`model.simulate`); :func:`execute` runs a list of
specs on any executor of :mod:`experiments.executors`, skipping the ones the
:class:`~experiments.store.ResultStore` already holds (resume) and writing each
outcome — row and daily table, or the failure — as soon as it arrives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd

from townsim.experiments.core.executors import Executor, Failure
from townsim.experiments.core.progress import progress_bar
from townsim.experiments.core.seeds import scenario_seeds
from townsim.experiments.core.store import ResultStore, RunKey, param_hash


@dataclass(frozen=True)
class RunSpec:
    """One run: a scenario label, its resolved parameters, replication index, seed and horizon (days)."""

    scenario: str
    params: Any  # model.params.Params (pydantic, picklable)
    replication: int
    seed: int
    days: int
    code: str = ""  # fingerprint of the model code (see model_fingerprint)

    @property
    def key(self) -> RunKey:
        """Store key; the hash covers the parameters, the horizon and the model code."""
        return RunKey(self.scenario, run_hash(self.params, self.days, self.code), self.replication, self.seed)


def run_hash(params: Any, days: int, code: str = "") -> str:
    """Hash of the resolved parameters, the number of simulated days and the model-code fingerprint."""
    data = params.model_dump(mode="json") if hasattr(params, "model_dump") else dict(params)
    return param_hash({"params": data, "days": int(days), "code": code})


def model_fingerprint() -> str:
    """SHA-256 (16 hex digits) of every ``model/**/*.py`` file on this machine.

    Part of every run key, so resuming after the model changed reruns the runs
    instead of mixing two model versions in one table. (Long-lived Dask workers
    keep the code they imported: restart them after changing the model.)
    """
    import hashlib
    from pathlib import Path

    import townsim.model as model

    root = Path(model.__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def simulate_run(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame]:
    """Run the model once (in a worker): ``model.simulate(params, seed, days)``."""
    from townsim.model import simulate  # imported in the worker, where the run happens

    summary, timeseries = simulate(spec.params, spec.seed, spec.days)
    return dict(summary), timeseries


def make_specs(scenarios: Sequence[tuple[str, Any]], reps: int, days: int, base_seed: int,
               common_random_numbers: bool = True, code: str | None = None) -> list[RunSpec]:
    """Specs for every (scenario, replication), scenario-major.

    With common random numbers (default) replication ``r`` has the same seed in
    every scenario; otherwise each scenario gets its own seed stream
    (:func:`experiments.seeds.scenario_seeds`). ``code`` defaults to :func:`model_fingerprint`.
    """
    code = model_fingerprint() if code is None else code
    specs = []
    for k, (name, params) in enumerate(scenarios):
        seeds = scenario_seeds(base_seed, reps, k, common=common_random_numbers)
        specs += [RunSpec(name, params, r, s, int(days), code) for r, s in enumerate(seeds)]
    return specs


@dataclass
class ExecutionReport:
    """What :func:`execute` did: counts and wall-clock seconds."""

    total: int = 0
    skipped: int = 0          # already in the store (resumed)
    ran: int = 0              # finished now
    failed: int = 0           # raised (recorded in the store)
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "skipped": self.skipped, "ran": self.ran,
                "failed": self.failed, "seconds": round(self.seconds, 3)}


def execute(specs: Sequence[Any], store: ResultStore, executor: Executor,
            fn: Callable[[Any], Any] = simulate_run, desc: str = "runs",
            show_progress: bool | None = None) -> ExecutionReport:
    """Run every spec not yet in ``store`` on ``executor``; write each outcome as it arrives.

    ``fn(spec)`` returns ``(row, timeseries)`` or just a row dict; each spec has a
    ``key`` (:class:`RunKey`). A raising run is stored as a failure and the others go on.
    Returns counts; the results themselves are read back from ``store``.
    """
    t0 = time.perf_counter()
    store.cleanup()
    todo = [s for s in specs if not store.has(s.key)]
    rep = ExecutionReport(total=len(specs), skipped=len(specs) - len(todo))
    with progress_bar(len(specs), desc=desc, initial=rep.skipped, enabled=show_progress) as bar:
        for i, outcome in executor.map(fn, todo):
            key = todo[i].key
            if isinstance(outcome, Failure):
                store.put_failure(key, outcome)
                rep.failed += 1
                rep.failures.append({**key.as_dict(), "error": outcome.error})
            else:
                row, ts = outcome if isinstance(outcome, tuple) else (outcome, None)
                store.put(key, row, ts)
                rep.ran += 1
            bar.update(1)
    rep.seconds = time.perf_counter() - t0
    return rep
