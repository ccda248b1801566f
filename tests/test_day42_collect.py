"""The KPI row's one pass over the agents (``metrics.numeric.agent_day``) gives the reference's values: the
collector's agent columns, the backlogs, the overloaded count, the utilisation, effort and overtime."""

from __future__ import annotations

import math

import pytest
from helpers import small

from townsim.model import Department, Township, TownshipModel, reporting
from townsim.model.metrics import collect, numeric
from townsim.model.metrics.numeric import mean_of_floats

BUSY = {"citizen_request_rate": 0.03, "overload_threshold": 0.5, "two_way_weight": 0.5, "assessment_period": 4}


def _same(a, b) -> bool:
    """The same value: equal of the same type, or both NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _attributes(agents: list, attrs: tuple) -> list[tuple]:
    """The reference reading: each agent's attributes one by one (properties included)."""
    return [tuple(getattr(a, n) for n in attrs) for a in agents]


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_kept_agent_values_are_the_attributes(engine):
    """Each day the collector records the tuples the KPI row's pass read (the same objects), and they are the
    agents' attributes read one by one; the row's agent figures are the reference's sums and means."""
    if engine == "compiled":
        pytest.importorskip("numba")
    m = TownshipModel(small(engine=engine, **BUSY), rng=11)
    cols = reporting.AGENT_COLUMNS
    scores = set()
    for _ in range(14):
        m.run(1)
        kept = numeric.agent_values(m)
        assert kept is not None
        step = m.steps
        for cls, agents, which in ((Township, m.townships, 0), (Department, m.departments, 1)):
            attrs, read = cols.readers[cls]
            assert read(m, agents) is kept[which]  # the kept tuples, not read again
            want = _attributes(agents, attrs)
            assert all(_same(x, y) for g, w in zip(kept[which], want) for x, y in zip(g, w, strict=True))
            records = m.datacollector._agenttype_records[step][cls]
            assert [r[2:] for r in records] == kept[which]
        row, towns, deps = m.kpi_today, m.townships, m.departments
        assert row["backlog_township"] == sum(t.handler.open_tasks for t in towns)
        assert row["backlog_department"] == sum(d.handler.open_tasks for d in deps)
        assert row["overloaded_townships"] == sum(collect.overloaded(m, t) for t in towns)
        assert _same(row["township_utilisation"], mean_of_floats([t.utilisation for t in towns]))
        assert _same(row["department_utilisation"], mean_of_floats([d.utilisation for d in deps]))
        assert _same(row["department_effort"], mean_of_floats([d.effort for d in deps]))
        scores.add(tuple(t.score for t in towns))
    assert len(scores) > 1  # assessments moved the scores: the columns were read as they changed
    m.kpi_today = dict(m.kpi_today)  # another row: its values are read from the agents
    assert numeric.agent_values(m) is None
    assert reporting.township_values(m, m.townships) == _attributes(m.townships, cols.readers[Township][0])
