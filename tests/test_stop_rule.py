"""The stop rule (``stop_backlog_days``, ``model/stoprule.py``): a run whose open backlog exceeds that many
days of its mean daily arrivals stops at the end of that day and says so; off, or never reached, it changes
nothing. Both engines (the rule lives in the day loop, not in the engines)."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from helpers import small

from townsim.model import TownshipModel
from townsim.model.cases import FIELDS

ENGINES = [
    "python",
    pytest.param(
        "compiled", marks=pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba not installed")
    ),
]
DAYS = 30
BOUND = 5.0


def exploding(engine: str, **changes):
    """The small county with ten times the demand and a quarter of the staff: its queues grow without bound."""
    return small(
        citizen_request_rate=0.008,
        enterprise_request_rate=0.2,
        department_staff=4.0,
        township_staff=3.0,
        engine=engine,
        **changes,
    )


def ratio(m: TownshipModel) -> float:
    """Open backlog over mean daily arrivals since the start (the rule's measure, in days)."""
    return len(m.open_ids) / (m.cases.n / m.clock_day)


def _same(a: dict, b: dict) -> list[str]:
    return [k for k in a if not (a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])))]


@pytest.mark.parametrize("engine", ENGINES)
def test_an_exploding_run_stops_on_the_first_day_past_the_bound(engine):
    on = TownshipModel(exploding(engine, stop_backlog_days=BOUND), rng=1).run(DAYS)
    off = TownshipModel(exploding(engine), rng=1)
    assert on.compiled == off.compiled == (engine == "compiled")
    day = on.stopped_day
    assert day is not None and 1 <= day < DAYS and not on.running
    assert on.day == day and len(on.timeseries()) == day
    assert on.summary()["stopped_day"] == float(day)
    # the rule-off run of the same world: the bound is first passed on that very day, and it runs on
    for d in range(1, DAYS + 1):
        off.step()
        if d == day - 1:
            assert ratio(off) <= BOUND
        if d == day:
            assert ratio(off) > BOUND
            assert off.timeseries().equals(on.timeseries())  # stopping only truncates the run
            assert off.cases.n == on.cases.n
    assert off.running and off.stopped_day is None and off.day == DAYS
    assert "stopped_day" not in off.summary()  # only a stopped run reports the day
    assert ratio(off) > ratio(on)  # the backlog went on growing


@pytest.mark.parametrize("engine", ENGINES)
def test_a_normal_run_with_the_rule_on_is_the_run_with_it_off(engine):
    p = small(engine=engine)
    off = TownshipModel(p, rng=3).run(DAYS)
    on = TownshipModel(p.replace(stop_backlog_days=3.0), rng=3).run(DAYS)
    assert ratio(on) < 3.0 and on.stopped_day is None and on.running
    assert _same(off.summary(), on.summary()) == []
    assert off.timeseries().equals(on.timeseries())
    for f in FIELDS:
        a, b = off.cases.view(f), on.cases.view(f)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f


def test_a_stopped_model_does_not_step():
    m = TownshipModel(exploding("python", stop_backlog_days=BOUND), rng=2).run(DAYS)
    n, day, rows = m.cases.n, m.day, len(m.timeseries())
    m.step()
    assert (m.cases.n, m.day, len(m.timeseries())) == (n, day, rows)


def test_a_run_that_explodes_in_the_warm_up_stops_there():
    m = TownshipModel(exploding("python", stop_backlog_days=BOUND, warmup_days=DAYS), rng=1)
    assert m.stopped_day == 0 and not m.running
    assert m.clock_day < DAYS  # the warm-up was cut short
    m.run(10)
    assert m.day == 0 and len(m.timeseries()) == 0
    assert m.summary()["stopped_day"] == 0.0


@pytest.mark.parametrize("limit, freed", [(1_000, True), (10**9, False)])
def test_a_worker_frees_a_model_that_filed_many_cases_at_once(monkeypatch, limit, freed):
    """A dead model that filed many cases is freed when its item ends (each open case holds Python
    objects: a worker of the drawn Linping calibration otherwise kept every dead model until the next full
    collection); counterfactual: under a limit it does not reach, the dead model stays (collector off)."""
    import gc
    import weakref

    from townsim.experiments.core import memory

    monkeypatch.setattr(memory, "LARGE_MODEL_CASES", limit)
    enabled = gc.isenabled()
    gc.disable()
    try:
        with memory.released_models():
            m = TownshipModel(small(), rng=1).run(40)
            assert m.cases.n >= 1_000
            ref = weakref.ref(m)
            del m
        assert (ref() is None) == freed
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def test_a_worker_collects_once_the_dead_models_cases_add_up(monkeypatch):
    """Dead models are collected in groups (a full collection walks the whole process, a tenth of a
    county-year): an item whose cases stay under the limit leaves its dead model; the next item that brings
    the cases since the last collection to the limit frees both."""
    import gc
    import weakref

    from townsim.experiments.core import memory
    from townsim.model import gcpolicy

    monkeypatch.setattr(memory, "_COLLECTED_AT", [gcpolicy.CASES_MADE[0]])
    enabled = gc.isenabled()
    gc.disable()
    try:
        refs = []
        for item in range(2):
            with memory.released_models():
                m = TownshipModel(small(), rng=1 + item).run(40)
                if item == 0:  # the limit: one case more than this first model filed
                    monkeypatch.setattr(memory, "LARGE_MODEL_CASES", m.cases.n + 1)
                refs.append(weakref.ref(m))
                del m
            if item == 0:
                assert refs[0]() is not None  # under the limit: not collected yet
        assert refs[0]() is None and refs[1]() is None
    finally:
        if enabled:
            gc.enable()
        gc.collect()
