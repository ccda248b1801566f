"""The ``[parameters]`` table of a spec: one sampled :class:`Parameter` per entry, checked one by one."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from townsim.experiments.core.spec_text import KeyProblem, kind_of, num, suggest
from townsim.experiments.errors import shorten
from townsim.model.metrics import SUMMARY_KEYS
from townsim.model.params import Params, ParamsError, allowed_range

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
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Fail = Callable[[str], NoReturn]
"""Raises :class:`KeyProblem` for the entry being checked, with a message."""


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


def resolve_parameter(
    name: str, raw: Any, township: bool, overrides: dict[str, Any], top_keys: dict[str, Any] | None = None
) -> Parameter:
    """Check one ``[parameters]`` entry (against :class:`Params` for the township model)."""
    key = f"parameters.{name}"

    def fail(msg: str) -> NoReturn:
        raise KeyProblem(key, msg)

    table, dist = _read_entry(fail, name, raw, top_keys)
    bounds = table.bounds
    kind: Literal["float", "int", "bool"] = "float"
    if township:
        kind = _township_kind(fail, name, overrides)
    elif not NAME_RE.match(name):
        fail("not a plain name (letters, digits, _)")
    if kind == "bool":
        if list(bounds) != [0, 1] or dist != "unif":
            fail(
                f"is an on/off switch: give [false, true] (or [0, 1]) and no distribution; it is drawn on "
                f"[0, 1) and on when the draw is ≥ 0.5, got {shorten(repr(bounds))}"
            )
        return Parameter(name, 0.0, 1.0, "bool")
    lo, hi = _range(fail, name, bounds, kind, township)
    return Parameter(name, lo, hi, kind, dist, _shape(fail, table, dist, lo, hi))


def _read_entry(fail: Fail, name: str, raw: Any, top_keys: dict[str, Any] | None) -> tuple[Distribution, str]:
    """The entry as a :class:`Distribution` table and its SALib distribution name (``fail`` if malformed)."""
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
    bounds = table.bounds
    if len(bounds) != 2 or not all(isinstance(b, (int, float)) for b in bounds) or not isinstance(raw, (list, dict)):
        fail(
            f"got {kind_of(raw)} {shorten(repr(raw))}; allowed: [low, high] (two numbers, or [false, true] "
            "for a switch) or {bounds = [low, high], dist = ...}"
        )
    return table, DISTS[table.dist]


def _township_kind(fail: Fail, name: str, overrides: dict[str, Any]) -> Literal["float", "int", "bool"]:
    """``"float"``, ``"int"`` or ``"bool"`` from the :class:`Params` field ``name`` (``fail`` if not sampleable)."""
    if name not in Params.model_fields:
        fail(
            f"unknown parameter{suggest(name, list(Params.model_fields))}; allowed: a numeric field of "
            "Params (see docs/ODD.md)"
        )
    if name in overrides:
        fail("also set in [overrides]; a parameter is either sampled or fixed, not both")
    ann = Params.model_fields[name].annotation
    if ann is bool:
        return "bool"
    if ann is int:
        return "int"
    if ann is not float:
        fail(
            f"cannot be sampled ({allowed_range(name)}); allowed: numeric, integer or true/false "
            "parameters; fix it in the scenario or in [overrides] instead"
        )
    return "float"


def _range(fail: Fail, name: str, bounds: list[Any], kind: str, township: bool) -> tuple[float, float]:
    """The checked ``(low, high)`` of a number or integer parameter."""
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
    return lo, hi


def _shape(fail: Fail, table: Distribution, dist: str, lo: float, hi: float) -> tuple[float, ...]:
    """The distribution's extra numbers (triang: peak as a fraction of the range; truncnorm: mean, sd)."""
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
    return shape


def check_outputs(outputs: list[str], township: bool) -> None:
    """``outputs`` are known summary KPIs (township model) or plain names (plug-in)."""
    if not outputs:
        raise KeyProblem("outputs", 'must be a non-empty list of output names, e.g. ["on_time_rate"]')
    if len(set(outputs)) != len(outputs):
        raise KeyProblem("outputs", "lists an output twice")
    if township:
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
