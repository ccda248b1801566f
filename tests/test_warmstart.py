"""Runs that share a warm-up (``model/warmstart``) give the results of runs built from nothing, bit for bit:
every generic-county scenario, an equal-staff variant (its warm-up at the old staff), drawn assumptions; the
warm-up is made once per (warm-up parameters, seed) and a run never changes the kept one."""

from __future__ import annotations

import pytest

from townsim.experiments.core.county import SMALL_COUNTY
from townsim.model import TownshipModel, warmstart
from townsim.scenarios import load_scenario

pytest.importorskip("numba")

DAYS = 30
SEED = 7
GENERIC = ["baseline", "one_stop_135", "delegation_with_staff", "full_reform", "grid_governance"]
WARMUP = 40  # working days: long enough for the stocks to settle in rounds (``settle.round_starts``)


def fresh(params, seed=SEED):
    m = TownshipModel(params, rng=seed).run(DAYS)
    return m.summary(), m.timeseries()


def shared(params, seed=SEED):
    return warmstart.simulate(params, seed, DAYS)


def same(a, b) -> bool:
    return a[0] == b[0] and a[1].equals(b[1])


@pytest.fixture(autouse=True)
def _empty():
    warmstart.forget()
    yield
    warmstart.forget()


def compiled(name: str, **changes):
    """The scenario on the small county (its levers, warm-up and settling as shipped), compiled."""
    return load_scenario(name).params.replace(
        **{**SMALL_COUNTY, "warmup_days": WARMUP, "engine": "compiled", **changes}
    )


@pytest.mark.slow
def test_every_generic_scenario_from_one_warm_up_equals_its_own_run():
    runs = [compiled(n) for n in GENERIC]
    p = runs[-1]
    staff = p.department_staff
    runs.append(p.replace(department_staff=0.9 * staff, pre_reform={**p.pre_reform, "department_staff": staff}))
    for params in runs:
        assert same(shared(params), fresh(params)), params.pre_reform
    assert len(warmstart._KEPT) == 1, "one warm-up for all of them (the same warm-up parameters and seed)"


def test_drawn_assumptions_and_seeds_have_their_own_warm_ups():
    world = {"service_time_cv": 0.8, "satisfaction_learning": 0.2}
    for params in (compiled("baseline", **world), compiled("full_reform", **world)):
        assert same(shared(params), fresh(params))
    assert same(shared(compiled("full_reform"), seed=SEED + 1), fresh(compiled("full_reform"), seed=SEED + 1))
    assert len(warmstart._KEPT) == 2  # the drawn world's, and the other seed's


def test_a_run_leaves_the_kept_warm_up_as_it_was():
    p = compiled("full_reform")
    first, again = shared(p), shared(p)
    assert same(first, again) and same(first, fresh(p))


def test_the_python_engine_and_runs_without_warm_up_build_from_nothing():
    python = compiled("full_reform", engine="python")
    assert same(shared(python), fresh(python))
    none = compiled("full_reform", warmup_days=0)
    assert same(shared(none), fresh(none))
    assert not warmstart._KEPT
