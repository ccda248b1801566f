"""The compiled engine's short call for a day when intake hands over no case (``servers.quiet_day``).

With no new case the day starts in a call handed eight arrays; the servers' wake-ups at handlers with nothing
queued go idle there (``servers.go_idle``, the event loop's own step), and at the first other event the full
call goes on from it (``CompiledEngine._quiet``). A county without demand is one short call a day; a county of
sparse demand takes both ways on its quiet days; both give the Python engine's run bit for bit.
"""

from __future__ import annotations

import pytest

pytest.importorskip("numba")

from helpers import small  # noqa: E402
from test_kernel_differential import assert_identical  # noqa: E402

from townsim.model import TownshipModel  # noqa: E402

NO_DEMAND = {"citizen_request_rate": 0.0, "enterprise_request_rate": 0.0, "dispute_rate": 0.0}


def _counted(model: TownshipModel) -> dict:
    """Count the compiled engine's day calls: the short call's answers (done or not) and the full calls."""
    eng = model.engine
    counts = {"done": 0, "on": 0, "full": 0}
    quiet, full = eng.k_quiet, eng.k_work_day

    def short(*args):
        evt, evi, done = quiet(*args)
        counts["done" if done else "on"] += 1
        return evt, evi, done

    def whole(*args):
        counts["full"] += 1
        return full(*args)

    eng.k_quiet, eng.k_work_day = short, whole
    return counts


def _pair(params, seed: int, days: int) -> tuple[TownshipModel, TownshipModel, dict]:
    ref = TownshipModel(params.replace(engine="python"), rng=seed).run(days)
    comp = TownshipModel(params.replace(engine="compiled"), rng=seed)
    assert comp.compiled, comp.engine_reason
    counts = _counted(comp)
    comp.run(days)
    return ref, comp, counts


def test_a_day_without_demand_is_one_short_call():
    ref, comp, counts = _pair(small(**NO_DEMAND), 3, 30)
    assert counts == {"done": 30, "on": 0, "full": 0}
    assert sum(h.duty_today for h in comp.handlers) > 0  # the days booked duty hours (the short call's start)
    assert_identical(ref, comp)


@pytest.mark.parametrize("changes", [{}, {"escalation_135": True}], ids=["plain", "135-rule"])
def test_quiet_days_with_work_left_go_on_in_the_full_call(changes):
    """About a case every two days: quiet days with nothing pending (done in the short call) and with a task,
    a courier run or an escalation pending (on in the full call)."""
    sparse = small(citizen_request_rate=1e-5, enterprise_request_rate=1e-4, dispute_rate=0.0, **changes)
    ref, comp, counts = _pair(sparse, 1, 60)
    assert counts["done"] > 0 and counts["on"] > 0  # the check can fail: quiet days of both kinds
    assert counts["full"] > counts["on"]  # and days with new cases
    assert comp.cases.n >= 20
    assert_identical(ref, comp)
