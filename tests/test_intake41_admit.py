"""Intake's one kernel call on the compiled engine (``route.admit_rows``) and the repeat batch (``route.repeat_rows``).

The kernel takes the channel logistic with its own ``exp``; numpy's may differ in the last bits, so a comparison
``u < prob`` within ``CompiledEngine.MARGIN`` of its probability sends the batch back to numpy's logistic with the
same draws. A margin so wide that every batch goes back must give the Python engine's results bit for bit, as the
narrow one does; and the kernel's logistic must stay within a few ulp of numpy's.
"""

from __future__ import annotations

import pytest

pytest.importorskip("numba")

import numpy as np  # noqa: E402
from test_kernel_differential import assert_identical  # noqa: E402

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, TownshipModel  # noqa: E402

PARAMS = Params(
    **{
        **SMALL_COUNTY,
        "callback_share": 0.5,
        "repeat_share": 0.5,
        "resolution_base": 0.7,  # repeats come back: a second admit a day
        "ontime_weight": 1.0,  # the gaming decisions' moments queued
        "commissioners": 2,  # errands drawn
        "dispute_rate": 1e-3,
        "grid_coverage": 0.8,
    }
)


def _counted(m: TownshipModel) -> list[int]:
    """Count the batches routed by the fallback call (``CompiledEngine.route``'s kernel) from now on."""
    calls = [0]
    k_route = m.engine.k_route

    def spy(*a):
        calls[0] += 1
        return k_route(*a)

    m.engine.k_route = spy
    return calls


@pytest.mark.parametrize("margin", [1e-12, 1e300], ids=["kernel-logistic", "numpy-fallback"])
def test_either_logistic_gives_the_python_engines_results(margin):
    ref = TownshipModel(PARAMS.replace(engine="python"), rng=4)
    comp = TownshipModel(PARAMS.replace(engine="compiled"), rng=4)
    assert comp.compiled, comp.engine_reason
    comp.engine.MARGIN = margin
    fallbacks = _counted(comp)
    ref.run(25)
    comp.run(25)
    assert comp.cases.n > 1000 and comp.cases.repeat_of[: comp.cases.n].max() >= 0
    assert comp.cases.errand[: comp.cases.n].any() and len(comp.gaming_queue) > 0
    assert comp.cases.enquiry[: comp.cases.n].any()  # the enquiries' case rows made by either path
    # every batch went back to numpy's logistic with the wide margin, none with the narrow one
    assert (fallbacks[0] > 50) if margin > 1 else (fallbacks[0] == 0)
    assert_identical(ref, comp)


def test_the_kernels_logistic_is_numpys_within_the_margin_and_keeps_fixed_shares():
    from townsim.model.kernel.route import logistic  # deferred: imports numba (skipped above)

    rng = np.random.default_rng(7)
    n = 5000
    negz = np.concatenate([rng.normal(0.0, 3.0, 2 * n - 4), [-800.0, 800.0, 0.0, 1e-3]])
    u = rng.random((3, n))
    prob, safe = logistic(u, negz, np.array([np.nan, np.nan, 1e-12, 0.3]))
    with np.errstate(over="ignore"):  # exp(800) overflows to inf on purpose: the probability 0
        ref = 1.0 / (1.0 + np.exp(negz))
    assert not safe  # exp(800) overflows: below 1e-300, the comparison is left to numpy's
    ok = ref >= 1e-300
    assert np.all(np.abs(prob[ok] - ref[ok]) <= 1e-14 * ref[ok]) and np.array_equal(prob[~ok], ref[~ok])
    prob, safe = logistic(u[:, :10], negz[:20], np.array([np.nan, np.nan, 1e-12, 0.3]))
    assert safe == bool(np.all(np.abs(u[:2, :10].ravel() - ref[:20]) > 1e-12 * ref[:20]))
    assert not logistic(u[:, :10], negz[:20], np.array([np.nan, np.nan, 1e300, 0.3]))[1]
    prob, safe = logistic(u[:, :10], negz[:20], np.array([1.0, 0.0, 1e300, 0.3]))  # both shares fixed
    assert safe and np.array_equal(prob, np.r_[np.ones(10), np.zeros(10)])


def test_the_repeat_batch_from_the_kernel_is_the_references():
    from townsim.model.resolution import _repeat_rows  # deferred: the reference helper

    m = TownshipModel(PARAMS.replace(engine="compiled"), rng=2).run(20)
    c = m.cases
    rng = np.random.default_rng(1)
    ids = rng.choice(c.n, 300, replace=False).astype(np.int64)
    due = rng.uniform(150.0, 170.0, 300)
    codes = (3, 5)
    mediation = np.flatnonzero(c.matter[: c.n] == codes[0])
    ids[:5] = mediation[:5] if len(mediation) >= 5 else ids[:5]
    got = m.engine.repeat_rows(ids, due, 160.0, codes)
    want = _repeat_rows(c, ids, list(due), 20, codes)
    assert c.enquiry[ids].any() and (c.repeat_of[ids] >= 0).any()
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and np.array_equal(g, w)
