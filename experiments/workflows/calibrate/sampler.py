"""A deterministic batch sampler for pyabc whose simulations are the runner's jobs.

pyabc's own parallel samplers accept particles in the order workers finish, and each worker seeds
itself: two runs differ. Here generation ``t`` evaluates proposals in batches of a fixed size; proposal
``i`` draws (from the transition kernel, and its simulation's seed) from numpy's global generator seeded
by ``(seed, t, i)``. Each proposal is made twice in this process: first only up to the model, which
records its simulation (parameter values and seed) instead of running it; then the batch's simulations
go to ``evaluate`` (the runner: any executor, each result stored under its content key); then each
proposal is made again with the same seed, its model handing back the stored statistics, and pyabc
weighs and accepts it. Proposals are accepted in index order until the population is full. The
posterior is a function of the spec's seed alone, whatever the executor, and a resumed run (whose
generation ``t`` gets the same seeds and finds its finished simulations in the store) equals an
uninterrupted one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

Simulation = tuple[dict, int]
Evaluate = Callable[[int, list[Simulation]], list[dict[str, float]]]
"""``evaluate(t, simulations)``: the statistics of each simulation of generation ``t``, in order."""


class Proposed(Exception):  # noqa: N818 - a signal, not an error
    """Raised by the model while a proposal is recorded: the simulation it asks for."""

    def __init__(self, values: dict, seed: int):
        super().__init__("proposal recorded")
        self.values, self.seed = values, seed


class _Replay:
    """The statistics the model hands back while a proposal is replayed (None: record it instead)."""

    stats: dict[str, float] | None = None


def simulated(values: dict, seed: int) -> dict[str, float]:
    """What the pyabc model returns for a proposal: its stored statistics while replaying; while
    recording, :class:`Proposed` (pyabc's proposal stops at the model)."""
    if _Replay.stats is None:
        raise Proposed(values, seed)
    return _Replay.stats


def proposal_seed(seed: int, t: int, index: int) -> int:
    """The 32-bit seed of proposal ``index`` of generation ``t`` (``t = -1``: pyabc's calibration sample)."""
    return int(np.random.SeedSequence([int(seed), int(t) + 1, int(index)]).generate_state(1)[0])


def _seed(s: int) -> None:
    np.random.seed(s)  # noqa: NPY002 - pyabc and the model draw from numpy's global generator
    random.seed(s)


def propose(simulate_one: Callable[[], Any], s: int) -> Simulation:
    """The simulation that pyabc's proposal seeded by ``s`` asks for (nothing is simulated)."""
    _seed(s)
    try:
        simulate_one()
    except Proposed as p:
        return p.values, p.seed
    raise RuntimeError("a pyabc proposal did not call the calibration model")


def replay(simulate_one: Callable[[], Any], s: int, stats: dict[str, float]) -> Any:
    """pyabc's particle of the proposal seeded by ``s``, its model returning ``stats``."""
    _seed(s)
    _Replay.stats = stats
    try:
        return simulate_one()
    finally:
        _Replay.stats = None


class BatchSampler(Sampler):
    """pyabc sampler: batches of ``batch`` proposals, simulated by ``evaluate``, accepted in index order."""

    def __init__(self, evaluate: Evaluate, seed: int, batch: int):
        super().__init__()
        self.evaluate, self.seed, self.batch = evaluate, int(seed), max(1, int(batch))
        self.batches = 0

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):  # noqa: ARG002 - pyabc's signature
        sample = self._create_empty_sample()
        evaluated = accepted = 0
        while accepted < n and evaluated < max_eval:
            seeds = [proposal_seed(self.seed, t, evaluated + j) for j in range(self.batch)]
            stats = self.evaluate(t, [propose(simulate_one, s) for s in seeds])
            self.batches += 1
            for s, st in zip(seeds, stats):  # index order
                particle = replay(simulate_one, s, st)
                sample.append(particle)
                evaluated += 1
                accepted += bool(particle.accepted)
                if accepted >= n or evaluated >= max_eval:
                    break
        self.nr_evaluations_ = evaluated
        if sample.n_accepted < n:
            sample.ok = False
        return sample
