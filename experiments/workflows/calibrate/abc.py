"""ABC-SMC of a calibration spec with pyabc (resumable from its SQLite database).

pyabc is used because it is maintained, installs from wheels on Python 3.11, implements ABC-SMC
with adaptive thresholds and adaptive transition kernels, stores every generation in a database
from which a stopped run is continued (``ABCSMC.load``), and runs on local processes or on a
Dask cluster — the two back-ends of the other townsim commands.
"""

from __future__ import annotations

import functools
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core import posterior as posterior_core
from townsim.experiments.core.calibration import CalibrationSpec, fingerprint, simulate_township  # noqa: F401 - re-exported
from townsim.experiments.core.posterior import COUNTY_SIZES  # noqa: F401 - re-exported
from townsim.experiments.core.spec import load_evaluate

DB_NAME = "abc.db"


def log_scaled(prior) -> bool:
    """Whether ABC works on the logarithm of this parameter (a log-uniform prior): the transition kernel's
    covariance then mixes comparable scales (a rate of 1e-4 next to a count of 50 makes it singular)."""
    return prior.param.dist == "logunif"


def abc_rv(prior):
    """The prior as pyabc samples it: uniform on the logarithm for a log-uniform prior, else :meth:`Prior.rv`."""
    import pyabc  # deferred: pyabc is heavy, loaded only by calibration

    if log_scaled(prior):
        lo, hi = math.log(prior.low), math.log(prior.high)
        return pyabc.RV("uniform", lo, hi - lo)
    return prior.rv()


def from_abc(spec: CalibrationSpec, pars: dict[str, Any]) -> dict[str, float]:
    """A pyabc particle in model units (the exponential of a log-scaled parameter)."""
    return {p.name: float(np.exp(float(pars[p.name]))) if log_scaled(p) else float(pars[p.name]) for p in spec.priors}


def particle_values(spec: CalibrationSpec, pars: dict[str, Any]) -> dict[str, Any]:
    """Model values of a particle (integer parameters rounded)."""
    out = {}
    for p in spec.priors:
        v = float(pars[p.name])
        out[p.name] = int(round(v)) if p.integer else v
    return out


def simulate(spec: CalibrationSpec, values: dict[str, Any], seed: int) -> dict[str, float]:
    """Mean statistics (targets and held-out ones) of ``spec.replications`` runs at ``values``."""
    if spec.plugin:
        fn = _plugin(spec.evaluate)
        rows = [fn(dict(values), seed + r) for r in range(spec.replications)]
        return {n: float(np.nanmean([row.get(n, np.nan) for row in rows])) for n in spec.statistics}
    params = with_other_assumptions(spec, spec.model_params.replace(**values), seed)
    return simulate_township(spec, params, seed)


def other_assumptions(spec: CalibrationSpec):
    """The assumptions a simulation draws from their ranges (``other_assumptions = "drawn"``): every
    declared assumption that is not calibrated, not fixed in ``[overrides]`` and not a county size."""
    if spec.plugin or spec.other_assumptions != "drawn":
        return []
    return posterior_core.other_assumptions(spec.names, spec.overrides)


def with_other_assumptions(spec: CalibrationSpec, params, seed: int):
    """``params`` with the other assumptions drawn uniformly (or log-uniformly) on their plausible ranges
    from ``seed`` (one world per simulation: the calibration integrates over them); unchanged if none."""
    return posterior_core.with_other_values(params, other_assumptions(spec), seed)


@functools.lru_cache(maxsize=8)
def _plugin(target: str):
    return load_evaluate(target)


def distance(spec: CalibrationSpec, stats: dict[str, float]) -> float:
    """Weighted sum of the targets' distances."""
    return float(sum(t.distance(stats.get(t.name, np.nan)) for t in spec.targets))


class Model:
    """The pyabc model: a particle's parameters → its simulation (values, fresh seed) → its statistics,
    which the batch sampler runs as the runner's jobs (:func:`.sampler.simulated`)."""

    def __init__(self, spec: CalibrationSpec):
        self.spec = spec

    def __call__(self, pars) -> dict[str, float]:
        from .sampler import simulated  # deferred: it pulls in pyabc (heavy)

        # the sampler seeds numpy's global generator per proposal: draw from it, not a private one
        seed = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002
        return simulated(particle_values(self.spec, from_abc(self.spec, pars)), seed)


class Distance:
    def __init__(self, spec: CalibrationSpec):
        self.spec = spec

    def __call__(self, x: dict, x0: dict) -> float:
        return distance(self.spec, x)


def batch_size(spec: CalibrationSpec) -> int:
    """Proposals evaluated together (fixed by the spec, never by the workers: the posterior must not
    depend on them); at most this many simulations of a generation are made and not used."""
    return max(16, spec.population_size // 2)


def make_sampler(spec: CalibrationSpec, evaluate=None):
    """The deterministic batch sampler of ``spec``; ``evaluate(t, simulations)`` runs a batch's simulations
    (default: one after another in this process, nothing stored)."""
    from .sampler import BatchSampler  # deferred: it pulls in pyabc (heavy)

    def here(t: int, runs: list) -> list[dict[str, float]]:
        return [simulate(spec, dict(values), seed) for values, seed in runs]

    return BatchSampler(evaluate or here, spec.seed, batch_size(spec))


def run_abc(spec: CalibrationSpec, folder: Path, sampler=None, log=None):
    """Run (or resume) ABC-SMC in ``folder``; return the pyabc History.

    The database ``folder/abc.db`` holds every finished generation: a rerun continues from the last
    one until ``max_generations`` generations exist or the threshold reaches ``minimum_epsilon``.
    """
    import pyabc  # deferred: pyabc is heavy, loaded only by calibration

    logging.getLogger("ABC").setLevel(logging.WARNING if log is None else logging.INFO)
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / DB_NAME
    db = f"sqlite:///{db_path.resolve()}"
    prior = pyabc.Distribution(**{p.name: abc_rv(p) for p in spec.priors})
    abc = pyabc.ABCSMC(
        Model(spec), prior, Distance(spec), population_size=spec.population_size, sampler=sampler or make_sampler(spec)
    )
    observed = {t.name: t.value for t in spec.targets}
    done = 0
    if db_path.exists():
        hist = pyabc.History(db)
        done = hist.n_populations if hist.all_runs() else 0
    # every proposal is seeded by (seed, generation, index) in the sampler; the main process's own
    # draws (if any) start from the same state whether this run is new or resumed
    np.random.seed(spec.seed % 2**32)  # noqa: NPY002
    if done:
        abc.load(db, 1)
    else:
        if db_path.exists():
            db_path.unlink()  # a database without one finished generation: start again
        abc.new(db, observed)
    remaining = spec.max_generations - done
    if remaining > 0 and not _converged(abc.history, spec):
        abc.run(minimum_epsilon=spec.minimum_epsilon, max_nr_populations=remaining)
    return abc.history


def _converged(history, spec: CalibrationSpec) -> bool:
    try:
        pops = history.get_all_populations()
    except Exception:  # noqa: BLE001 - empty history
        return False
    pops = pops[pops.t >= 0]
    return bool(len(pops)) and float(pops.epsilon.iloc[-1]) <= spec.minimum_epsilon


def posterior(history, spec: CalibrationSpec) -> pd.DataFrame:
    """The last generation: one column per parameter (model values) and ``weight`` (sums to 1)."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    cols = {p.name: df[p.name].to_numpy(float) for p in spec.priors}
    out = pd.DataFrame({p.name: np.exp(cols[p.name]) if log_scaled(p) else cols[p.name] for p in spec.priors})
    for p in spec.priors:
        if p.integer:
            out[p.name] = np.round(out[p.name]).astype(int)
    out["weight"] = np.asarray(w, float) / float(np.sum(w))
    return out.reset_index(drop=True)


def generations(history) -> pd.DataFrame:
    """One row per SMC generation: threshold, simulations, particles, acceptance rate, end time."""
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0].copy()
    pops["acceptance_rate"] = pops["particles"] / pops["samples"]
    pops.columns = ["generation" if c == "t" else "simulations" if c == "samples" else c for c in pops.columns]
    return pops.reset_index(drop=True)


def weighted_quantile(x, w, q):
    """Quantiles ``q`` of values ``x`` with weights ``w``."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(x)
    x, w = x[order], w[order]
    cw = np.cumsum(w) - 0.5 * w
    cw /= w.sum()
    return np.interp(q, cw, x)


def draw(post: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` draws from a weighted posterior (resampled by weight; a fixed seed)."""
    return posterior_core.resample(post, n, seed)
