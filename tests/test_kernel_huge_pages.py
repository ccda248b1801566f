"""The compiled engine stops numpy advising transparent huge pages: its table-sized arrays made the OS zero a
2 MiB page at each first touch (1.0 s of system time a county-year). Memory advice only: the differential
tests prove the results unchanged."""

from __future__ import annotations

import pytest

pytest.importorskip("numba")
multiarray = pytest.importorskip("numpy._core.multiarray")

from townsim.model import Params, TownshipModel  # noqa: E402
from townsim.model.kernel.engine import no_huge_pages  # noqa: E402


def test_the_compiled_engine_turns_numpys_huge_page_advice_off():
    before = multiarray._get_madvise_hugepage()
    multiarray._set_madvise_hugepage(True)
    try:
        m = TownshipModel(Params(residents=20_000, townships=3, departments=6, engine="compiled"), rng=1)
        assert m.compiled and multiarray._get_madvise_hugepage() is False
        # the counterfactual: the Python engine leaves numpy's advice as it is
        multiarray._set_madvise_hugepage(True)
        TownshipModel(Params(residents=20_000, townships=3, departments=6), rng=1)
        assert multiarray._get_madvise_hugepage() is True
        assert no_huge_pages() and multiarray._get_madvise_hugepage() is False
    finally:
        multiarray._set_madvise_hugepage(before)
