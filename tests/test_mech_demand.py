"""Mechanism: daily demand (model/demand.py).

Poisson counts per township with mean residents × rate, enterprise counts by
life-cycle rate, requesters inside their township, matter types by catalogue
weight, filing times uniform in the working day, and a cost (number of random
draws) that does not depend on how many residents one agent stands for.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from townsim.model import Params, TownshipModel
from townsim.model.catalogue import CITIZEN, DISPUTE, ENTERPRISE, generate
from townsim.model.demand import STAGE_RATE, MatterSampler, draw

RESIDENTS = np.array([1_000, 5_000, 20_000, 74_000])


def county(residents_per_agent=100, **kw):
    p = Params(
        **{
            "townships": 4,
            "departments": 6,
            "residents": int(RESIDENTS.sum()),
            "matter_types": 40,
            "residents_per_agent": residents_per_agent,
            "citizen_request_rate": 0.001,
            "enterprise_request_rate": 0.05,
            **kw,
        }
    )
    count = -(-RESIDENTS // residents_per_agent)
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    cat = generate(p, np.random.default_rng(99))
    return p, count, start, cat, MatterSampler(cat)


def enterprises(n=400, seed=0):
    r = np.random.default_rng(seed)
    return r.integers(0, 4, n).astype(np.int32), r.choice(4, size=n, p=[0.2, 0.3, 0.3, 0.2]).astype(np.int8)


def run_days(days, seed=1, residents_per_agent=100, **kw):
    p, count, start, cat, sampler = county(residents_per_agent, **kw)
    e_town, e_stage = enterprises()
    rng = np.random.default_rng(seed)
    out = [draw(p, rng, d, RESIDENTS, start, count, e_town, e_stage, sampler) for d in range(days)]
    return p, count, start, cat, e_town, e_stage, out


def test_citizen_counts_are_poisson_with_mean_residents_times_rate():
    p, *_, out = run_days(1500)
    counts = np.array([np.bincount(r.township[r.kind == CITIZEN], minlength=4) for r in out])
    # contacts: requests plus enquiries (a share s of all contacts), so 1/(1 − s) times the request rate
    lam = RESIDENTS * p.citizen_request_rate / (1 - p.enquiry_share)  # 1, 5, 20, 74 requests a day
    n = len(out)
    mean, var = counts.mean(axis=0), counts.var(axis=0, ddof=1)
    assert np.all(np.abs(mean - lam) < 4 * np.sqrt(lam / n)), (mean, lam)
    # Poisson: variance = mean (sd of the sample variance ≈ λ·√(2/n) for large λ, larger for small)
    assert np.all(np.abs(var / lam - 1) < 4 * np.sqrt(2.0 / n + 1.0 / (lam * n))), var / lam


def test_enterprise_counts_follow_life_cycle_rates():
    p, *_, e_town, e_stage, out = run_days(1500)
    ent = [r.requester[r.kind == ENTERPRISE] for r in out]
    lam = p.enterprise_request_rate * STAGE_RATE[e_stage].sum() / (1 - p.enquiry_share)  # enquiries too
    totals = np.array([len(e) for e in ent])
    assert abs(totals.mean() - lam) < 4 * np.sqrt(lam / len(out))
    allr = np.concatenate(ent)
    assert not np.isin(allr, np.flatnonzero(e_stage == 3)).any(), "exited enterprises ask for nothing"
    per = np.bincount(allr, minlength=len(e_stage))
    # requests per enterprise by stage in ratio 2 : 1 : 0.6 (start-up : growth : mature)
    rate = np.array([per[e_stage == s].mean() for s in range(3)])
    assert rate[0] / rate[1] == pytest.approx(2.0, rel=0.1)
    assert rate[2] / rate[1] == pytest.approx(0.6, rel=0.1)


def test_requesters_belong_to_their_township():
    p, count, start, cat, e_town, e_stage, out = run_days(200)
    for r in out:
        c = r.kind == CITIZEN
        t = r.township[c]
        assert np.all(r.requester[c] >= start[t]) and np.all(r.requester[c] < start[t] + count[t])
        e = r.kind == ENTERPRISE
        np.testing.assert_array_equal(r.township[e], e_town[r.requester[e]])


def test_citizen_requesters_uniform_within_a_township():
    p, count, start, cat, e_town, e_stage, out = run_days(300)
    t = 3  # 740 agents, ~74 requests a day
    req = np.concatenate([r.requester[(r.kind == CITIZEN) & (r.township == t)] for r in out]) - start[t]
    obs = np.bincount(req, minlength=count[t])
    assert len(obs) == count[t]
    assert stats.chisquare(obs).pvalue > 1e-4


@pytest.mark.parametrize("kind", [CITIZEN, ENTERPRISE])
def test_matter_frequencies_follow_catalogue_weights(kind):
    p, count, start, cat, e_town, e_stage, out = run_days(1500)
    got = np.concatenate([r.matter[r.kind == kind] for r in out])
    assert len(got) > 5000
    ids = np.flatnonzero(cat.requester == kind)
    assert np.isin(got, ids).all(), "matters come from the requester's kind; never disputes"
    assert not (cat.requester[got] == DISPUTE).any()
    obs = np.array([(got == i).sum() for i in ids])
    exp = cat.weight[ids] / cat.weight[ids].sum() * len(got)
    # pool the rare matters so every expected count is ≥ 5
    keep = exp >= 5
    obs_p, exp_p = obs[keep], exp[keep]
    if (~keep).any():
        obs_p, exp_p = np.append(obs_p, obs[~keep].sum()), np.append(exp_p, exp[~keep].sum())
    assert stats.chisquare(obs_p, exp_p).pvalue > 1e-4
    top = ids[np.argmax(cat.weight[ids])]
    assert (got == top).mean() == pytest.approx(cat.weight[top] / cat.weight[ids].sum(), abs=0.02)


def test_filing_times_sorted_within_the_working_day_and_uniform():
    *_, out = run_days(200)
    frac = []
    for d, r in enumerate(out):
        assert np.all(np.diff(r.time) >= 0)
        assert np.all((r.time >= 8 * d) & (r.time < 8 * d + 8))
        frac.append(r.time / 8 - d)
    assert stats.kstest(np.concatenate(frac), "uniform").pvalue > 1e-4


def test_number_of_draws_does_not_depend_on_residents_per_agent():
    """Same seed, same requests: 1 agent per resident costs exactly the random draws of 1 per 1000."""
    results = []
    for rpa in (1, 1000):
        p, count, start, cat, sampler = county(residents_per_agent=rpa)
        e_town, e_stage = enterprises()
        rng = np.random.default_rng(5)
        reqs = [draw(p, rng, d, RESIDENTS, start, count, e_town, e_stage, sampler) for d in range(20)]
        results.append(
            (
                rng.bit_generator.state["state"]["state"],
                sum(len(r) for r in reqs),
                np.concatenate([r.matter for r in reqs]),
                np.concatenate([r.township for r in reqs]),
            )
        )
    (s1, n1, m1, t1), (s2, n2, m2, t2) = results
    assert s1 == s2, "the generator advanced differently: draws scale with agents"
    assert n1 == n2
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(t1, t2)


def test_no_requests_when_rates_are_zero():
    p, count, start, cat, sampler = county(citizen_request_rate=0.0, enterprise_request_rate=0.0)
    e_town, e_stage = enterprises()
    r = draw(p, np.random.default_rng(0), 0, RESIDENTS, start, count, e_town, e_stage, sampler)
    assert len(r) == 0


def test_model_cases_carry_the_requesters_township():
    p = Params(
        townships=5,
        departments=5,
        enterprises=200,
        residents=20_000,
        matter_types=20,
        department_staff=8,
        township_staff=6,
        dispute_rate=0.0,
    )
    m = TownshipModel(p, rng=2).run(10)
    c = m.cases
    kind, who, town = c.view("requester_kind"), c.view("requester"), c.view("township")
    cit, ent = kind == CITIZEN, kind == ENTERPRISE
    assert cit.sum() > 50 and ent.sum() > 20
    np.testing.assert_array_equal(m.citizen_state["township"][who[cit]], town[cit])
    np.testing.assert_array_equal(m.enterprise_state["township"][who[ent]], town[ent])
    # about residents × rate citizen requests a day over 10 days
    lam = 10 * p.residents * p.citizen_request_rate / (1 - p.enquiry_share)  # requests and enquiries
    assert abs(cit.sum() - lam) < 4 * np.sqrt(lam)


def test_catalogue_with_citizen_matters_only_serves_enterprises_too(tmp_path):
    f = tmp_path / "citizen_only.csv"
    f.write_text(
        "name,category,requester,weight,difficulty,hours,departments,district\n"
        "a,household,citizen,3,simple,0.5,0,false\n"
        "b,health,citizen,1,general,1.0,1,false\n",
        encoding="utf-8",
    )
    from townsim.model.catalogue import load_csv

    cat = load_csv(f, Params(departments=2))
    sampler = MatterSampler(cat)
    got = sampler.draw(ENTERPRISE, 20_000, np.random.default_rng(0))
    assert set(np.unique(got).tolist()) == {0, 1}, "never a dispute type"
    assert abs((got == 0).mean() - 0.75) < 4 * np.sqrt(0.75 * 0.25 / 20_000)
