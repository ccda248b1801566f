"""The calibration spec file (TOML) of ``townsim calibrate``: read, validate, resolve, fingerprint.

In core because the experiments that use a posterior (compare, robust, validate) read its spec too.

Keys: the shared spec vocabulary (``experiments/core/spec.py``: description, evaluate, days,
replications, seed, [parameters], [overrides]) plus::

    description     = "one line"                    # optional
    scenario        = "linping"                     # township model: the scenario calibrated
    evaluate        = "package.module:function"     # OR a plug-in f(params: dict, seed: int) -> dict
    population_size = 200                           # particles per SMC generation
    max_generations = 8                             # stopping rule: at most this many generations ...
    minimum_epsilon = 0.0                           # ... or until the distance threshold falls to this
    seed            = 1
    days            = 40                            # township model: working days per run
    replications    = 1                             # runs averaged per particle (common seeds)
    predictive_draws = 40                           # posterior predictive check: draws from the posterior
    other_assumptions = "defaults"                  # township model: the assumptions not calibrated stay at
                                                    # the scenario's values ("defaults") or each simulation
                                                    # draws them from their plausible ranges ("drawn")

    [parameters]                                    # the unknowns, with their priors (shared vocabulary;
    department_staff = {dist = "uniform", bounds = [150, 450]}   #  on/off switches cannot be calibrated)
    learning_cases   = {dist = "logunif", bounds = [10, 500]}
    online_share     = {dist = "normal", mean = 0.7, sd = 0.1, bounds = [0, 1]}   # cut to the bounds

    [targets]                                       # observed summary statistics
    on_time_rate = 0.95                             # a measurement: distance |s − v| / scale
    mean_resolution_days = {value = 0.5, scale = 0.1, weight = 2}
    property_simple_within_1h_share = {min = 0.9}   # a promise: distance max(0, min − s) / scale

    [holdout]                                       # optional: statistics NOT fitted, only checked
    on_time_rate_tier5 = {min = 0.95}               # (same syntax as [targets])

    [overrides]                                     # fixed Params changes (the reduced county)
    residents_per_agent = 5000

The distance of a particle is the weighted sum of the targets' distances. Every error is a
:class:`SpecError` whose ``str()`` is one line: file, key, what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from townsim.experiments.core import assumptions
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.spec import ExperimentSpec, KeyProblem, Parameter, SpecError, kind_of, num, suggest
from townsim.experiments.core.store import content_id, hashable
from townsim.model import TownshipModel
from townsim.model.metrics import SUMMARY_KEYS

from .memory import released_models

__all__ = [
    "SpecError",
    "Prior",
    "Target",
    "CalibrationSpec",
    "load_spec",
    "parse_spec",
    "fingerprint",
    "simulate_township",
]


@dataclass(frozen=True)
class Prior:
    """A parameter's prior, from the shared :class:`Parameter` (SALib names: unif, logunif, truncnorm,
    triang); integer parameters are drawn continuously and rounded in the model."""

    param: Parameter

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def integer(self) -> bool:
        return self.param.kind == "int"

    @property
    def low(self) -> float:
        return self.param.low

    @property
    def high(self) -> float:
        return self.param.high

    def rv(self):
        """The pyabc random variable (a scipy.stats distribution)."""
        import pyabc  # deferred: pyabc is heavy, loaded only by calibration

        p = self.param
        lo, hi = p.low, p.high
        if p.dist == "logunif":
            return pyabc.RV("loguniform", lo, hi)
        if p.dist == "truncnorm":
            mean, sd = p.shape
            return pyabc.RV("truncnorm", (lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)
        if p.dist == "triang":
            return pyabc.RV("triang", p.shape[0], loc=lo, scale=hi - lo)
        return pyabc.RV("uniform", lo, hi - lo)

    def describe(self) -> str:
        return self.param.describe()


@dataclass(frozen=True)
class Target:
    """An observed statistic: a measurement (``kind="value"``) or a published bound (``"min"``/``"max"``)."""

    name: str
    kind: str
    value: float
    scale: float = 1.0
    weight: float = 1.0

    def distance(self, s: float) -> float:
        """Weighted distance of a simulated value ``s`` (NaN counts as far away: 1e6)."""
        if s is None or not math.isfinite(s):
            return 1e6
        if self.kind == "value":
            d = abs(s - self.value)
        elif self.kind == "min":
            d = max(0.0, self.value - s)
        else:
            d = max(0.0, s - self.value)
        return self.weight * d / self.scale

    def met(self, s: float) -> bool:
        """Whether ``s`` satisfies a bound (for a measurement: within one scale of it)."""
        if s is None or not math.isfinite(s):
            return False
        if self.kind == "min":
            return s >= self.value
        if self.kind == "max":
            return s <= self.value
        return abs(s - self.value) <= self.scale

    def describe(self) -> str:
        sym = {"value": "=", "min": "≥", "max": "≤"}[self.kind]
        return f"{sym} {num(self.value)}"


class CalibrationSpec(ExperimentSpec):
    """The shared spec plus the ABC keys; ``scenario`` names the one scenario calibrated."""

    scenario: str | None = None
    replications: int = Field(1, ge=1, le=1000)
    population_size: int = Field(ge=10, le=100_000)
    max_generations: int = Field(ge=1, le=1000)
    minimum_epsilon: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    predictive_draws: int = Field(40, ge=2, le=100_000)
    other_assumptions: Literal["defaults", "drawn"] = "defaults"
    target_table: dict[str, Any] = Field(default_factory=dict, alias="targets")
    holdout_table: dict[str, Any] = Field(default_factory=dict, alias="holdout")
    _targets: tuple[Target, ...] = PrivateAttr(default=())
    _holdout: tuple[Target, ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _one_scenario(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if "scenarios" in data:
                raise KeyProblem("scenarios", 'a calibration has one scenario: write scenario = "NAME"')
            if data.get("evaluate") is None:
                sc = data.get("scenario")
                if not isinstance(sc, str) or not sc.strip():
                    raise KeyProblem(
                        "scenario", 'missing; give a scenario name (e.g. "linping") or an evaluate plug-in'
                    )
                data = {**data, "scenarios": [sc]}
            elif "scenario" in data:
                raise KeyProblem(
                    "scenario", "not used with an evaluate plug-in (it replaces the township model); remove it"
                )
        return data

    @model_validator(mode="after")
    def _check_abc(self) -> CalibrationSpec:
        for p in self.parameters:
            if p.kind == "bool":
                raise KeyProblem(
                    f"parameters.{p.name}",
                    "an on/off switch cannot be calibrated; allowed: numeric "
                    "or integer parameters (fix the switch in [overrides])",
                )
        known = None
        if not self.plugin:
            known = tuple(SUMMARY_KEYS)
        self._targets = _read_targets(self.target_table, "targets", known, required=True)
        self._holdout = _read_targets(self.holdout_table, "holdout", known, required=False)
        clash = {t.name for t in self._targets} & {t.name for t in self._holdout}
        if clash:
            raise KeyProblem(
                "holdout", f"'{sorted(clash)[0]}' is also a target; a held-out statistic must not be fitted"
            )
        return self

    @property
    def priors(self) -> tuple[Prior, ...]:
        return tuple(Prior(p) for p in self.parameters)

    @property
    def targets(self) -> tuple[Target, ...]:
        return self._targets

    @property
    def holdout(self) -> tuple[Target, ...]:
        return self._holdout

    @property
    def model_params(self):
        """The calibrated scenario's Params after ``[overrides]`` (None for a plug-in)."""
        return None if self.plugin else self.base_params[self.scenarios[0]]

    @property
    def statistics(self) -> list[str]:
        """Every statistic simulated: targets, then held-out ones."""
        names = [t.name for t in self.targets]
        return names + [t.name for t in self.holdout if t.name not in names]


def load_spec(path: str | Path) -> CalibrationSpec:
    """Read and validate a calibration spec file; :class:`SpecError` (one line) if invalid."""
    return CalibrationSpec.load(path)


def parse_spec(data: dict[str, Any], path: str | Path = "<spec>") -> CalibrationSpec:
    return CalibrationSpec.parse(data, path)


def simulate_township(spec: CalibrationSpec, params: Any, seed: int) -> dict[str, float]:
    """Mean statistics (targets and held-out ones) of ``spec.replications`` runs of the township model
    at ``params`` (seeds ``seed``, ``seed + 1``, ...; the spec's horizon)."""
    rows = []
    with released_models():  # pyabc's workers run thousands of particles
        for r in range(spec.replications):
            rows.append(TownshipModel(params, rng=seed + r).run(spec.days).summary())
    return {n: float(np.nanmean([row.get(n, np.nan) for row in rows])) for n in spec.statistics}


def fingerprint(spec: CalibrationSpec) -> str:
    """A hash of everything that defines the posterior (a resumed run must have the same; a shipped
    posterior whose stamp differs was made by an earlier model or spec)."""
    key = spec.model_dump(
        mode="json", by_alias=True, exclude={"description", "max_generations", "minimum_epsilon", "predictive_draws"}
    )
    if key.get("other_assumptions") == "defaults":  # the default leaves earlier fingerprints unchanged
        key.pop("other_assumptions")
    key["params"] = _set_params(spec.model_params)
    if key.get("other_assumptions") == "drawn":  # what each simulation drew, and from which range
        drawn = assumptions.other_assumptions(spec.names, spec.overrides)
        key["drawn"] = [[a.name, a.low, a.high, a.dist, a.factor] for a in drawn]
    if isinstance(key.get("overrides"), dict):
        key["overrides"] = {k: content_id(v) for k, v in key["overrides"].items()}
    if not spec.plugin:  # a changed model is a different calibration (never resumed into the same database)
        key["model_code"] = model_fingerprint()
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _set_params(params: Any) -> dict[str, Any] | None:
    """The model parameters that differ from their defaults (a new field at its default, which changes
    nothing, leaves the fingerprint as it was; a changed default that changes behaviour changes the model's
    behaviour fingerprint instead)."""
    if params is None:
        return None
    values, defaults = hashable(params), hashable(type(params)())
    return {k: v for k, v in values.items() if k not in defaults or defaults[k] != v}


def _read_targets(table: Any, section: str, known, required: bool) -> tuple[Target, ...]:
    if required and not table:
        raise KeyProblem(
            section,
            "missing or empty; write [targets] with name = value, or name = {value = v, "
            "scale = s, weight = w}, or name = {min = v} / {max = v}",
        )
    out = []
    for name, spec in table.items():
        key = f"{section}.{name}"
        if known is not None and name not in known:
            raise KeyProblem(
                key,
                f"unknown statistic{suggest(name, known)}; allowed: summary KPIs such as "
                f"{', '.join(known[:6])}, ... (see the model API)",
            )
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            spec = {"value": spec}
        if not isinstance(spec, dict):
            raise KeyProblem(
                key, f"got {kind_of(spec)}; allowed: a number, {{value, scale, weight}} or {{min}} / {{max}}"
            )
        unknown = set(spec) - {"value", "min", "max", "scale", "weight"}
        if unknown:
            raise KeyProblem(key, f"unknown key '{sorted(unknown)[0]}'; allowed: value, min, max, scale, weight")
        kinds = [k for k in ("value", "min", "max") if k in spec]
        if len(kinds) != 1:
            raise KeyProblem(key, "give exactly one of value, min, max")
        kind = kinds[0]
        v = spec[kind]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise KeyProblem(key, f"{kind}: got {v!r}; allowed: a finite number")
        scale = spec.get("scale", abs(v) if (kind == "value" and v) else 1.0)
        weight = spec.get("weight", 1.0)
        for label, x in (("scale", scale), ("weight", weight)):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x < math.inf:
                raise KeyProblem(key, f"{label}: got {x!r}; allowed: a finite number > 0")
        out.append(Target(name, kind, float(v), float(scale), float(weight)))
    return tuple(out)
