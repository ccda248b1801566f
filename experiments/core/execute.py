"""The one ``execute``: run a design's specs on any executor, through the resumable store.

:func:`simulate_run` performs one :class:`~townsim.experiments.core.design.RunSpec` in a
worker (it only calls :func:`townsim.model.simulate`); :func:`execute` runs a list of specs
on any executor of :mod:`~townsim.experiments.core.executors`, skipping the ones the
:class:`~townsim.experiments.core.store.ResultStore` already holds (resume) and writing each
outcome — row and daily table, or the failure — as soon as it arrives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd

from townsim.experiments.core.design import Design, RunSpec, make_specs, run_hash  # noqa: F401 - re-exported
from townsim.experiments.core.executors import Executor, Failure
from townsim.experiments.core.fingerprint import model_fingerprint  # noqa: F401 - re-exported
from townsim.experiments.core.progress import progress_bar
from townsim.experiments.core.store import ResultStore


def simulate_run(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame]:
    """Run the model once (in a worker): ``model.simulate(params, seed, days)``."""
    from townsim.model import simulate  # imported in the worker, where the run happens

    summary, timeseries = simulate(spec.params, spec.seed, spec.days)
    return dict(summary), timeseries


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
