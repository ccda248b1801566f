"""How KPI values are written: one minus sign (U+2212), a fixed number of decimals per KPI, both languages.

The one set of number formatters of the project (reports, figures, the run table, the findings page and
the app): :mod:`townsim.experiments.render.fmt` re-exports them beside its report helpers. A missing value
(None, NaN, ±inf) is shown as ``—``; a difference of two shares is in percentage points (``pp``).
"""

from __future__ import annotations

import math

from .kpi import Kpi
from .registry import kpi

MINUS = "\u2212"
MISSING = "—"
POINTS = {"en": "pp", "zh": "个百分点"}
"""Unit of a difference of two shares (percentage points)."""

POSTS = "persons"
"""Unit of staff in posts. Posts are full-time equivalents (a chief representative's coordination share of
a day, grid workers per resident), so they are shown with one decimal and labelled as such (:data:`FTE`)."""
FTE = {"en": "persons, full-time equivalent", "zh": "人，折合全时"}
POST_DIGITS = 1


def finite(v) -> bool:
    """True for a finite number (not None, NaN or ±inf, and not text)."""
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def number(v, digits: int = 2, sign: bool = False) -> str:
    """``v`` with thousands separators and ``digits`` decimals; ``sign``: always show + or −."""
    if not finite(v):
        return MISSING
    v = float(v)
    if round(v, digits) == 0:
        v, sign = 0.0, False  # no "−0.0" or "+0.00"
    text = f"{v:{'+' if sign else ''},.{digits}f}"
    return text.replace("-", MINUS)


def significant(v, digits: int = 3, sign: bool = False) -> str:
    """``v`` to ``digits`` significant digits (``0.0123``, ``1.23e+04``), one minus sign."""
    if not finite(v):
        return MISSING
    return f"{float(v):{'+' if sign else ''}.{digits}g}".replace("-", MINUS)


def tick(v) -> str:
    """A grid value or axis tick: integers without decimals, else up to 3 significant digits, one minus sign."""
    v = float(v)
    return (f"{v:.0f}" if v.is_integer() else f"{v:.3g}").replace("-", MINUS)


def plain(x) -> str:
    """A number as typed on a command line (``--set key=0.25``): integers without a decimal point, no
    separators, an ASCII minus."""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.10g}"


def _k(name: str | Kpi) -> Kpi:
    return name if isinstance(name, Kpi) else kpi(name)


def digits(name: str | Kpi) -> int:
    """Decimals of a KPI's values: the registry's, one for staff in posts (full-time equivalents)."""
    k = _k(name)
    return POST_DIGITS if k.unit == POSTS else k.digits


def value(name: str | Kpi, v) -> str:
    """A KPI value: shares as ``96.0%``, counts as ``1,234``, posts as ``96.8``, other numbers with the
    KPI's decimals."""
    k = _k(name)
    if not finite(v):
        return MISSING
    if k.fmt == "pct":
        return number(100 * float(v), k.digits) + "%"
    return number(v, digits(k))


def diff(name: str | Kpi, v, lang: str = "en") -> str:
    """A signed difference: shares in percentage points (``+1.4 pp``), else in the KPI's unit."""
    k = _k(name)
    if not finite(v):
        return MISSING
    if k.fmt == "pct":
        return f"{number(100 * float(v), k.digits, sign=True)} {POINTS[lang]}"
    return number(v, digits(k), sign=True)


def interval(name: str | Kpi, lo, hi, difference: bool = False, lang: str = "en") -> str:
    """``[lo, hi]`` of a value or (``difference``) of a difference."""
    if not (finite(lo) and finite(hi)):
        return ""
    if difference:
        k = _k(name)
        if k.fmt == "pct":
            return f"[{number(100 * float(lo), k.digits, True)}, {number(100 * float(hi), k.digits, True)}]"
        return f"[{number(lo, digits(k), True)}, {number(hi, digits(k), True)}]"
    return f"[{value(name, lo)}, {value(name, hi)}]"


def share(v, digits: int = 0) -> str:
    """A share 0–1 as a percentage (``42%``)."""
    return MISSING if not finite(v) else number(100 * float(v), digits) + "%"
