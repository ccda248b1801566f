"""A deterministic batch sampler for pyabc: the same particles whatever the executor or its workers.

pyabc's own parallel samplers accept particles in the order workers finish, and each worker seeds
itself: two runs differ. Here generation ``t`` evaluates proposals in batches of a fixed size;
proposal ``i`` draws (from the transition kernel and inside the model) from numpy's global generator
seeded by ``(seed, t, i)``; the batch runs on any of the project's executors (serial, processes,
Dask) and the proposals are accepted in index order until the population is full. The posterior is
then a function of the spec's seed alone, and a resumed run (whose generation ``t`` gets the same
seeds) equals an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler

from townsim.experiments.core.executors import Failure
from townsim.experiments.errors import RunFailed

_CACHE: dict[str, Any] = {}
"""Worker-side cache: digest of a pickled ``simulate_one`` → the function (one unpickling per generation)."""


def proposal_seed(seed: int, t: int, index: int) -> int:
    """The 32-bit seed of proposal ``index`` of generation ``t`` (``t = -1``: pyabc's calibration sample)."""
    return int(np.random.SeedSequence([int(seed), int(t) + 1, int(index)]).generate_state(1)[0])


def simulate_proposals(item: tuple[Any, list[int]]) -> list[Any]:
    """Worker: one particle per seed (module level, so every executor can ship it)."""
    fn, seeds = item
    if isinstance(fn, bytes):
        key = hashlib.sha256(fn).hexdigest()
        if key not in _CACHE:
            _CACHE.clear()
            _CACHE[key] = cloudpickle.loads(fn)
        fn = _CACHE[key]
    out = []
    for s in seeds:
        np.random.seed(s)  # noqa: NPY002 - pyabc and the model draw from numpy's global generator
        random.seed(s)
        out.append(fn())
    return out


class BatchSampler(Sampler):
    """pyabc sampler over a project executor: batches of ``batch`` proposals, accepted in index order."""

    def __init__(self, executor, seed: int, batch: int):
        super().__init__()
        self.executor, self.seed, self.batch = executor, int(seed), max(1, int(batch))
        self.batches = 0

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):  # noqa: ARG002 - pyabc's signature

        sample = self._create_empty_sample()
        local = self.executor.workers == 1 and self.executor.name == "serial"
        payload = simulate_one
        if not local:
            payload = cloudpickle.dumps(simulate_one)
        evaluated = accepted = 0
        while accepted < n and evaluated < max_eval:
            seeds = [proposal_seed(self.seed, t, evaluated + j) for j in range(self.batch)]
            size = math.ceil(len(seeds) / max(1, self.executor.workers))
            chunks = [seeds[k : k + size] for k in range(0, len(seeds), size)]
            results: list[Any] = [None] * len(chunks)
            for i, outcome in self.executor.map(simulate_proposals, [(payload, c) for c in chunks]):
                if isinstance(outcome, Failure):
                    raise RunFailed(f"calibration generation {t}: a simulation failed ({outcome.error})")
                results[i] = outcome
            self.batches += 1
            for particle in (p for chunk in results for p in chunk):  # index order
                sample.append(particle)
                evaluated += 1
                accepted += bool(particle.accepted)
                if accepted >= n or evaluated >= max_eval:
                    break
        self.nr_evaluations_ = evaluated
        if sample.n_accepted < n:
            sample.ok = False
        return sample
