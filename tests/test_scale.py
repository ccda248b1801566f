"""A guard against per-resident loops in a day (not a timing): a million one-resident agents."""

import time

from model import Citizen, Params, TownshipModel


def test_million_residents_one_agent_each_runs_five_days():
    p = Params(residents=1_000_000, residents_per_agent=1, townships=8, departments=23,
               enterprises=5_000, department_staff=500.0, township_staff=400.0)
    m = TownshipModel(p, rng=1)
    assert len(m.agents_by_type[Citizen]) >= 1_000_000
    t0 = time.perf_counter()
    m.run(5)
    step_seconds = time.perf_counter() - t0
    s = m.summary()
    assert s["cases_created"] > 0.5 * 5 * 1_000_000 * p.citizen_request_rate
    # a day that touched every resident would take far longer than the requests need
    # (generous bound: a per-resident Python loop costs ≥ 0.3 s/day at this size)
    assert step_seconds < 60, step_seconds
