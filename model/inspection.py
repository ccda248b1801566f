"""Inspections and assessments of townships (督查检查考核, G5): hours taken off township staff.

Every working day each township owes ``inspection_hours_per_week / 5`` hours
to inspections; duty hours are worked before cases (see ``engine``), so
heavy inspections crowd out service. Two-way assessment reforms "cut
inspections sharply" (G5) by lowering this lever in their scenarios.
"""

from __future__ import annotations

from .params import Params

WORKING_DAYS_PER_WEEK = 5


def daily_inspection_hours(params: Params) -> float:
    """Hours per township per working day."""
    return params.inspection_hours_per_week / WORKING_DAYS_PER_WEEK


def apply(townships, params: Params) -> float:
    """Add today's inspection hours to every township's duty backlog; return the total added."""
    h = daily_inspection_hours(params)
    for t in townships:
        t.handler.duty_backlog += h
    return h * len(townships)
