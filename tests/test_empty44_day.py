"""The empty day's shortcuts give the reference's values: the work fractions when no step waits anywhere
(``workload.decide_compiled`` without the queue rows) and a day without closures handing on one empty array."""

from __future__ import annotations

import pytest
from helpers import small

from townsim.model import TownshipModel, workload
from townsim.model.metrics.numeric import mean_of_floats

pytest.importorskip("numba")

QUIET = {"citizen_request_rate": 0.0, "enterprise_request_rate": 0.0, "dispute_rate": 0.0, "corner_cutting": 0.5}


def test_fractions_without_waiting_steps_are_the_agents_decisions():
    """With every queue empty the one pass sets each agent's fraction to its own ``decide`` (1.0), whatever it
    held before; with steps waiting it still reads the queue rows (the agents' decisions, not all 1.0)."""
    m = TownshipModel(small(engine="compiled", **QUIET), rng=3)
    m.run(2)
    agents = (*m.departments, *m.townships)
    assert not m.engine.queued()
    assert all(row == [0.0, 0.0, 0.0] for row in m.engine.queue_rows())
    for a in agents:
        a.work_fraction = 0.25  # (a stale value the shortcut must overwrite)
    m.engine._summary_fresh = False
    workload.decide_compiled(m)
    assert [a.work_fraction for a in agents] == [workload.decide(a) for a in agents] == [1.0] * len(agents)
    busy = TownshipModel(small(engine="compiled", citizen_request_rate=0.2, corner_cutting=0.5), rng=3)
    busy.run(3)
    busy.engine._summary_fresh = False
    assert busy.engine.queued()  # (the premise: steps wait, so the rows are read)
    workload.decide_compiled(busy)
    fractions = [a.work_fraction for a in (*busy.departments, *busy.townships)]
    assert fractions == [workload.decide(a) for a in (*busy.departments, *busy.townships)]
    assert min(fractions) < 1.0


def test_quiet_days_row_is_the_reference_row():
    """On days without closures the row's rates are NaN and its effort mean is the departments' mean effort, on
    both engines the same row."""
    rows = []
    for engine in ("python", "compiled"):
        m = TownshipModel(small(engine=engine, **QUIET), rng=7)
        got = []
        for _ in range(6):
            m.run(1)
            assert m.kpi_today["cases_closed"] == 0
            assert m.kpi_today["department_effort"] == mean_of_floats([d.effort for d in m.departments])
            got.append(repr(sorted(m.kpi_today.items())))
        rows.append(got)
    assert rows[0] == rows[1]
