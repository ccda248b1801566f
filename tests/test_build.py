"""The county's builders (``model/build.py``): they return what they build, and the model keeps exactly that."""

from __future__ import annotations

import numpy as np
from helpers import small

from townsim.model import TownshipModel, build


def test_population_is_a_pure_function_of_params_shares_and_generator():
    p = small(warmup_days=0)
    share = np.array([0.4, 0.3, 0.2, 0.1])
    a = build.population(p, share, np.random.default_rng(5))
    b = build.population(p, share, np.random.default_rng(5))
    c = build.population(p, share, np.random.default_rng(6))
    assert a.township_residents.sum() == p.residents and a.n_citizens == len(a.citizen_state["patience"])
    np.testing.assert_array_equal(a.citizen_state["patience"], b.citizen_state["patience"])
    np.testing.assert_array_equal(a.enterprise_township, b.enterprise_township)
    assert not np.array_equal(a.citizen_state["patience"], c.citizen_state["patience"])
    assert len(a.enterprise_township) == len(a.enterprise_stage) == p.enterprises


def test_the_model_keeps_what_the_builders_return():
    m = TownshipModel(small(warmup_days=0), rng=3)
    plan = build.staff(m.params, m.catalogue, m.sampler, m.delegated, m.geography, m.township_share)
    np.testing.assert_allclose([d.handler.staff for d in m.departments], plan.departments)
    np.testing.assert_allclose([t.handler.staff for t in m.townships], plan.townships)
    assert [h.hid for h in m.handlers] == list(range(len(m.handlers)))
    assert m.handlers[m.township_hid0] is m.townships[0].handler
    assert m.posts == build.budget(m.params, m.departments, m.townships) and m.staff_persons == m.posts["total"]
    assert m.n_enterprises == m.params.enterprises and len(m.enterprise_agents) == m.params.enterprises


def test_the_reform_switch_replans_the_staff_under_the_scenarios_levers():
    p = small(warmup_days=5, delegated_share=0.5, staff_transfer=1.0, pre_reform={"delegated_share": 0.0})
    m = TownshipModel(p, rng=3)
    args = (m.catalogue, m.sampler)
    where = (m.geography, m.township_share)
    now = build.staff(m.params, *args, m.delegated, *where)
    then = build.staff(m.params.replace(delegated_share=0.0), *args, np.zeros_like(m.delegated), *where)
    np.testing.assert_allclose([t.handler.staff for t in m.townships], now.townships)
    assert now.townships.sum() > then.townships.sum() + 0.5  # posts moved down with the delegated matters
    total = now.townships.sum() + now.departments.sum()
    assert np.isclose(total, then.townships.sum() + then.departments.sum())  # the county total is unchanged
