"""Upward duties of townships and how a township splits its day (督查检查考核, G2, G5, P1).

**Owed upward duties.** Every working day each township owes
``inspection_hours_per_week / 5`` hours to meetings, documents, reports, hosting
visiting teams and inspections, plus the duty tasks departments dumped on it
(``dumping``). The baseline's figure comes from the township survey P1 (per year:
60 county meetings, 300–500 documents, 70–100 reports, 100–150 days hosting
teams, 20–40 inspections) with these assumptions: a meeting 4 h (with the trip
to the seat); a document 1 h; a report 8 h; a hosting day 8 h of one person; an
inspection 2 days of 2 persons (32 h); mid-points of the ranges; 50 working
weeks. That is 60·4 + 400·1 + 85·8 + 125·8 + 30·32 = 3,280 h a year, about
**66 hours a week** per township. P2 (cuts of 30–50 %, inspections halved) sizes
the reduction under two-way assessment. Meetings and documents are 60·4 + 400·1 = 640 of those
3,280 h (``MEETING_DOCUMENT_SHARE`` ≈ 0.195); the lever ``meeting_document_cut`` (P2's campaign: cut
documents and meetings by 30–50 %) removes that share of them from the owed hours, whatever the
inspection load (default 0: no cut).

**Day split (a Township decision, ``Township.split_day``).** The township is
scored by the county with weights ``score_weights`` — ``service`` (residents'
cases, ``township_service_weight``) and ``upward`` (duties and inspections, the
rest); under one-way assessment the departments score it on upward duties, so
the upward weight is the larger. The rule, one-way (upward ≥ service): owed
upward duties are worked first, before any case (``duty_cap`` = ∞); otherwise
cases first: owed duties get only the hours the township's open case work
leaves (``capacity − open tasks × mean step hours``). Hours its queues leave
idle (slack) are spent by the same weights: a share ``upward`` on elective
paperwork (polishing reports, preparing inspections), a share ``service`` on
elective service to residents (visits, follow-ups). The township's service share
is (case hours + elective service) / all its hours. Two-way assessment moves hours
back to residents only through this rule: fewer dumped tasks and inspections
free hours, which go to residents in proportion to the service weight — with a
service weight of 0 they all go to paperwork.
"""

from __future__ import annotations

import math

from .params import Params

WORKING_DAYS_PER_WEEK = 5


MEETING_DOCUMENT_SHARE = (60 * 4 + 400 * 1) / 3280
"""Share of the duty hours that are county meetings and documents (P1 with the assumptions above:
60 meetings of 4 h and 400 documents of 1 h out of 3,280 h a year, about 0.195)."""


def weekly_duty_hours(params: Params, inspection_hours_per_week: float | None = None) -> float:
    """Upward duty hours per township and week: ``inspection_hours_per_week`` (the lever's value unless given:
    ``reform.effective_inspection_hours``) less the cut meetings and documents (``meeting_document_cut`` ×
    :data:`MEETING_DOCUMENT_SHARE` of them)."""
    cut = params.meeting_document_cut * MEETING_DOCUMENT_SHARE
    hours = params.inspection_hours_per_week if inspection_hours_per_week is None else inspection_hours_per_week
    return hours * (1.0 - cut) if cut else hours


def daily_inspection_hours(params: Params, inspection_hours_per_week: float | None = None) -> float:
    """Hours per township per working day (``inspection_hours_per_week``: as :func:`weekly_duty_hours`)."""
    return weekly_duty_hours(params, inspection_hours_per_week) / WORKING_DAYS_PER_WEEK


def apply(townships, params: Params, inspection_hours_per_week: float | None = None) -> float:
    """Add today's inspection hours to every township's duty backlog (``inspection_hours_per_week``: as
    :func:`weekly_duty_hours`); return the total added."""
    h = daily_inspection_hours(params, inspection_hours_per_week)
    for t in townships:
        t.handler.duty_backlog += h
    return h * len(townships)


def upward_first(town) -> bool:
    """One-way rule: upward duties come first when they weigh at least as much as service."""
    w = town.score_weights
    return w["upward"] >= w["service"]


def duty_cap(town) -> float:
    """Most owed duty hours the township works before its cases today."""
    if upward_first(town):
        return math.inf
    h = town.handler
    return max(h.capacity_hours - h.open_tasks * town.model.mean_step_hours, 0.0)


def split_slack(town, slack: float) -> tuple[float, float]:
    """(elective paperwork, elective service) hours out of ``slack`` idle hours, by the scoring weights."""
    w = town.score_weights
    total = w["upward"] + w["service"]
    if total <= 0 or slack <= 0:
        return 0.0, 0.0
    return slack * w["upward"] / total, slack * w["service"] / total


def townships_day(model, inspection_hours_per_week: float | None = None) -> None:
    """Today's inspection hours owed by every township (:func:`apply`), then each township's day split
    (``Township.split_day``, in the townships' order)."""
    towns = model.townships
    apply(towns, model.params, inspection_hours_per_week)
    for town in towns:
        town.split_day()


def account_all(model) -> None:
    """Every township's ``Township.account_day`` (today's hours booked by use, after the day's work), in the
    townships' order."""
    for town in model.townships:
        town.account_day()
