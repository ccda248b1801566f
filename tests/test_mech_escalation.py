"""Mechanism: the 135 escalation ladder (model/escalation.py).

A case at level L longer than ``level_time_share × deadline × (L − start + 1)``
moves up one level at the end-of-day check; desks (chief representatives,
leading-group office) coordinate and boost a case to the head of its queues;
the joint conference meets every ``joint_conference_interval`` days and
settles at most ``joint_conference_slots`` cases, earliest deadline first.
"""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params, TownshipModel, escalation
from townsim.model.escalation import JOINT_CONFERENCE, desk_staff, priority_key

CONGESTED = dict(
    townships=3,
    departments=4,
    enterprises=300,
    residents=20_000,
    matter_types=30,
    department_staff=3.0,
    township_staff=4.0,
    escalation_135=True,
    township_hall_share=0.0,  # no forwarded files: the ladder starts when a file reaches the county
    enquiry_share=0.0,  # requests only: enquiries are answered in one step and never escalate
)


def congested(seed=1, **kw):
    return TownshipModel(Params(**{**CONGESTED, **kw}), rng=seed)


@pytest.mark.parametrize("lts,seed", [(0.25, 1), (0.5, 2), (1.0, 3)])
def test_levels_follow_the_documented_rule_as_events(lts, seed):
    """Replay the rule from each case's record: a case still open at its level's due time moves
    up one level at that moment (an engine event), up to the level its tier allows."""
    m = congested(seed=seed, level_time_share=lts, chief_representatives=2)
    days = 15
    m.run(days)
    now = 8.0 * m.day
    c = m.cases
    created, deadline, closed = c.view("created"), c.view("deadline"), c.view("closed")
    start, level, esc, tier = c.view("start_level"), c.view("level"), c.view("escalations"), c.view("tier")
    span = (deadline - created) * lts
    expected = start.astype(int).copy()
    for _ in range(4):
        due = created + span * (expected - start + 1)
        top = np.where(tier > 0, tier + 1, 0)  # one-department cases have nothing to coordinate
        still = (due < now) & (np.isnan(closed) | (closed > due)) & (expected < top)
        expected += still
    np.testing.assert_array_equal(level, expected)
    np.testing.assert_array_equal(esc, expected - start)
    assert (esc > 0).sum() > 10, "the congested county must escalate cases"
    totals = m.summary()
    for L in (1, 2, 3):
        assert totals[f"escalations_level{L}"] == ((start < L) & (level >= L)).sum()


def test_deadlines_are_events():
    """A case is marked overdue exactly when its deadline passed while it was open (an engine event)."""
    m = congested(seed=4, chief_representatives=2)
    m.run(6)
    c = m.cases
    now = 8.0 * m.day
    deadline, closed = c.view("deadline"), c.view("closed")
    expected = (deadline < now) & (np.isnan(closed) | (closed > deadline))
    np.testing.assert_array_equal(c.view("overdue"), expected)
    assert expected.any() and (~expected).any()


def test_no_escalation_without_the_135_rule():
    m = congested(escalation_135=False)
    m.run(10)
    c = m.cases
    assert not c.view("level").any() and not c.view("escalations").any() and not c.view("boost").any()
    assert m.summary()["escalations"] == 0
    # ad hoc: the same coordinators (desks) serve first come first served
    assert m.desks[0].staff == pytest.approx(desk_staff(m.params)[0]) and m.desks[0].worked_total > 0


def test_desk_staff_formula():
    p = Params(chief_representatives=13, chief_rep_hours=2.0, leading_group_staff=3.0)
    assert desk_staff(p) == (pytest.approx(13 * 2.0 / 8), 3.0)
    m = TownshipModel(Params(**{**CONGESTED, "chief_representatives": 13, "chief_rep_hours": 2.0}), rng=0)
    assert m.desks[0].staff == pytest.approx(3.25) and m.desks[1].staff == pytest.approx(2.0)


# --- coordination boosts priority ----------------------------------------------------


def test_priority_key_puts_boosted_cases_first_then_earliest_deadline():
    m = congested()
    key = priority_key(m)
    c = m.cases
    ids = c.add(3, deadline=np.array([50.0, 10.0, 30.0]), created=np.zeros(3))
    c.boost[ids[0]] = 1

    class T:  # a task only needs .case, .urgent (and .arrival for FIFO)
        def __init__(self, case, arrival):
            self.case, self.arrival, self.urgent = case, arrival, False

    tasks = [T(int(ids[0]), 3.0), T(int(ids[1]), 2.0), T(int(ids[2]), 1.0)]
    assert [t.case for t in sorted(tasks, key=key)] == [ids[0], ids[1], ids[2]]
    fifo = priority_key(congested(escalation_135=False))
    assert [t.case for t in sorted(tasks, key=fifo)] == [ids[2], ids[1], ids[0]]


def test_desk_coordination_boosts_and_releases_remaining_steps():
    m = congested(seed=7, chief_representatives=4, leading_group_staff=2.0)
    m.run(6)
    c = m.cases
    boost, level = c.view("boost"), c.view("level")
    assert (boost == 1).any() and (boost == 2).any()
    assert np.all(boost <= level), "a case is only boosted at a level it has reached"
    for cid, flow in m.flows.items():
        if c.boost[cid] > 0:
            assert flow[1] >= 1, "a coordinated case's steps are released"
        elif c.needs_coord[cid]:
            assert flow[1] == 0, "a case needing coordination is held until coordinated"


def _queue_jump(tmp_path, chief):
    """A saturated department: 20 simple cases queue, then a general two-department case (start level 1,
    held until a chief representative coordinates it) arrives."""
    f = tmp_path / "two.csv"
    f.write_text(
        "name,category,requester,weight,difficulty,hours,departments,district\n"
        "simple_m,household,citizen,1,simple,1.0,0,false\n"
        "general_m,household,citizen,1,general,1.0,0;1,false\n",
        encoding="utf-8",
    )
    p = Params(
        townships=1,
        departments=2,
        enterprises=0,
        residents=100,
        matter_catalogue=str(f),
        citizen_request_rate=0.0,
        dispute_rate=0.0,
        duty_tasks_per_department=0.0,
        inspection_hours_per_week=0.0,
        department_staff=1.0,
        service_time_distribution="deterministic",
        escalation_135=True,
        chief_representatives=chief,
        chief_rep_hours=8.0,
        leading_group_staff=0.0,
        coordination_hours=(0.5, 2.0),
        township_hall_share=0.0,
        level_time_share=1.0,
    )  # the simple cases escalate only at their deadline (8 h), an event
    m = TownshipModel(p, rng=0)
    one = lambda x: np.array([x])
    for i in range(20):
        m.admit(one(1).astype(np.int8), one(0), one(0).astype(np.int32), one(0).astype(np.int32), one(0.1 * (i + 1)))
    g = int(m.admit(one(1).astype(np.int8), one(0), one(0).astype(np.int32), one(1).astype(np.int32), one(2.5))[0])
    assert m.cases.start_level[g] == 1 and m.cases.start_level[0] == 0
    m.run(4)
    return m.cases.started[g], m.cases.boost[g]


def test_desk_coordination_puts_a_case_at_the_head_of_the_queue(tmp_path):
    started, boost = _queue_jump(tmp_path, chief=1)
    assert boost == 1
    # coordinated at 2.5 + 0.5 h = 3.0; the server is busy with a 1-h case until 3.0 or 4.0
    assert 3.0 <= started <= 4.0 + 1e-9
    # control: with nobody at the desks the case is never coordinated: it does not start early
    started0, boost0 = _queue_jump(tmp_path, chief=0)
    assert boost0 == 0
    assert not started0 < 20.0


# --- joint conference -------------------------------------------------------------------


@pytest.mark.parametrize("interval,slots", [(3, 2), (5, 4)])
def test_conference_meets_every_interval_days_with_limited_slots(monkeypatch, interval, slots):
    record = []
    original = escalation.hold_conference

    def spy(model, day, t):
        q = [
            (d, cid)
            for d, cid in model.conference_queue
            if cid in model.flows and model.cases.level[cid] == JOINT_CONFERENCE
        ]
        before = set(np.flatnonzero(model.cases.view("boost") == JOINT_CONFERENCE).tolist())
        n = original(model, day, t)
        after = set(np.flatnonzero(model.cases.view("boost") == JOINT_CONFERENCE).tolist())
        settled = after - before
        record.append((day, n, len(q), settled, sorted(q)))
        return n

    monkeypatch.setattr(escalation, "hold_conference", spy)
    m = congested(
        seed=7,
        joint_conference_interval=interval,
        joint_conference_slots=slots,
        chief_representatives=0,
        leading_group_staff=0.0,
    )
    m.run(16)
    assert any(n > 0 for _, n, *_ in record)
    for day, n, queued, settled, q in record:
        if day % interval:
            assert n == 0 and not settled, f"no meeting on day {day}"
            continue
        assert n == min(slots, queued) == len(settled), (day, n, queued)
        # earliest deadline first among the eligible cases
        assert settled == {cid for _, cid in q[:n]}
    assert sum(len(s) for *_, s, _ in record) == (m.cases.view("boost") == JOINT_CONFERENCE).sum()


def test_conference_with_no_slots_settles_nothing():
    m = congested(seed=8, joint_conference_slots=0, chief_representatives=0, leading_group_staff=0.0)
    m.run(10)
    assert (m.cases.view("level") == 3).any()
    assert not (m.cases.view("boost") == 3).any()


def test_boost_during_a_serial_hand_over_serves_each_step_once(monkeypatch):
    from townsim.model import handling

    finished = []
    original = handling.on_finish

    def spy(model, task, t):
        if task.kind == handling.STEP:
            finished.append(task)
        return original(model, task, t)

    monkeypatch.setattr(handling, "on_finish", spy)
    p = Params(
        townships=3,
        departments=4,
        enterprises=300,
        residents=20_000,
        matter_types=30,
        department_staff=20.0,
        township_staff=6.0,
        escalation_135=True,
        chief_representatives=4,
        online_share=0.0,
        travel_hours=10.0,
    )
    m = TownshipModel(p, rng=1).run(30)
    assert len(finished) > 500
    twice = len(finished) - len({id(t) for t in finished})
    assert min(h.open_tasks for h in m.handlers) >= 0, [h.open_tasks for h in m.handlers]
    assert twice == 0, f"{twice} step tasks finished twice"
