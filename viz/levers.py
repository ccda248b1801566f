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
    """One control: a Params field shown as a switch or a slider (or a switch the page applies itself)."""

    name: str
    kind: str  # "switch" or "slider"
    min: float = 0.0
    max: float = 1.0
    step: float = 0.05
    unit: str = ""
    inf_at_max: bool = False
    """The slider's last position means ∞ (e.g. a half-life: never fades)."""
    virtual: bool = False
    """Not a Params field: the page applies it when building the model (``equal_staff``)."""

    def coerce(self, value):
        """The value in the field's Python type (bool or float; ∞ at the top of an ``inf_at_max`` slider)."""
        if self.kind == "switch":
            if not isinstance(value, (bool, int, float)):
                raise ValueError(f"{value!r} is not on/off")
            return bool(value)
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number")
        x = float(value)
        return float("inf") if self.inf_at_max and x >= self.max else x

    def position(self, value) -> float:
        """Where the slider stands for ``value`` (∞ at the top)."""
        x = float(value)
        return self.max if x == float("inf") else x


def _bounds(name: str) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in Params.model_fields[name].metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        hi = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else hi
    return lo, hi


def _lever(
    name: str,
    step: float = 0.05,
    display_max: float | None = None,
    display_min: float | None = None,
    inf_at_max: bool = False,
) -> Lever:
    info = Params.model_fields[name]
    unit = (info.json_schema_extra or {}).get("unit", "")
    if info.annotation is bool:
        return Lever(name, "switch", unit=unit)
    lo, hi = _bounds(name)
    hi = display_max if hi is None else hi
    if lo is None or hi is None:
        raise ValueError(f"lever {name} needs bounds in Params")
    hi = min(hi, display_max) if display_max is not None else hi
    lo = max(lo, display_min) if display_min is not None else lo
    return Lever(name, "slider", float(lo), float(hi), step, unit, inf_at_max=inf_at_max)


LEVERS: tuple[Lever, ...] = (
    _lever("delegated_share"),
    _lever("staff_transfer"),
    Lever("equal_staff", "switch", virtual=True),  # fund new posts from department posts (same budget)
    _lever("escalation_135"),
    _lever("two_way_weight"),
    _lever("responsibility_list"),
    _lever("online_share"),
    _lever("grid_coverage"),
    # Params allows up to 10,000 h/week; the shipped status quo has 66, so the slider stops at 80.
    _lever("inspection_hours_per_week", step=1.0, display_max=80.0),
    # distance: the county's area sets how far townships lie from the seat; travel hours between departments
    _lever("county_area_km2", step=100.0, display_max=3000.0, display_min=100.0),
    _lever("travel_hours", step=0.25, display_max=4.0),
    _lever("township_hall_share"),
    _lever("township_service_weight"),  # the townships' day split: weight of residents' service in their score
    _lever("callback_share"),  # call-back checks (回访)
    _lever("callback_penalty", step=0.5, display_max=5.0),
    _lever("reform_half_life_days", step=30.0, display_max=720.0, display_min=30.0, inf_at_max=True),
    # before/after: days run under the pre-reform levers, then the reform switches on
    _lever("warmup_days", step=10.0, display_max=120.0),
)
"""The levers of the issue, in the order shown."""

LEVER_NAMES = tuple(lv.name for lv in LEVERS)

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("group_delegation", ("delegated_share", "staff_transfer", "equal_staff")),
    ("group_service", ("escalation_135", "online_share", "township_hall_share")),
    (
        "group_assessment",
        ("two_way_weight", "responsibility_list", "inspection_hours_per_week", "township_service_weight"),
    ),
    ("group_grid", ("grid_coverage", "callback_share", "callback_penalty")),
    ("group_geography", ("county_area_km2", "travel_hours")),
    ("group_time", ("reform_half_life_days", "warmup_days")),
)
"""The levers grouped by reform (headings in the lever card); every lever is in exactly one group."""

SEED_MAX = 999
"""Largest seed offered by the seed slider (any non-negative integer works in the model)."""


def lever_values(params: Params) -> dict:
    """The current values of the levers in ``params`` (a virtual lever is off)."""
    return {lv.name: (False if lv.virtual else getattr(params, lv.name)) for lv in LEVERS}


def build_params(base: Params, values: dict) -> Params:
    """``base`` with the lever ``values`` applied (validated; raises ``ParamsError``)."""
    by_name = {lv.name: lv for lv in LEVERS}
    changes = {}
    for k, v in values.items():
        if k not in by_name or by_name[k].virtual:
            continue
        try:
            changes[k] = by_name[k].coerce(v)
        except (TypeError, ValueError):
            raise ParamsError(k, f"got {str(v)[:40]!r}; allowed: {allowed_range(k)}") from None
        if isinstance(changes[k], float) and Params.model_fields[k].annotation is int:
            changes[k] = int(round(changes[k]))
    return base.replace(**changes) if changes else base
