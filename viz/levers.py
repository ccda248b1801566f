"""The levers the app exposes (DESIGN §4): every ``Params`` field that declares an app card (``P(app=...)``).

Each lever is a Params field; its labels (en/zh), its card and place, its kind (switch, share slider,
hours slider), its range and its unit come from the field's own metadata, so adding a lever to the app
is one ``P(...)`` declaration and the app can never offer a value the model would reject. The cards are
``APP_CARDS`` in order; in a card, the fields by their place (``"card@n"``; none: 0), then in declaration
order. ``build_params`` validates the chosen values through :meth:`Params.replace`, the same path as
every other caller of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from townsim.model.params import Params, ParamsError, allowed_range, meta
from townsim.model.params.kinds import APP_CARDS, APP_RE


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
    card: str = ""
    """The card of the lever panel it sits in (``APP_CARDS``)."""
    place: float = 0.0
    """Its place in the card (``"card@n"``)."""

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


VIRTUAL: tuple[Lever, ...] = (
    # fund new posts from department posts (same budget): the page's own switch, labels in ``i18n``
    Lever("equal_staff", "switch", virtual=True, card="delegation", place=3.0),
)
"""Controls that are not Params fields (their labels and help are the app's own texts)."""


def _bounds(name: str, model: type[BaseModel] = Params) -> tuple[float | None, float | None]:
    """The allowed bounds of field ``name`` (``ge`` or ``gt``, ``le`` or ``lt``; None when open)."""
    lo = hi = None
    for m in model.model_fields[name].metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        hi = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else hi
    return lo, hi


def field_lever(name: str, model: type[BaseModel] = Params) -> Lever:
    """The control of field ``name`` of ``model`` as its metadata declares it (``P(app=...)``)."""
    info, m = model.model_fields[name], meta(name, model)
    found = APP_RE.match(str(m.get("app", "")))
    if not found:
        raise ValueError(f"field {name} declares no app card (P(app=...))")
    card, place = found.group(1), float(found.group(2) or 0)
    unit = m.get("unit", "")
    if info.annotation is bool:
        return Lever(name, "switch", unit=unit, card=card, place=place)
    lo, hi = m.get("slider", _bounds(name, model))
    if lo is None or hi is None:
        raise ValueError(f"lever {name} needs bounds in Params or slider=(low, high)")
    step = float(m.get("step", 0.05))
    return Lever(name, "slider", float(lo), float(hi), step, unit, bool(m.get("inf_at_max")), card=card, place=place)


def app_levers(model: type[BaseModel] = Params, virtual: tuple[Lever, ...] = VIRTUAL) -> tuple[Lever, ...]:
    """Every control of the app, in the order shown: by card (``APP_CARDS``), then place, then declaration
    (the virtual controls after the fields of the same place)."""
    fields = [field_lever(n, model) for n in model.model_fields if "app" in meta(n, model)]
    found = [(lv.card, lv.place, i, lv) for i, lv in enumerate([*fields, *virtual])]
    return tuple(lv for *_, lv in sorted(found, key=lambda x: (APP_CARDS.index(x[0]), x[1], x[2])))


def lever_texts(model: type[BaseModel] = Params) -> dict[str, dict[str, str]]:
    """The app's texts of the fields it shows: ``lever_<name>`` → their labels (``label``, ``label_zh``)."""
    out = {}
    for name in model.model_fields:
        m: dict[str, Any] = meta(name, model)
        if "app" in m:
            out[f"lever_{name}"] = {"zh": str(m["label_zh"]), "en": str(m["label"])}
    return out


def lever_groups(levers: tuple[Lever, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(heading key, lever names)`` per card that holds levers, in the order shown."""
    return tuple(
        (f"group_{card}", names) for card in APP_CARDS if (names := tuple(lv.name for lv in levers if lv.card == card))
    )


LEVERS: tuple[Lever, ...] = app_levers()
"""The levers of the issue, in the order shown."""

LEVER_NAMES = tuple(lv.name for lv in LEVERS)

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = lever_groups(LEVERS)
"""The levers grouped by card (headings in the lever card); every lever is in exactly one group."""

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
