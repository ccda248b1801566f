"""Hover help on the page: a short definition for every lever the app offers and every tile of the strip.

Nothing here defines a KPI or a parameter a second time. A tile's help is the KPI registry's label, unit
and one-line definition (``model.metrics.kpi``, ``model.metrics.definition``) of the KPIs it shows
(the registry's ``tiles`` view, ``strip.parts``); the day and reform tiles are the page's own
(``help_tile_day``, ``help_tile_reform``). A lever's help is its ``Params`` field: the description
(English), its kind (reform lever, fact with its F#/G#/P# code, assumption with its plausible range and
basis, setting) and its allowed range. The Chinese page shows the field's ``desc_zh`` (``LEVER_ZH``)
with the same generated kind and range. The page puts the text in the element's ``title`` (the
browser's own tooltip: no script, works with a projector and a screen reader).
"""

from __future__ import annotations

from townsim.model.metrics import definition, kpi
from townsim.model.metrics.text import number, significant
from townsim.model.params import Params, meta

from . import strip
from .i18n import t
from .levers import LEVERS

LEVER_ZH: dict[str, str] = {
    "equal_staff": "不增加总编制：乡镇新增岗位从县级部门编制中调剂（G3）。",
    **{lv.name: str(meta(lv.name)["desc_zh"]) for lv in LEVERS if not lv.virtual},
}
"""Chinese of the ``Params`` descriptions of the levers the app offers: each field's ``desc_zh`` (``equal_staff``
is the page's own switch: its text in both languages is ``lever_help_equal_staff``)."""


def _range_end(x: float) -> str:
    """An end of a plausible or slider range: whole numbers with separators (``200,000``), others to 3
    significant digits (``0.05``, ``0.125``)."""
    return number(x, 0) if float(x).is_integer() else significant(x, 3)


def _kind_text(name: str, lang: str) -> str:
    """A Params field's kind in one phrase: lever, fact (code), assumption (range, basis), setting."""
    extra = Params.model_fields[name].json_schema_extra or {}
    kind = extra.get("kind", "")
    if kind == "fact":
        return t("help_kind_fact", lang, cite=extra.get("cite", ""))
    if kind == "assumption":
        lo, hi = extra.get("plausible", (None, None))
        span = f"{_range_end(lo)}–{_range_end(hi)}" if lo is not None else ""
        text = t("help_kind_assumption", lang, span=span)
        return f"{text}; {extra['basis']}" if lang == "en" and extra.get("basis") else text
    return t(f"help_kind_{kind}", lang) if kind in ("lever", "setting") else ""


def lever_help(name: str, lang: str) -> str:
    """The hover help of lever ``name``: its definition, its kind and the range the slider offers."""
    lever = next(lv for lv in LEVERS if lv.name == name)
    if lever.virtual:
        return t(f"lever_help_{name}", lang)
    info = Params.model_fields[name]
    text = LEVER_ZH[name] if lang == "zh" else str(info.description)
    parts = [text, _kind_text(name, lang)]
    if lever.kind == "slider":
        unit = (info.json_schema_extra or {}).get("unit", "")
        top = "∞" if lever.inf_at_max else _range_end(lever.max)
        span = f"{_range_end(lever.min)}–{top}" + (f" {unit}" if unit and lang == "en" else "")
        parts.append(t("help_range", lang, span=span))
    return " · ".join(p for p in parts if p)


def tile_kpis(key: str) -> tuple[str, ...]:
    """The registry KPIs tile ``key`` shows (none for the page's own day and reform tiles)."""
    return tuple(k.name for ks in strip.parts(key) for k in ks)


def tile_help(key: str, lang: str) -> str:
    """The hover help of tile ``key``: each KPI it shows with its registry label, unit and definition."""
    names = tile_kpis(key)
    if not names:
        return t(f"help_tile_{key}", lang)
    lines = []
    for name in names:
        k = kpi(name)
        unit = k.unit_text(lang)
        head = f"{k.text(lang)}（{unit}）" if lang == "zh" else f"{k.text(lang)} ({unit})"
        lines.append(f"{head}{'：' if lang == 'zh' else ': '}{definition(name, lang)}")
    return "\n".join(lines)
