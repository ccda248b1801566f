"""The grid's day on plain lists draws what its array form drew (``model/grid.py``).

``grid`` draws a township's dispute counts by one scalar Poisson call each instead of one call on the
array of rates, the residents' and the onsets' uniforms by one call, and all townships' patrol finds by
one call; it remembers ``split_patrol``. Each rests on a property of numpy's generator checked here (the
values and the generator's state after them), and a day with disputes refused by the mediators (off by
default, so no pin covers it) runs bit-identically on both engines.
"""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params
from townsim.model.cases import GRID_REPORT
from townsim.model.catalogue import DISPUTE_GENERAL
from townsim.model.patrol import split_patrol

RATES = [0.0, 1e-3, 0.37, 0.5, 0.69, 1.0, 3.3, 9.99, 10.0, 14.2, 250.0]
"""Poisson means across numpy's two algorithms (multiplication below 10, PTRS from 10) and zero."""


def test_scalar_poisson_calls_draw_what_the_array_call_draws():
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    for k in range(300):
        lam = np.array(RATES) * (1 + k % 5)
        one = a.poisson(lam).tolist()
        each = [b.poisson(x) for x in lam.tolist()]
        assert one == each
        a.integers(3, size=k % 4)  # a 32-bit draw between them leaves half a word in the generator
        b.integers(3, size=k % 4)
    assert a.bit_generator.state == b.bit_generator.state


def test_one_uniform_call_is_the_calls_it_replaces():
    a, b = np.random.default_rng(8), np.random.default_rng(8)
    for k in range(300):
        sizes = [k % 3, k % 7, 0, k % 5]
        one = a.random(sum(sizes)).tolist()
        each = [x for n in sizes for x in b.random(n).tolist()]
        assert one == each
        a.integers(3, size=k % 4)
        b.integers(3, size=k % 4)
    assert a.bit_generator.state == b.bit_generator.state


def test_remembered_patrol_split_is_the_bisection():
    rng = np.random.default_rng(9)
    for hours, lam, cost in zip(rng.uniform(0, 40, 200), rng.uniform(0, 3, 200), rng.uniform(0, 30, 200)):
        args = (float(hours), float(lam), float(cost))
        assert split_patrol(*args) == split_patrol.__wrapped__(*args) == split_patrol(*args)
    assert split_patrol(0.0, 1.0, 5.0) == 0.0


@pytest.mark.parametrize("threshold", [0.45, 0.9])
def test_refused_disputes_are_bit_identical_on_both_engines(threshold):
    pytest.importorskip("numba")
    from test_kernel_differential import _pair, assert_identical  # deferred: needs numba (skipped above)

    from townsim.experiments.core.county import SMALL_COUNTY  # deferred: beside the numba imports
    from townsim.model.kernel import PLAIN  # deferred: imports numba (skipped above)

    p = Params(
        **{
            **SMALL_COUNTY,
            **PLAIN,
            "dispute_rate": 1e-3,
            "grid_coverage": 0.8,
            "app_reporting": 0.3,
            "grid_mediation_hours": 1.0,
            "mediation_accept_threshold": threshold,
        }
    )
    ref, comp = _pair(p, 3, 30)
    general = comp.cases.view("matter") == comp.catalogue.dispute_id(DISPUTE_GENERAL)
    assert (general & (comp.cases.view("source") == GRID_REPORT)).sum() > 10  # the mediators refused some
    assert ref.grid_mediation.keys() == comp.grid_mediation.keys()
    assert_identical(ref, comp)


@pytest.mark.parametrize("rates", [(0.004, 0.0), (0.0, 0.003), (0.002, 0.03)])
def test_the_compiled_draws_are_the_lists_draws(rates):
    """The compiled engine's day of new disputes (``kernel.disputes.today``, one kernel call) draws what
    ``grid._draws`` draws, the generator left alike: disputes only, local problems only, both (Poisson means below
    and above 10 a township); its latent ones are the ones not reported by app."""
    pytest.importorskip("numba")
    import copy

    from townsim.model import TownshipModel, grid
    from townsim.model.catalogue import DISPUTE_MEDIATION, LOCAL_PROBLEMS
    from townsim.model.kernel import disputes
    from townsim.model.params import HOURS_PER_DAY

    def compiled_draws(m, day):  # ``grid._draws``' lists from the kernel's day
        _, (town, matter, cit, onset, late) = disputes.today(m, day, LOCAL_PROBLEMS, DISPUTE_MEDIATION, HOURS_PER_DAY)
        if not len(town):
            return None
        reported = np.ones(len(town), dtype=bool)
        reported[late] = False
        return town.tolist(), matter.tolist(), cit.tolist(), onset.tolist(), reported.tolist()

    p = Params(residents=20_000, enterprises=200, warmup_days=0, engine="compiled")
    m = TownshipModel(p.replace(dispute_rate=rates[0], local_problem_rate=rates[1], app_reporting=0.5), rng=4)
    m.citizen_state["report"][:] = np.random.default_rng(1).random(len(m.citizen_state["report"]))
    seen = 0
    for day in range(40):
        ref = copy.deepcopy(m)
        want, got = grid._draws(ref, day), compiled_draws(m, day)
        assert got == want
        assert m.rng.bit_generator.state == ref.rng.bit_generator.state
        seen += len(want[0]) if want else 0
        m.rng.integers(3, size=day % 3)  # a 32-bit draw between days leaves half a word in the generator
    assert seen > 40  # the comparison saw disputes
