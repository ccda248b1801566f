"""The behaviour probe: a few short runs of small counties whose outputs stand for what the model does.

:func:`probe_digest` runs every case of :data:`CASES` (about half a second in all) and hashes the
measured outputs only — the daily KPI columns of :data:`DAILY` and the run summary values of
:data:`SUMMARY` (the registry's ``probe`` view), each rounded to :data:`DIGITS` significant digits so that a
floating-point reordering (a numpy upgrade) does not count as a change. Nothing of the parameter set
itself is hashed, so a new field of ``Params`` whose default does nothing leaves the digest as it was,
and so does a refactor; a change of behaviour that reaches any case changes it.

The cases are the regression-pin counties (``tests/pins``) plus one that switches on the levers
the pins leave at their defaults, so that between them they reach every mechanism. A mechanism no
case reaches is invisible to the probe: add a case for it (which changes the digest once) or bump
``townsim.model.version.BEHAVIOUR_VERSION``.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from townsim.model import Params, TownshipModel
from townsim.model.metrics import kpis

DIGITS = 9
"""Significant digits a float keeps before hashing (the pins' tolerance is 1e-9 relative)."""

PIN_REFORM: dict[str, Any] = dict(
    townships=6,
    departments=12,
    enterprises=600,
    residents=60_000,
    matter_types=60,
    delegated_share=0.4,
    staff_transfer=0.5,
    one_stop_centre=True,
    joint_handling=True,
    online_share=0.5,
    commissioners=5,
    escalation_135=True,
    chief_representatives=4,
    joint_conference_slots=3,
    two_way_weight=0.7,
    assessment_period=10,
    responsibility_list=True,
    grid_coverage=0.4,
    app_reporting=0.3,
    points_incentive=0.5,
    department_staff=18.0,
    township_staff=14.0,
    online_dispatch=True,
    desk_decisions=True,
    local_problem_rate=0.0001,
    grid_mediation_hours=2.0,
)
"""The regression pins' ``reform`` county (tests/pins reads it from here: one definition)."""

CASES: dict[str, tuple[dict[str, Any], int, int]] = {
    "default": ({}, 1, 40),
    "reform": (PIN_REFORM, 7, 45),
    "stressed": (
        dict(
            townships=3,
            departments=6,
            enterprises=300,
            residents=20_000,
            residents_per_agent=1,
            matter_types=30,
            department_staff=4.0,
            township_staff=3.0,
            service_time_distribution="exponential",
            delegation_order="random",
            delegated_share=0.3,
            escalation_135=True,
            chief_representatives=1,
            dispute_rate=0.0003,
            citizen_patience_days=3.0,
            assessment_period=7,
            enterprise_exit_sensitivity=0.05,
            enterprise_entry_rate=0.002,
        ),
        3,
        40,
    ),
    # the levers the pins leave at their defaults: whistle, ranking and call-backs, renewal, mediation
    "levers": (
        dict(
            townships=4,
            departments=8,
            enterprises=300,
            residents=30_000,
            matter_types=40,
            delegated_share=0.5,
            staff_transfer=0.3,
            township_hall_share=0.3,
            escalation_135=True,
            chief_rep_hours=3.0,
            leading_group_staff=1.0,
            joint_conference_interval=3,
            whistle=True,
            responsibility_list=True,
            list_enforcement=0.5,
            grid_coverage=0.6,
            local_mediation=0.9,
            reform_renewal_days=20.0,
            ontime_weight=0.5,
            ranking_pressure=0.5,
            callback_share=0.3,
            callback_penalty=0.5,
            department_staff=10.0,
            township_staff=8.0,
        ),
        11,
        40,
    ),
}
"""name -> (parameter values, seed, days)."""

DAILY = ("day", *kpis("probe.daily"))
"""Daily KPI columns hashed (the regression pins' contract): the day and the registry's ``probe.daily`` view."""

SUMMARY = kpis("probe.summary")
"""Run-summary values hashed (the registry's ``probe.summary`` view; a KPI missing from a run is hashed as
absent)."""


def token(value: Any) -> str:
    """A value as hashed: floats to :data:`DIGITS` significant digits, NaN and None as ``nan``."""
    value = value.item() if hasattr(value, "item") else value
    if value is None:
        return "nan"
    if isinstance(value, bool) or isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if value == 0.0:
            return "0"  # -0.0 and 0.0 alike
        return format(value, f".{DIGITS}g")
    return repr(value)


def run_case(name: str) -> tuple[dict[str, Any], Any]:
    """(summary, daily KPI table) of one probe case."""
    values, seed, days = CASES[name]
    model = TownshipModel(Params(**values), rng=seed)
    model.run(days)
    return dict(model.summary()), model.timeseries()


def case_lines(name: str) -> list[str]:
    """The measured outputs of one case, one ``key=value`` line each, in a fixed order."""
    summary, daily = run_case(name)
    lines = [f"{name}.summary.{k}={token(summary[k]) if k in summary else 'absent'}" for k in kpis("probe.summary")]
    for col in ("day", *kpis("probe.daily")):
        values = daily[col].to_numpy() if col in daily else None
        lines.append(f"{name}.daily.{col}=" + ("absent" if values is None else ",".join(token(v) for v in values)))
    return lines


def probe_digest() -> str:
    """SHA-256 (16 hex digits) of every case's measured outputs."""
    h = hashlib.sha256()
    for name in CASES:
        for line in case_lines(name):
            h.update(line.encode() + b"\n")
    return h.hexdigest()[:16]
