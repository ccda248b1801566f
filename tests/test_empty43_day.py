"""The empty day's bookkeeping on the compiled engine gives what the reference's steps give, bit for bit: the
townships' inspections, day split and hour accounts (``inspection.townships_day``, ``inspection.account_all``
against ``inspection.apply`` and the agents' ``split_day`` and ``account_day``), the firms' stocks with the
day's entrants from the life cycle's kernel call (``feedback``, ``metrics.collect``), and the KPI row's kept
inspection hours."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import small

from townsim.model import TownshipModel, feedback, inspection, reform
from townsim.model.metrics import collect
from townsim.model.metrics.numeric import mean

TOWN_CASES = [
    {},
    dict(township_service_weight=0.8, ranking_pressure=2.0, assessment_period=3),
    dict(township_service_weight=0.0),
    dict(township_service_weight=0.7, township_staff=0.4, citizen_request_rate=0.05, inspection_hours_per_week=90.0),
]


def _exact(xs) -> list[str]:
    """Doubles as their hex strings (``-0.0`` and ``0.0`` told apart, NaN equal to NaN)."""
    return [float(x).hex() for x in xs]


def _towns(m) -> list[str]:
    return _exact(x for t in m.townships for x in (t.handler.duty_backlog, t.handler.duty_cap, *t.hours.values())) + [
        str(list(t.hours)) for t in m.townships
    ]


@pytest.mark.parametrize("changes", TOWN_CASES)
def test_the_townships_passes_are_the_methods(changes):
    m = TownshipModel(small(engine="compiled", **changes), rng=6)
    assert m.compiled, m.engine_reason
    capped = slackless = 0
    for _ in range(12):
        m.run(2)
        ref, twin = copy.deepcopy(m), copy.deepcopy(m)
        hours = reform.effective_inspection_hours(m)
        inspection.apply(ref.townships, ref.params, hours)
        for t in ref.townships:
            t.split_day()
        inspection.townships_day(twin, hours)
        assert _towns(twin) == _towns(ref)
        for t in ref.townships:
            t.account_day()
        inspection.account_all(twin)
        assert _towns(twin) == _towns(ref)
        capped += sum(t.handler.duty_cap != float("inf") for t in ref.townships)
        slackless += sum(
            t.handler.capacity_hours - t.handler.worked_today - t.handler.duty_today <= 0 for t in ref.townships
        )
    if changes.get("township_service_weight", 0.3) > 0.5:
        assert capped  # cases came first somewhere: a finite cap was compared
    if changes.get("township_staff"):
        assert slackless  # a township without idle hours was booked


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_the_passes_call_the_agents_methods(monkeypatch, engine):
    """On either engine the passes call the agents' methods (their decisions stay theirs)."""
    m = TownshipModel(small(engine=engine), rng=2)
    called = []
    for name in ("split_day", "account_day"):
        monkeypatch.setattr(type(m.townships[0]), name, lambda self, name=name: called.append(name))
    inspection.townships_day(m)
    inspection.account_all(m)
    assert called == ["split_day"] * len(m.townships) + ["account_day"] * len(m.townships)


@pytest.mark.parametrize("n", [0, 1, 7, 130, 2542])
@pytest.mark.parametrize("rate", [0.002, 0.05, 1.0])
def test_the_kernels_stocks_with_entrants_are_the_rows_mean(n, rate):
    """The live firms' mean with the entrants appended at the start value (the kernel's fifth value) is
    ``numeric.mean`` of the rows ``build.append_enterprise_rows`` makes, also when the entrants outnumber the
    day's rows (its scratch array is too short)."""
    p = small(enterprise_entry_rate=rate, enterprise_exit_base=0.01, enterprise_exit_sensitivity=0.3)
    rng = np.random.default_rng(n + 11)
    stage = rng.integers(0, 4, n).astype(np.int8)
    sat = rng.random(n)
    entered = 0
    for _day in range(6):
        after: list[float] = []
        exits, live, mean_sat, entries = feedback._life_cycle_compiled(rng, p, stage, sat, after)
        alive_sat = sat[stage < feedback._EXITED]
        rows = np.concatenate([alive_sat, np.full(entries, feedback.SATISFACTION_START)])
        want = mean(rows) if len(rows) else mean_sat
        assert float(after[0]).hex() == float(want).hex()
        entered += entries > 0
    if rate >= 0.05 and n >= 130 or rate == 1.0:
        assert entered  # entry days were compared


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_the_kept_stocks_with_entrants_are_the_days_kpis(engine):
    """On the compiled engine a day with entrants keeps its stocks too (``entered_stocks``); on both engines the
    KPI row's stocks are what the arrays say at the day's end."""
    p = small(engine=engine, enterprise_entry_rate=0.01, enterprise_exit_base=0.004)
    m = TownshipModel(p, rng=4)
    entry_days = kept_entry_days = 0
    for _ in range(60):
        n = m.n_enterprises
        m.run(1)
        want = (
            m.mean_enterprise_satisfaction(),
            int(np.count_nonzero(m.enterprise_state["stage"][: m.n_enterprises] < 3)),
        )
        got = collect.enterprise_stocks(m)
        assert _exact([got[0]]) == _exact([want[0]]) and got[1] == want[1] and type(got[1]) is int
        assert m.live_enterprises == want[1]
        if m.n_enterprises != n:
            entry_days += 1
            kept_entry_days += collect.stocks_kept(m) is not None
    assert entry_days
    assert kept_entry_days == (entry_days if engine == "compiled" else 0)


@pytest.mark.parametrize("half_life", [float("inf"), 30.0])
def test_the_kept_inspection_hours_are_the_days(half_life):
    """The KPI row's inspection hours are ``weekly_duty_hours`` of the day's faded lever: kept while unfaded,
    worked out each day while the reform fades."""
    p = small(
        engine="compiled",
        reform_half_life_days=half_life,
        meeting_document_cut=0.4,
        inspection_hours_per_week=40.0,
        pre_reform={"inspection_hours_per_week": 70.0},
    )
    m = TownshipModel(p, rng=1)
    seen = set()
    for _ in range(8):
        m.run(5)
        want = inspection.weekly_duty_hours(m.params, reform.effective_inspection_hours(m))
        assert m.kpi_today["inspection_hours"] == want
        seen.add(want)
    assert (len(seen) == 1) == (half_life == float("inf"))
