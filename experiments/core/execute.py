"""The one ``execute``: run a design's specs on any executor, through the resumable store.

:func:`simulate_run` performs one :class:`~townsim.experiments.core.design.RunSpec` in a
worker (it only calls :func:`townsim.model.simulate`); :func:`execute` runs a list of specs
on any executor of :mod:`~townsim.experiments.core.executors`, skipping the ones the
:class:`~townsim.experiments.core.store.ResultStore` already holds (resume) and writing each
outcome — row and daily table, or the failure — as soon as it arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from townsim.experiments.core.design import Design, RunSpec, make_specs, run_hash  # noqa: F401 - re-exported
from townsim.experiments.core.executors import Executor, Failure
from townsim.experiments.core.fingerprint import model_fingerprint  # noqa: F401 - re-exported
from townsim.experiments.core.progress import progress_bar
from townsim.experiments.core.store import ResultStore, RunKey
from townsim.model import simulate
from townsim.model.warmstart import warmed


def simulate_run(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame]:
    """Run the model once (in a worker): ``model.simulate(params, seed, days)``."""
    summary, timeseries = simulate(spec.params, spec.seed, spec.days)
    return dict(summary), timeseries


@dataclass
class ExecutionReport:
    """What :func:`execute` did: counts and wall-clock seconds."""

    total: int = 0
    skipped: int = 0  # already in the store (resumed)
    ran: int = 0  # finished now
    failed: int = 0  # raised (recorded in the store)
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "skipped": self.skipped,
            "ran": self.ran,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
        }


def simulate_run_with_cases(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame, dict[str, pd.DataFrame]]:
    """:func:`simulate_run` plus the run's table of cases (``TownshipModel.cases_frame``), stored as ``cases``."""
    model = warmed(spec.params, spec.seed)
    model.run(spec.days)
    return dict(model.summary()), model.timeseries(), {"cases": model.cases_frame()}


def keys_of(job: Any) -> list[RunKey]:
    """The store keys of one job: a run spec's ``key``, or a batch's ``keys`` (several short runs in one task)."""
    return [job.key] if hasattr(job, "key") else list(job.keys)


def execute(
    specs: Sequence[Any],
    store: ResultStore,
    executor: Executor,
    fn: Callable[[Any], Any] = simulate_run,
    desc: str = "runs",
    show_progress: bool | None = None,
) -> ExecutionReport:
    """Run every job not yet in ``store`` on ``executor``; write each outcome as it arrives.

    A job is a run spec with a ``key`` (:class:`RunKey`), for which ``fn(job)`` returns
    ``(row, timeseries)``, ``(row, timeseries, {name: table})`` or a row dict, or a batch with ``keys``,
    for which ``fn(job)`` returns a list of such outcomes, one per key (short plug-in runs travel together).
    A raising run is stored as a failure and the others go on. Returns counts; the results
    themselves are read back from ``store``.
    """
    t0 = time.perf_counter()
    store.cleanup()
    total = sum(len(keys_of(s)) for s in specs)
    todo = [s for s in specs if not all(store.has(k) for k in keys_of(s))]
    rep = ExecutionReport(total=total, skipped=total - sum(len(keys_of(s)) for s in todo))
    with progress_bar(total, desc=desc, initial=rep.skipped, enabled=show_progress) as bar:
        for i, outcome in executor.map(fn, todo):
            keys = keys_of(todo[i])
            outcomes = outcome if isinstance(outcome, list) else [outcome] * len(keys)
            for key, result in zip(keys, outcomes):
                if isinstance(result, Failure):
                    store.put_failure(key, result)
                    rep.failed += 1
                    rep.failures.append({**key.as_dict(), "error": result.error})
                else:
                    row, ts, *tables = result if isinstance(result, tuple) else (result, None)
                    store.put(key, row, ts, tables[0] if tables else None)
                    rep.ran += 1
            bar.update(len(keys))
    rep.seconds = time.perf_counter() - t0
    return rep
