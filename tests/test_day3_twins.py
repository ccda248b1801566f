"""The compiled engine's one-pass twins of the agents' daily decisions give what the agents' methods give:
the same draws in the same order, the same doubles, the same writes (``dumping.departments_day`` against
``Department.decide_dumping``)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small

from townsim.model import TownshipModel, dumping, workload
from townsim.model.agents import Department, Township
from townsim.model.kernel.layout import HF_EFFORT, HF_FRACTION, HF_OVERTIME, HI_QLEN
from townsim.model.metrics import collect

CASES = [
    {},
    dict(duty_tasks_per_department=40.0, dumping_base=0.9, responsibility_list=True, list_enforcement=1.0),
    dict(duty_tasks_per_department=2.0, responsibility_list=True, territorial_share=0.0, list_enforcement=0.0),
    dict(duty_tasks_per_department=3.0, responsibility_list=True, list_enforcement=0.7, territorial_share=0.4),
    dict(
        duty_tasks_per_department=6.0,
        dumping_pressure_slope=3.0,
        two_way_weight=0.4,
        assessment_period=5,
        dumping_exploration_sd=0.5,
    ),
    dict(duty_tasks_per_department=0.0),
]


def _department_state(m) -> tuple:
    """What a day's dumping decisions write: the departments', the townships' duty, the day's flows, the rng."""
    depts = [
        (
            d.dumping_propensity,
            d.period_tasks,
            d.period_dumped,
            d.period_bounced,
            d.today_dumped,
            d.today_bounced,
            d.handler.duty_backlog,
        )
        for d in m.departments
    ]
    towns = [t.handler.duty_backlog for t in m.townships]
    flows = (dict(m.day_dumped), dict(m.day_bounced), m.period_dumped_dt.tolist())
    return depts, towns, flows, m.rng.bit_generator.state


@pytest.mark.parametrize("changes", CASES)
def test_departments_day_is_decide_dumping_for_every_department(changes):
    p = small(engine="compiled", **changes)
    ref, twin = TownshipModel(p, rng=5), TownshipModel(p, rng=5)
    assert twin.compiled, twin.engine_reason
    assert [a.index for a in ref.agents_by_type[Department]] == [d.index for d in ref.departments]
    for _ in range(12):
        ref.agents_by_type[Department].do("decide_dumping")
        dumping.departments_day(twin)
        a, b = _department_state(ref), _department_state(twin)
        assert a == b
        assert all(np.isfinite(x[0]) for x in a[0])
        ref.run(3)
        twin.run(3)
    if changes.get("duty_tasks_per_department", 1.0) > 0:
        assert sum(d.period_tasks for d in ref.departments) > 0  # the comparison saw tasks drawn


def _fractions_by_method(m) -> list[float]:
    """``workload.decide`` of every department, then every township, in their AgentSets' order."""
    agents = [*m.agents_by_type[Department], *m.agents_by_type[Township]]
    return [workload.decide(a) for a in agents]


@pytest.mark.parametrize("changes", [{}, dict(corner_cutting=0.9, department_staff=2.0), dict(corner_cutting=0.0)])
def test_decide_compiled_is_decide_work_fraction_for_every_agent(changes):
    m = TownshipModel(small(engine="compiled", **changes), rng=3)
    assert m.compiled, m.engine_reason
    assert [a.index for a in m.agents_by_type[Township]] == [t.index for t in m.townships]
    below_one = 0
    for _ in range(15):
        m.run(2)
        ref = _fractions_by_method(m)
        workload.decide_compiled(m)
        twin = [a.work_fraction for a in (*m.departments, *m.townships)]
        assert twin == ref
        below_one += sum(f < 1.0 for f in ref)
    if changes.get("corner_cutting", 0.5) > 0.5:
        assert below_one > 0  # overloaded handlers cut corners: the comparison saw fractions below 1


def test_an_empty_queue_summary_is_the_kernels_pass():
    p = small(engine="compiled", citizen_request_rate=0.0, enterprise_request_rate=0.0, dispute_rate=0.0)
    m = TownshipModel(p, rng=2).run(3)
    e = m.engine
    assert not e.hi[:, HI_QLEN].any()  # no queue list holds an entry
    e._summary_fresh = False
    e._summary[:] = np.nan
    rows = e.queue_rows()
    e._summary[:] = np.nan
    e._summary_pass()
    assert rows == e._summary.tolist() == [[0.0, 0.0, 0.0]] * len(m.handlers)


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_the_life_cycles_stocks_are_the_days_enterprise_kpis(engine):
    """``metrics.collect.enterprise_stocks`` (the life cycle's count and mean when no firm entered since) is what
    ``mean_enterprise_satisfaction`` and ``live_enterprises`` read from the arrays at the day's end."""
    p = small(engine=engine, enterprise_entry_rate=0.004, enterprise_exit_base=0.004)
    m = TownshipModel(p, rng=4)
    used = entered = 0
    for _ in range(40):
        m.run(1)
        memo = m.enterprise_stocks
        fresh = memo[0] == m.clock_day - 1 and memo[1] == m.n_enterprises
        used += fresh
        entered += not fresh
        got = collect.enterprise_stocks(m)
        want = (m.mean_enterprise_satisfaction(), m.live_enterprises)
        assert np.array_equal(got, want, equal_nan=True) and type(got[1]) is int
        assert m.kpi_today["enterprise_satisfaction"] == want[0] and m.kpi_today["enterprises"] == want[1]
    assert used and entered  # days read from the memo and days read from the arrays


def test_a_day_with_nothing_open_has_no_backlog():
    p = small(engine="compiled", citizen_request_rate=0.0, enterprise_request_rate=0.0, dispute_rate=0.0)
    m = TownshipModel(p, rng=2).run(3)
    assert len(m.open_ids) == 0 and m.backlog_mean == 0.0 and m.kpi_today["backlog_mean"] == 0.0


def test_the_pulled_columns_hold_the_agents_values():
    """``WriteBack._pull`` leaves a column unwritten only when it holds the agents' values already."""
    p = small(engine="compiled", assessment_period=3, two_way_weight=0.5, effort_gain=2.0, overtime_cap=0.5)
    m = TownshipModel(p.replace(department_staff=3.0), rng=6)
    e, deps, towns = m.engine, m.departments, m.townships
    ids, tids = e._dept_ids, e._town_ids

    def columns():
        return (
            e.hf[ids, HF_FRACTION].tolist(),
            e.hf[ids, HF_EFFORT].tolist(),
            e.hf[ids, HF_OVERTIME].tolist(),
            e.hf[tids, HF_FRACTION].tolist(),
        )

    def values():
        return (
            [d.work_fraction for d in deps],
            [d.effort for d in deps],
            [d.overtime_hours for d in deps],
            [t.work_fraction for t in towns],
        )

    pull, checked = e._pull, []

    def checked_pull():  # every day's own pull, before the day's call
        pull()
        assert columns() == values()
        checked.append(values())

    e._pull = checked_pull
    for day in range(30):
        m.run(1)
        if day == 10:
            for d in deps:  # as at the start of the counted run
                d.overtime_hours = 0.0
    assert len(checked) == 30 and len({str(v) for v in checked}) > 10  # the agents' values moved
    assert any(d.effort != 1.0 for d in deps) and any(d.overtime_hours > 0 for d in deps)
    assert any(f < 1.0 for v in checked for f in v[0] + v[3])


def test_numpys_logistic_of_an_array_is_its_logistic_of_each_value():
    """``dumping.departments_day`` takes the departments' p_d = 1 / (1 + exp(−z)) over an array of their log-odds;
    ``dump_probability`` takes numpy's exp of each one: the same doubles, bit for bit."""
    rng = np.random.default_rng(11)
    z = np.concatenate([rng.normal(0.0, 3.0, 60_000), rng.uniform(-40.0, 40.0, 40_000), [0.0, -0.0, 1e-300]])
    whole = 1.0 / (1.0 + np.exp(-z))
    each = np.array([float(1.0 / (1.0 + np.exp(-x))) for x in z.tolist()])
    assert np.array_equal(whole.view(np.int64), each.view(np.int64))
