"""Runs that share a warm-up go to one worker together.

A run starts from a copy of its warm-up, which a process makes once and keeps (``model.warmstart``). Runs
handed to a pool one by one land on whichever worker is free, so each worker made every warm-up again
(two workers: twice the ≈ 0.17 CPU-s construction per warm-up of a default county), and an experiment whose
runs come scenario by scenario (``compare``'s 20 replications cycle through more seeds than a process
keeps) made it for every run. :func:`by_warm_up` puts the runs that share one in a :class:`WarmUpGroup`,
one job: its runs run in turn in one worker, each stored as its own result, each failing alone. (A group's
results reach the store together when its last run ends: a killed experiment loses the finished runs of the
groups in flight, some tens of CPU-seconds, and runs them again when resumed.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from townsim.experiments.core.design import RunSpec
from townsim.experiments.core.executors import call_safely
from townsim.experiments.core.store import ResultStore, RunKey
from townsim.model.warmstart import warmup_key


@dataclass(frozen=True)
class WarmUpGroup:
    """Runs that start from one warm-up (the same warm-up parameters and seed), run in turn by one worker."""

    runs: tuple[RunSpec, ...]

    @property
    def keys(self) -> list[RunKey]:
        return [r.key for r in self.runs]


def by_warm_up(specs: Sequence[RunSpec], store: ResultStore | None = None) -> list[RunSpec | WarmUpGroup]:
    """The runs, those that share a warm-up in one group, in the order of each group's first run; a run that
    shares its warm-up with no other, or that ``store`` holds already, stays a run of its own (so that a
    resumed experiment runs and writes only the runs it lacks, and counts the others as done)."""
    slots: list[list[RunSpec]] = []
    groups: dict[Any, list[RunSpec]] = {}
    for spec in specs:
        key = None if store is not None and store.has(spec.key) else warmup_key(spec.params, spec.seed)
        group = groups.get(key) if key is not None else None
        if group is None:
            group = [spec]
            slots.append(group)
            if key is not None:
                groups[key] = group
        else:
            group.append(spec)
    return [WarmUpGroup(tuple(g)) if len(g) > 1 else g[0] for g in slots]


def _run_job(fn: Callable[[RunSpec], Any], job: RunSpec | WarmUpGroup) -> Any:
    if isinstance(job, WarmUpGroup):
        return [call_safely(fn, run) for run in job.runs]
    return fn(job)


def in_groups(fn: Callable[[RunSpec], Any]) -> Callable[[RunSpec | WarmUpGroup], Any]:
    """What a worker does with a job of :func:`by_warm_up`: ``fn`` of a run, or of each run of a group (a
    list of outcomes, a failing run's a ``Failure``)."""
    return partial(_run_job, fn)
