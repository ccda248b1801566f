"""The summary's chain totals and on-time requests, made with fewer full-length temporaries, are the very doubles
and booleans of the formulas over every case's root (``metrics.compute``): checked on drawn case tables whose
chains take every shape (repeats naming repeats, a first case filed after its repeat: the full computation)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from townsim.model.metrics import compute


class _Cases:
    def __init__(self, cols: dict):
        self.cols = cols
        self.n = len(cols["closed"])

    def view(self, name: str) -> np.ndarray:
        return self.cols[name]


def _table(seed: int, n: int = 4000, backwards: bool = False) -> _Cases:
    rng = np.random.default_rng(seed)
    created = np.sort(rng.uniform(0, 800, n))
    closed = created + rng.exponential(20, n)
    closed[rng.random(n) < 0.1] = np.nan
    travel = np.where(rng.random(n) < 0.3, rng.choice([0.5, 1.25, 3.0], n), 0.0)
    travel[rng.random(n) < 0.05] = -0.0  # a signed zero: the sums' first step (0.0 + own) keeps it apart
    repeat_of = np.full(n, -1, dtype=np.int64)
    reps = np.flatnonzero(rng.random(n) < 0.15)
    reps = reps[reps > 0]
    repeat_of[reps] = (rng.random(len(reps)) * reps).astype(np.int64)  # an earlier case, maybe a repeat itself
    if backwards:
        repeat_of[5] = n - 1  # a chain's first case after its repeat
    contact = (repeat_of >= 0).astype(np.int16)
    return _Cases(
        {
            "closed": closed,
            "created": created,
            "deadline": created + rng.choice([8.0, 24.0, 40.0], n),
            "travel": travel,
            "repeat_of": repeat_of,
            "contact": contact,
            "resolved": rng.random(n) < 0.8,
        }
    )


def _reference_totals(c) -> tuple[np.ndarray, np.ndarray]:
    r = c.view("repeat_of")
    root = np.where(r >= 0, r, np.arange(c.n))
    closed = c.view("closed")
    last = np.full(c.n, -np.inf)
    np.maximum.at(last, root, np.where(np.isnan(closed), -np.inf, closed))
    return last, np.bincount(root, weights=c.view("travel"), minlength=c.n)


def _reference_on_time(c, count_start: float, now: float) -> float:
    r = c.view("repeat_of")
    root = np.where(r >= 0, r, np.arange(c.n))
    closed, deadline = c.view("closed"), c.view("deadline")
    first = (c.view("contact") == 0) & (c.view("created") >= count_start)
    good = c.view("resolved") & (closed <= deadline[root])
    ok = np.zeros(c.n, bool)
    ok[root[good]] = True
    decided = first & (~np.isnan(closed) | (now > deadline))
    return compute._rate(ok & decided, decided)


@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_chain_totals_are_the_roots_formulas_doubles(seed, backwards):
    c = _table(seed, backwards=backwards)
    last, travel = compute.chain_totals(c)
    ref_last, ref_travel = _reference_totals(c)
    assert last.tobytes() == ref_last.tobytes() and travel.tobytes() == ref_travel.tobytes()


@pytest.mark.parametrize("seed", range(6))
def test_request_on_time_rate_is_the_roots_formulas(seed):
    c = _table(seed)
    model = SimpleNamespace(cases=c, count_start=100.0)
    got = compute.request_on_time_rate(model, 700.0)
    assert got == _reference_on_time(c, 100.0, 700.0) and 0.0 < got < 1.0
