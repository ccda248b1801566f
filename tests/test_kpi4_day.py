"""The day's bookkeeping kept up to date (issue 22): each shortcut gives what the plain full pass gives."""

from __future__ import annotations

import heapq
import itertools

import numpy as np
import pytest
from helpers import small

from townsim.model import TownshipModel, feedback, kernel
from townsim.model.catalogue import DISPUTE
from townsim.model.metrics import collect


def test_queued_today_finds_every_case_pushed_since_the_mark():
    rng = np.random.default_rng(4)
    seq = itertools.count()
    q: list = []

    class Day:
        repeat_queue = q

    for day in range(40):
        end = float(rng.integers(0, 30))
        while q and q[0][0] < end:  # the day's returns: the only pops
            heapq.heappop(q)
        Day.repeat_mark = len(q)
        pushed = set()
        for _ in range(int(rng.integers(0, 25))):
            cid = next(seq)
            heapq.heappush(q, (end + float(rng.random()) * 30, next(seq), cid))
            pushed.add(cid)
        got = collect.queued_today(Day)
        assert pushed <= got <= {e[2] for e in q}
        assert len(got) < len(q) or len(q) < 40 or day < 3  # a part of the queue, once it is long


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_queued_today_in_a_run_equals_the_whole_queue_on_todays_closures(engine):
    with kernel.engine_for_every_model(engine):  # (the suite's engine replaced: both engines push the queue)
        m = TownshipModel(small(engine=engine), rng=3)
    assert m.compiled == (engine == "compiled")
    queued = 0
    for _ in range(60):
        m.step()
        today = set(m.closed_today)
        whole = {cid for _, _, cid in m.repeat_queue}
        got = collect.queued_today(m)
        assert got & today == whole & today and got <= whole
        queued += len(whole & today)
    assert queued > 0, "no closure queued for a repeat: the test would not exercise the queue"


def _count_by_case(model, ids: np.ndarray, late: np.ndarray) -> tuple[list, np.ndarray, np.ndarray]:
    """The assessment counters of today's closures, case by case (the plain loop)."""
    cases = model.cases
    owner = model.catalogue.owner[cases.matter[ids]]
    held = cases.delegated[ids] | (owner < 0)
    town = cases.township[ids]
    agents = [[a.period_cases, a.period_late] for a in (*model.townships, *model.departments)]
    n_t = len(model.townships)
    for tw, lt, own, th in zip(town.tolist(), late.tolist(), owner.tolist(), held.tolist()):
        row = agents[tw if th else n_t + own]
        row[0] += 1
        row[1] += lt
    cases_dt, bad_dt = model.period_cases_dt.copy(), model.period_bad_dt.copy()
    dep = ~held
    bad = (late | ~cases.resolved[ids])[dep]
    np.add.at(cases_dt, (owner[dep], town[dep]), 1.0)
    np.add.at(bad_dt, (owner[dep], town[dep]), bad.astype(float))
    return agents, cases_dt, bad_dt


def test_closures_counted_per_agent_equal_the_case_by_case_count():
    m = TownshipModel(small(delegated_share=0.3), rng=5)
    late_seen = 0
    for _ in range(30):
        m.step()
        ids = np.asarray(m.closed_today, np.int64)
        late = m.cases.closed[ids] > m.cases.deadline[ids]
        want = _count_by_case(m, ids, late)
        feedback._count_closures(m, ids, late)
        got = [[a.period_cases, a.period_late] for a in (*m.townships, *m.departments)]
        assert got == want[0] and all(type(x) is int for row in got for x in row)
        assert np.array_equal(m.period_cases_dt, want[1]) and np.array_equal(m.period_bad_dt, want[2])
        late_seen += int(late.sum())
    assert late_seen > 0, "no late closure: the test would not exercise the late counts"


def test_requester_hours_with_a_chain_twice_take_the_array_path():
    from test_cheap_day import _chain_hours_by_scan  # deferred: the reference scan of the cheap-day tests

    m = TownshipModel(small(), rng=3)
    chained = 0
    for _ in range(60):
        m.step()
        c = m.cases
        ids = np.asarray(m.closed_today, np.int64)
        ids = ids[c.requester_kind[ids] != DISPUTE]
        twice = np.concatenate([ids, ids])  # every chain ended twice: positions by the sorted roots
        got, want = collect._chain_hours_ended(m, twice), _chain_hours_by_scan(m, twice)
        assert got == want or (np.isnan(got) and np.isnan(want))
        chained += int((c.view("repeat_of")[ids] >= 0).sum())
    assert chained > 0, "no repeat contact closed: the test would not exercise the chains"
