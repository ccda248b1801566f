"""The compiled gaming call's owner rows are kept on the engine while the owners' (rank, gamed, caught) are those they
were made from (``kernel.gaming._owner_rows``): after each day's write-back the kept rows and the owners agree, and
a change made outside the call (a new rank, counts set by hand) is read the next day."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.model import TownshipModel  # noqa: E402
from townsim.model.kernel import gaming as kgaming  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402


def _owners(m: TownshipModel) -> list:
    return [*m.departments, *m.townships]


def _agree(m: TownshipModel) -> None:
    key, own = m.engine._gaming_owners
    now = [(o.rank, o.gamed, o.caught) for o in _owners(m)]
    assert key == now
    assert np.array_equal(own[:, :3], np.array(now, dtype=float))


@pytest.fixture(scope="module")
def model() -> TownshipModel:
    p = load_scenario("full_reform").params.replace(engine="compiled")
    m = TownshipModel(p, rng=3).run(2)
    assert m.compiled, m.engine_reason
    return m


def test_kept_rows_follow_the_owners_day_by_day(model):
    gamed = []
    for _ in range(25):
        model.run(1)
        _agree(model)
        gamed.append(sum(o.gamed for o in _owners(model)))
    assert gamed[-1] > gamed[0]  # owners gamed cases meanwhile: the write-back was exercised


def test_a_change_outside_the_call_is_read(model):
    owners = _owners(model)
    key, own = kgaming._owner_rows(model.engine, owners)
    assert kgaming._owner_rows(model.engine, owners)[1] is own  # unchanged owners: the same rows
    owners[3].rank = 0.625
    owners[-1].caught += 2
    key2, own2 = kgaming._owner_rows(model.engine, owners)
    assert own2 is not own and own2[3, 0] == 0.625 and own2[-1, 2] == owners[-1].caught
    assert key2[3] == (0.625, owners[3].gamed, owners[3].caught)
