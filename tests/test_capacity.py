"""Capacity: every post works, every hour counts — forwarding as work, posts following work with a
pro-rata equal-staff cut, saturated handlers flagged (model/referral.py, model/staffing.py,
model/metrics/, the compare report)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small

from townsim.experiments.core.executors import SerialExecutor
from townsim.experiments.core.store import ResultStore
from townsim.experiments.workflows.compare import CompareSettings, plan, run_compare, write_outputs
from townsim.model import TownshipModel
from townsim.model.metrics import offered_load
from townsim.model.staffing import budget, equalise_staff, workload_posts

# --- posts follow work with a one-person floor; the equal-staff cut is pro rata ------------


@pytest.mark.parametrize("total", [3.0, 8.0, 20.0, 200.0])
def test_workload_posts_sum_floor_and_proportion(total):
    hours = np.array([0.0, 0.5, 2.0, 4.0, 10.0, 30.0])
    posts, floored = workload_posts(total, hours, 1.0)
    assert posts.sum() == pytest.approx(total)
    f = min(1.0, total / len(hours))
    assert (posts >= f - 1e-12).all()
    np.testing.assert_allclose(posts[floored], f)
    free = ~floored
    if free.sum() > 1:  # above the floor, posts are proportional to work
        ratio = posts[free] / hours[free]
        np.testing.assert_allclose(ratio, ratio[0])
    assert floored[0]  # no work: at the floor


def test_equal_staff_cut_is_pro_rata_above_the_floor():
    """Every department not at the floor keeps the same share of its unequalised posts (±2 %)."""
    base = small(warmup_days=5, chief_rep_hours=2.0)
    reform = base.replace(
        chief_rep_hours=3.0, commissioners=1, online_dispatch=True, pre_reform={"chief_rep_hours": 2.0}
    )
    equal = equalise_staff(reform, base)
    assert budget(equal)["total"] == pytest.approx(budget(base)["total"])
    a = TownshipModel(reform, rng=1)
    b = TownshipModel(equal, rng=1)
    sa = np.array([d.staff for d in a.departments])
    sb = np.array([d.staff for d in b.departments])
    keep = ~b.floored_departments
    assert keep.sum() >= 2 and b.floored_departments.sum() >= a.floored_departments.sum()
    share = sb[keep] / sa[keep]
    assert share.max() - share.min() < 0.02 and share.mean() < 1.0
    rep = b.staff_report()["floored_departments"]
    assert rep["count"] == b.floored_departments.sum() and len(rep["departments"]) == rep["count"]


# --- saturated handlers ----------------------------------------------------------------------


def test_saturated_handlers_flag_an_overloaded_county_not_the_small_one():
    ok = TownshipModel(small(), rng=2).run(40)
    assert ok.summary()["saturated_handlers"] == 0
    over = TownshipModel(small(department_staff=4.0), rng=2).run(40)
    sat = over.staff_report()["saturated_handlers"]
    assert over.summary()["saturated_handlers"] == len(sat) >= 1
    for label, rho in sat.items():
        h = next(h for h in over.handlers if h.label == label)
        assert h.kind == "department" and rho >= 1.0 and offered_load(over, h) == rho
    # the offered load measures work arriving, not staff busy: a half-loaded department reads ≈ 0.5
    loads = [offered_load(ok, d.handler) for d in ok.departments]
    assert max(loads) < 1.0


def test_compare_report_marks_a_saturated_scenario_non_stationary(tmp_path):
    sc = tmp_path / "starved.toml"
    sc.write_text('extends = "baseline"\ndescription = "too few department posts"\ndepartment_staff = 1.0\n')
    settings = CompareSettings(
        scenarios=["baseline", str(sc)],
        reps=2,
        days=30,
        seed=7,
        overrides=["townships=3", "departments=4", "enterprises=60", "residents=6000", "township_staff=12"],
    )
    with SerialExecutor() as ex:
        res = run_compare(settings, tmp_path / "out", ex, show_progress=False, make_figures=False)
    assert (res.runs.loc[res.runs.scenario == "baseline", "saturated_handlers"] == 0).all()
    assert (res.runs.loc[res.runs.scenario == "starved", "saturated_handlers"] > 0).all()
    text = (tmp_path / "out" / "report.md").read_text()
    assert "its queue grows without bound: not a steady state" in text
    assert text.count("non-stationary") >= 2 and "Status quo is non-stationary" not in text
    # the Chinese report says the same
    scenarios, specs = plan(settings)
    write_outputs(tmp_path / "out", settings, scenarios, specs, ResultStore(tmp_path / "out"), False, lang="zh")
    zh = (tmp_path / "out" / "report.md").read_text()
    assert "其队列无限增长，不是稳态" in zh and "现状为非稳态" not in zh


# --- bad values of every new parameter: one line, exit 2, nothing written ----------------------

BAD = [
    ("forward_hours", "-0.5"),
    ("forward_hours", "100"),
    ("courier_interval_days", "-1"),
    ("courier_interval_days", "21"),
    ("online_dispatch", '"yes"'),
    ("dispatch_staff", "0"),
    ("dispatch_hours", "-1"),
    ("errand_hours", "81"),
    ("attendance_share", "1.5"),
    ("conference_case_hours", "-0.1"),
    ("misrouting_rate", "2"),
]


@pytest.mark.parametrize("key,value", BAD)
def test_bad_new_parameter_one_line_exit_2_nothing_written(tmp_path, capsys, key, value):
    from townsim.experiments.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "baseline"\n{key} = {value}\n')
    out = tmp_path / "out"
    code = main(["run", str(bad), "--days", "2", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and "Traceback" not in err
    assert key in err and "bad.toml" in err
    assert not out.exists()


# --- the chief representatives' desk decides simple enterprise matters on the spot -------------


def test_desk_decisions_are_chief_representatives_work():
    p = small(one_stop_centre=True, escalation_135=True, chief_rep_hours=8.0, online_share=0.0, township_hall_share=0)
    off = TownshipModel(p, rng=4).run(15)
    on = TownshipModel(p.replace(desk_decisions=True), rng=4).run(15)
    assert not off.cases.view("desk_decided").any()
    c = on.cases
    ids = np.flatnonzero(c.view("desk_decided"))
    assert len(ids) > 10
    cat = on.catalogue
    m = c.matter[ids]
    assert (c.requester_kind[ids] == 0).all() and (cat.difficulty[m] == 0).all() and (cat.n_departments[m] == 1).all()
    assert c.at_seat[ids].all() and (c.tier[ids] == 0).all()
    desk = on.desks[0]
    for cid in ids[:20].tolist():
        assert on.flows.get(cid) is None or on.flows[cid][0] == [desk.hid]
    # the desk's hours went into those decisions: it worked more than without them
    assert desk.worked_total > off.desks[0].worked_total + 0.5 * len(ids) * cat.hours[m].min()


# --- front-line closure follows who holds the power and the receiver's hours -------------------


def _front(**kw) -> float:
    return float(np.mean([TownshipModel(small(**kw), rng=s).run(30).summary()["front_line_share"] for s in (1, 2)]))


def test_front_line_share_follows_authority_and_hours():
    base = _front(online_share=0.0, township_hall_share=0.0)
    # filed at the hall, a county-held matter must be forwarded: not settled at the first contact
    assert _front(online_share=0.0, township_hall_share=1.0) < base - 0.2
    # the same requests with the receivers' hours cut: fewer settled the same day
    assert _front(online_share=0.0, township_hall_share=0.0, department_staff=9.0) < base - 0.05
    # it is not the catalogue's share of one-department matters
    m = TownshipModel(small(), rng=1)
    cat = m.catalogue
    service = cat.requester != 2
    one = float((cat.weight[service] * (cat.n_departments[service] == 1)).sum() / cat.weight[service].sum())
    assert abs(base - one) > 0.05


def test_courier_runs_at_multiples_of_its_interval():
    from townsim.model.referral import next_courier

    p = small()
    assert next_courier(p, 3.0) == 8.0 and next_courier(p, 8.0) == 16.0 and next_courier(p, 0.0) == 8.0
    assert next_courier(p.replace(courier_interval_days=0.5), 5.0) == 8.0
    assert next_courier(p.replace(courier_interval_days=2.0), 9.0) == 16.0
    assert next_courier(p.replace(courier_interval_days=0.0), 5.5) == 5.5
    assert next_courier(p.replace(online_dispatch=True), 5.5) == 5.5  # dispatched online: no courier
    assert next_courier(p.replace(online_dispatch=True), 5.5, paper=True) == 8.0  # a paper file already sent
