"""Mechanism: satisfaction and the enterprise life cycle (model/feedback.py).

s_case from the chain's outcome (model/satisfaction.py); s ← s + α(s_case − s).
Stages advance with daily probabilities 1/startup_days
and 1/growth_days; exit probability base + sensitivity·max(0, 0.8 − s); entries
Poisson(entry_rate × live × mean satisfaction / 0.7), as start-ups.
"""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params, TownshipModel, feedback
from townsim.model.catalogue import CITIZEN, DISPUTE, ENTERPRISE


def test_satisfaction_moves_towards_the_chain_outcome():
    p = Params(
        townships=3,
        departments=5,
        enterprises=300,
        residents=20_000,
        matter_types=20,
        department_staff=5.0,
        township_staff=4.0,
        satisfaction_learning=0.3,
        dispute_rate=0.0003,
        delegated_share=0.3,
    )
    m = TownshipModel(p, rng=1).run(25)
    c = m.cases
    closed = np.flatnonzero(~np.isnan(c.view("closed")))
    closed = closed[::-1]  # the last closed case of each requester: repeats among them
    key = c.requester_kind[closed].astype(np.int64) * 10**9 + c.requester[closed]
    _, first = np.unique(key, return_index=True)
    ids = closed[first]
    kinds = set(c.requester_kind[ids].tolist())
    assert {ENTERPRISE, CITIZEN, DISPUTE} <= kinds
    ent_before = m.enterprise_state["satisfaction"].copy()
    cit_before = m.citizen_state["satisfaction"].copy()
    ent_trips = m.enterprise_state["trips"].copy()
    # some requesters appear twice (a citizen's request and a dispute): keep those who appear once
    owners = [("e" if k == ENTERPRISE else "c", int(r)) for k, r in zip(c.requester_kind[ids], c.requester[ids])]
    once = np.array([owners.count(o) == 1 for o in owners])
    ids = ids[once]
    feedback.judge(m, ids)
    # the documented formula, over the chain: the first contact's promise
    root = np.where(c.repeat_of[ids] >= 0, c.repeat_of[ids], ids)
    overdue = np.clip((c.closed[ids] - c.deadline[root]) / (c.deadline[root] - c.created[root]), 0, 1)
    s_case = np.clip(
        1
        - 0.5 * ~c.resolved[ids]
        - 0.3 * overdue
        - 0.05 * c.trips[ids]
        - 0.02 * c.travel[ids]
        - 0.1 * c.contact[ids]
        - 0.3 * (c.petitioned[ids] | c.petitioned[root]),
        0,
        1,
    )
    assert (s_case < 0.6).any() and (s_case >= 0.95).any() and (c.contact[ids] > 0).any()
    for cid, s in zip(ids.tolist(), s_case.tolist()):
        who = int(c.requester[cid])
        if c.requester_kind[cid] == ENTERPRISE:
            before, after = ent_before[who], m.enterprise_state["satisfaction"][who]
            assert m.enterprise_state["trips"][who] == ent_trips[who] + c.trips[cid]
        else:  # citizens' requests and the disputes they raised
            before, after = cit_before[who], m.citizen_state["satisfaction"][who]
        assert after == pytest.approx(before + 0.3 * (s - before))


def test_owners_count_their_closed_and_late_cases():
    p = Params(
        townships=3,
        departments=5,
        enterprises=100,
        residents=20_000,
        matter_types=20,
        department_staff=3.0,
        township_staff=3.0,
        delegated_share=0.4,
        assessment_period=1000,
    )
    m = TownshipModel(p, rng=2).run(12)
    c, cat = m.cases, m.catalogue
    closed = ~np.isnan(c.view("closed"))
    late = closed & (c.view("closed") > c.view("deadline"))
    owner = cat.owner[c.view("matter")]
    at_town = c.view("delegated") | (owner < 0)
    for d in m.departments:
        mine = ~at_town & (owner == d.index)
        assert d.period_cases == (closed & mine).sum() and d.period_late == (late & mine).sum()
    for t in m.townships:
        mine = at_town & (c.view("township") == t.index)
        assert t.period_cases == (closed & mine).sum() and t.period_late == (late & mine).sum()
    assert late.any()


# --- life cycle ----------------------------------------------------------------------------


def firms(n=4000, **kw):
    p = Params(
        **{
            "townships": 3,
            "departments": 3,
            "enterprises": n,
            "residents": 1000,
            "matter_types": 10,
            "startup_days": 10.0,
            "growth_days": 20.0,
            "enterprise_exit_base": 0.0,
            "enterprise_exit_sensitivity": 0.0,
            "enterprise_entry_rate": 0.0,
            "settle_stocks": False,  # start from the fixed stage mix 0.2 / 0.4 / 0.4 (no entries: all mature otherwise)
            **kw,
        }
    )
    return TownshipModel(p, rng=3)


def binom_ok(k, n, p, z=4.0):
    return abs(k / n - p) <= z * np.sqrt(p * (1 - p) / n)


def test_stages_advance_with_the_documented_daily_probabilities():
    m = firms()
    up0 = n0 = up1 = n1 = 0
    for _ in range(5):
        before = m.enterprise_state["stage"][: m.n_enterprises].copy()
        feedback.enterprise_life_cycle(m)
        after = m.enterprise_state["stage"][: m.n_enterprises]
        assert np.all(after >= before), "no stage goes backwards"
        assert np.all(after - before <= 1), "one stage a day at most"
        assert np.all(after[before == 2] == 2), "mature enterprises stay mature (no exits here)"
        n0 += (before == 0).sum()
        up0 += ((before == 0) & (after == 1)).sum()
        n1 += (before == 1).sum()
        up1 += ((before == 1) & (after == 2)).sum()
    assert binom_ok(up0, n0, 1 / 10), up0 / n0
    assert binom_ok(up1, n1, 1 / 20), up1 / n1


def test_dissatisfied_enterprises_exit_more():
    m = firms(enterprise_exit_base=0.01, enterprise_exit_sensitivity=0.2)
    n = m.n_enterprises
    sat = m.enterprise_state["satisfaction"]
    sat[: n // 2] = 0.2
    sat[n // 2 : n] = 0.9
    entries, exits = feedback.enterprise_life_cycle(m)
    gone = m.enterprise_state["stage"][:n] == 3
    p_low, p_high = 0.01 + 0.2 * (0.8 - 0.2), 0.01  # above 0.8 only the base rate
    assert binom_ok(gone[: n // 2].sum(), n // 2, p_low)
    assert binom_ok(gone[n // 2 :].sum(), n - n // 2, p_high)
    assert exits == gone.sum() and entries == 0
    assert m.live_enterprises == n - exits
    assert all(m.enterprise_agents[i] is None for i in np.flatnonzero(gone))
    assert len(m.agents_by_type[type(m.enterprise_agents[np.flatnonzero(~gone)[0]])]) == n - exits


def _entries(sat, calls=300):
    m = firms(n=1000, enterprise_entry_rate=0.01)
    m.enterprise_state["satisfaction"][: m.n_enterprises] = sat
    added = []
    m.add_enterprises = lambda town, stage: added.append(len(town))  # count, do not grow the county
    for _ in range(calls):
        feedback.enterprise_life_cycle(m)
    return sum(added), 0.01 * m.live_enterprises * sat / 0.7 * calls


@pytest.mark.parametrize("sat", [0.35, 0.7, 1.0])
def test_entries_scale_with_mean_satisfaction(sat):
    got, lam = _entries(sat)
    assert abs(got - lam) < 4 * np.sqrt(lam), (got, lam)


def test_entries_arrive_as_start_ups_in_townships_by_population():
    m = firms(n=2000, enterprise_entry_rate=0.05)
    n0 = m.n_enterprises
    entries = 0
    for _ in range(20):
        n_before = m.n_enterprises
        e, _ = feedback.enterprise_life_cycle(m)
        entries += e
        assert m.n_enterprises == n_before + e
        st = m.enterprise_state
        assert np.all(st["stage"][n_before : m.n_enterprises] == 0), "entrants are start-ups"
        assert np.all(st["satisfaction"][n_before : m.n_enterprises] == feedback.SATISFACTION_START)
    assert entries > 1000
    new = slice(n0, m.n_enterprises)
    share = np.bincount(st["township"][new], minlength=3) / entries
    np.testing.assert_allclose(share, m.township_share, atol=4 * np.sqrt(0.25 / entries))


def test_bad_service_shrinks_the_enterprise_population():
    """Same seeds: a starved county (late cases, many trips) ends with fewer enterprises."""

    def end(staff, seed):
        p = Params(
            townships=3,
            departments=5,
            enterprises=1000,
            residents=10_000,
            matter_types=20,
            department_staff=staff,
            township_staff=4.0,
            enterprise_exit_sensitivity=0.05,
            enterprise_entry_rate=0.002,
            satisfaction_learning=0.5,
            online_share=0.0,
        )
        s = TownshipModel(p, rng=seed).run(40).summary()
        return s["enterprises_end"], s["enterprise_satisfaction"]

    for seed in range(2):
        good, s_good = end(40.0, seed)
        bad, s_bad = end(2.0, seed)
        assert s_bad < s_good and bad < good, (seed, good, bad, s_good, s_bad)


def test_exit_sensitivity_description_names_the_threshold_used():
    desc = Params.model_fields["enterprise_exit_sensitivity"].description
    assert f"below {feedback.EXIT_THRESHOLD}" in desc, desc
