"""No enum member meets numpy in the day's code.

numpy asks an ``IntEnum`` member's class for ``__array_ufunc__`` and friends on every comparison with a numpy
value; on Python 3.11 each of those lookups fails through ``EnumType.__getattr__`` (a Python function raising
AttributeError), ~3 µs a comparison against ~0.04 with a plain int. The day's code keeps plain-int copies of
its codes (e.g. ``metrics.collect._CONFERENCE_LEVEL``); this test counts the failed lookups a few days make.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import pytest

import townsim
from townsim.model import Params, TownshipModel
from townsim.scenarios import load_scenario

ROOT = str(Path(townsim.__file__).resolve().parent)  # the project's files (installed or on a path)

pytestmark = pytest.mark.skipif(
    "__getattr__" not in vars(enum.EnumType), reason="this Python's EnumType has no __getattr__ to count"
)


def _lookups_from_townsim(model: TownshipModel, days: int, monkeypatch) -> list[tuple[str, int, str]]:
    """(file, line, attribute) of every failed class-level lookup on an enum made from townsim's code."""
    seen: list[tuple[str, int, str]] = []
    original = vars(enum.EnumType)["__getattr__"]

    def counting(cls, name):
        f = sys._getframe(1)
        while f is not None and not str(Path(f.f_code.co_filename).resolve()).startswith(ROOT):
            f = f.f_back
        if f is not None:
            seen.append((f.f_code.co_filename, f.f_lineno, name))
        return original(cls, name)

    monkeypatch.setattr(enum.EnumType, "__getattr__", counting)
    model.run(days)
    monkeypatch.setattr(enum.EnumType, "__getattr__", original)
    return seen


@pytest.mark.parametrize("engine", ["python", "compiled"])
@pytest.mark.parametrize("scenario", ["full_reform", "grid_governance"])
def test_the_day_compares_no_enum_member_with_numpy(scenario, engine, monkeypatch):
    p = load_scenario(scenario).params.replace(engine=engine, warmup_days=5)
    model = TownshipModel(p, rng=3)
    assert _lookups_from_townsim(model, 60, monkeypatch) == []


def test_the_count_sees_an_enum_compared_with_numpy(monkeypatch):
    """The check can fail: an enum member compared with a numpy array is counted."""
    import numpy as np

    from townsim.model.escalation import JOINT_CONFERENCE

    model = TownshipModel(Params(residents=5_000, enterprises=50, warmup_days=0), rng=1)
    level = np.zeros(3, dtype=np.int8)
    monkeypatch.setattr(model, "step", lambda: bool((level == JOINT_CONFERENCE).any()))
    assert _lookups_from_townsim(model, 1, monkeypatch)
