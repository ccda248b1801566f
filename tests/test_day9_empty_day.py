"""The empty day's shortcuts give the reference's values: no demand drawn without a kernel call, the agents'
daily columns read in one pass, the utilisation read once."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import small

from townsim.model import Department, Township, TownshipModel, demand, reporting
from townsim.model.metrics import collect

NO_DEMAND = {"citizen_request_rate": 0.0, "enterprise_request_rate": 0.0, "dispute_rate": 0.0}


def _same(a, b) -> bool:
    """The same value: equal of the same type, or both NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _draw(m: TownshipModel, day: int):
    """``demand.draw`` of ``m`` for ``day``, as the model's day calls it."""
    n = m.n_enterprises
    st = m.enterprise_state
    return demand.draw(
        m.params,
        m.rng,
        day,
        m.township_residents,
        m.citizen_start,
        m.citizen_count,
        st["township"][:n],
        st["stage"][:n],
        m.sampler,
    )


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_zero_rates_draw_nothing(engine):
    """Both request rates zero: no request and no draw, on either engine; the kernel's twin itself, called,
    draws nothing either (the shortcut skips only an empty call)."""
    if engine == "compiled":
        pytest.importorskip("numba")
    m = TownshipModel(small(engine=engine, **NO_DEMAND), rng=3).run(2)
    state = m.rng.bit_generator.state
    req = _draw(m, 2)
    assert len(req) == 0 and m.rng.bit_generator.state == state
    if engine == "compiled":
        assert m.sampler.kernel_draw is not None
        n = m.n_enterprises
        out = m.sampler.kernel_draw(
            2,
            m.rng,
            m.township_residents,
            0.0,
            0.0,
            m.enterprise_state["stage"][:n],
            m.citizen_start,
            m.citizen_count,
            m.enterprise_state["township"][:n],
            m.sampler.kernel_tables,
            m.params.enquiry_share,
        )
        assert all(len(a) == 0 for a in out) and m.rng.bit_generator.state == state
        m2 = TownshipModel(small(engine=engine, **{**NO_DEMAND, "enterprise_request_rate": 0.5}), rng=3).run(2)
        state = m2.rng.bit_generator.state
        _draw(m2, 2)
        assert m2.rng.bit_generator.state != state  # a rate above zero still draws


def _attributes(agents: list, attrs: tuple) -> list[tuple]:
    """The reference reading: each agent's attributes one by one."""
    return [tuple(getattr(a, n) for n in attrs) for a in agents]


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_agent_readers_are_the_attributes(engine):
    """Each day, the collector's readers give the agents' attributes (properties included) value for value, from
    the KPI row's utilisation and from the handlers (another list of the same agents)."""
    if engine == "compiled":
        pytest.importorskip("numba")
    m = TownshipModel(small(engine=engine, two_way_weight=0.5, assessment_period=5), rng=5)
    cols = reporting.AGENT_COLUMNS
    assert set(cols.readers) == {Township, Department}
    for day in range(25):
        m.run(1)
        kept = collect.agent_utilisation(m)
        assert kept is not None
        for cls, agents, which in ((Township, m.townships, 0), (Department, m.departments, 1)):
            attrs, read = cols.readers[cls]
            assert attrs == tuple(cols[cls].values())
            want = _attributes(agents, attrs)
            for got in (read(m, agents), read(m, list(agents))):
                assert len(got) == len(want)
                assert all(_same(x, y) for g, w in zip(got, want) for x, y in zip(g, w, strict=True)), day
            assert kept[which] == [a.utilisation for a in agents]
        busy = sum(h.worked_today for h in m.handlers)
    assert busy > 0  # the days had work: utilisation not all zero
    m.kpi_today = dict(m.kpi_today)  # another row: the kept values are not its
    assert collect.agent_utilisation(m) is None


def test_utilisations_are_the_handlers():
    """``collect.utilisations`` gives each handler's ``utilisation_today``, a handler without capacity 0."""
    m = TownshipModel(small(), rng=2).run(6)
    hs = list(m.handlers)
    hs[0].capacity_hours, hs[0].worked_today = 0.0, 1.5
    got = collect.utilisations(hs)
    assert got == [h.utilisation_today for h in hs] and got[0] == 0.0
    assert all(type(x) is float for x in got)
    assert np.count_nonzero(got) > 0
