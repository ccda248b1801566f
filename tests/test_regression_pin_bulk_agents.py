"""Bulk registration of row agents (a performance path) is indistinguishable from Mesa's own.

``model.agents.create_row_agents`` registers Citizens and Enterprises in bulk;
these tests pin that every observable of Mesa's registration — unique ids,
order, membership by type, removal, shuffling — is what creating the agents
one by one through ``mesa.Agent.__init__`` gives.
"""

from __future__ import annotations

import gc

import mesa

from townsim.model import Params, TownshipModel
from townsim.model.agents import Citizen, Enterprise, _RowAgent, create_row_agents


class Row(_RowAgent):
    _arrays = "rows"

    def step(self):
        self.model.order.append(self.unique_id)


def two_models(n: int, first: int = 3):
    """Same agents made one by one (a) and in bulk (b), after ``first`` ordinary agents each."""
    out = []
    for bulk in (False, True):
        m = mesa.Model(rng=5)
        m.order = []
        for _ in range(first):
            mesa.Agent(m)
        made = create_row_agents(m, Row, 10, n) if bulk else [Row(m, i) for i in range(10, 10 + n)]
        out.append((m, made))
    return out


def test_same_ids_order_and_membership():
    (a, made_a), (b, made_b) = two_models(500)
    assert [x.unique_id for x in made_a] == [x.unique_id for x in made_b]
    assert [x.idx for x in made_a] == [x.idx for x in made_b] == list(range(10, 510))
    assert [x.unique_id for x in a.agents] == [x.unique_id for x in b.agents]
    assert list(a.agents_by_type) == list(b.agents_by_type)
    for cls in a.agents_by_type:
        assert [x.unique_id for x in a.agents_by_type[cls]] == [x.unique_id for x in b.agents_by_type[cls]]
    assert all(x.model is b and x.pos is None for x in made_b)
    # the next agent continues the same id sequence
    assert mesa.Agent(a).unique_id == mesa.Agent(b).unique_id == 504


def test_same_shuffle_and_removal():
    (a, made_a), (b, made_b) = two_models(300)
    a.agents_by_type[Row].shuffle_do("step")
    b.agents_by_type[Row].shuffle_do("step")
    assert a.order == b.order and len(a.order) == 300
    for made, _m in ((made_a, a), (made_b, b)):
        for x in made[::3]:
            x.remove()
    assert [x.unique_id for x in a.agents] == [x.unique_id for x in b.agents]
    assert len(b.agents_by_type[Row]) == 200


def test_weak_sets_drop_agents_once_the_model_lets_go():
    (_, _), (b, made_b) = two_models(50)
    for x in made_b:
        x.remove()
    del made_b
    gc.collect()
    assert len(b.agents_by_type[Row]) == 0 and len(b.agents) == 3


def test_gc_state_is_restored():
    m = mesa.Model(rng=1)
    gc.disable()
    try:
        create_row_agents(m, Row, 0, 10)
        assert not gc.isenabled()
    finally:
        gc.enable()
    create_row_agents(m, Row, 10, 10)
    assert gc.isenabled()


def test_township_model_registers_every_citizen_and_enterprise():
    p = Params(residents=5_000, residents_per_agent=1, enterprises=200, townships=3)
    m = TownshipModel(p, rng=2)
    cits = m.agents_by_type[Citizen]
    assert len(cits) == m.n_citizens == 5_000
    assert sorted(c.idx for c in cits) == list(range(5_000))
    assert [c.unique_id for c in cits] == list(range(1, 5_001))  # made first, in row order
    ents = m.agents_by_type[Enterprise]
    assert len(ents) == 200 and [e.idx for e in m.enterprise_agents] == list(range(200))
    assert {c.township for c in list(cits)[:10]} <= set(range(3))
