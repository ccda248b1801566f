"""The owners' assessment counters of a day's closures counted in one kernel call (``kernel.closures``, the
compiled engine's ``feedback._count_closures``) are the numpy reference's: the same agents' counts and the
same doubles in ``period_cases_dt``/``period_bad_dt``."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import small

from townsim.model import TownshipModel, feedback

pytest.importorskip("numba")


def _counters(m) -> tuple:
    agents = [(a.period_cases, a.period_late) for a in (*m.townships, *m.departments)]
    return agents, m.period_cases_dt.tobytes(), m.period_bad_dt.tobytes()


@pytest.mark.parametrize("changes", [{}, dict(delegated_share=0.5), dict(resolution_base=0.5, department_staff=3.0)])
def test_count_closures_compiled_is_the_numpy_count(changes):
    m = TownshipModel(small(engine="compiled", **changes), rng=4).run(30)
    assert m.compiled, m.engine_reason
    c = m.cases
    closed = np.flatnonzero(~np.isnan(c.closed[: c.n]))
    rng = np.random.default_rng(0)
    held = dep = 0
    for k in (0, 1, 5, 40, len(closed)):
        ids = rng.choice(closed, size=min(k, len(closed)), replace=False).astype(np.int64)
        late = rng.random(len(ids)) < 0.4
        a, b = copy.deepcopy(m), copy.deepcopy(m)
        a.period_cases_dt += 0.25  # cells that are not whole counts: the additions' doubles must match too
        b.period_cases_dt += 0.25
        feedback._count_closures_arrays(a, ids, late)
        feedback._count_closures_compiled(b, ids, late)
        assert _counters(a) == _counters(b)
        owner = m.catalogue.owner[c.matter[ids]]
        township_held = c.delegated[ids] | (owner < 0)
        held, dep = held + int(township_held.sum()), dep + int((~township_held).sum())
    assert held > 0 and dep > 0  # both kinds of owner were counted
