"""The day's count of cases waiting for the joint conference (``backlog_desk``'s part) is the same whether the
compiled engine's short queue is counted case by case or as one array expression, and on the Python engine."""

from __future__ import annotations

import pytest

pytest.importorskip("numba")

from townsim.model import TownshipModel  # noqa: E402
from townsim.model.metrics import collect  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402


def test_both_counts_agree_every_day(monkeypatch):
    p = load_scenario("full_reform").params
    comp = TownshipModel(p.replace(engine="compiled"), rng=5)
    ref = TownshipModel(p.replace(engine="python"), rng=5)
    waiting = []
    for _ in range(120):
        comp.step()
        ref.step()
        short = collect._conference_waiting(comp)
        monkeypatch.setattr(collect, "SHORT_QUEUE", 0)  # the array expression
        assert collect._conference_waiting(comp) == short
        monkeypatch.setattr(collect, "SHORT_QUEUE", 64)
        assert collect._conference_waiting(ref) == short
        waiting.append(short)
    assert max(waiting) > 0 and len(comp.conference_queue) < 64  # cases waited; the short path was taken
