"""The citizens' hard references in the model's list by row (``holders``) keep Mesa's registration exact."""

from __future__ import annotations

import gc
import weakref

import mesa
import pytest

from townsim.model import Params, TownshipModel
from townsim.model.agents import Citizen
from townsim.model.gcpolicy import bulk_ok
from townsim.model.warmstart import Frozen

SMALL = {"residents_per_agent": 200, "warmup_days": 0}
bulk = pytest.mark.skipif(not bulk_ok(mesa.Model(rng=0)), reason="this Mesa's registration is not the bulk path's")


def _model() -> TownshipModel:
    return TownshipModel(Params(**SMALL), rng=4)


def test_every_citizen_is_held_by_its_row_and_registered():
    m = _model()
    held = m.row_held[Citizen]
    assert len(held) == m.n_citizens > 100
    assert [a.idx for a in held] == list(range(m.n_citizens))
    assert set(held) == set(m.agents_by_type[Citizen])
    assert all(a in m.agents for a in held)


@bulk
def test_mesa_dict_holds_only_the_first_citizen():
    m = _model()
    held = m.row_held[Citizen]
    assert [a for a in held if a in m._agents] == [held[0]]  # the rest only in the list (8 B, not ~36, each)


def test_a_removed_citizen_leaves_both_sets_and_is_freed():
    m = _model()
    n_all, n_cit = len(m.agents), len(m.agents_by_type[Citizen])
    victim = m.row_held[Citizen][7]
    alive = weakref.ref(victim)
    victim.remove()
    assert m.row_held[Citizen][7] is None
    assert len(m.agents) == n_all - 1 and len(m.agents_by_type[Citizen]) == n_cit - 1
    del victim
    gc.collect()
    assert alive() is None  # no hard reference left
    m.row_held[Citizen][0].remove()  # the first one (in Mesa's dict too)
    assert len(m.agents_by_type[Citizen]) == n_cit - 2 and m.row_held[Citizen][0] is None


def test_remove_all_agents_removes_the_held_citizens():
    m = _model()
    m.remove_all_agents()
    assert len(m.agents) == 0 and all(a is None for a in m.row_held[Citizen])


def test_a_warm_start_copy_holds_its_own_citizens():
    m = _model()
    copy = Frozen(m).thaw()  # the pickled copy each run of a kept warm-up starts from
    gc.collect()
    held = copy.row_held[Citizen]
    assert len(copy.agents_by_type[Citizen]) == len(held) == m.n_citizens
    assert set(held) == set(copy.agents_by_type[Citizen]) and held[5] is not m.row_held[Citizen][5]


@bulk
def test_other_row_agents_stay_in_mesa_dict():
    m = _model()
    firms = [a for a in m.enterprise_agents if a is not None]
    assert firms and all(a in m._agents for a in firms)
