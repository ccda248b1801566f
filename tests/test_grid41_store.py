"""The grid's latent disputes on the compiled engine (``model/kernel/latent.py``) are the Python engine's.

``kernel.latent.keep`` draws what ``patrol.keep_latent`` draws (numba's ``Generator.exponential`` is numpy's on
the doubles, the generator left alike); the store keeps its rows' order when it grows and drops the resolved
rows; and over runs where the grid is busy (patrols short of hours, local problems, mediators refusing,
petitions, a reform switching the grid off) both engines give the same cases, grid hours, grid mediation and
latent disputes, also after the compiled model is copied by pickling (``warmstart.Frozen``).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from test_kernel_differential import _pair, assert_identical  # noqa: E402

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, TownshipModel, patrol  # noqa: E402
from townsim.model.kernel import PLAIN  # noqa: E402
from townsim.model.kernel.latent import (  # noqa: E402
    COVERED,
    LATENT,
    ONSET,
    SPLITS,
    SURFACE,
    LatentStore,
    keep_call,
    remembered_split,
)
from townsim.model.kernel.rawrng import addresses  # noqa: E402
from townsim.model.warmstart import Frozen  # noqa: E402

BUSY = dict(
    dispute_rate=2e-3,
    local_problem_rate=1e-3,
    grid_coverage=0.7,
    app_reporting=0.2,
    grid_mediation_hours=2.0,
    dispute_surface_days=6.0,
    patrol_residents_per_hour=400.0,
    petition_propensity=0.4,
)
"""A busy grid: many latent disputes and local problems, patrols that run out of hours, petitions."""


def _kept(st: LatentStore, rng, n: int, coverage: float, scale: float, seed: int) -> tuple:
    """Keep ``n`` random disputes in ``st`` (every third reported, so not kept) drawing from ``rng``."""
    g = np.random.default_rng(seed)
    town, matter = g.integers(0, 5, n), g.integers(0, 9, n)
    cit, onset = g.integers(0, 1000, n), g.random(n) * 80.0
    late = np.flatnonzero(np.arange(n) % 3 != 0)
    st.room(len(late))
    keep_call(
        addresses(rng), st.ints, st.reals, st.flags, st.meta, cit, town, onset, matter, late, coverage, scale, 8.0
    )
    return cit, town, onset, matter, late


@pytest.mark.parametrize("scale", [0.5, 6.0, 40.0])
def test_keep_draws_the_references_doubles(scale):
    """Covered flags (a uniform each, then) surfacing times ``onset + Exp(scale) · 8``: numpy's doubles."""
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    st = LatentStore(capacity=4)
    used = 0
    for k in range(30):
        cit, town, onset, matter, late = _kept(st, b, 5 + 7 * k, 0.6, scale, k)
        covered = a.random(len(late)) < 0.6
        delay = a.exponential(scale, len(late))
        rows = slice(used, used + len(late))
        assert np.array_equal(st.flags[rows, COVERED], covered)
        assert np.array_equal(st.reals[rows, SURFACE], onset[late] + delay * 8.0)
        assert np.array_equal(st.reals[rows, ONSET], onset[late])
        assert st.flags[rows, LATENT].all()
        used += len(late)
        a.integers(3, size=k % 3)  # a 32-bit draw between calls leaves half a word in the generator
        b.integers(3, size=k % 3)
    assert a.bit_generator.state == b.bit_generator.state
    assert st.ints.shape[0] >= used > 4


def test_store_keeps_its_order_when_it_grows_and_drops_resolved_rows():
    st = LatentStore(capacity=8)
    rng = np.random.default_rng(1)
    m = type("M", (), {})()
    m.latent_store = st
    m.compiled = True
    from townsim.model.kernel import latent

    for k in range(40):
        _kept(st, rng, 12, 0.5, 3.0, k)
        alive = st.rows()
        st.flags[alive[::2], LATENT] = False  # resolved: found or surfaced
        st.meta[1] -= len(alive[::2])
        before = latent.entries(m)
        st.room(50)
        assert latent.entries(m) == before  # the same latent disputes, ids and order
        assert list(before) == sorted(before)
        assert int(st.meta[1]) == len(before) == int(st.flags[: int(st.meta[0]), LATENT].sum())
    assert int(st.meta[0]) < int(st.meta[2])  # resolved rows were dropped


def test_remembered_split_is_the_bisection():
    """The kernel's remembered patrol split is ``patrol.split_patrol``'s bisection, on a hit, a miss and a slot
    taken over by another pool's cost."""
    rng = np.random.default_rng(5)
    memo = np.full((SPLITS, 4), np.nan)
    hours, lam = [0.0, 4.8, 12.0, 31.5], [0.5, 1.0, 2.5]
    hits = 0
    for _ in range(3000):
        k = int(rng.integers(0, 6))  # a slot per cost, shared by two costs and every hours and rate
        args = (hours[rng.integers(4)], lam[rng.integers(3)] if k else 1.0, 0.25 * k)
        slot = k % 3
        hits += memo[slot, 0] == args[0] and memo[slot, 1] == args[1] and memo[slot, 2] == args[2]
        assert remembered_split(memo, slot, *args) == patrol.split_patrol.__wrapped__(*args)
    assert 100 < hits < 2900


def _grid_state(m) -> tuple:
    """What the grid keeps besides the cases: hours, mediation, the latent disputes (ids aside: the Python
    engine numbers them across models) in their order."""
    latent = [entry for _, entry in sorted(patrol.latent_entries(m).items())]
    return m.grid_hours, m.grid_mediation, latent


@pytest.mark.parametrize(
    "extra,seed",
    [({}, 1), ({"mediation_accept_threshold": 0.6}, 2), ({"grid_worker_residents": 400.0}, 3)],
)
def test_busy_grid_is_bit_identical_on_both_engines(extra, seed):
    p = Params(**{**SMALL_COUNTY, **PLAIN, **BUSY, **extra})
    ref, comp = _pair(p, seed, 45)
    assert ref.grid_hours["reports"] > 0 and len(patrol.latent_entries(ref)) > 20
    assert ref.summary()["petitions"] > 0
    assert _grid_state(ref) == _grid_state(comp)
    assert_identical(ref, comp)


def test_a_reform_switching_the_grid_off_and_a_copy_run_alike():
    """Warm-up with the grid on, counted days with it off (latent disputes left in covered grids, no patrol);
    the compiled model copied mid-run (pickled, as warm starts copy) continues as the original and the Python
    engine's run."""
    p = Params(**{**SMALL_COUNTY, **PLAIN, **BUSY, "warmup_days": 15, "grid_coverage": 0.0})
    p = p.replace(pre_reform={"grid_coverage": 0.8})
    ref = TownshipModel(p.replace(engine="python"), rng=4).run(20)
    comp = TownshipModel(p.replace(engine="compiled"), rng=4).run(10)
    assert comp.compiled, comp.engine_reason
    copy = Frozen(comp).thaw()
    copy.engine.link_views(copy)
    comp.run(10)
    copy.run(10)
    assert _grid_state(ref) == _grid_state(comp) == _grid_state(copy)
    assert any(entry[4] for entry in patrol.latent_entries(ref).values())  # covered ones left unpatrolled
    assert_identical(ref, comp)
    assert_identical(ref, copy)
