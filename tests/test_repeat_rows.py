"""The repeat contacts' rows gathered in one kernel call (``kernel.repeats``) are the reference's numpy gathers
(``resolution.return_repeats`` on the Python engine): the same values and dtypes."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.model import TownshipModel, resolution  # noqa: E402
from townsim.model.catalogue import DISPUTE_GENERAL, DISPUTE_MEDIATION  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402


def test_the_kernels_rows_are_the_numpy_gathers():
    m = TownshipModel(load_scenario("grid_governance").params.replace(engine="compiled", warmup_days=10), rng=5)
    m.run(20)
    c, cat = m.cases, m.catalogue
    rng = np.random.default_rng(0)
    ids = rng.integers(0, c.n, 300)
    c.enquiry[ids[:40]] = True  # some enquiries: asked about their subject again
    due = rng.uniform(150.0, 170.0, len(ids))
    t0 = 160.0
    got = m.engine.k_repeats(
        ids,
        due,
        t0,
        (c.requester_kind, c.requester, c.township, c.matter, c.subject, c.enquiry, c.onset, c.repeat_of),
        cat.dispute_id(DISPUTE_MEDIATION),
        cat.dispute_id(DISPUTE_GENERAL),
    )
    matter = np.where(c.enquiry[ids], c.subject[ids], c.matter[ids])
    assert (matter == cat.dispute_id(DISPUTE_MEDIATION)).any()  # the check can fail: mediated disputes come back
    matter[matter == cat.dispute_id(DISPUTE_MEDIATION)] = cat.dispute_id(DISPUTE_GENERAL)
    want = (
        c.requester_kind[ids],
        c.requester[ids],
        c.township[ids],
        matter,
        np.maximum(due, t0),
        c.onset[ids],
        resolution.root_of(c, ids),
        c.enquiry[ids],
    )
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert (c.repeat_of[ids] >= 0).any()  # some repeat contacts among them: their chain's first case
