"""Mechanism: handling a case's steps (model/handling.py).

Serial steps (the requester runs between departments: a trip and
``travel_hours`` per extra department) versus joint handling (all steps at
once, no extra trips), work-hours divided by department effort or township
competence, and rework at low competence. Capacity is ample and work-hours
deterministic, so a case's sojourn is exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import Params, TownshipModel

HEADER = "name,category,requester,weight,difficulty,hours,departments,district\n"


def one_matter(tmp_path, deps="0;1;2", hours=1.0, difficulty="simple"):
    f = tmp_path / "one.csv"
    f.write_text(HEADER + f"m,household,citizen,1,{difficulty},{hours},{deps},false\n", encoding="utf-8")
    return str(f)


def run(tmp_path, days=12, seed=1, deps="0;1;2", hours=1.0, **kw):
    p = Params(
        **{
            "townships": 2,
            "departments": 3,
            "enterprises": 0,
            "residents": 10_000,
            "residents_per_agent": 100,
            "citizen_request_rate": 0.008,
            "matter_catalogue": one_matter(tmp_path, deps, hours),
            "department_staff": 300.0,
            "township_staff": 300.0,
            "service_time_distribution": "deterministic",
            "duty_tasks_per_department": 0.0,
            "inspection_hours_per_week": 0.0,
            "dispute_rate": 0.0,
            "enquiry_share": 0.0,  # requests only (enquiries: tests/test_enquiries.py)
            "online_share": 0.0,
            "travel_hours": 1.5,
            # issue-10 mechanisms neutral here: every offline file at the seat, no coordinators, no referral up
            "township_hall_share": 0.0,
            "chief_representatives": 0,
            "leading_group_staff": 0.0,
            "refer_up_rate": 0.0,
            **kw,
        }
    )
    m = TownshipModel(p, rng=seed).run(days)
    c = m.cases
    closed = ~np.isnan(c.view("closed"))
    assert closed.sum() > 40 * days  # about 80 requests a day
    return m, closed


def sojourn(m, closed):
    c = m.cases
    return (c.view("closed") - c.view("created"))[closed]


def test_serial_offline_runs_between_departments(tmp_path):
    m, closed = run(tmp_path)
    c = m.cases
    # one trip to file + one per further department; each hand-over costs travel_hours
    np.testing.assert_array_equal(c.view("trips")[closed], 3)
    np.testing.assert_allclose(sojourn(m, closed), 3 * 1.0 + 2 * 1.5, atol=1e-9)


def test_serial_online_needs_no_trip_and_no_travel(tmp_path):
    m, closed = run(tmp_path, online_share=1.0)
    np.testing.assert_array_equal(m.cases.view("trips")[closed], 0)
    np.testing.assert_allclose(sojourn(m, closed), 3.0, atol=1e-9)


def test_one_stop_centre_serial_one_trip_no_travel(tmp_path):
    m, closed = run(tmp_path, one_stop_centre=True)
    np.testing.assert_array_equal(m.cases.view("trips")[closed], 1)
    np.testing.assert_allclose(sojourn(m, closed), 3.0, atol=1e-9)


@pytest.mark.parametrize("one_stop", [True, False])
def test_joint_handling_runs_steps_in_parallel(tmp_path, one_stop):
    m, closed = run(tmp_path, joint_handling=True, one_stop_centre=one_stop)
    c = m.cases
    assert c.view("joint")[closed].all()
    np.testing.assert_array_equal(c.view("trips")[closed], 1)
    np.testing.assert_allclose(sojourn(m, closed), 1.0, atol=1e-9)


def test_serial_steps_visit_departments_in_catalogue_order(tmp_path):
    m, closed = run(tmp_path, deps="2;0;1", days=2)
    t = m.day * 8.0 + 0.1
    ids = m.admit(
        np.array([1], np.int8), np.array([0], np.int64), np.array([0], np.int32), np.array([0], np.int32), np.array([t])
    )
    cid = int(ids[0])
    flow = m.flows[cid]
    assert [m.handlers[h].index for h in flow[0]] == [2, 0, 1]
    assert [tk.handler.index for tk in flow[2]] == [2], "serial: only the owner's step is released"
    m.run(1)
    assert m.cases.closed[cid] == pytest.approx(t + 3 + 2 * 1.5)
    assert m.cases.trips[cid] == 3


def test_department_effort_divides_work_hours(tmp_path):
    m, closed = run(tmp_path, days=1, deps="0")
    base = sojourn(m, closed)
    np.testing.assert_allclose(base, 1.0, atol=1e-9)
    for d in m.departments:
        d.effort = 2.0
    n0 = m.cases.n
    m.run(3)
    c = m.cases
    new = np.arange(n0, c.n)
    new = new[~np.isnan(c.closed[new])]
    assert len(new) > 100
    np.testing.assert_allclose(c.closed[new] - c.created[new], 0.5, atol=1e-9)


# --- township competence and rework -----------------------------------------------


def test_delegated_step_takes_hours_over_competence_and_reworks(tmp_path):
    c0, r = 0.5, 0.6
    m, closed = run(
        tmp_path, deps="0", delegated_share=1.0, initial_competence=c0, rework_rate=r, learning_cases=1e7, days=25
    )
    c = m.cases
    assert c.view("delegated").all()
    reworks = c.view("reworks")[closed].astype(float)
    p = r * (1 - c0)  # rework probability per attempt
    expected = p / (1 - p)  # geometric number of redos
    sd = np.sqrt(p / (1 - p) ** 2 / len(reworks))
    assert abs(reworks.mean() - expected) < 4 * sd, (reworks.mean(), expected)
    # each attempt takes hours / competence; an offline requester brings the corrected file back to
    # the township hall (a local trip, no travel to the seat, no delay modelled)
    np.testing.assert_allclose(sojourn(m, closed), (1 + reworks) * 1.0 / c0, rtol=1e-3)
    assert not c.view("seat_trips")[closed].any()
    np.testing.assert_array_equal(c.view("trips")[closed], 1 + reworks)


def test_full_competence_means_no_rework(tmp_path):
    m, closed = run(tmp_path, deps="0", delegated_share=1.0, initial_competence=1.0, rework_rate=1.0)
    assert not m.cases.view("reworks").any()
    np.testing.assert_allclose(sojourn(m, closed), 1.0, atol=1e-9)


def test_departments_never_rework(tmp_path):
    m, closed = run(tmp_path, deps="0;1", delegated_share=0.0, initial_competence=0.01, rework_rate=1.0)
    assert not m.cases.view("reworks").any()


def test_rework_falls_as_townships_learn(tmp_path):
    m, closed = run(
        tmp_path, deps="0", delegated_share=1.0, initial_competence=0.2, rework_rate=1.0, learning_cases=100, days=25
    )
    c = m.cases
    rw = c.view("reworks")[closed]
    half = len(rw) // 2
    assert rw[:200].mean() > 2 * rw[half:].mean()


def test_one_stop_centre_means_at_most_one_trip_for_county_matters(tmp_path):
    m, closed = run(tmp_path, deps="0;1;2", one_stop_centre=True)
    c = m.cases
    assert c.view("trips")[closed].max() <= 1
    assert c.view("seat_trips")[closed].max() <= 1


def test_adhoc_keys_are_gone():
    assert "adhoc_coordination_days" not in Params.model_fields


@pytest.mark.parametrize("leaders", [0.3, 3.0])
def test_without_the_rule_district_cases_wait_fifo_for_coordination_hours(tmp_path, leaders):
    """No typed wait: a tier-5 case waits for the leading-group office's hours, first come first
    served — long when the hours are scarce, about the coordination time when they are ample."""
    f = tmp_path / "district.csv"
    f.write_text(HEADER + "d,investment,citizen,1,difficult,1.0,0;1,true\n", encoding="utf-8")
    p = Params(
        townships=2,
        departments=2,
        enterprises=0,
        residents=10_000,
        citizen_request_rate=0.0016,
        matter_catalogue=str(f),
        department_staff=200.0,
        township_staff=10.0,
        service_time_distribution="deterministic",
        duty_tasks_per_department=0.0,
        inspection_hours_per_week=0.0,
        dispute_rate=0.0,
        enquiry_share=0.0,  # requests only (enquiries: tests/test_enquiries.py)
        online_share=1.0,
        escalation_135=False,
        chief_representatives=0,
        leading_group_staff=leaders,
        coordination_hours=(0.5, 0.5),
    )
    m = TownshipModel(p, rng=3).run(30)
    c = m.cases
    closed = ~np.isnan(c.view("closed"))
    assert np.all(c.view("tier") == 2)
    delay = (c.view("started") - c.view("created"))[closed]
    # 16 cases/day × 0.5 h = 8 h/day of coordination: 0.3 persons (2.4 h/day) are overwhelmed, 3 are not
    if leaders < 1:
        assert np.median(delay) > 5 * 8.0
    else:
        assert np.median(delay) < 1.0
        assert np.all(delay >= 0.5 - 1e-9)  # never before its coordination is done
