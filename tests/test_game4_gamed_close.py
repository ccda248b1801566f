"""Gamed closures in the compiled engine's one call a day (``kernel.gamed``, ``projection.decide_run``): the
owners' net gain in the kernel is ``gaming.net_of``'s double (the days of many gamed closures on both engines:
``test_kernel_differential.test_a_day_of_many_gamed_closures_is_bit_identical``)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.model import Params  # noqa: E402
from townsim.model.gaming import net_of  # noqa: E402
from townsim.model.kernel.gamed import owner_net  # noqa: E402
from townsim.model.kernel.gaming import _weights  # noqa: E402


def test_the_kernels_net_gain_is_net_of():
    rng = np.random.default_rng(3)
    for _ in range(200):
        p = Params(
            ontime_weight=float(rng.uniform(0, 3)),
            ranking_pressure=float(rng.uniform(0, 2)),
            detection_prior=float(rng.uniform(0.01, 0.99)),
            detection_prior_strength=float(rng.uniform(0.5, 10)),
            callback_penalty=float(rng.uniform(0, 12)),
        )
        agents = [
            SimpleNamespace(
                model=SimpleNamespace(params=p),
                rank=float(rng.uniform()),
                gamed=int(rng.integers(0, 500)),
                caught=0,
            )
            for _ in range(8)
        ]
        for a in agents:
            a.caught = int(rng.integers(0, a.gamed + 1))
        own = np.array([(a.rank, a.gamed, a.caught, 0.0) for a in agents])
        assert [owner_net(k, own, _weights(p)) for k in range(len(agents))] == [net_of(a) for a in agents]
