"""The joint conference on the compiled engine: its queue kept by the kernel (``coordination.conf_push``/``conf_pop``,
read as ``model.conference_queue`` through ``writeback.ConferenceQueue``) and its meeting held in the day's kernel
call (``coordination.hold_meeting``, after intake's batch), the same as the Python engine's heap and meeting."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.model import Params, TownshipModel  # noqa: E402
from townsim.model.escalation import JOINT_CONFERENCE  # noqa: E402
from townsim.model.kernel import core as K  # noqa: E402
from townsim.model.kernel.coordination import conf_pop, conf_push  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402


def test_the_queue_keeps_the_order_of_heapq():
    """Pushes and pops of cases with many equal deadlines (the case breaks ties, as the reference's tuples): the
    kernel's array holds the cases in exactly heapq's list order after every operation, and pops the same."""
    rng = np.random.default_rng(5)
    deadline = rng.integers(0, 30, 400).astype(float)
    heap, ctr = np.zeros(4000, np.int64), np.zeros(K.N_CTR, np.int64)
    ref: list[tuple[float, int]] = []
    popped = 0
    for _ in range(3000):
        if ref and rng.random() < 0.45:
            got = int(conf_pop(deadline, heap, ctr))
            assert (float(deadline[got]), got) == heapq.heappop(ref)
            popped += 1
        else:
            cid = int(rng.integers(0, 400))
            conf_push(cid, deadline, heap, ctr)
            heapq.heappush(ref, (float(deadline[cid]), cid))
        assert heap[: ctr[K.CTR_NCONF]].tolist() == [c for _, c in ref]
    assert popped > 1000 and len(ref) > 50


def _pair(**levers) -> tuple[TownshipModel, TownshipModel]:
    p = load_scenario("full_reform").params.replace(**levers)
    return TownshipModel(p.replace(engine="python"), rng=3), TownshipModel(p.replace(engine="compiled"), rng=3)


@pytest.mark.parametrize("interval,slots,office", [(2, 3, True), (2, 3, False), (1, 100, True)])
def test_the_meetings_settle_and_charge_as_the_python_engine(interval, slots, office):
    """Day by day on both engines: the conference's queue (list order), the cases it settled, the duty hours owed
    and the attendance account are the same; some meetings settle a case filed that very day (its request queued
    by the day's batch, which the meeting follows: with a daily meeting of many slots, also on days whose queue
    was empty before the batch), and, without the office's staff, the level-1 desk convenes."""
    levers = dict(joint_conference_interval=interval, joint_conference_slots=slots, conference_case_hours=1.5)
    ref, comp = _pair(**levers, **({} if office else dict(leading_group_staff=0.0)))
    same_day = 0
    for day in range(40):
        ref.step()
        comp.step()
        assert list(comp.conference_queue) == list(ref.conference_queue), day
        boost_r, boost_c = ref.cases.view("boost"), comp.cases.view("boost")
        np.testing.assert_array_equal(boost_c, boost_r)
        assert comp.attendance_hours == ref.attendance_hours
        assert [h.duty_backlog for h in comp.handlers] == [h.duty_backlog for h in ref.handlers]
        settled = np.flatnonzero(boost_c == JOINT_CONFERENCE)
        made = comp.cases.created[settled] // 8.0
        same_day += int(np.count_nonzero(made == comp.clock_day - 1))
    assert (comp.cases.view("boost") == JOINT_CONFERENCE).sum() > 5  # meetings settled cases
    assert same_day > 0  # ... among them some filed on the meeting's day


def test_no_meeting_without_the_rule():
    """Without the 135 rule no case is queued or settled (the meeting is never called)."""
    p = Params(escalation_135=False, engine="compiled")
    m = TownshipModel(p, rng=1).run(5)
    assert len(m.conference_queue) == 0 and not (m.cases.view("boost") == JOINT_CONFERENCE).any()
