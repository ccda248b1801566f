"""The calibration spec file (TOML) of ``townsim calibrate``: read, validate, resolve.

Keys (the sensitivity spec's conventions)::

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

    [parameters]                                    # the unknowns, with their priors
    department_staff = {dist = "uniform", bounds = [150, 450]}
    learning_cases   = {dist = "logunif", bounds = [10, 500]}
    online_share     = {dist = "normal", mean = 0.7, sd = 0.1, bounds = [0, 1]}   # truncated to bounds

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

import math
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from townsim.experiments.sensitivity.spec import (
    SpecError, _apply_overrides, _int, _kind, _num, _show, _suggest, load_evaluate, township_outputs)

TOP_KEYS = ("description", "scenario", "evaluate", "population_size", "max_generations", "minimum_epsilon",
            "seed", "days", "replications", "predictive_draws", "parameters", "targets", "holdout", "overrides")
DISTS = ("uniform", "logunif", "normal")
DEFAULT_DAYS = 250

__all__ = ["SpecError", "Prior", "Target", "CalibrationSpec", "load_spec", "parse_spec"]


@dataclass(frozen=True)
class Prior:
    """A parameter's prior: uniform or log-uniform on ``[low, high]``, or normal(mean, sd) truncated to it.
    ``integer`` parameters are drawn continuously and rounded to whole numbers in the model."""

    name: str
    dist: str
    low: float
    high: float
    mean: float | None = None
    sd: float | None = None
    integer: bool = False

    def rv(self):
        """The pyabc random variable (a scipy.stats distribution)."""
        import pyabc

        if self.dist == "uniform":
            return pyabc.RV("uniform", self.low, self.high - self.low)
        if self.dist == "logunif":
            return pyabc.RV("loguniform", self.low, self.high)
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return pyabc.RV("truncnorm", a, b, loc=self.mean, scale=self.sd)

    def describe(self) -> str:
        rng = f"[{_num(self.low)}, {_num(self.high)}]"
        if self.dist == "normal":
            return f"normal(mean {_num(self.mean)}, sd {_num(self.sd)}) truncated to {rng}"
        return f"{'log-uniform' if self.dist == 'logunif' else 'uniform'} on {rng}" + \
            (" (integer)" if self.integer else "")


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
        return f"{sym} {_num(self.value)}"


@dataclass(frozen=True)
class CalibrationSpec:
    path: Path
    name: str
    population_size: int
    max_generations: int
    seed: int
    parameters: tuple[Prior, ...]
    targets: tuple[Target, ...]
    holdout: tuple[Target, ...] = ()
    scenario: str | None = None
    evaluate: str | None = None
    days: int = DEFAULT_DAYS
    replications: int = 1
    minimum_epsilon: float = 0.0
    predictive_draws: int = 40
    overrides: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    base_params: Any = field(default=None, compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @property
    def plugin(self) -> bool:
        return self.evaluate is not None

    @property
    def statistics(self) -> list[str]:
        """Every statistic simulated: targets, then held-out ones."""
        return [t.name for t in self.targets] + [t.name for t in self.holdout if t.name not in
                                                   {x.name for x in self.targets}]


def load_spec(path: str | Path) -> CalibrationSpec:
    """Read and validate the spec at ``path``; :class:`SpecError` (one line) if invalid."""
    path = Path(path)
    where = _show(path)
    if not path.is_file():
        raise SpecError(f"{where}: no such spec file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SpecError(f"{where}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{where}: TOML syntax error: {' '.join(str(exc).split())}") from None
    return parse_spec(data, path)


def parse_spec(data: dict[str, Any], path: str | Path = "<spec>") -> CalibrationSpec:
    """Validate an already-parsed spec table (see the module docstring)."""
    path = Path(path)
    where = _show(path)

    def fail(key: str, msg: str) -> typing.NoReturn:
        raise SpecError(f"{where}: {key}: {msg}")

    for key in data:
        if key not in TOP_KEYS:
            fail(key, f"unknown key{_suggest(key, TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}")
    description = data.get("description", "")
    if not isinstance(description, str) or "\n" in description.strip():
        fail("description", "must be one line of text")

    evaluate, scenario, base = data.get("evaluate"), data.get("scenario"), None
    overrides = data.get("overrides", {})
    if evaluate is not None:
        if not isinstance(evaluate, str):
            fail("evaluate", f"must be text 'module:function', got {_kind(evaluate)}")
        try:
            load_evaluate(evaluate)
        except ValueError as exc:
            fail("evaluate", str(exc))
        for key in ("scenario", "overrides", "days"):
            if key in data:
                fail(key, "not used with an evaluate plug-in (it replaces the township model); remove it")
    else:
        from townsim.model.scenario import ScenarioError, load_scenario

        if not isinstance(scenario, str) or not scenario.strip():
            fail("scenario", "missing; give a scenario name (e.g. \"linping\") or an evaluate plug-in")
        if not isinstance(overrides, dict):
            fail("overrides", "must be a table of Params values, e.g. [overrides] with residents_per_agent = 5000")
        try:
            sc = load_scenario(scenario)
        except ScenarioError as exc:
            fail("scenario", str(exc))
        base = _apply_overrides(sc.params, overrides, fail)

    population_size = _int(data, "population_size", fail, required=True, lo=10, hi=100_000)
    max_generations = _int(data, "max_generations", fail, required=True, lo=1, hi=1000)
    seed = _int(data, "seed", fail, default=1, lo=0, hi=2**32 - 1)
    days = _int(data, "days", fail, default=DEFAULT_DAYS, lo=1, hi=100_000)
    replications = _int(data, "replications", fail, default=1, lo=1, hi=1000)
    predictive_draws = _int(data, "predictive_draws", fail, default=40, lo=2, hi=100_000)
    min_eps = data.get("minimum_epsilon", 0.0)
    if isinstance(min_eps, bool) or not isinstance(min_eps, (int, float)) or min_eps < 0:
        fail("minimum_epsilon", f"got {min_eps!r}; allowed: a number >= 0")

    table = data.get("parameters")
    if not isinstance(table, dict) or not table:
        fail("parameters", "missing or empty; write [parameters] with name = {dist = \"uniform\", bounds = [lo, hi]}")
    priors = tuple(_prior(n, v, evaluate is None, overrides, fail) for n, v in table.items())

    known = None if evaluate else township_outputs()
    targets = _targets(data.get("targets"), "targets", known, fail, required=True)
    holdout = _targets(data.get("holdout", {}), "holdout", known, fail, required=False)
    clash = {t.name for t in targets} & {t.name for t in holdout}
    if clash:
        fail("holdout", f"'{sorted(clash)[0]}' is also a target; a held-out statistic must not be fitted")

    return CalibrationSpec(
        path=path, name=path.stem, population_size=population_size, max_generations=max_generations,
        seed=seed, parameters=priors, targets=targets, holdout=holdout, scenario=scenario, evaluate=evaluate,
        days=days, replications=replications, minimum_epsilon=float(min_eps), predictive_draws=predictive_draws,
        overrides=dict(overrides), description=description.strip(), base_params=base)


def _prior(name: str, spec: Any, township: bool, overrides: dict, fail) -> Prior:
    key = f"parameters.{name}"
    if not isinstance(spec, dict):
        fail(key, f"got {_kind(spec)} {spec!r}; allowed: {{dist = \"uniform\" | \"logunif\" | \"normal\", "
                  f"bounds = [low, high]}} (normal also: mean, sd)")
    unknown = set(spec) - {"dist", "bounds", "mean", "sd"}
    if unknown:
        fail(key, f"unknown key '{sorted(unknown)[0]}'; allowed: dist, bounds, mean, sd")
    dist = spec.get("dist", "uniform")
    if dist not in DISTS:
        fail(key, f"dist {dist!r} not supported; allowed: {', '.join(DISTS)}")
    bounds = spec.get("bounds")
    if (not isinstance(bounds, list) or len(bounds) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)):
        fail(key, f"bounds: got {bounds!r}; allowed: [low, high], two numbers")
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        fail(key, f"bounds: got [{_num(lo)}, {_num(hi)}]; allowed: finite bounds with low < high")
    if dist == "logunif" and lo <= 0:
        fail(key, f"bounds: log-uniform needs low > 0, got {_num(lo)}")
    mean = sd = None
    if dist == "normal":
        mean, sd = spec.get("mean"), spec.get("sd")
        if not isinstance(mean, (int, float)) or isinstance(mean, bool) or not lo <= mean <= hi:
            fail(key, f"mean: got {mean!r}; allowed: a number within the bounds")
        if not isinstance(sd, (int, float)) or isinstance(sd, bool) or sd <= 0:
            fail(key, f"sd: got {sd!r}; allowed: a number > 0")
    elif "mean" in spec or "sd" in spec:
        fail(key, f"mean and sd are only for dist = \"normal\", not {dist!r}")
    integer = False
    if township:
        from townsim.model.params import Params, ParamsError, allowed_range

        if name not in Params.model_fields:
            fail(key, f"unknown parameter{_suggest(name, list(Params.model_fields))}; "
                      f"allowed: a numeric field of Params (see docs/ODD.md)")
        if name in overrides:
            fail(key, "also set in [overrides]; a parameter is either calibrated or fixed, not both")
        ann = Params.model_fields[name].annotation
        if ann not in (int, float):
            fail(key, f"cannot be calibrated ({allowed_range(name)}); allowed: numeric or integer parameters")
        integer = ann is int
        if integer and not (lo.is_integer() and hi.is_integer()):
            fail(key, f"is an integer parameter: bounds must be whole numbers, got [{_num(lo)}, {_num(hi)}]")
        for label, v in (("low", lo), ("high", hi)):
            try:
                Params.build(**{name: int(v) if integer else v})
            except ParamsError as exc:
                fail(key, f"{label} bound {_num(v)} is not allowed ({exc})")
    return Prior(name, dist, lo, hi, None if mean is None else float(mean), None if sd is None else float(sd),
                 integer)


def _targets(table: Any, section: str, known, fail, required: bool) -> tuple[Target, ...]:
    if not isinstance(table, dict) or (required and not table):
        fail(section, "missing or empty; write [targets] with name = value, or name = {value = v, scale = s, "
                      "weight = w}, or name = {min = v} / {max = v}")
    out = []
    for name, spec in table.items():
        key = f"{section}.{name}"
        if known is not None and name not in known:
            fail(key, f"unknown statistic{_suggest(name, known)}; allowed: summary KPIs such as "
                      f"{', '.join(known[:6])}, ... (see the model API)")
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            spec = {"value": spec}
        if not isinstance(spec, dict):
            fail(key, f"got {_kind(spec)}; allowed: a number, {{value, scale, weight}} or {{min}} / {{max}}")
        unknown = set(spec) - {"value", "min", "max", "scale", "weight"}
        if unknown:
            fail(key, f"unknown key '{sorted(unknown)[0]}'; allowed: value, min, max, scale, weight")
        kinds = [k for k in ("value", "min", "max") if k in spec]
        if len(kinds) != 1:
            fail(key, "give exactly one of value, min, max")
        kind = kinds[0]
        v = spec[kind]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            fail(key, f"{kind}: got {v!r}; allowed: a finite number")
        scale = spec.get("scale", abs(v) if (kind == "value" and v) else 1.0)
        weight = spec.get("weight", 1.0)
        for label, x in (("scale", scale), ("weight", weight)):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not x > 0:
                fail(key, f"{label}: got {x!r}; allowed: a number > 0")
        out.append(Target(name, kind, float(v), float(scale), float(weight)))
    return tuple(out)
