"""The bulk row agents' memory savings keep Mesa's registration exact.

``create_row_agents`` shares one weak reference per agent between the two weak sets (its callback
removes the agent from both) and reuses unique-id int objects as row indices; these tests pin that
the sets still add, remove and drop agents as with references of their own, and that the row indices
are the right values.
"""

from __future__ import annotations

import gc

import mesa
import pytest

from townsim.model.agents import _RowAgent, create_row_agents
from townsim.model.gcpolicy import bulk_ok, shared_ints

# the bulk path these tests pin runs only where Mesa's registration structures are the ones it fills (Mesa 3.3's);
# elsewhere ``create_row_agents`` makes each agent the ordinary way
bulk = pytest.mark.skipif(not bulk_ok(mesa.Model(rng=0)), reason="this Mesa's registration is not the bulk path's")


class Row(_RowAgent):
    _arrays = "rows"


def _made(n: int = 40, first: int = 3):
    m = mesa.Model(rng=2)
    for _ in range(first):
        mesa.Agent(m)
    return m, create_row_agents(m, Row, 10, n)


@pytest.mark.parametrize(
    ("lo", "k", "u0"), [(1, 9, 2), (0, 5, 0), (10, 40, 15), (10, 40, 60), (50, 10, 45), (50, 5, 40)]
)
def test_shared_ints_are_the_row_indices(lo, k, u0):
    uids = list(range(u0, u0 + k))
    got = shared_ints(uids, lo)
    assert got == list(range(lo, lo + k))
    shared = {id(x) for x in uids}
    # every value inside the ids' range is the id's own object
    assert all((id(v) in shared) == (u0 <= v < u0 + k) for v in got if v > 256)


@bulk
def test_row_indices_and_ids():
    m, made = _made(600)
    assert [a.idx for a in made] == list(range(10, 610))
    assert [a.unique_id for a in made] == list(range(4, 604))
    assert made[500].idx is made[506].unique_id  # the same int object (row index − unique id = 6)


@bulk
def test_a_dead_agent_leaves_both_sets():
    m, made = _made()
    victim = made[5]
    del m._agents[victim]  # the model's strong reference gone, as ``deregister_agent`` drops it
    del made, victim
    gc.collect()
    assert len(m.agents_by_type[Row]) == 39 and len(m.agents) == 42
    assert len(m._all_agents._agents.data) == 42 and len(m.agents_by_type[Row]._agents.data) == 39


@bulk
def test_removed_from_one_set_then_dead():
    m, made = _made()
    victim = made[7]
    m.agents_by_type[Row].remove(victim)  # out of one set only, still alive
    assert len(m.agents_by_type[Row]) == 39 and len(m.agents) == 43
    del m._agents[victim]
    del made, victim
    gc.collect()  # the shared callback: gone from the other set too; the first set ignores it
    assert len(m.agents_by_type[Row]) == 39 and len(m.agents) == 42


@bulk
def test_death_while_a_set_is_iterated():
    m, made = _made()
    victim = made[3]
    del m._agents[victim]
    del made
    seen = 0
    for _ in m.agents_by_type[Row]._agents:  # iterating: the removal is deferred, then committed
        if seen == 0:
            del victim
            gc.collect()
        seen += 1
    assert len(m.agents_by_type[Row]) == 39 and len(m.agents) == 42
    assert len(m.agents_by_type[Row]._agents.data) == 39


def test_readd_after_removal():
    m, made = _made()
    a = made[0]
    m.agents_by_type[Row].remove(a)
    m.agents_by_type[Row].add(a)
    assert a in m.agents_by_type[Row] and len(m.agents_by_type[Row]) == 40
