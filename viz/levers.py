"""The levers the app exposes (DESIGN §4), with bounds read from :class:`model.params.Params`.

Each lever is a Params field; its kind (switch, share slider, hours slider),
its range and its unit come from the field's own metadata, so the app can
never offer a value the model would reject. ``build_params`` validates the
chosen values through :meth:`Params.replace`, the same path as every other
caller of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from townsim.model.params import Params, ParamsError, allowed_range


@dataclass(frozen=True)
class Lever:
    """One control: a Params field shown as a switch or a slider."""

    name: str
    kind: str          # "switch" or "slider"
    min: float = 0.0
    max: float = 1.0
    step: float = 0.05
    unit: str = ""

    def coerce(self, value):
        """The value in the field's Python type (bool or float)."""
        return bool(value) if self.kind == "switch" else float(value)


def _bounds(name: str) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in Params.model_fields[name].metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        hi = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else hi
    return lo, hi


def _lever(name: str, step: float = 0.05, display_max: float | None = None) -> Lever:
    info = Params.model_fields[name]
    unit = (info.json_schema_extra or {}).get("unit", "")
    if info.annotation is bool:
        return Lever(name, "switch", unit=unit)
    lo, hi = _bounds(name)
    if lo is None or hi is None:
        raise ValueError(f"lever {name} needs bounds in Params")
    hi = min(hi, display_max) if display_max is not None else hi
    return Lever(name, "slider", float(lo), float(hi), step, unit)


LEVERS: tuple[Lever, ...] = (
    _lever("delegated_share"),
    _lever("staff_transfer"),
    _lever("escalation_135"),
    _lever("two_way_weight"),
    _lever("responsibility_list"),
    _lever("online_share"),
    _lever("grid_coverage"),
    # Params allows up to 10,000 h/week; a working week has 40 h, so the slider stops there.
    _lever("inspection_hours_per_week", step=1.0, display_max=40.0),
)
"""The levers of the issue, in the order shown."""

LEVER_NAMES = tuple(lv.name for lv in LEVERS)

SEED_MAX = 999
"""Largest seed offered by the seed slider (any non-negative integer works in the model)."""


def lever_values(params: Params) -> dict:
    """The current values of the levers in ``params``."""
    return {lv.name: getattr(params, lv.name) for lv in LEVERS}


def build_params(base: Params, values: dict) -> Params:
    """``base`` with the lever ``values`` applied (validated; raises ``ParamsError``)."""
    by_name = {lv.name: lv for lv in LEVERS}
    changes = {}
    for k, v in values.items():
        if k not in by_name:
            continue
        try:
            changes[k] = by_name[k].coerce(v)
        except (TypeError, ValueError):
            raise ParamsError(k, f"got {str(v)[:40]!r}; allowed: {allowed_range(k)}") from None
    return base.replace(**changes) if changes else base
