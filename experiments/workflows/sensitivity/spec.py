"""The sensitivity spec file (TOML): read, validate, and resolve it into a :class:`SensitivitySpec`.

A spec is data only (read with :mod:`tomllib`). Keys::

    description  = "one line"                    # optional
    scenarios    = ["baseline", "full_reform"]   # township model: base scenarios (default ["baseline"])
    evaluate     = "package.module:function"     # OR a plug-in f(params: dict, seed: int) -> dict
                                                 # (importable wherever runs happen, e.g. on Dask workers)
    method       = "morris" | "sobol" | "fast"
    N            = 512          # sobol: base samples (a power of 2); morris: trajectories; fast: samples per parameter (> 4 M²)
    seed         = 1            # seeds the design, the bootstrap and the replication seeds
    replications = 4            # runs per sample point (common seeds across points); default 2, plug-ins 1
    outputs      = ["on_time_rate", ...]         # summary KPIs to analyse
    days         = 250          # township model: working days per run
    second_order = false        # sobol only: also S2 (needs N·(2D+2) instead of N·(D+2) points)
    num_levels   = 4            # morris only: grid levels (even)
    M            = 4            # fast only: interference parameter

    [parameters]                # name = [low, high]  or  name = {bounds = [low, high], dist = "...", ...}
    delegated_share = [0.0, 1.0]
    chief_representatives = [0, 20]                     # integer: sampled uniformly over 0..20
    escalation_135 = [false, true]                       # switch: off/on with probability 1/2
    learning_cases = {bounds = [10, 500], dist = "logunif"}
    online_share = {bounds = [0, 1], dist = "triang", mode = 0.2}
    staff_transfer = {bounds = [0, 1], dist = "truncnorm", mean = 0.5, sd = 0.2}

    [overrides]                 # township model: fixed Params changes on top of every scenario
    townships = 4

Township-model parameters are checked against :class:`model.params.Params`:
the name must be a numeric, integer or true/false field and both bounds must be
allowed values of it. Integers are sampled uniformly over the whole numbers
``low..high`` (a continuous draw on ``[low − ½, high + ½)``, rounded); a
true/false switch is a draw on ``[0, 1)`` that is on when ≥ ½. Every error is a
:class:`SpecError` whose ``str()`` is one line: file, key, what is allowed.
"""

from __future__ import annotations

import difflib
import importlib
import math
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np

METHODS = ("morris", "sobol", "fast")
DISTS = ("unif", "logunif", "triang", "truncnorm")
TOP_KEYS = ("description", "scenarios", "evaluate", "method", "N", "seed", "replications",
            "outputs", "parameters", "overrides", "days", "second_order", "num_levels", "M")
DEFAULT_DAYS = 250
MAX_POINTS = 5_000_000
"""Refuse designs larger than this many sample points (a typo in N, not an experiment)."""

_EVALUATE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SpecError(ValueError):
    """An invalid spec; ``str()`` is one line naming the file, the key and what is allowed."""


@dataclass(frozen=True)
class Parameter:
    """One sampled parameter.

    ``kind`` is ``"float"``, ``"int"`` (rounded to whole numbers) or ``"bool"``
    (on when the draw is ≥ ½). ``low``/``high`` are in the parameter's own unit.
    ``dist`` is a SALib distribution name; ``shape`` holds its extra numbers
    (triang: peak as a fraction of the range; truncnorm: mean, sd).
    """

    name: str
    low: float
    high: float
    kind: Literal["float", "int", "bool"] = "float"
    dist: str = "unif"
    shape: tuple[float, ...] = ()

    def salib_bounds(self) -> list[float]:
        """Bounds row of the SALib problem (continuous draw space)."""
        lo, hi = float(self.low), float(self.high)
        if self.kind == "int" and self.dist == "unif":
            eps = 1e-6
            lo, hi = lo - 0.5 + eps, hi + 0.5 - eps
        return [lo, hi, *self.shape]

    def values(self, column: np.ndarray) -> list:
        """The model values of a column of continuous draws (ints rounded, switches thresholded)."""
        col = np.asarray(column, dtype=float)
        if self.kind == "bool":
            return [bool(v) for v in col >= 0.5]
        if self.kind == "int":
            r = np.clip(np.floor(col + 0.5), self.low, self.high)
            return [int(v) for v in r]
        return [float(v) for v in col]

    def describe(self) -> str:
        """Short text of the range, e.g. ``[0, 1]``, ``0..20 (integer)``, ``off/on``."""
        if self.kind == "bool":
            return "off/on (switch)"
        rng = f"{_num(self.low)}..{_num(self.high)} (integer)" if self.kind == "int" else \
            f"[{_num(self.low)}, {_num(self.high)}]"
        if self.dist == "triang":
            rng += f", triangular, mode {_num(self.low + self.shape[0] * (self.high - self.low))}"
        elif self.dist == "truncnorm":
            rng += f", truncated normal (mean {_num(self.shape[0])}, sd {_num(self.shape[1])})"
        elif self.dist == "logunif":
            rng += ", log-uniform"
        return rng


@dataclass(frozen=True)
class SensitivitySpec:
    """A validated spec. ``base_params`` maps each scenario to its :class:`Params` after ``overrides``."""

    path: Path
    name: str
    method: str
    N: int
    seed: int
    replications: int
    outputs: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    scenarios: tuple[str, ...] = ()
    evaluate: str | None = None
    days: int = DEFAULT_DAYS
    overrides: dict[str, Any] = field(default_factory=dict)
    second_order: bool = False
    num_levels: int = 4
    M: int = 4
    description: str = ""
    base_params: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @property
    def plugin(self) -> bool:
        """True when an ``evaluate`` plug-in replaces the township model."""
        return self.evaluate is not None

    @property
    def run_scenarios(self) -> tuple[str, ...]:
        """Scenario labels of the results: the scenarios, or ``("",)`` for a plug-in."""
        return ("",) if self.plugin else self.scenarios

    def problem(self) -> dict[str, Any]:
        """The SALib problem dict (names, bounds, dists) of the continuous draw space."""
        return {
            "num_vars": len(self.parameters),
            "names": self.names,
            "bounds": [p.salib_bounds() for p in self.parameters],
            "dists": [p.dist for p in self.parameters],
        }

    def n_points(self) -> int:
        """Sample points of the design (before replications and scenarios)."""
        return design_size(self.method, self.N, len(self.parameters), self.second_order)

    def n_runs(self) -> int:
        """Model runs of the whole experiment (points × replications × scenarios)."""
        return self.n_points() * self.replications * len(self.run_scenarios)


def design_size(method: str, N: int, D: int, second_order: bool = False) -> int:
    """Rows of the SALib design: sobol N(D+2) or N(2D+2), morris N(D+1), fast N·D."""
    if method == "sobol":
        return N * (2 * D + 2 if second_order else D + 2)
    if method == "morris":
        return N * (D + 1)
    return N * D


def township_outputs() -> tuple[str, ...]:
    """Summary KPI names of the township model."""
    from townsim.model.metrics import SUMMARY_KEYS

    return tuple(SUMMARY_KEYS)


def load_evaluate(target: str) -> Callable[[dict[str, Any], int], dict[str, float]]:
    """Import ``"module:function"``; raise :class:`ValueError` (one line) if it is not there."""
    if not _EVALUATE_RE.match(target):
        raise ValueError(f"expected 'module:function' (e.g. 'townsim.experiments.workflows.sensitivity.testfunctions:ishigami'), "
                         f"got {target!r}")
    modname, _, fname = target.partition(":")
    try:
        mod = importlib.import_module(modname)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's input
        raise ValueError(f"cannot import module '{modname}' ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())})") from None
    fn = getattr(mod, fname, None)
    if not callable(fn):
        raise ValueError(f"module '{modname}' has no function '{fname}'")
    return fn


def load_spec(path: str | Path) -> SensitivitySpec:
    """Read and validate the spec file at ``path``; raise :class:`SpecError` (one line) if invalid."""
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


def parse_spec(data: dict[str, Any], path: str | Path = "<spec>") -> SensitivitySpec:
    """Validate an already-parsed spec table (see the module docstring for the keys)."""
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

    # --- model: plug-in or township scenarios ------------------------------------
    evaluate = data.get("evaluate")
    if evaluate is not None:
        if not isinstance(evaluate, str):
            fail("evaluate", f"must be text 'module:function', got {_kind(evaluate)}")
        try:
            load_evaluate(evaluate)
        except ValueError as exc:
            fail("evaluate", str(exc))
        for key in ("scenarios", "overrides", "days"):
            if key in data:
                fail(key, "not used with an evaluate plug-in (it replaces the township model); remove it")

    # --- method and sizes ---------------------------------------------------------
    method = data.get("method")
    if method is None:
        fail("method", f"missing; allowed: {', '.join(METHODS)}")
    if method not in METHODS:
        fail("method", f"got {method!r}; allowed: {', '.join(METHODS)}")
    N = _int(data, "N", fail, required=True, lo=2)
    seed = _int(data, "seed", fail, default=1, lo=0, hi=2**63 - 1)
    replications = _int(data, "replications", fail, default=1 if evaluate else 2, lo=1, hi=10_000)
    second_order = data.get("second_order", False)
    if not isinstance(second_order, bool):
        fail("second_order", f"got {_kind(second_order)} {second_order!r}; allowed: true or false")
    if second_order and method != "sobol":
        fail("second_order", "only the sobol method estimates second-order indices")
    num_levels = _int(data, "num_levels", fail, default=4, lo=2, hi=100)
    if "num_levels" in data and method != "morris":
        fail("num_levels", "only used by the morris method")
    if num_levels % 2:
        fail("num_levels", f"got {num_levels}; allowed: an even integer (e.g. 4)")
    M = _int(data, "M", fail, default=4, lo=1, hi=100)
    if "M" in data and method != "fast":
        fail("M", "only used by the fast method")
    if method == "sobol" and N & (N - 1):
        lower, upper = 1 << (N.bit_length() - 1), 1 << N.bit_length()
        fail("N", f"got {N}; allowed for sobol: a power of 2 (Sobol' sequences balance only at powers of 2), "
                  f"e.g. {lower} or {upper}")
    if method == "fast" and N <= 4 * M * M:
        fail("N", f"got {N}; allowed for fast: more than 4·M² = {4 * M * M} samples per parameter")
    days = _int(data, "days", fail, default=DEFAULT_DAYS, lo=1, hi=100_000)

    # --- scenarios and overrides (township model) -----------------------------------
    scenarios: tuple[str, ...] = ()
    base_params: dict[str, Any] = {}
    overrides = data.get("overrides", {})
    if evaluate is None:
        from townsim.model.scenario import ScenarioError, load_scenario

        raw = data.get("scenarios", ["baseline"])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw or not all(isinstance(s, str) and s.strip() for s in raw):
            fail("scenarios", "must be a non-empty list of scenario names, e.g. [\"baseline\", \"full_reform\"]")
        if len(set(raw)) != len(raw):
            fail("scenarios", "lists a scenario twice")
        if not isinstance(overrides, dict):
            fail("overrides", "must be a table of Params values, e.g. [overrides] with townships = 4")
        for name in raw:
            try:
                sc = load_scenario(name)
            except ScenarioError as exc:
                fail("scenarios", str(exc))
            base_params[name] = _apply_overrides(sc.params, overrides, fail)
        scenarios = tuple(raw)

    # --- parameters --------------------------------------------------------------------
    table = data.get("parameters")
    if not isinstance(table, dict) or not table:
        fail("parameters", "missing or empty; write a [parameters] table of name = [low, high]")
    params = tuple(_parameter(name, spec, evaluate is None, overrides, fail) for name, spec in table.items())

    # --- outputs -------------------------------------------------------------------------
    outputs = data.get("outputs")
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, str) for o in outputs):
        fail("outputs", "must be a non-empty list of output names, e.g. [\"on_time_rate\"]")
    if len(set(outputs)) != len(outputs):
        fail("outputs", "lists an output twice")
    if evaluate is None:
        known = township_outputs()
        for o in outputs:
            if o not in known:
                fail("outputs", f"unknown output '{o}'{_suggest(o, known)}; allowed: summary KPIs such as "
                                f"{', '.join(known[:6])}, ... (see the model API)")
    else:
        for o in outputs:
            if not _NAME_RE.match(o):
                fail("outputs", f"'{o}' is not a plain name (letters, digits, _)")

    spec = SensitivitySpec(
        path=path, name=path.stem, method=method, N=N, seed=seed, replications=replications,
        outputs=tuple(outputs), parameters=params, scenarios=scenarios, evaluate=evaluate, days=days,
        overrides=dict(overrides), second_order=second_order, num_levels=num_levels, M=M,
        description=description.strip(), base_params=base_params,
    )
    if spec.n_points() > MAX_POINTS:
        fail("N", f"got {N}: the design would have {spec.n_points():,} points; allowed: at most {MAX_POINTS:,}")
    return spec


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def _parameter(name: str, spec: Any, township: bool, overrides: dict, fail) -> Parameter:
    """Validate one ``[parameters]`` entry."""
    key = f"parameters.{name}"
    if name in TOP_KEYS and not isinstance(spec, (list, dict)):
        fail(key, f"'{name}' is a top-level key: write it above the [parameters] table (TOML puts every "
                  f"key after a [table] header into that table)")
    dist, shape_extra = "unif", {}
    if isinstance(spec, dict):
        unknown = set(spec) - {"bounds", "dist", "mode", "mean", "sd"}
        if unknown:
            fail(key, f"unknown key '{sorted(unknown)[0]}'; allowed: bounds, dist, mode (triang), "
                      f"mean and sd (truncnorm)")
        dist = spec.get("dist", "unif")
        if dist not in DISTS:
            fail(key, f"dist {dist!r} not supported; allowed: {', '.join(DISTS)} (bounded distributions)")
        shape_extra = {k: spec[k] for k in ("mode", "mean", "sd") if k in spec}
        bounds = spec.get("bounds")
    else:
        bounds = spec
    if (not isinstance(bounds, list) or len(bounds) != 2
            or not all(isinstance(b, (int, float)) for b in bounds)):
        fail(key, f"got {_kind(bounds)} {bounds!r}; allowed: [low, high] (two numbers, or [false, true] "
                  f"for a switch) or {{bounds = [low, high], dist = ...}}")
    kind: Literal["float", "int", "bool"] = "float"
    if township:
        from townsim.model.params import Params, ParamsError, allowed_range

        if name not in Params.model_fields:
            fail(key, f"unknown parameter{_suggest(name, list(Params.model_fields))}; "
                      f"allowed: a numeric field of Params (see docs/ODD.md)")
        if name in overrides:
            fail(key, "also set in [overrides]; a parameter is either sampled or fixed, not both")
        ann = Params.model_fields[name].annotation
        if ann is bool:
            kind = "bool"
        elif ann is int:
            kind = "int"
        elif ann is not float:
            fail(key, f"cannot be sampled ({allowed_range(name)}); allowed: numeric, integer or true/false "
                      f"parameters; fix it in the scenario or in [overrides] instead")
    elif not _NAME_RE.match(name):
        fail(key, "not a plain name (letters, digits, _)")
    if kind == "bool":
        if list(bounds) != [0, 1] or dist != "unif":
            fail(key, f"is an on/off switch: give [false, true] (or [0, 1]) and no distribution; it is "
                      f"drawn on [0, 1) and on when the draw is ≥ 0.5, got {bounds!r}")
        return Parameter(name, 0.0, 1.0, "bool")
    if any(isinstance(b, bool) for b in bounds):
        fail(key, f"got {bounds!r}; true/false bounds are only for switches; allowed: two numbers")
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        fail(key, f"got [{_num(lo)}, {_num(hi)}]; allowed: finite bounds with low < high")
    if kind == "int" and not (lo.is_integer() and hi.is_integer()):
        fail(key, f"is an integer parameter: bounds must be whole numbers, got [{_num(lo)}, {_num(hi)}]")
    if township:
        for label, v in (("low", lo), ("high", hi)):
            try:
                Params.build(**{name: int(v) if kind == "int" else v})
            except ParamsError as exc:
                fail(key, f"{label} bound {_num(v)} is not allowed ({exc})")
    shape: tuple[float, ...] = ()
    if dist == "triang":
        mode = shape_extra.get("mode")
        if not isinstance(mode, (int, float)) or isinstance(mode, bool) or not lo <= mode < hi:
            fail(key, f"triang needs mode = a number in [{_num(lo)}, {_num(hi)}) (the peak)")
        shape = ((float(mode) - lo) / (hi - lo),)
    elif dist == "truncnorm":
        mean, sd = shape_extra.get("mean"), shape_extra.get("sd")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (mean, sd)) or sd <= 0:
            fail(key, "truncnorm needs mean = a number and sd = a positive number")
        shape = (float(mean), float(sd))
    elif dist == "logunif" and lo <= 0:
        fail(key, f"logunif needs low > 0, got {_num(lo)}")
    extra_given = set(shape_extra) - {"triang": {"mode"}, "truncnorm": {"mean", "sd"}}.get(dist, set())
    if extra_given:
        fail(key, f"'{sorted(extra_given)[0]}' does not apply to dist {dist!r}")
    return Parameter(name, lo, hi, kind, dist, shape)


def _apply_overrides(params, overrides: dict[str, Any], fail):
    """``params`` with the ``[overrides]`` values, validated like a scenario file."""
    import tomli_w

    from townsim.model.scenario import ScenarioError, apply_overrides

    for key, value in overrides.items():
        if isinstance(value, dict):
            fail(f"overrides.{key}", "nested tables are not allowed; write key = value")
        text = tomli_w.dumps({"v": value}).partition("=")[2].strip()
        try:
            params = apply_overrides(params, [f"{key}={text}"])
        except ScenarioError as exc:
            msg = str(exc).partition(": ")[2] or str(exc)
            fail(f"overrides.{key}", msg)
    return params


def _int(data, key, fail, *, default=None, required=False, lo=None, hi=None) -> int:
    if key not in data:
        if required:
            fail(key, "missing; give an integer")
        return default
    v = data[key]
    if isinstance(v, bool) or not isinstance(v, int):
        fail(key, f"got {_kind(v)} {v!r}; allowed: an integer")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        fail(key, f"got {v}; allowed: an integer in [{lo}, {hi if hi is not None else '∞'}]")
    return int(v)


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "integer", float: "number", str: "text", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)


def _num(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _show(path: Path) -> str:
    """``path`` relative to the working folder when possible."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
