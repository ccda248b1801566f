"""Mechanism: delegation to townships (model/delegation.py).

Which matter types move down (frequent-first or seeded random), the staff
that moves with them (persons leave departments in proportion to the
delegated share of their work and arrive in townships by population; the
total is kept) and the township learning curve c(n).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from townsim.model import Params, TownshipModel
from townsim.model.catalogue import DISPUTE, load_csv
from townsim.model.delegation import choose_delegated, competence, rework_probability, transferred_staff

REPO_EXAMPLE = "catalogues/example_matters.csv"
HEADER = "name,category,requester,weight,difficulty,hours,departments,district\n"


def example(params):
    from townsim.model import SCENARIO_DIR

    return load_csv(SCENARIO_DIR / REPO_EXAMPLE, params)


@pytest.mark.parametrize("share", [0.1, 0.26, 0.5, 0.9, 1.0])
def test_frequent_first_delegates_the_most_frequent(share):
    p = Params(departments=6, delegated_share=share, delegation_order="frequent_first")
    cat = example(p)
    mask = choose_delegated(p, cat, np.random.default_rng(0))
    service = cat.requester != DISPUTE
    n = int(service.sum())
    assert mask.sum() == round(share * n)
    assert not mask[~service].any(), "disputes stay with the township anyway; never 'delegated'"
    w = cat.weight
    if 0 < mask.sum() < n:
        assert w[mask].min() >= w[service & ~mask].max()


def test_frequent_first_order_is_not_the_file_order():
    # the example file lists enterprise matters first; the most frequent matter is a citizen one
    p = Params(departments=6, delegated_share=0.1)
    cat = example(p)
    mask = choose_delegated(p, cat, np.random.default_rng(0))
    assert cat.name[mask].tolist() == ["social_insurance_transfer"]


def test_no_delegation_at_share_zero():
    p = Params(departments=6, delegated_share=0.0, delegation_order="random")
    assert not choose_delegated(p, example(p), np.random.default_rng(1)).any()


def test_random_order_is_seeded_and_uniform():
    p = Params(departments=6, delegated_share=0.5, delegation_order="random")
    cat = example(p)
    a = choose_delegated(p, cat, np.random.default_rng(7))
    b = choose_delegated(p, cat, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    masks = np.array([choose_delegated(p, cat, np.random.default_rng(s)) for s in range(600)])
    service = cat.requester != DISPUTE
    n, k = int(service.sum()), round(0.5 * service.sum())
    assert np.all(masks.sum(axis=1) == k)
    assert len({m.tobytes() for m in masks}) > 50, "different seeds choose different matters"
    freq = masks[:, service].mean(axis=0)
    pk = k / n
    assert np.all(np.abs(freq - pk) < 5 * np.sqrt(pk * (1 - pk) / 600)), freq
    assert not masks[:, ~service].any()


def test_model_delegation_belongs_to_the_county_not_the_replication():
    p = Params(
        townships=2,
        departments=6,
        enterprises=10,
        residents=1000,
        matter_types=50,
        delegated_share=0.3,
        delegation_order="random",
    )
    a, b = (TownshipModel(p, rng=s).delegated for s in (4, 5))
    np.testing.assert_array_equal(a, b)  # replications vary demand, not which matters are delegated
    c = TownshipModel(p.replace(catalogue_seed=p.catalogue_seed + 1), rng=4).delegated
    assert not np.array_equal(a, c)  # another county delegates other matters
    m = TownshipModel(p, rng=4)
    assert all(t.delegated == frozenset(np.flatnonzero(a).tolist()) for t in m.townships)


# --- staff transfer ----------------------------------------------------------------


def staffed(tmp_path, transfer, share=1 / 3):
    """Dept 0 does matters A (w 3) and C (w 1); dept 1 does B (w 2) and C. A alone is delegated."""
    f = tmp_path / "three.csv"
    f.write_text(
        HEADER + "A,household,citizen,3,simple,1,0,false\n"
        "B,household,citizen,2,simple,1,1,false\n"
        "C,household,citizen,1,simple,1,0;1,false\n",
        encoding="utf-8",
    )
    p = Params(
        townships=3,
        departments=2,
        enterprises=0,
        residents=3000,
        residents_per_agent=10,
        matter_catalogue=str(f),
        dispute_rate=0.0,
        department_staff=14.0,
        township_staff=9.0,
        delegated_share=share,
        staff_transfer=transfer,
    )
    return TownshipModel(p, rng=2)


def test_staff_transfer_moves_persons_by_delegated_share_and_keeps_total(tmp_path):
    before = staffed(tmp_path, 0.0)
    after = staffed(tmp_path, 0.5)
    assert after.catalogue.name[after.delegated].tolist() == ["A"]
    # posts follow the workload (both departments above the one-person floor):
    # dept 0 does A+C = 4 of 7 weighted hours → 8 of 14; dept 1 B+C = 3 → 6
    np.testing.assert_allclose([d.staff for d in before.departments], [8.0, 6.0])
    # dept 0 hands down staff_transfer × (3/4 of its hours are delegated) × 8 = 3; dept 1 none
    np.testing.assert_allclose([d.staff for d in after.departments], [8.0 - 3.0, 6.0])
    gain = np.array([a.staff - b.staff for a, b in zip(after.townships, before.townships)])
    assert gain.sum() == pytest.approx(3.0)
    np.testing.assert_allclose(gain, 3.0 * after.township_share)  # by population
    total = lambda m: sum(d.staff for d in m.departments) + sum(t.staff for t in m.townships)
    assert total(after) == pytest.approx(total(before)) == pytest.approx(14.0 + 9.0)


def test_full_transfer_of_a_fully_delegated_department_keeps_the_total(tmp_path):
    before = staffed(tmp_path, 0.0, share=1.0)
    after = staffed(tmp_path, 1.0, share=1.0)
    total = lambda m: sum(d.staff for d in m.departments) + sum(t.staff for t in m.townships)
    assert total(before) == pytest.approx(23.0)
    assert total(after) == pytest.approx(total(before))


@pytest.mark.parametrize("transfer", [0.0, 0.4, 1.0])
def test_staff_transfer_keeps_the_county_total_in_a_generated_catalogue(transfer):
    p = Params(
        townships=4,
        departments=8,
        enterprises=200,
        residents=20_000,
        matter_types=60,
        department_staff=40.0,
        township_staff=20.0,
        delegated_share=0.4,
        staff_transfer=transfer,
    )
    m = TownshipModel(p, rng=3)
    ref = TownshipModel(p.replace(staff_transfer=0.0), rng=3)
    moved = sum(a.staff - b.staff for a, b in zip(ref.departments, m.departments))
    got = sum(t.staff for t in m.townships) - sum(t.staff for t in ref.townships)
    assert got == pytest.approx(moved, abs=1e-9)
    assert (moved > 1.0) == (transfer > 0)
    assert all(a.staff >= b.staff - 1e-12 for a, b in zip(ref.departments, m.departments))


def test_transferred_staff_formula():
    p = Params(staff_transfer=0.6)
    got = transferred_staff(p, np.array([10.0, 4.0, 2.0]), np.array([20.0, 8.0, 0.0]), np.array([5.0, 8.0, 0.0]))
    np.testing.assert_allclose(got, [0.6 * 0.25 * 10, 0.6 * 1.0 * 4, 0.0])


# --- learning curve ------------------------------------------------------------------


@pytest.mark.parametrize("c0,L", [(0.5, 50.0), (0.2, 10.0), (1.0, 5.0)])
def test_competence_curve(c0, L):
    p = Params(initial_competence=c0, learning_cases=L)
    assert competence(p, 0) == pytest.approx(c0)
    assert competence(p, int(L)) == pytest.approx(1 - (1 - c0) / math.e)
    assert competence(p, int(3 * L)) == pytest.approx(1 - (1 - c0) * math.exp(-3))
    cs = [competence(p, n) for n in range(0, int(10 * L), max(1, int(L) // 5))]
    assert all(b >= a for a, b in zip(cs, cs[1:]))
    assert cs[-1] <= 1.0 and competence(p, 10**6) == pytest.approx(1.0)


def test_rework_probability_formula():
    p = Params(rework_rate=0.4)
    assert rework_probability(p, 1.0) == 0.0
    assert rework_probability(p, 0.25) == pytest.approx(0.3)


def test_township_competence_tracks_its_own_handled_cases():
    p = Params(
        townships=2,
        departments=4,
        enterprises=50,
        residents=50_000,
        matter_types=10,
        delegated_share=1.0,
        initial_competence=0.3,
        learning_cases=20,
        township_staff=20,
        department_staff=10,
    )
    m = TownshipModel(p, rng=1).run(5)
    handled = [sum(t.handled.values()) for t in m.townships]
    assert all(h > 20 for h in handled)
    for t in m.townships:
        for matter, n in t.handled.items():
            assert m.delegated[matter]
            assert t.competence(matter) == pytest.approx(1 - 0.7 * math.exp(-n / 20))
    # township attempts on delegated owner steps = cases that reached them + their reworks
    c = m.cases
    started_here = c.view("delegated") & ~np.isnan(c.view("closed"))
    assert sum(handled) >= started_here.sum()


@pytest.mark.parametrize("order", ["frequent_first", "simple_first", "by_department", "random"])
def test_delegation_orders_choose_what_they_say(order):
    p = Params(
        townships=2,
        departments=6,
        enterprises=10,
        residents=1000,
        matter_types=60,
        delegated_share=0.25,
        delegation_order=order,
    )
    m = TownshipModel(p, rng=1)
    cat, mask = m.catalogue, m.delegated
    service = cat.requester != 2
    assert mask.sum() == round(0.25 * service.sum())
    if order == "frequent_first":
        assert cat.weight[mask].min() >= cat.weight[service & ~mask].max()
    if order == "simple_first":
        assert cat.difficulty[mask].max() <= cat.difficulty[service & ~mask].min()
    if order == "by_department":  # whole departments first: at most one department is split
        owners = cat.owner[mask]
        split = [d for d in set(owners.tolist()) if (service & ~mask & (cat.owner == d)).any()]
        assert len(split) <= 1
