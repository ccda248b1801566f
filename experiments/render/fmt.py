"""Numbers in reports: the project's one set of number formatters, and the report's axis labels and cells.

The formatters (one minus sign, a fixed number of decimals per KPI, ``pp`` for differences of shares,
``—`` for a missing value) are defined once in :mod:`townsim.model.metrics.text`, where the app can read
them too, and re-exported here; labels, units and decimals come from the KPI registry.
"""

from __future__ import annotations

from townsim.model.metrics import Kpi, kpi
from townsim.model.metrics.text import (
    FTE,
    MINUS,
    MISSING,
    POINTS,
    POST_DIGITS,
    POSTS,
    auto,
    brief,
    diff,
    digits,
    estimate,
    finite,
    interval,
    number,
    plain,
    share,
    significant,
    tick,
    value,
)

__all__ = [
    "FTE",
    "MINUS",
    "MISSING",
    "POINTS",
    "POSTS",
    "POST_DIGITS",
    "auto",
    "axis_label",
    "brief",
    "diff",
    "digits",
    "estimate",
    "finite",
    "interval",
    "md_cell",
    "number",
    "plain",
    "share",
    "significant",
    "tick",
    "value",
]


def axis_label(name: str | Kpi, lang: str = "en", difference: bool = False) -> str:
    """``label (unit)`` for an axis; differences of shares are in percentage points."""
    k = name if isinstance(name, Kpi) else kpi(name)
    unit = POINTS[lang] if difference and k.fmt == "pct" else FTE[lang] if k.unit == POSTS else k.unit_text(lang)
    return f"{k.text(lang)} ({unit})" if unit else k.text(lang)


def md_cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
