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


def auto(v) -> str:
    """A measured number whose size is not known in advance (a check's expected or measured value):
    4 significant digits below 10 (``0.8123``, ``3.142``), two decimals with separators above
    (``1,234.50``), 3 significant digits when tiny or huge (``0.000123``, ``1.23e+05``)."""
    if not finite(v):
        return MISSING
    v = float(v)
    a = abs(v)
    if a != 0 and (a < 0.001 or a >= 1e5):
        text = f"{v:.3g}"
    else:
        text = f"{v:.4g}" if a < 10 else f"{v:,.2f}"
    return text.replace("-", MINUS)


def estimate(v, half_width=None) -> str:
    """A value and (optionally) its ± half-width with the same decimals, decimals by size: ``0.331 ± 0.277``,
    ``225.8 ± 93.3``, ``200,000 ± 0``."""
    if not finite(v):
        return MISSING
    a = abs(float(v))
    places = 3 if a < 10 else 1 if a < 1000 else 0
    text = number(v, places)
    if finite(half_width):
        text += f" ± {number(half_width, places)}"
    return text


def brief(v) -> str:
    """A number in running text (a table cell of the teaching guide, a lever's range): integers from 1 up
    with separators (``1,234``), other numbers with two decimals (``0.35``)."""
    if not finite(v):
        return MISSING
    v = float(v)
    return number(v, 0 if v.is_integer() and abs(v) >= 1 else 2)
