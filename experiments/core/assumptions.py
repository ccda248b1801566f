"""The model's assumptions, read from the parameter metadata (DESIGN §8), and maps to and from [0, 1].

A ``Params`` field whose metadata says ``kind = "assumption"`` has no published figure behind it;
it carries its ``plausible`` (low, high) range, its ``dist`` (``uniform`` or ``loguniform``) and its
``basis`` (why that range). :func:`assumptions` lists them; :meth:`Assumption.value` maps a point of
the unit interval onto the range (uniform: linear; loguniform: linear in the logarithm), so that a
Latin hypercube or a Sobol' sequence on [0, 1]^d becomes plausible worlds; :meth:`Assumption.unit_value`
is the inverse (the normalised value PRIM and the reports use). A list-valued assumption's range is that
of a *factor* on its whole list (:func:`apply_world` multiplies the scenario's list by it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from townsim.model.params import Params

DISTRIBUTIONS = ("uniform", "loguniform")


class AssumptionError(ValueError):
    """A bad assumption range or name (one line)."""


@dataclass(frozen=True)
class Assumption:
    """One assumption: field name, plausible range (model units), distribution, basis, unit, integer-valued."""

    name: str
    low: float
    high: float
    dist: str = "uniform"
    basis: str = ""
    unit: str = ""
    integer: bool = False
    factor: bool = False  # a list-valued field: the value is a factor on the scenario's list

    def value(self, u: float) -> float | int:
        """The model value at ``u`` in [0, 1] (rounded for an integer field)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.dist == "loguniform":
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        x = min(max(x, self.low), self.high)  # exp/log round-off stays inside the range
        return int(round(x)) if self.integer else x

    def unit_value(self, x: float) -> float:
        """``x`` (model units) as its position in [0, 1] on this assumption's scale."""
        x = float(x)
        if self.dist == "loguniform":
            return (math.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (x - self.low) / (self.high - self.low)


def _bounds(field: Any) -> tuple[float, float, bool, bool]:
    """(low, high, low open, high open) of a pydantic field's ge/gt/le/lt constraints (±inf if none)."""
    lo, hi, lo_open, hi_open = -math.inf, math.inf, False, False
    for m in field.metadata:
        if getattr(m, "ge", None) is not None:
            lo = float(m.ge)
        if getattr(m, "gt", None) is not None:
            lo, lo_open = float(m.gt), True
        if getattr(m, "le", None) is not None:
            hi = float(m.le)
        if getattr(m, "lt", None) is not None:
            hi, hi_open = float(m.lt), True
    return lo, hi, lo_open, hi_open


def check_range(a: Assumption, field: Any = None, where: str = "") -> Assumption:
    """``a`` if its range is usable; :class:`AssumptionError` (one line) otherwise.

    The range must be finite with low < high, inside the field's allowed values, and positive for a
    loguniform distribution.
    """
    where = where or a.name
    if a.dist not in DISTRIBUTIONS:
        raise AssumptionError(f"{where}: distribution '{a.dist}'; allowed: {', '.join(DISTRIBUTIONS)}")
    if not (math.isfinite(a.low) and math.isfinite(a.high)) or not a.low < a.high:
        raise AssumptionError(f"{where}: range {a.low:g}–{a.high:g}; allowed: two finite numbers, low < high")
    if a.dist == "loguniform" and a.low <= 0:
        raise AssumptionError(f"{where}: range {a.low:g}–{a.high:g}; a loguniform range must be above 0")
    if field is not None:
        lo, hi, lo_open, hi_open = _bounds(field)
        bad_lo = a.low < lo or (lo_open and a.low <= lo)
        bad_hi = a.high > hi or (hi_open and a.high >= hi)
        if bad_lo or bad_hi:
            allowed = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
            raise AssumptionError(
                f"{where}: range {a.low:g}–{a.high:g} leaves the parameter's allowed values {allowed}"
            )
    return a


COUNTY_SIZES = ("townships", "residents", "departments", "enterprises")
"""Sizes that identify the county a posterior is made for: never drawn, and a posterior is refused for
a county that differs in any of them (unless forced)."""


def other_assumptions(calibrated: Iterable[str], fixed: Iterable[str] = ()) -> list[Assumption]:
    """The assumptions a ``"drawn"`` calibration draws in each simulation: every declared assumption
    that is not calibrated, not fixed (the spec's ``[overrides]``) and not a county size."""
    skip = set(calibrated) | set(fixed) | set(COUNTY_SIZES)
    return [a for a in assumptions() if a.name not in skip]


def assumptions(params_cls: Any = None) -> list[Assumption]:
    """Every ``Params`` field declared an assumption with a plausible range, in field order, except those
    ``off_by_default`` or ``switched_by`` one (a mechanism added later: set them explicitly; drawn, the
    mechanism would be on in every world, and the draws of stored posteriors and screenings would shift)."""
    if params_cls is None:
        params_cls = Params
    out = []
    for name, field in params_cls.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("kind") != "assumption" or not extra.get("plausible"):
            continue
        if extra.get("off_by_default") or extra.get("switched_by"):  # a mechanism off by default (kinds.P)
            continue
        low, high = (float(v) for v in extra["plausible"])
        factor = isinstance(field.default, (tuple, list))
        a = Assumption(
            name,
            low,
            high,
            str(extra.get("dist", "uniform")),
            str(extra.get("basis", "")),
            str(extra.get("unit", "")),
            field.annotation is int,
            factor,
        )
        # a factor's range is not in the field's units: its bounds apply to the list's items
        out.append(check_range(a, None if factor else field, f"{name} (plausible range in the parameter metadata)"))
    return out


def apply_world(params: Any, values: dict[str, Any], factors: Iterable[str] = ()) -> Any:
    """``params`` with a world's values: a number replaces the field's value, except for the names in
    ``factors`` (list-valued assumptions), whose number multiplies every item of the field's list."""
    factors = set(factors)
    changes = {
        name: tuple(float(v) * float(x) for v in getattr(params, name)) if name in factors else x
        for name, x in values.items()
    }
    return params.replace(**changes) if changes else params


def select(
    available: Sequence[Assumption],
    vary: Iterable[str] = (),
    fix: Iterable[str] = (),
    ranges: dict[str, tuple[float, float]] | None = None,
    params_cls: Any = None,
) -> list[Assumption]:
    """The assumptions to vary: ``vary`` (all when empty) minus ``fix``, with ``ranges`` replacing declared ones.

    Raises :class:`AssumptionError` for a name that is not a declared assumption, a range given
    for one that is not varied, or a bad range.
    """
    if params_cls is None:
        params_cls = Params
    by_name = {a.name: a for a in available}
    known = ", ".join(by_name) or "none declared"
    for option, names in (("--vary", list(vary)), ("--fix", list(fix)), ("--range", list(ranges or {}))):
        for n in names:
            if n not in by_name:
                raise AssumptionError(f"{option} {n}: not an assumption; allowed: {known}")
    chosen = [a for a in available if (not vary or a.name in set(vary)) and a.name not in set(fix)]
    for n, (lo, hi) in (ranges or {}).items():
        if n not in {a.name for a in chosen}:
            raise AssumptionError(f"--range {n}: this assumption is not varied (it is fixed or not in --vary)")
        chosen = [
            check_range(
                replace(a, low=float(lo), high=float(hi)),
                None if a.factor else params_cls.model_fields[n],
                f"--range {n}",
            )
            if a.name == n
            else a
            for a in chosen
        ]
    return chosen
