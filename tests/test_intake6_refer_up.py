"""The compiled engine's refer-up decisions from a table of kept chances (``intake.refer_up_compiled``) are the
townships' own (``intake.refer_up`` through ``Township.refer_up_chances``): the same decisions and draws."""

from __future__ import annotations

import copy

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, TownshipModel, intake  # noqa: E402
from townsim.model.kernel import PLAIN  # noqa: E402

LEARNING = dict(refer_up_rate=0.8, delegated_share=0.5, initial_competence=0.2, learning_cases=20.0)


def _model(seed: int, days: int) -> TownshipModel:
    p = Params(**{**SMALL_COUNTY, **PLAIN, **LEARNING, "engine": "compiled"})
    m = TownshipModel(p, rng=seed).run(days)
    assert m.compiled, m.engine_reason
    return m


@pytest.mark.parametrize("days", [0, 3, 30])
def test_the_table_decides_as_the_townships_do(days):
    """Batches of delegated cases over every township and matter: the same decisions, the same stream draws,
    as competence grows (a second batch after more handled cases reuses and renews the kept chances)."""
    m = _model(7, days)
    rng = np.random.default_rng(days)
    towns, matters = len(m.townships), len(m.catalogue.hours)
    for _ in range(3):
        township = rng.integers(0, towns, 200).astype(np.int32)
        subject = rng.integers(0, matters, 200).astype(np.int32)
        ref = copy.deepcopy(m)
        want = intake.refer_up(ref, township, subject)
        got = intake.refer_up_compiled(m, township, subject)
        assert np.array_equal(got, want)
        assert 0 < want.sum() < len(want)  # the check can fail: some referred up, some kept
        assert np.array_equal(m.stream.idx, ref.stream.idx) and np.array_equal(m.stream.ub, ref.stream.ub)
        m.engine.handled += rng.integers(0, 3, m.engine.handled.shape)  # more cases handled
        for i, t in enumerate(m.townships):
            t.handled = {j: int(n) for j, n in enumerate(m.engine.handled[i].tolist()) if n}


def test_new_parameters_renew_the_chances():
    m = _model(3, 5)
    township = np.zeros(50, np.int32)
    subject = np.arange(50, dtype=np.int32) % len(m.catalogue.hours)
    intake.refer_up_compiled(m, township, subject)
    m.params = m.params.replace(refer_up_rate=0.1)
    ref = copy.deepcopy(m)
    assert np.array_equal(intake.refer_up_compiled(m, township, subject), intake.refer_up(ref, township, subject))
