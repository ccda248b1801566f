"""The Python API promised by the core issue: names, summary keys, Mesa agents."""

import math

import mesa
import pytest

from townsim.model import Citizen, Department, Enterprise, Params, Township, TownshipModel, simulate
from townsim.model.metrics import DAILY_KPIS

REQUIRED = (
    "cases_created cases_closed backlog_end on_time_rate on_time_rate_tier1 on_time_rate_tier3 "
    "on_time_rate_tier5 mean_resolution_days p90_resolution_days simple_within_1h_share "
    "complex_within_8h_share escalations trips_per_case zero_trip_share dumped_tasks bounced_tasks "
    "township_utilisation overloaded_townships department_effort enterprise_satisfaction "
    "citizen_satisfaction petitions enterprises_end staff_hours"
).split()


def test_summary_has_every_required_key():
    m = TownshipModel(Params(), rng=1)
    m.run(20)
    s = m.summary()
    missing = [k for k in REQUIRED if k not in s]
    assert not missing
    assert all(isinstance(v, float) for v in s.values())
    for k in ("on_time_rate", "zero_trip_share", "township_utilisation"):
        assert 0.0 <= s[k] <= 1.5 and not math.isnan(s[k])


def test_model_is_a_mesa_model_with_agents_of_each_kind():
    p = Params(townships=3, departments=5, enterprises=50, residents=5_000, residents_per_agent=50)
    m = TownshipModel(p, rng=2)
    assert isinstance(m, mesa.Model)
    by_type = m.agents_by_type
    assert len(by_type[Department]) == 5
    assert len(by_type[Township]) == 3
    assert len(by_type[Enterprise]) == 50
    # each township rounds its own residents up to whole agents
    assert 100 <= len(by_type[Citizen]) <= 100 + 3
    assert sum(m.township_residents) == 5_000
    cit = next(iter(by_type[Citizen]))
    assert cit.residents == 50 and 0 <= cit.township < 3


def test_datacollector_has_one_row_per_day_and_every_kpi():
    m = TownshipModel(Params(), rng=3)
    m.run(7)
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 7
    assert set(DAILY_KPIS) <= set(df.columns)
    assert m.steps == 7


def test_simulate_is_summary_plus_timeseries():
    s, ts = simulate(Params(residents=20_000, enterprises=200), seed=4, days=5)
    assert list(ts["day"]) == [1, 2, 3, 4, 5]
    assert s["cases_created"] == ts["cases_created"].sum()


def test_overrides_are_validated():
    with pytest.raises(Exception, match="delegated_share"):
        TownshipModel(Params(), rng=1, delegated_share=3)
