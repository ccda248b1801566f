"""A calibration's simulations as the runner's jobs: each one a stored run keyed by its content.

A simulation is a particle's parameter values and a seed; its result is the mean of every statistic
(targets and held-out ones) over the spec's replications (:func:`~.abc.simulate`). Its store key is
(scenario, hash of the values, 0, seed), like any experiment's run: a SIGKILLed calibration loses only the
simulations in flight, and a rerun finds the others in the store. Simulations travel in batches (one task
per worker of a generation's batch), each batch writing one result per simulation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from townsim.experiments.core.executors import call_safely
from townsim.experiments.core.store import ResultStore, RunKey, param_hash

from .abc import draw, simulate
from .spec import CalibrationSpec

Simulation = tuple[dict, int]
"""A particle's parameter values (model units) and the simulation's seed."""


def key_of(spec: CalibrationSpec, values: dict, seed: int) -> RunKey:
    """The store key of one simulation: its content (parameter values and seed) within the folder's spec."""
    return RunKey(spec.scenario or "plugin", param_hash(values), 0, int(seed))


@dataclass(frozen=True)
class Simulations:
    """A batch of simulations of ``spec`` run by one task (``keys``: one per simulation)."""

    spec: CalibrationSpec
    runs: tuple[Simulation, ...]

    @property
    def keys(self) -> list[RunKey]:
        return [key_of(self.spec, values, seed) for values, seed in self.runs]


def simulate_batch(batch: Simulations) -> list[Any]:
    """Worker: the statistics of every simulation of ``batch``, in order (one stored row each); a
    simulation that raises is its own :class:`~townsim.experiments.core.executors.Failure`, the others'
    results are kept."""
    return [call_safely(_simulate_one, (batch.spec, values, seed)) for values, seed in batch.runs]


def _simulate_one(item: tuple[CalibrationSpec, dict, int]) -> dict[str, float]:
    spec, values, seed = item
    return simulate(spec, dict(values), seed)


def batches(spec: CalibrationSpec, runs: Sequence[Simulation], workers: int) -> list[Simulations]:
    """``runs`` cut into one batch per worker (the cut changes the tasks, never a result)."""
    size = max(1, math.ceil(len(runs) / max(1, workers)))
    return [Simulations(spec, tuple(runs[k : k + size])) for k in range(0, len(runs), size)]


def statistics(spec: CalibrationSpec, store: ResultStore, runs: Sequence[Simulation]) -> list[dict[str, float]]:
    """The stored statistics of ``runs``, in order and in the spec's order of statistics;
    :class:`~townsim.experiments.core.store.IncompleteRuns` (one line) if any failed."""
    keys = [key_of(spec, values, seed) for values, seed in runs]
    rows = store.finished(keys)
    return [{n: float(rows[k][n]) for n in spec.statistics} for k in keys]


def predictive_runs(spec: CalibrationSpec, post: pd.DataFrame) -> tuple[pd.DataFrame, list[Simulation]]:
    """The posterior predictive check's ``spec.predictive_draws`` draws from ``post`` (resampled by weight,
    a fixed seed) and their simulations (a fresh seed each)."""
    draws = draw(post, spec.predictive_draws, (spec.seed + 7919) % 2**32)
    runs = [
        (
            {k: (int(v) if p.integer else float(v)) for (k, v), p in zip(row.items(), spec.priors)},
            (spec.seed * 1000 + 100_000 + i) % 2**31,
        )
        for i, row in enumerate(draws.to_dict("records"))
    ]
    return draws, runs


def predictive(spec: CalibrationSpec, post: pd.DataFrame, store: ResultStore) -> pd.DataFrame:
    """The posterior predictive table from the store: one row per draw, its parameters and every statistic."""
    draws, runs = predictive_runs(spec, post)
    return pd.concat([draws, pd.DataFrame(statistics(spec, store, runs))], axis=1)
