"""Mechanism: intake and routing (model/intake.py).

Channel and trips (online share, commissioner coverage), 135 tier and
deadline in working hours, starting level only under the 135 rule, the joint
flag, and who holds the power. Batches are admitted straight into a small
model built on the example catalogue (all difficulties and tiers present).
"""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params, TownshipModel
from townsim.model.catalogue import CITIZEN, ENTERPRISE
from townsim.model.intake import commissioner_coverage

BASE = dict(
    townships=3,
    departments=6,
    enterprises=400,
    residents=6000,
    residents_per_agent=100,
    matter_catalogue="catalogues/example_matters.csv",
    department_staff=12,
    township_staff=6,
    dispute_rate=0.0,
)


def model(**kw):
    return TownshipModel(Params(**{**BASE, **kw}), rng=3)


def admit_batch(m, n, kind=None, seed=0, t=0.5):
    """Admit ``n`` requests for every service matter in turn, filed at ``t`` hours; return their ids."""
    r = np.random.default_rng(seed)
    service = np.flatnonzero(m.catalogue.requester != 2)
    matter = np.resize(service, n).astype(np.int32)
    if kind is None:
        kind = m.catalogue.requester[matter].astype(np.int8)
    else:
        kind = np.full(n, kind, np.int8)
    town = r.integers(0, m.params.townships, n).astype(np.int32)
    requester = np.where(kind == ENTERPRISE, r.integers(0, m.n_enterprises, n), r.integers(0, m.n_citizens, n))
    return m.admit(kind, requester.astype(np.int64), town, matter, np.full(n, t))


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_online_share_gives_zero_trips(share):
    m = model(online_share=share)
    ids = admit_batch(m, 4000, kind=CITIZEN)
    c = m.cases
    online, trips = c.online[ids], c.trips[ids]
    np.testing.assert_array_equal(trips == 0, online)  # online ⇔ zero trips; offline: one trip to file
    assert set(trips.tolist()) <= {0, 1}
    sd = np.sqrt(share * (1 - share) / len(ids))
    assert abs(online.mean() - share) <= 4 * sd + 1e-12


@pytest.mark.parametrize(
    "comm,per,live,expected",
    [
        (0, 30, 1000, 0.0),
        (10, 30, 1000, 0.3),
        (96, 30, 1000, 1.0),
        (5, 1, 20, 0.25),
        (3, 10, 0, 0.0),
    ],
)
def test_commissioner_coverage_formula(comm, per, live, expected):
    p = Params(commissioners=comm, commissioner_enterprises=per)
    assert commissioner_coverage(p, live) == pytest.approx(expected)


def test_commissioners_take_trips_off_enterprises_only():
    m = model(online_share=0.2, commissioners=4, commissioner_enterprises=50, enterprises=400)
    cover = min(1.0, 4 * 50 / m.live_enterprises)
    assert 0 < cover < 1
    ent = admit_batch(m, 4000, kind=ENTERPRISE, seed=1)
    cit = admit_batch(m, 4000, kind=CITIZEN, seed=2)
    c = m.cases
    p_ent = 1 - (1 - 0.2) * (1 - cover)
    for ids, p in ((ent, p_ent), (cit, 0.2)):
        zero = (c.trips[ids] == 0).mean()
        assert abs(zero - p) < 4 * np.sqrt(p * (1 - p) / len(ids)), (zero, p)


def test_tier_and_deadline_in_working_hours():
    m = model(tier_deadlines=(2.0, 4.0, 7.0))
    ids = admit_batch(m, 600, t=13.25)
    c = m.cases
    cat = m.catalogue
    matter = c.matter[ids]
    # F11: one department → tier 1, several → tier 3, district coordination → tier 5
    n_dep = cat.n_departments[matter]
    expected_tier = np.where(cat.district[matter], 2, np.where(n_dep > 1, 1, 0))
    np.testing.assert_array_equal(c.tier[ids], expected_tier)
    assert set(expected_tier.tolist()) == {0, 1, 2}
    days = np.array([2.0, 4.0, 7.0])[expected_tier]
    np.testing.assert_allclose(c.deadline[ids] - c.created[ids], days * 8.0)
    np.testing.assert_allclose(c.created[ids], 13.25)
    np.testing.assert_array_equal(c.difficulty[ids], cat.difficulty[matter])
    np.testing.assert_array_equal(c.outstanding[ids], n_dep)


def test_start_level_only_with_the_135_rule():
    off = model(escalation_135=False)
    ids = admit_batch(off, 300)
    assert not off.cases.start_level[ids].any() and not off.cases.level[ids].any()
    assert not off.conference_queue
    # ad hoc, only cases needing coordination (tier 3/5) wait at a desk
    assert all(off.cases.tier[cid] >= 1 for cid in off.coord_tasks)

    # (no hall filings: a forwarded case asks for coordination only when its file arrives)
    on = model(escalation_135=True, chief_representatives=2, leading_group_staff=1.0, township_hall_share=0.0)
    ids = admit_batch(on, 300)
    c, cat = on.cases, on.catalogue
    matter = c.matter[ids]
    # F9 by difficulty (simple 0, general 1, difficult 2, complex 3), capped by tier; a case that
    # needs coordination (tier 3/5) starts at least at level 1
    expected = np.minimum(cat.difficulty[matter], cat.tier[matter] + 1)
    # and a one-department case has nothing to coordinate (level 0)
    expected = np.where(cat.tier[matter] >= 1, np.maximum(expected, 1), 0)
    np.testing.assert_array_equal(c.start_level[ids], expected)
    np.testing.assert_array_equal(c.level[ids], expected)
    assert set(expected.tolist()) == {0, 1, 2, 3}
    # cases starting above the handler are sent to their level's desk or to the conference
    desk_cases = {cid for cid in ids.tolist() if expected[cid - ids[0]] in (1, 2)}
    assert desk_cases == set(on.coord_tasks)
    for cid, tasks in on.coord_tasks.items():
        assert [t.stage for t in tasks] == [c.start_level[cid]]
    conf = sorted(cid for _, cid in on.conference_queue)
    assert conf == sorted(ids[expected == 3].tolist())


@pytest.mark.parametrize("joint", [False, True])
def test_joint_flag_only_for_multi_department_cases(joint):
    m = model(joint_handling=joint, one_stop_centre=joint)
    ids = admit_batch(m, 300)
    multi = m.catalogue.n_departments[m.cases.matter[ids]] > 1
    assert multi.any() and (~multi).any()
    np.testing.assert_array_equal(m.cases.joint[ids], joint & multi)


def test_delegated_matters_are_held_by_the_township():
    m = model(delegated_share=0.5, refer_up_rate=0.0, township_hall_share=0.0)  # no forwarding from halls
    ids = admit_batch(m, 300)
    c = m.cases
    np.testing.assert_array_equal(c.delegated[ids], m.delegated[c.matter[ids]])
    assert c.delegated[ids].any() and (~c.delegated[ids]).any()
    # the first step of a delegated case waits at its township, others at the owner department
    for cid in ids[:60].tolist():
        if not m.flows[cid][2]:  # held for coordination (tier 3/5): no step released yet
            assert c.needs_coord[cid]
            continue
        first = m.flows[cid][2][0].handler
        if c.delegated[cid]:
            assert first.kind == "township" and first.index == c.township[cid]
        else:
            assert first.kind == "department" and first.index == m.catalogue.owner[c.matter[cid]]


def test_distance_and_referral_hop():
    """Offline county-held requests: a trip to the seat (its round trip) or forwarding from the hall;
    online ones neither; delegated ones neither (handled in the township)."""
    m = model(
        delegated_share=0.3,
        refer_up_rate=0.0,
        online_share=0.3,
        township_hall_share=0.5,
        courier_interval_days=1.0,
        misrouting_rate=0.0,
    )
    ids = admit_batch(m, 2000)
    c = m.cases
    county = (m.catalogue.owner[c.matter[ids]] >= 0) & ~c.delegated[ids]
    off = ~c.online[ids]
    seat = c.seat_trips[ids] == 1
    assert not seat[~county | ~off].any()
    np.testing.assert_allclose(c.travel[ids][seat], 2 * m.travel_hours[c.township[ids][seat]])
    share = seat[county & off].mean()
    n = (county & off).sum()
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / n)
    hall = county & off & ~seat
    assert c.referred[ids][hall].all() and not c.referred[ids][~hall].any()
    # the township's clerks forward the file (a task in its queue), then it waits for the courier
    # run at the end of the day: it reaches the department at 8 h at the earliest
    for cid in ids[hall][:50].tolist():
        first = m.flows[cid][2][0]
        assert first.kind == 2 and first.handler.kind == "township" and first.handler.index == c.township[cid]
    m.run(2)
    sent = ids[hall][~np.isnan(c.hop_clerk[ids[hall]])]
    assert len(sent) > 50
    arrive = c.created[sent] + c.hop_clerk[sent] + c.hop_courier[sent]
    np.testing.assert_allclose(arrive % 8.0, 0.0, atol=1e-9)
    assert (arrive >= 8.0).all() and (c.hop_clerk[sent] >= m.params.forward_hours - 1e-9).all()
