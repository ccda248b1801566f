"""The shared spec vocabulary (TOML files of sensitivity, discover, calibrate) as pydantic models.

Every experiment spec has these keys (a workflow subclasses :class:`ExperimentSpec` and adds its own)::

    description  = "one line"                    # optional
    scenarios    = ["baseline", "full_reform"]   # township model: base scenarios (default ["baseline"])
    evaluate     = "package.module:function"     # OR a plug-in f(params: dict, seed: int) -> dict
    days         = 250                           # township model: working days per run
    replications = 2                             # runs per point (common seeds across points); plug-ins 1
    seed         = 1                             # in [0, 2**63 - 1], as every command's --seed

    [parameters]                 # name = [low, high]  or  name = {bounds = [low, high], dist = "...", ...}
    delegated_share = [0.0, 1.0]                        # uniform
    chief_representatives = [0, 20]                     # integer: uniform over 0..20
    escalation_135 = [false, true]                      # switch: off/on with probability 1/2
    learning_cases = {bounds = [10, 500], dist = "logunif"}
    staff_transfer = {bounds = [0, 1], dist = "normal", mean = 0.5, sd = 0.2}   # normal cut to the bounds
    online_share = {bounds = [0, 1], dist = "triang", mode = 0.2}

    [overrides]                  # township model: fixed Params values on top of every scenario
    townships = 4

Township-model parameters are checked against :class:`townsim.model.params.Params`:
the name must be a numeric, integer or true/false field and both bounds allowed
values of it. Every error is a :class:`SpecError` whose ``str()`` is one line:
file, key, what is allowed.
"""

from __future__ import annotations

import difflib
import importlib
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, NoReturn, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from townsim.experiments.core.seeds import SEED_MAX
from townsim.experiments.errors import shorten

DEFAULT_DAYS = 250
MAX_DAYS = 100_000
MAX_REPLICATIONS = 10_000
DISTS = {
    "uniform": "unif",
    "unif": "unif",
    "logunif": "logunif",
    "normal": "truncnorm",
    "truncnorm": "truncnorm",
    "triang": "triang",
}
"""Spec distribution names → SALib names (``normal`` is cut to the bounds; ``unif``/``truncnorm`` are SALib's own)."""
DIST_NAMES = "uniform, logunif, normal, triang (SALib's unif, truncnorm also accepted)"

_EVALUATE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SpecError(ValueError):
    """An invalid spec; ``str()`` is one line naming the file, the key and what is allowed."""


class KeyProblem(Exception):
    """Raised inside validation with the offending key (not a ValueError, so pydantic passes it through)."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


@dataclass(frozen=True)
class Parameter:
    """One sampled parameter.

    ``kind`` is ``"float"``, ``"int"`` (rounded to whole numbers) or ``"bool"`` (on when the
    draw is ≥ ½). ``low``/``high`` are in the parameter's own unit. ``dist`` is a SALib
    distribution name; ``shape`` holds its extra numbers (triang: peak as a fraction of the
    range; truncnorm: mean, sd).
    """

    name: str
    low: float
    high: float
    kind: Literal["float", "int", "bool"] = "float"
    dist: str = "unif"
    shape: tuple[float, ...] = ()

    def salib_bounds(self) -> list[float]:
        """Bounds row of the SALib problem (continuous draw space; integers widened by ½)."""
        lo, hi = float(self.low), float(self.high)
        if self.kind == "int" and self.dist == "unif":
            lo, hi = lo - 0.5 + 1e-6, hi + 0.5 - 1e-6
        return [lo, hi, *self.shape]

    def values(self, column: np.ndarray) -> list:
        """Model values of a column of continuous draws (ints rounded, switches thresholded)."""
        col = np.asarray(column, dtype=float)
        if self.kind == "bool":
            return [bool(v) for v in col >= 0.5]
        if self.kind == "int":
            return [int(v) for v in np.clip(np.floor(col + 0.5), self.low, self.high)]
        return [float(v) for v in col]

    def describe(self) -> str:
        """Short text of the range, e.g. ``[0, 1]``, ``0..20 (integer)``, ``off/on (switch)``."""
        if self.kind == "bool":
            return "off/on (switch)"
        rng = (
            f"{num(self.low)}..{num(self.high)} (integer)"
            if self.kind == "int"
            else f"[{num(self.low)}, {num(self.high)}]"
        )
        if self.dist == "triang":
            rng += f", triangular, mode {num(self.low + self.shape[0] * (self.high - self.low))}"
        elif self.dist == "truncnorm":
            rng += f", normal cut to the bounds (mean {num(self.shape[0])}, sd {num(self.shape[1])})"
        elif self.dist == "logunif":
            rng += ", log-uniform"
        return rng


class Distribution(BaseModel):
    """The table form of a ``[parameters]`` entry."""

    model_config = ConfigDict(extra="forbid", strict=True)
    bounds: list[Any]
    dist: str = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None


SpecT = TypeVar("SpecT", bound="ExperimentSpec")


class ExperimentSpec(BaseModel):
    """The keys every experiment spec shares (see the module docstring); subclasses add their own."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)
    requires_parameters: ClassVar[bool] = True

    description: str = ""
    scenarios: list[str] = Field(default_factory=lambda: ["baseline"])
    evaluate: str | None = None
    days: int = Field(DEFAULT_DAYS, ge=1, le=MAX_DAYS)
    replications: int = Field(2, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(1, ge=0, le=SEED_MAX)
    parameter_table: dict[str, Any] = Field(default_factory=dict, alias="parameters")
    overrides: dict[str, Any] = Field(default_factory=dict)

    _path: Path = PrivateAttr(default=Path("<spec>"))
    _parameters: tuple[Parameter, ...] = PrivateAttr(default=())
    _base_params: dict[str, Any] = PrivateAttr(default_factory=dict)

    # --- the resolved spec ---------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._path

    @property
    def name(self) -> str:
        return self._path.stem

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        """The sampled parameters, resolved and checked."""
        return self._parameters

    @property
    def names(self) -> list[str]:
        return [p.name for p in self._parameters]

    @property
    def base_params(self) -> dict[str, Any]:
        """Scenario name → its Params after ``[overrides]`` (empty for a plug-in)."""
        return self._base_params

    @property
    def plugin(self) -> bool:
        """True when an ``evaluate`` plug-in replaces the township model."""
        return self.evaluate is not None

    @property
    def run_scenarios(self) -> tuple[str, ...]:
        """Scenario labels of the results: the scenarios, or ``("",)`` for a plug-in."""
        return ("",) if self.plugin else tuple(self.scenarios)

    # --- validation ----------------------------------------------------------------------------
    @model_validator(mode="before")
    @classmethod
    def _plugin_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("evaluate") is not None and "replications" not in data:
            data = {**data, "replications": 1}
        return data

    @model_validator(mode="after")
    def _resolve(self) -> ExperimentSpec:
        if "\n" in self.description.strip():
            raise KeyProblem("description", "must be one line of text")
        self.description = self.description.strip()
        if self.evaluate is not None:
            try:
                load_evaluate(self.evaluate)
            except ValueError as exc:
                raise KeyProblem("evaluate", str(exc)) from None
            for key in ("scenarios", "overrides", "days"):
                if key in self.model_fields_set:
                    raise KeyProblem(
                        key, "not used with an evaluate plug-in (it replaces the township model); remove it"
                    )
        else:
            self._base_params = resolve_scenarios(self.scenarios, self.overrides)
        if self.requires_parameters and not self.parameter_table:
            raise KeyProblem("parameters", "missing or empty; write a [parameters] table of name = [low, high]")
        self._parameters = tuple(
            resolve_parameter(name, raw, self.evaluate is None, self.overrides, type(self).model_fields)
            for name, raw in self.parameter_table.items()
        )
        return self

    # --- reading -------------------------------------------------------------------------------
    @classmethod
    def parse(cls: type[SpecT], data: dict[str, Any], path: str | Path = "<spec>") -> SpecT:
        """Validate an already-parsed spec table; raise :class:`SpecError` (one line) if invalid."""
        where = show_path(Path(path))
        try:
            spec = cls.model_validate(data)
        except KeyProblem as exc:
            raise SpecError(f"{where}: {exc.key}: {exc.message}") from None
        except ValidationError as exc:
            raise SpecError(f"{where}: {describe_error(cls, dict(exc.errors()[0]))}") from None
        spec._path = Path(path)
        return spec

    @classmethod
    def load(cls: type[SpecT], path: str | Path) -> SpecT:
        """Read and validate the spec file at ``path``; raise :class:`SpecError` (one line) if invalid."""
        path = Path(path)
        where = show_path(path)
        if not path.is_file():
            raise SpecError(f"{where}: no such spec file")
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(
                f"{where}: {path.stat().st_size:,} bytes; allowed: a spec file of at most {MAX_SPEC_BYTES:,} bytes"
            )
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise SpecError(f"{where}: not a UTF-8 text file") from None
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{where}: TOML syntax error: {' '.join(str(exc).split())}") from None
        except RecursionError:
            raise SpecError(f"{where}: nested too deeply; allowed: key = value and [tables]") from None
        return cls.parse(data, path)


MAX_SPEC_BYTES = 1_000_000


# --- pieces of validation, shared by the spec models ---------------------------------------------
def describe_error(model: type[BaseModel], err: dict[str, Any]) -> str:
    """One line for a pydantic error: ``key: got VALUE; allowed: ...``."""
    loc = [str(x) for x in err.get("loc", ())]
    key = ".".join(loc) or "spec"
    field = model.model_fields.get(loc[0]) if loc else None
    if field is None and loc:  # an alias ("parameters")
        field = next((f for f in model.model_fields.values() if f.alias == loc[0]), None)
    kind = err.get("type", "")
    keys = [f.alias or n for n, f in model.model_fields.items()]
    if kind == "extra_forbidden":
        return f"{key}: unknown key{suggest(loc[-1], keys)}; allowed: {', '.join(keys)}"
    if kind == "missing":
        return f"{key}: missing; allowed: {allowed_text(field)}"
    got = err.get("input")
    return f"{key}: got {kind_of(got)} {shorten(repr(got))}; allowed: {allowed_text(field, loc)}"


def allowed_text(field: Any, loc: list[str] | None = None) -> str:
    """What a field allows, from its annotation and bounds (e.g. ``an integer in [1, 10000]``)."""
    if field is None:
        return "see the spec documentation"
    ann = field.annotation
    lo = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
    if getattr(ann, "__origin__", None) is Literal:
        return ", ".join(str(a) for a in ann.__args__)
    if ann is int:
        return f"an integer in [{lo if lo is not None else '-∞'}, {hi if hi is not None else '∞'}]"
    if ann is float:
        if lo is not None and hi is None:
            return f"a finite number >= {num(lo)}"
        return f"a finite number in [{num(lo) if lo is not None else '-∞'}, {num(hi) if hi is not None else '∞'}]"
    if ann is bool:
        return "true or false"
    if ann is str or ann == (str | None):
        return "text"
    if getattr(ann, "__origin__", None) is list:
        return 'a list, e.g. ["a", "b"]'
    if getattr(ann, "__origin__", None) is dict:
        return "a table of key = value"
    return str(ann)


def load_evaluate(target: str):
    """Import ``"module:function"``; raise :class:`ValueError` (one line) if it is not there."""
    if not _EVALUATE_RE.match(target):
        raise ValueError(
            f"expected 'module:function' (e.g. 'townsim.experiments.workflows.sensitivity."
            f"testfunctions:ishigami'), got {shorten(repr(target))}"
        )
    modname, _, fname = target.partition(":")
    try:
        mod = importlib.import_module(modname)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's input
        raise ValueError(
            f"cannot import module '{modname}' ({type(exc).__name__}: {shorten(' '.join(str(exc).split()))})"
        ) from None
    fn = getattr(mod, fname, None)
    if not callable(fn):
        raise ValueError(f"module '{modname}' has no function '{fname}'")
    return fn


def resolve_scenarios(names: list[str], overrides: dict[str, Any]) -> dict[str, Any]:
    """Scenario name → Params after ``overrides``; :class:`KeyProblem` on a bad scenario or value."""
    from townsim.scenarios import ScenarioError, load_scenario

    if not names or not all(s.strip() for s in names):
        raise KeyProblem("scenarios", 'must be a non-empty list of scenario names, e.g. ["baseline"]')
    if len(set(names)) != len(names):
        raise KeyProblem("scenarios", "lists a scenario twice")
    out = {}
    for name in names:
        try:
            sc = load_scenario(name)
        except ScenarioError as exc:
            raise KeyProblem("scenarios", str(exc)) from None
        out[name] = apply_table(sc.params, overrides)
        check_inputs(out[name], overrides)
    return out


def check_inputs(params, overrides: dict[str, Any]) -> None:
    """:class:`KeyProblem` if the model cannot be built from ``params`` (e.g. ``[overrides]`` names a
    matter catalogue that is not one): bad input before any work, not a failed run in every replication."""
    from townsim.experiments.core.design import check_model_inputs

    try:
        check_model_inputs(params)
    except (ValueError, OSError) as exc:
        key = "overrides.matter_catalogue" if "matter_catalogue" in overrides else "scenarios"
        raise KeyProblem(key, shorten(" ".join(str(exc).split()), 300)) from None


def apply_table(params, overrides: dict[str, Any]):
    """``params`` with the ``[overrides]`` values, validated like a scenario file."""
    import tomli_w

    from townsim.scenarios import ScenarioError, apply_overrides

    for key, value in overrides.items():
        if isinstance(value, dict):
            raise KeyProblem(f"overrides.{key}", "nested tables are not allowed; write key = value")
        text = tomli_w.dumps({"v": value}).partition("=")[2].strip()
        try:
            params = apply_overrides(params, [f"{key}={text}"])
        except ScenarioError as exc:
            raise KeyProblem(f"overrides.{key}", str(exc).partition(": ")[2] or str(exc)) from None
    return params


def resolve_parameter(
    name: str, raw: Any, township: bool, overrides: dict[str, Any], top_keys: dict[str, Any] | None = None
) -> Parameter:
    """Check one ``[parameters]`` entry (against :class:`Params` for the township model)."""
    key = f"parameters.{name}"

    def fail(msg: str) -> NoReturn:
        raise KeyProblem(key, msg)

    top = {f.alias or n for n, f in (top_keys or {}).items()}
    if name in top and not isinstance(raw, (list, dict)):
        fail(
            f"'{name}' is a top-level key: write it above the [parameters] table (TOML puts every key "
            "after a [table] header into that table)"
        )
    if isinstance(raw, dict):
        try:
            table = Distribution.model_validate(raw)
        except ValidationError as exc:
            e = exc.errors()[0]
            if e["type"] == "extra_forbidden":
                fail(f"unknown key '{e['loc'][0]}'; allowed: bounds, dist, mode (triang), mean and sd (normal)")
            fail(
                f"{'.'.join(map(str, e['loc']))}: got {shorten(repr(e.get('input')))}; "
                f"allowed: {'numbers' if e['loc'][0] != 'dist' else DIST_NAMES}"
            )
    else:
        table = Distribution(bounds=raw if isinstance(raw, list) else [raw])
    if table.dist not in DISTS:
        fail(f"dist {shorten(repr(table.dist))} not supported; allowed: {DIST_NAMES} (bounded distributions)")
    dist = DISTS[table.dist]
    bounds = table.bounds
    if len(bounds) != 2 or not all(isinstance(b, (int, float)) for b in bounds) or not isinstance(raw, (list, dict)):
        fail(
            f"got {kind_of(raw)} {shorten(repr(raw))}; allowed: [low, high] (two numbers, or [false, true] "
            "for a switch) or {bounds = [low, high], dist = ...}"
        )
    kind: Literal["float", "int", "bool"] = "float"
    if township:
        from townsim.model.params import Params, ParamsError, allowed_range

        if name not in Params.model_fields:
            fail(
                f"unknown parameter{suggest(name, list(Params.model_fields))}; allowed: a numeric field of "
                "Params (see docs/ODD.md)"
            )
        if name in overrides:
            fail("also set in [overrides]; a parameter is either sampled or fixed, not both")
        ann = Params.model_fields[name].annotation
        if ann is bool:
            kind = "bool"
        elif ann is int:
            kind = "int"
        elif ann is not float:
            fail(
                f"cannot be sampled ({allowed_range(name)}); allowed: numeric, integer or true/false "
                "parameters; fix it in the scenario or in [overrides] instead"
            )
    elif not NAME_RE.match(name):
        fail("not a plain name (letters, digits, _)")
    if kind == "bool":
        if list(bounds) != [0, 1] or dist != "unif":
            fail(
                f"is an on/off switch: give [false, true] (or [0, 1]) and no distribution; it is drawn on "
                f"[0, 1) and on when the draw is ≥ 0.5, got {shorten(repr(bounds))}"
            )
        return Parameter(name, 0.0, 1.0, "bool")
    if any(isinstance(b, bool) for b in bounds):
        fail(f"got {bounds!r}; true/false bounds are only for switches; allowed: two numbers")
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        fail(f"got [{num(lo)}, {num(hi)}]; allowed: finite bounds with low < high")
    if kind == "int" and not (lo.is_integer() and hi.is_integer()):
        fail(f"is an integer parameter: bounds must be whole numbers, got [{num(lo)}, {num(hi)}]")
    if township:
        for label, v in (("low", lo), ("high", hi)):
            try:
                Params.build(**{name: int(v) if kind == "int" else v})
            except ParamsError as exc:
                fail(f"{label} bound {num(v)} is not allowed ({shorten(str(exc))})")
    given = {k for k in ("mode", "mean", "sd") if getattr(table, k) is not None}
    shape: tuple[float, ...] = ()
    if dist == "triang":
        if table.mode is None or not lo <= table.mode < hi:
            fail(f"triang needs mode = a number in [{num(lo)}, {num(hi)}) (the peak)")
        shape = ((table.mode - lo) / (hi - lo),)
    elif dist == "truncnorm":
        if table.mean is None or table.sd is None or table.sd <= 0:
            fail("normal needs mean = a number and sd = a positive number")
        shape = (table.mean, table.sd)
    elif dist == "logunif" and lo <= 0:
        fail(f"logunif needs low > 0, got {num(lo)}")
    extra = given - {"triang": {"mode"}, "truncnorm": {"mean", "sd"}}.get(dist, set())
    if extra:
        fail(f"'{sorted(extra)[0]}' does not apply to dist {table.dist!r}")
    return Parameter(name, lo, hi, kind, dist, shape)


def check_outputs(outputs: list[str], township: bool) -> None:
    """``outputs`` are known summary KPIs (township model) or plain names (plug-in)."""
    if not outputs:
        raise KeyProblem("outputs", 'must be a non-empty list of output names, e.g. ["on_time_rate"]')
    if len(set(outputs)) != len(outputs):
        raise KeyProblem("outputs", "lists an output twice")
    if township:
        from townsim.model.metrics import SUMMARY_KEYS

        known = tuple(SUMMARY_KEYS)
        for o in outputs:
            if o not in known:
                raise KeyProblem(
                    "outputs",
                    f"unknown output {shorten(repr(o))}{suggest(o, known)}; allowed: "
                    f"summary KPIs such as {', '.join(known[:6])}, ... (see the model API)",
                )
    else:
        for o in outputs:
            if not NAME_RE.match(o):
                raise KeyProblem("outputs", f"{shorten(repr(o))} is not a plain name (letters, digits, _)")


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def kind_of(value: Any) -> str:
    return {bool: "true/false", int: "integer", float: "number", str: "text", list: "list", dict: "table"}.get(
        type(value), type(value).__name__
    )


def num(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def show_path(path: Path) -> str:
    """``path`` relative to the working folder when possible."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
