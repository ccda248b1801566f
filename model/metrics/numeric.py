"""Small numeric helpers shared by the KPI computations (NaN when undefined)."""

from __future__ import annotations

import numpy as np


def rate(num, den) -> float:
    """``sum(num) / sum(den)``; NaN when the denominator is 0."""
    den = int(np.sum(den))
    return float(np.sum(num)) / den if den else float("nan")


def mean(x) -> float:
    """The mean of ``x``; NaN when empty. The same pairwise sum and division as ``np.mean`` (bit for bit),
    without its dispatch: float64, float32, integer and boolean values; anything else goes to ``np.mean``."""
    a = np.asarray(x)
    n = a.size
    if not n:
        return float("nan")
    if a.dtype == _F8:
        return float(np.add.reduce(a, axis=None)) / n
    if a.dtype.kind in "biu":
        return float(np.add.reduce(a, axis=None, dtype=_F8)) / n
    if a.dtype == _F4:  # np.mean's float32 sum, and its quotient rounded to float32 (exact from the double's)
        return float(np.float32(float(np.add.reduce(a, axis=None)) / n))
    return float(np.mean(a))


_F8, _F4 = np.dtype(np.float64), np.dtype(np.float32)


def mean_of_floats(xs: list) -> float:
    """:func:`mean` of a short list of doubles (Python or numpy floats, not integers) without building an array:
    numpy's pairwise sum of up to 128 values done in Python (under 8 values one by one; else eight running sums
    added in pairs, then the rest one by one), the same double (``tests/test_day5_bookkeeping.py``); a longer
    list goes to :func:`mean`."""
    n = len(xs)
    if n < 8:
        if not n:
            return float("nan")
        total = 0.0
        for x in xs:
            total += x
        return float(total) / n
    if n > 128:
        return mean(xs)
    r0, r1, r2, r3, r4, r5, r6, r7 = xs[:8]
    end = n - n % 8
    for i in range(8, end, 8):
        r0 += xs[i]
        r1 += xs[i + 1]
        r2 += xs[i + 2]
        r3 += xs[i + 3]
        r4 += xs[i + 4]
        r5 += xs[i + 5]
        r6 += xs[i + 6]
        r7 += xs[i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for x in xs[end:]:
        total += x
    return float(0.0 + total) / n


def kept_mean(model, column: str) -> float:
    """:func:`mean` of the citizens' state column ``column`` (NaN when empty), kept until the column is written
    again (its writers count each write, :func:`column_written`) or replaced by another array: a mean over every
    citizen's row a day (~0.3 ms at one agent per resident) on the days nobody writes it."""
    values = model.citizen_state[column]
    writes = model.__dict__.get("column_writes", {}).get(column, 0)
    kept = model.__dict__.setdefault("_kept_means", {})
    memo = kept.get(column)
    if memo is not None and memo[0] is values and memo[1] == writes:
        return memo[2]
    value = mean(values)
    kept[column] = (values, writes, value)
    return value


def column_written(model, column: str) -> None:
    """Count a write to the citizens' state column ``column`` (:func:`kept_mean` computes its mean again)."""
    writes = model.__dict__.setdefault("column_writes", {})
    writes[column] = writes.get(column, 0) + 1


def participation(model) -> float:
    """Mean propensity of citizens to report through the grid app (NaN without citizens), kept between writes
    (:func:`reports_written`, by ``grid.on_reform`` and ``feedback.judge``)."""
    return kept_mean(model, "report")


def citizen_satisfaction(model) -> float:
    """Mean satisfaction of the citizens (NaN without citizens), kept between writes (:func:`satisfaction_written`,
    by ``feedback.judge``, its writer in a day; the warm-up's ``settle`` writes before any day's row is collected)."""
    return kept_mean(model, "satisfaction") if model.n_citizens else float("nan")


def reports_written(model) -> None:
    """Count a write to the citizens' app reporting column (:func:`participation` computes its mean again)."""
    column_written(model, "report")


def satisfaction_written(model) -> None:
    """Count a write to the requesters' satisfaction (:func:`citizen_satisfaction` computes its mean again)."""
    column_written(model, "satisfaction")


def utilisations(handlers) -> list[float]:
    """Each handler's ``Handler.utilisation_today`` (the same doubles: worked and duty hours today over its
    capacity hours, 0 without capacity), in one pass without the property's call."""
    return [0.0 if (cap := h.capacity_hours) <= 0 else (h.worked_today + h.duty_today) / cap for h in handlers]


def agent_day(model) -> tuple[tuple, tuple]:
    """The townships' and departments' values of the day in one pass each, each township's ``overloaded`` set as
    ``collect.overloaded`` tests it: (utilisation list (:func:`utilisations`' doubles), the agents' column values
    (``reporting.AGENT_COLUMNS``' attributes, in order), overloaded count, open tasks) for the townships, and
    (utilisation, column values, efforts, open tasks, overtime hours) for the departments."""
    msh, limit = model.mean_step_hours, model.params.overload_threshold
    t_util, t_vals, n_over, t_open = [], [], 0, 0
    for t in model.townships:
        h = t.handler
        cap, n_open = h.capacity_hours, h.open_tasks
        if cap <= 0:
            over, u = True, 0.0
        else:
            over = n_open * msh + h.duty_backlog > limit * cap
            u = (h.worked_today + h.duty_today) / cap
        t.overloaded = over
        n_over += over
        t_open += n_open
        t_util.append(u)
        t_vals.append((n_open, u, over, t.score, t.rank, t.gamed))
    d_util, d_vals, efforts, overtime, d_open = [], [], [], [], 0
    for d in model.departments:
        h = d.handler
        cap, n_open, e = h.capacity_hours, h.open_tasks, d.effort
        u = 0.0 if cap <= 0 else (h.worked_today + h.duty_today) / cap
        d_open += n_open
        d_util.append(u)
        efforts.append(e)
        overtime.append(d.overtime_hours)
        d_vals.append((n_open, u, e, d.dumping_propensity, d.score, d.expected_score_drop, d.gamed))
    return (t_util, t_vals, n_over, t_open), (d_util, d_vals, efforts, d_open, overtime)


def agent_utilisation(model) -> tuple[list[float], list[float]] | None:
    """(The townships', the departments' utilisation today) as ``collect.collect_day`` read them for the model's
    current KPI row (``model.kpi_today``, the row the collector records with them); None for another row."""
    kept = model.__dict__.get("_utilisation_row")
    if kept is None or kept[0] is not model.__dict__.get("kpi_today"):
        return None
    return kept[1], kept[2]


def agent_values(model) -> tuple[list[tuple], list[tuple]] | None:
    """(The townships', the departments' column values today: ``reporting.AGENT_COLUMNS``' attributes per agent)
    as :func:`agent_day` read them for the model's current KPI row, as :func:`agent_utilisation`."""
    kept = model.__dict__.get("_utilisation_row")
    if kept is None or kept[0] is not model.__dict__.get("kpi_today") or len(kept) < 5:
        return None
    return kept[3], kept[4]
