"""What a model reports beside its KPIs: the agents' daily columns and the staff report.

The KPIs themselves are computed in ``metrics``; ``TownshipModel`` forwards to these helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import metrics
from .agents import Department, Township
from .metrics import numeric
from .params import HOURS_PER_DAY
from .staffing import KINDS


class AgentColumns(dict):
    """Per-agent daily columns (agent class → {column: agent attribute}), with each class's ``readers``: (the
    attributes it reads, a function ``(model, agents) → [each agent's values]`` giving them in one pass), used
    by the collector for the model's fixed agent lists while they are the columns' attributes
    (``collector.DailyCollector``)."""

    def __init__(self, columns: dict[type, dict[str, str]], readers: dict[type, Callable]):
        super().__init__(columns)
        self.readers = {cls: (_READS[fn], fn) for cls, fn in readers.items()}


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


def _utilisation(model, agents: list, which: int) -> list[float]:
    """The agents' ``utilisation`` today: as the KPI row read it (``which``: 0 townships, 1 departments) when
    ``agents`` is that list of the model, else read from their handlers."""
    kept = numeric.agent_utilisation(model)
    if kept is not None and agents is (model.townships, model.departments)[which]:
        return kept[which]
    return numeric.utilisations([a.handler for a in agents])


def township_values(model, towns: list) -> list[tuple]:
    """``AGENT_COLUMNS[Township]``'s attributes of ``towns`` (backlog, utilisation, overloaded, score, rank,
    gamed), the properties read from the handler: the same values (``tests/test_day9_empty_day.py``); as the KPI
    row read them (``numeric.agent_day``) when ``towns`` is the model's list."""
    kept = numeric.agent_values(model)
    if kept is not None and towns is model.townships:
        return kept[0]
    util = _utilisation(model, towns, 0)
    return [(t.handler.open_tasks, u, t.overloaded, t.score, t.rank, t.gamed) for t, u in zip(towns, util)]


def department_values(model, deps: list) -> list[tuple]:
    """``AGENT_COLUMNS[Department]``'s attributes of ``deps`` (backlog, utilisation, effort, dumping propensity,
    score, expected score drop, gamed), as :func:`township_values` reads them."""
    kept = numeric.agent_values(model)
    if kept is not None and deps is model.departments:
        return kept[1]
    util = _utilisation(model, deps, 1)
    return [
        (d.handler.open_tasks, u, d.effort, d.dumping_propensity, d.score, d.expected_score_drop, d.gamed)
        for d, u in zip(deps, util)
    ]


_READS = {
    township_values: ("backlog", "utilisation", "overloaded", "score", "rank", "gamed"),
    department_values: (
        "backlog",
        "utilisation",
        "effort",
        "dumping_propensity",
        "score",
        "expected_score_drop",
        "gamed",
    ),
}
AGENT_COLUMNS = AgentColumns(AGENT_COLUMNS, {Township: township_values, Department: department_values})


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
