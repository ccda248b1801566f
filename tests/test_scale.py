"""A guard against per-resident loops in a day (not a timing): a million one-resident agents."""

from townsim.model import Citizen, Params, TownshipModel


def test_million_residents_one_agent_each_runs_five_days():
    p = Params(
        residents=1_000_000,
        residents_per_agent=1,
        townships=8,
        departments=23,
        enterprises=5_000,
        department_staff=500.0,
        township_staff=400.0,
    )
    m = TownshipModel(p, rng=1)
    assert len(m.agents_by_type[Citizen]) >= 1_000_000
    m.run(5)
    s = m.summary()
    assert m.steps == 5
    assert s["cases_created"] > 0.5 * 5 * 1_000_000 * p.citizen_request_rate
    # speed is measured in benchmarks/, not here
