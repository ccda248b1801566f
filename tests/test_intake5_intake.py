"""Intake's hand-overs on the compiled engine: the same draws at the same buffer positions.

A new case waits in the compiled engine's batch and reserves the draws its filing takes from the steps'
stream buffer: its first step's, or every step's when handled jointly (``kernel.flows.begin``); the batch is
handed over when the reserved draws might reach the buffer's end, so that a refill happens where the
reference's does. With buffers of 13 draws instead of 8,192 the buffers end mid-intake many times a day,
with serial and with joint filing, and requests, repeats and disputes filed in separate batches.
"""

from __future__ import annotations

import pytest

pytest.importorskip("numba")

import numpy as np  # noqa: E402
from test_kernel_differential import _pair, assert_identical  # noqa: E402

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, TownshipModel  # noqa: E402
from townsim.model.kernel import PLAIN  # noqa: E402


@pytest.mark.parametrize("joint", [False, True], ids=["serial", "joint"])
@pytest.mark.parametrize("dist", ["exponential", "lognormal"])
def test_small_buffers_with_serial_and_joint_filing_are_bit_identical(monkeypatch, dist, joint):
    from townsim.model.engine import RandomStream  # deferred: patched per test
    from townsim.model.kernel.engine import KernelStream  # deferred: patched per test

    monkeypatch.setattr(RandomStream.__init__, "__defaults__", (13,))
    monkeypatch.setattr(KernelStream.__init__, "__defaults__", (13,))
    p = Params(
        **{
            **SMALL_COUNTY,
            **PLAIN,
            "callback_share": 0.5,
            "repeat_share": 0.5,
            "resolution_base": 0.7,  # repeats come back: a second admit a day, its channels drawn from the generator
            "dispute_rate": 1e-3,  # disputes drawn after the day's requests, found by the grid, filed
            "grid_coverage": 0.8,
            "app_reporting": 0.3,
            "service_time_distribution": dist,
            "joint_handling": joint,
        }
    )
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 30)
        assert ref.stream.size == comp.stream.size == 13
        assert comp.cases.joint[: comp.cases.n].any() == joint
        assert_identical(ref, comp)


def test_a_case_reserves_the_draws_of_the_steps_its_filing_releases():
    """One draw a case (its first step) when serial; the catalogue's most steps when joint."""
    p = Params(**{**SMALL_COUNTY, **PLAIN, "engine": "compiled"})
    serial = TownshipModel(p, rng=1)
    joint = TownshipModel(p.replace(joint_handling=True), rng=1)
    assert serial.compiled and joint.compiled
    assert serial.engine._filing_draws == 1
    assert joint.engine._filing_draws == int(joint.catalogue.n_departments.max()) > 1


@pytest.mark.parametrize("joint", [False, True], ids=["serial", "joint"])
def test_each_filing_reserves_the_steps_it_releases(joint):
    """The draws ``route.route_rows`` gives each new case (what it reserves) are the steps its filing releases,
    each drawn then: every department step when joint, else the first; none when its file is forwarded first
    (a hall's, a referral's, an errand's). A case waiting for coordination releases none yet: a bound there."""
    from townsim.model.kernel import core as K  # deferred: imports numba (skipped above)
    from townsim.model.kernel.layout import STEP  # deferred: imports numba (skipped above)

    p = Params(**{**SMALL_COUNTY, **PLAIN, "engine": "compiled", "joint_handling": joint})
    m = TownshipModel(p, rng=3)
    e = m.engine
    reserved: dict[int, int] = {}
    submit_many = e.submit_many

    def spy(cids, times, fwd, draws):
        reserved.update(zip(cids, draws))
        submit_many(cids, times, fwd, draws)

    e.submit_many = spy
    for _ in range(5):
        m.step()
    c, n_dep = m.cases, m.catalogue.n_departments
    n_task = int(e.ctr[K.CTR_NTASK])
    steps = np.bincount(e.tk[0][:n_task][e.tk[8][:n_task] == STEP], minlength=c.n)  # step tasks made per case
    assert len(reserved) > 100
    all_steps = 0
    for cid, k in reserved.items():
        forwarded = c.referred[cid] or c.errand[cid]
        every = c.joint[cid] and c.receiver[cid] < 0
        assert k == (0 if forwarded else int(n_dep[c.matter[cid]]) if every else 1)
        if not forwarded and not c.needs_coord[cid]:  # released at filing, each step drawn then
            assert steps[cid] >= k
        all_steps += every and not forwarded
    assert (all_steps > 0) == joint
    assert min(reserved.values()) == 0 and max(reserved.values()) == (int(n_dep.max()) if joint else 1)


def test_the_task_tables_double_in_the_warm_up_and_grow_eightfold_from_the_reform_start():
    """Capacity only (zero pages the OS gives when written): the kept warm-up, copied whole for each run,
    stays at doubled sizes; the counted days copy fewer times."""
    from townsim.model.kernel.tables import grow  # deferred: imports numba (skipped above)

    assert len(grow(np.zeros(16), 17)) == 32
    assert len(grow(np.zeros(16), 17, 0, 8)) == 128
    assert len(grow(np.zeros(16), 16, 0, 8)) == 16
    m = TownshipModel(Params(**{**SMALL_COUNTY, **PLAIN, "engine": "compiled", "warmup_days": 10}), rng=1)
    e = m.engine
    assert m.day0 > 0 and e._growth() == 8  # the warm-up is over: the counted days begin
    n, k = len(e.tk[0]), len(e.ent[0])
    e._room_tasks(n + 1)
    e._room_ent(k + 1)
    assert [len(a) for a in e.tk] == [8 * n] * len(e.tk)
    assert [len(a) for a in e.ent] == [8 * k] * len(e.ent)
    m.day0 = 0  # as in the warm-up
    e._room_tasks(8 * n + 1)
    assert len(e.tk[0]) == 16 * n
