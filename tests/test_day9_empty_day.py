"""The empty day's shortcuts give the reference's values: no demand drawn without a kernel call, the agents'
daily columns read in one pass, the utilisation read once."""

from __future__ import annotations

import math
from copy import deepcopy

import numpy as np
import pytest
from helpers import small

from townsim.model import Department, Township, TownshipModel, demand, reporting
from townsim.model.metrics import collect, numeric

NO_DEMAND = {"citizen_request_rate": 0.0, "enterprise_request_rate": 0.0, "dispute_rate": 0.0}


def _same(a, b) -> bool:
    """The same value: equal of the same type, or both NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _draw(m: TownshipModel, day: int):
    """``demand.draw`` of ``m`` for ``day``, as the model's day calls it."""
    return demand.draw_day(m, day)


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
        kept = numeric.agent_utilisation(m)
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
    assert numeric.agent_utilisation(m) is None


def test_utilisations_are_the_handlers():
    """``numeric.utilisations`` gives each handler's ``utilisation_today``, a handler without capacity 0."""
    m = TownshipModel(small(), rng=2).run(6)
    hs = list(m.handlers)
    hs[0].capacity_hours, hs[0].worked_today = 0.0, 1.5
    got = numeric.utilisations(hs)
    assert got == [h.utilisation_today for h in hs] and got[0] == 0.0
    assert all(type(x) is float for x in got)
    assert np.count_nonzero(got) > 0


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_pcg64_pairs_are_numpys_draws(seed):
    """``kernel.pcg64.fill_pair``: two runs of ``n`` uniforms, the doubles numpy's ``rng.random(n)`` twice makes
    and the state it leaves (the Generator's next draws the same), for runs of 0 to 5,000 draws; a copied
    Generator has its own view (its draws do not move the original's)."""
    pytest.importorskip("numba")
    from townsim.model.kernel.pcg64 import fill_pair, state_view  # deferred: numba only here

    ref, g = np.random.default_rng(seed), np.random.default_rng(seed)
    view = state_view(g)
    assert view.shape == (4,) and state_view(g) is view
    for n in (*range(0, 70), 127, 128, 1000, 1527, 4999):
        want_u, want_v = ref.random(n), ref.random(n)
        u, v = np.full(n, -1.0), np.full(n, -1.0)
        fill_pair(view, u, v)
        assert np.array_equal(u, want_u) and np.array_equal(v, want_v), n
        assert g.bit_generator.state == ref.bit_generator.state, n
    assert g.random(3).tolist() == ref.random(3).tolist()
    copy = deepcopy(g)
    u, v = np.empty(10), np.empty(10)
    fill_pair(state_view(copy), u, v)
    assert g.bit_generator.state == ref.bit_generator.state != copy.bit_generator.state
    assert u.tolist() + v.tolist() == ref.random(20).tolist()


def test_pcg64_view_only_for_pcg64():
    """Another bit generator has no view: the life cycle then draws through the Generator, the same values."""
    pytest.importorskip("numba")
    from townsim.model import feedback
    from townsim.model.kernel.pcg64 import state_view  # deferred: numba only here

    p = small(enterprise_entry_rate=0.05, enterprise_exit_base=0.01, enterprise_exit_sensitivity=0.3)
    for bits in (np.random.Philox(4), np.random.PCG64DXSM(4), np.random.PCG64(4)):
        rng = np.random.Generator(bits)
        assert len(state_view(rng)) == (4 if type(bits) is np.random.PCG64 else 0)
        stage, sat = rng.integers(0, 4, 300).astype(np.int8), rng.random(300)
        outs = []
        for step in (feedback._life_cycle_arrays, feedback._life_cycle_compiled):
            g, st = deepcopy(rng), stage.copy()
            exits, live, mean_sat, entries = step(g, p, st, sat.copy())
            outs.append((exits.tolist(), live, mean_sat, entries, st.tobytes(), repr(g.bit_generator.state)))
        assert outs[0] == outs[1]


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_kpi_day_pass_is_the_references(engine):
    """``collect.collect_day`` sets each township's ``overloaded`` as ``collect.overloaded`` tests it and gives
    the backlogs the reference adds up; a township without capacity is overloaded and its utilisation 0."""
    if engine == "compiled":
        pytest.importorskip("numba")
    m = TownshipModel(small(engine=engine, citizen_request_rate=0.02, overload_threshold=0.5), rng=8)
    seen = set()
    for _ in range(12):
        m.run(1)
        flags = [t.overloaded for t in m.townships]
        assert flags == [collect.overloaded(m, t) for t in m.townships]
        seen.update(flags)
        row = m.kpi_today
        assert row["backlog_department"] == sum(d.handler.open_tasks for d in m.departments)
        assert row["backlog_township"] == sum(t.handler.open_tasks for t in m.townships)
    assert seen == {True, False}  # the flags were tested both ways
    m.townships[0].handler.capacity_hours = 0.0
    m.run(1)
    assert m.townships[0].overloaded is True and m.kpi_today is not None
    assert numeric.agent_utilisation(m)[0][0] == 0.0 == m.townships[0].utilisation
