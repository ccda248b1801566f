"""The compiled engine's handlers read their run totals from the kernel's tables (``kernel.handlers``): the Python
engine's values and types, a copy reading its own."""

from __future__ import annotations

import copy

import pytest

pytest.importorskip("numba")

from helpers import small  # noqa: E402

from townsim.model import TownshipModel  # noqa: E402
from townsim.model.engine import Handler  # noqa: E402
from townsim.model.kernel.handlers import KernelHandler  # noqa: E402

TOTALS = ("worked_total", "duty_total", "wait_total", "served_total", "waited")


def _totals(m: TownshipModel) -> list[tuple]:
    return [tuple(getattr(h, name) for name in TOTALS) for h in m.handlers]


def test_the_tables_totals_are_the_python_engines():
    p = small(two_way_weight=0.5, assessment_period=5)
    ref = TownshipModel(p.replace(engine="python"), rng=6).run(15)
    comp = TownshipModel(p.replace(engine="compiled"), rng=6).run(15)
    assert comp.compiled and all(type(h) is KernelHandler for h in comp.handlers)
    assert all(type(h) is Handler for h in ref.handlers)
    assert _totals(comp) == _totals(ref)
    assert [tuple(map(type, row)) for row in _totals(comp)] == [tuple(map(type, row)) for row in _totals(ref)]
    assert sum(row[3] for row in _totals(comp)) > 0  # the comparison saw steps started


def test_a_copy_reads_its_own_tables():
    m = TownshipModel(small(engine="compiled"), rng=2).run(5)
    before = _totals(m)
    twin = copy.deepcopy(m)  # (as ``warmstart`` copies a warmed model)
    assert _totals(twin) == before
    twin.run(3)
    assert _totals(m) == before  # the original's tables untouched by the twin's days
    assert _totals(twin) != before
