"""KPIs (DESIGN §5): the one registry, the daily row (Mesa DataCollector) and the per-run summary.

- :mod:`.kpi` — what a KPI is (labels, unit, format, direction, kind, views);
- :mod:`.registry` — every KPI once, and the queries of its views (``kpis("dashboard")``);
- :mod:`.views` — the views and their groups (titles, axes, colours);
- :mod:`.definitions` — one-line definitions for the app's hover help;
- :mod:`.collect` — the daily row; :mod:`.compute` — the run summary and handler loads.
"""

from __future__ import annotations

from .collect import TOTALS, collect_day, overloaded
from .compute import (
    front_line_share,
    handler_marks,
    offered_load,
    referral_kpis,
    request_on_time_rate,
    requester_hours_per_request,
    saturated_handlers,
    summary,
)
from .definitions import DEFINITIONS, definition
from .kpi import KINDS, SHORT, UNITS_ZH, Kpi
from .registry import DAILY_KPIS, KPI, KPIS, SUMMARY_KEYS, compared_tile_keys, group, groups, kpi, kpis, registered
from .views import GROUPS, VIEWS, Group

__all__ = [
    "DAILY_KPIS",
    "DEFINITIONS",
    "GROUPS",
    "KINDS",
    "KPI",
    "KPIS",
    "SHORT",
    "SUMMARY_KEYS",
    "TOTALS",
    "UNITS_ZH",
    "VIEWS",
    "Group",
    "Kpi",
    "collect_day",
    "compared_tile_keys",
    "definition",
    "front_line_share",
    "group",
    "groups",
    "handler_marks",
    "kpi",
    "kpis",
    "offered_load",
    "overloaded",
    "referral_kpis",
    "registered",
    "request_on_time_rate",
    "requester_hours_per_request",
    "saturated_handlers",
    "summary",
]
