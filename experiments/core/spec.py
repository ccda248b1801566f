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

import importlib
import re
import tomllib
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from townsim.experiments.core.design import check_model_inputs
from townsim.experiments.core.seeds import SEED_MAX
from townsim.experiments.core.spec_parameters import (
    DIST_NAMES,
    DISTS,
    NAME_RE,
    Distribution,
    Parameter,
    check_outputs,
    resolve_parameter,
)
from townsim.experiments.core.spec_text import (
    KeyProblem,
    allowed_text,
    describe_error,
    kind_of,
    num,
    show_path,
    suggest,
)
from townsim.experiments.errors import shorten
from townsim.scenarios import ScenarioError, apply_overrides, load_scenario

__all__ = [
    "DEFAULT_DAYS",
    "DIST_NAMES",
    "DISTS",
    "MAX_DAYS",
    "MAX_REPLICATIONS",
    "MAX_SPEC_BYTES",
    "NAME_RE",
    "Distribution",
    "ExperimentSpec",
    "KeyProblem",
    "Parameter",
    "SpecError",
    "allowed_text",
    "apply_table",
    "check_inputs",
    "check_outputs",
    "describe_error",
    "kind_of",
    "load_evaluate",
    "num",
    "resolve_parameter",
    "resolve_scenarios",
    "show_path",
    "suggest",
]

DEFAULT_DAYS = 250
MAX_DAYS = 100_000
MAX_REPLICATIONS = 10_000
_EVALUATE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")


class SpecError(ValueError):
    """An invalid spec; ``str()`` is one line naming the file, the key and what is allowed."""


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
    try:
        check_model_inputs(params)
    except (ValueError, OSError) as exc:
        key = "overrides.matter_catalogue" if "matter_catalogue" in overrides else "scenarios"
        raise KeyProblem(key, shorten(" ".join(str(exc).split()), 300)) from None


def apply_table(params, overrides: dict[str, Any]):
    """``params`` with the ``[overrides]`` values, validated like a scenario file."""
    for key, value in overrides.items():
        if isinstance(value, dict):
            raise KeyProblem(f"overrides.{key}", "nested tables are not allowed; write key = value")
        text = tomli_w.dumps({"v": value}).partition("=")[2].strip()
        try:
            params = apply_overrides(params, [f"{key}={text}"])
        except ScenarioError as exc:
            raise KeyProblem(f"overrides.{key}", str(exc).partition(": ")[2] or str(exc)) from None
    return params
