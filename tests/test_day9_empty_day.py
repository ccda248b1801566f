"""The empty day's shortcuts give the reference's values: no demand drawn without a kernel call."""

from __future__ import annotations

import math

import pytest
from helpers import small

from townsim.model import TownshipModel, demand

NO_DEMAND = {"citizen_request_rate": 0.0, "enterprise_request_rate": 0.0, "dispute_rate": 0.0}


def _same(a, b) -> bool:
    """The same value: equal of the same type, or both NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _draw(m: TownshipModel, day: int):
    """``demand.draw`` of ``m`` for ``day``, as the model's day calls it."""
    n = m.n_enterprises
    st = m.enterprise_state
    return demand.draw(
        m.params,
        m.rng,
        day,
        m.township_residents,
        m.citizen_start,
        m.citizen_count,
        st["township"][:n],
        st["stage"][:n],
        m.sampler,
    )


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_zero_rates_draw_nothing(engine):
    """Both request rates zero: no request and no draw, on either engine; the kernel's twin itself, called,
    draws nothing either (the shortcut skips only an empty call)."""
    if engine == "compiled":
        pytest.importorskip("numba")
    m = TownshipModel(small(engine=engine, **NO_DEMAND), rng=3).run(2)
    state = m.rng.bit_generator.state
    req = _draw(m, 2)
    assert len(req) == 0 and m.rng.bit_generator.state == state
    if engine == "compiled":
        assert m.sampler.kernel_draw is not None
        n = m.n_enterprises
        out = m.sampler.kernel_draw(
            2,
            m.rng,
            m.township_residents,
            0.0,
            0.0,
            m.enterprise_state["stage"][:n],
            m.citizen_start,
            m.citizen_count,
            m.enterprise_state["township"][:n],
            m.sampler.kernel_tables,
            m.params.enquiry_share,
        )
        assert all(len(a) == 0 for a in out) and m.rng.bit_generator.state == state
        m2 = TownshipModel(small(engine=engine, **{**NO_DEMAND, "enterprise_request_rate": 0.5}), rng=3).run(2)
        state = m2.rng.bit_generator.state
        _draw(m2, 2)
        assert m2.rng.bit_generator.state != state  # a rate above zero still draws
