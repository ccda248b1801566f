"""Numbers in reports: one minus sign (U+2212), a fixed number of decimals per KPI, both languages.

Labels, units and decimals come from the KPI registry (:mod:`townsim.model.metrics`); this module only
turns values into text. A missing value (None, NaN, ±inf) is shown as ``—``.
"""

from __future__ import annotations

import math

from townsim.model.metrics import Kpi, kpi

MINUS = "\u2212"
MISSING = "—"
POINTS = {"en": "pp", "zh": "个百分点"}
"""Unit of a difference of two shares (percentage points)."""


POSTS = "persons"
"""Unit of staff in posts. Posts are full-time equivalents (a chief representative's coordination share of
a day, grid workers per resident), so they are shown with one decimal and labelled as such (:data:`FTE`)."""
FTE = {"en": "persons, full-time equivalent", "zh": "人，折合全时"}
POST_DIGITS = 1


def _finite(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def number(v, digits: int = 2, sign: bool = False) -> str:
    """``v`` with thousands separators and ``digits`` decimals; ``sign``: always show + or −."""
    if not _finite(v):
        return MISSING
    v = float(v)
    if round(v, digits) == 0:
        v, sign = 0.0, False  # no "−0.0" or "+0.00"
    text = f"{v:{'+' if sign else ''},.{digits}f}"
    return text.replace("-", MINUS)


def _k(name: str | Kpi) -> Kpi:
    return name if isinstance(name, Kpi) else kpi(name)


def _digits(k: Kpi) -> int:
    """Decimals of a KPI's values: the registry's, one for staff in posts (full-time equivalents)."""
    return POST_DIGITS if k.unit == POSTS else k.digits


def value(name: str | Kpi, v) -> str:
    """A KPI value: shares as ``96.0%``, counts as ``1,234``, posts as ``96.8``, other numbers with the
    KPI's decimals."""
    k = _k(name)
    if not _finite(v):
        return MISSING
    if k.fmt == "pct":
        return number(100 * float(v), k.digits) + "%"
    return number(v, _digits(k))


def diff(name: str | Kpi, v, lang: str = "en") -> str:
    """A signed difference: shares in percentage points (``+1.4 pp``), else in the KPI's unit."""
    k = _k(name)
    if not _finite(v):
        return MISSING
    if k.fmt == "pct":
        return f"{number(100 * float(v), k.digits, sign=True)} {POINTS[lang]}"
    return number(v, _digits(k), sign=True)


def interval(name: str | Kpi, lo, hi, difference: bool = False, lang: str = "en") -> str:
    """``[lo, hi]`` of a value or (``difference``) of a difference."""
    if not (_finite(lo) and _finite(hi)):
        return ""
    if difference:
        k = _k(name)
        if k.fmt == "pct":
            return f"[{number(100 * float(lo), k.digits, True)}, {number(100 * float(hi), k.digits, True)}]"
        return f"[{number(lo, _digits(k), True)}, {number(hi, _digits(k), True)}]"
    return f"[{value(name, lo)}, {value(name, hi)}]"


def share(v, digits: int = 0) -> str:
    """A share 0–1 as a percentage (``42%``)."""
    return MISSING if not _finite(v) else number(100 * float(v), digits) + "%"


def axis_label(name: str | Kpi, lang: str = "en", difference: bool = False) -> str:
    """``label (unit)`` for an axis; differences of shares are in percentage points."""
    k = _k(name)
    unit = POINTS[lang] if difference and k.fmt == "pct" else FTE[lang] if k.unit == POSTS else k.unit_text(lang)
    return f"{k.text(lang)} ({unit})" if unit else k.text(lang)


def md_cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
