"""What a model reports beside its KPIs: the agents' daily columns and the staff report.

The KPIs themselves are computed in ``metrics``; ``TownshipModel`` forwards to these helpers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import metrics
from .agents import Department, Township
from .params import HOURS_PER_DAY
from .staffing import KINDS

AGENT_COLUMNS: dict[type, dict[str, str]] = {
    Township: {  # labels differ from the KPIs': Mesa ≥ 3.4's batch_run merges them into one row
        "handler_backlog": "backlog",
        "utilisation": "utilisation",
        "overloaded": "overloaded",
        "score": "score",
        "rank": "rank",
        "gamed": "gamed",
    },
    Department: {
        "handler_backlog": "backlog",
        "utilisation": "utilisation",
        "effort": "effort",
        "dumping_propensity": "dumping_propensity",
        "score": "score",
        "learned_dumping_cost": "expected_score_drop",
        "gamed": "gamed",
    },
}
"""Per-agent daily columns of the collector (column → agent attribute), by agent class."""


def staff_report(model) -> dict[str, dict[str, Any]]:
    """Posts (persons) and budgeted hours per working day per handler kind (``staffing.KINDS``),
    the overtime paid so far in the counted window (hours), reported apart, the departments
    held at the one-person floor, and the saturated handlers (offered load ≥ 1 over the
    counted days, by label)."""
    out: dict[str, dict[str, Any]] = {
        k: {"posts": model.posts[k], "budgeted_hours_per_day": model.posts[k] * HOURS_PER_DAY}
        for k in (*KINDS, "total")
    }
    out["overtime"] = {"hours": float(sum(d.overtime_hours for d in model.departments))}
    out["floored_departments"] = {
        "count": float(model.floored_departments.sum()),
        "departments": [model.departments[d].handler.label for d in np.flatnonzero(model.floored_departments)],
    }
    out["saturated_handlers"] = metrics.saturated_handlers(model)
    return out
