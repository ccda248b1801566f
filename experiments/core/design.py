"""Designs: scenarios × points × replications, each run a :class:`RunSpec` (parameters, days, seed).

Every workflow builds its runs here and hands them to :func:`townsim.experiments.core.execute.execute`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.seeds import scenario_seeds
from townsim.experiments.core.store import RunKey, hashable, param_hash
from townsim.model import catalogue
from townsim.scenarios import SCENARIO_DIR


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
    return param_hash({"params": hashable(params), "days": int(days), "code": code})


def make_specs(
    scenarios: Sequence[tuple[str, Any]],
    reps: int,
    days: int,
    base_seed: int,
    common_random_numbers: bool = True,
    code: str | None = None,
) -> list[RunSpec]:
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
class Design:
    """Scenarios × points × replications.

    ``runs`` holds ``(scenario label, point index, Params)`` triples (one per scenario and point);
    each gets ``reps`` replications with seeds from ``seed`` (common random numbers by default:
    replication ``r`` has the same seed at every scenario and point).
    """

    runs: list[tuple[str, int, Any]]
    reps: int
    days: int
    seed: int
    common_random_numbers: bool = True
    code: str = field(default_factory=model_fingerprint)

    def specs(self) -> list[RunSpec]:
        """Every run spec, scenario-major then point, replication-minor."""
        out: list[RunSpec] = []
        index: dict[str, int] = {}
        for name, _point, params in self.runs:
            k = index.setdefault(name, len(index))
            seeds = scenario_seeds(self.seed, self.reps, k, common=self.common_random_numbers)
            out += [RunSpec(name, params, r, s, int(self.days), self.code) for r, s in enumerate(seeds)]
        return out


def check_model_inputs(params: Any) -> None:
    """Raise ValueError (one line) if the model cannot be built from ``params`` (e.g. a bad matter catalogue).

    Builds what the model reads from files (the matter catalogue) once, before any run, so that a
    bad scenario is bad input (exit 2, nothing written) rather than a failed run in every replication.
    """
    if getattr(params, "matter_catalogue", None):
        catalogue.build(params, np.random.default_rng(0), base_dir=SCENARIO_DIR)
