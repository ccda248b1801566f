"""Reform effects that must come out of behaviour (issue 10), asserted through the registered checks
(experiments/checks/mechanisms.py, quick replications; ``townsim validate`` runs them in full)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import paired_ci, small

from townsim.experiments.checks import (
    CHECKS,
    mechanisms,  # noqa: F401  (registers the checks)
)
from townsim.model import Params, TownshipModel


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "delegation_with_staff_j_curve",
        "delegation_without_staff_saturation",
        "rule135_gain_from_scarce_coordination",
        "township_hours_follow_scoring",
    ],
)
def test_mechanism_check(name):
    res = CHECKS[name].run(quick=True)
    assert res.passed, res


@pytest.mark.slow
def test_whistle_answers_first_and_costs_other_cases():
    """吹哨报到 (P3): a township's dispute that needs the dispute department jumps that department's
    queue — the whistled disputes are settled sooner, and the department's own one-department cases
    wait longer (the cost; paired over 6 seeds, 95 % CI)."""
    p = small(
        department_staff=24.0,
        dispute_rate=0.0002,
        grid_coverage=0.0,
        local_mediation=0.0,
        dispute_surface_days=1.0,
        whistle_site_hours=2.0,
    )
    own_h, disp_h = {}, {}
    for on in (False, True):
        own_h[on], disp_h[on] = [], []
        for seed in range(1, 7):
            m = TownshipModel(p.replace(whistle=on), rng=seed).run(60)
            c, cat = m.cases, m.catalogue
            matter, created = c.view("matter"), c.view("created")
            closed = np.where(np.isnan(c.view("closed")), 60 * 8.0, c.view("closed"))  # open: censored at the end
            early = created < 50 * 8.0
            own = early & (cat.owner[matter] == 0) & (cat.n_departments[matter] == 1) & (c.view("requester_kind") != 2)
            disp = early & (matter == cat.dispute_id("dispute_escalated"))
            own_h[on].append((closed - created)[own].mean())
            disp_h[on].append((closed - created)[disp].mean())
            assert c.view("whistle")[disp].all() == on
    cost, lo, hi = paired_ci(np.array(own_h[False]), np.array(own_h[True]))
    assert lo > 0, (cost, lo, hi)
    gain, lo, hi = paired_ci(np.array(disp_h[True]), np.array(disp_h[False]))
    assert lo > 0, (gain, lo, hi)


@pytest.mark.parametrize("seed", [1, 2])
def test_conservation_over_the_counted_window_with_cases_carried_in(seed):
    p = small(
        warmup_days=15,
        delegated_share=0.5,
        staff_transfer=1.0,
        escalation_135=True,
        pre_reform={"delegated_share": 0.0, "staff_transfer": 0.0, "escalation_135": False},
    )
    m = TownshipModel(p, rng=seed).run(30)
    s = m.summary()
    assert s["cases_carried_in"] > 0
    assert s["cases_carried_in"] + s["cases_created"] == s["cases_closed"] + s["backlog_end"]
    assert len(m.timeseries()) == 30
    assert m.timeseries()["cases_created"].sum() == s["cases_created"]
    # the levers switched on at the end of the warm-up
    assert m.params.delegated_share == 0.5 and m.delegated.any() and m.params.escalation_135


def test_warm_up_runs_the_pre_reform_levers():
    p = small(warmup_days=10, delegated_share=0.5, pre_reform={"delegated_share": 0.0})
    m = TownshipModel(p, rng=1)  # construction ends with the warm-up; the levers are on at day 0
    assert m.day == 0 and m.clock_day == 10 and m.params.delegated_share == 0.5 and m.delegated.any()
    m.run(5)
    assert m.day == 5
    c = m.cases
    before = c.view("created") < 10 * 8.0
    assert not c.view("delegated")[before].any() and c.view("delegated")[~before].any()


def test_a_department_with_work_has_at_least_one_person():
    m = TownshipModel(Params(department_staff=25.0, departments=20), rng=1)
    assert min(d.staff for d in m.departments) >= 1.0 - 1e-9


def test_effort_costs_overtime_within_the_cap():
    p = small(two_way_weight=1.0, effort_gain=5.0, assessment_period=5, overtime_cap=0.1, learning_rate=1.0)
    m = TownshipModel(p, rng=1).run(40)
    assert max(d.effort for d in m.departments) <= 1.1 + 1e-12
    s = m.summary()
    assert s["overtime_hours"] > 0
    assert s["staff_hours"] == pytest.approx(s["staff_posts"] * 8 * 40 + s["overtime_hours"])


def test_daily_requester_hours_count_whole_chains():
    """The daily ``requester_hours_per_case`` is per request over its whole chain (issue 11), like the
    summary: recomputed from the case table, each chain counted on the day its last contact closed
    (none still pending), from the chain's first filing plus the travel of every contact."""
    p = small(
        warmup_days=10,
        initial_competence=0.3,
        delegated_share=0.5,
        staff_transfer=1.0,
        pre_reform={"delegated_share": 0.0, "staff_transfer": 0.0},
    )
    m = TownshipModel(p, rng=3).run(40)
    daily = m.timeseries()["requester_hours_per_case"].to_numpy()
    c = m.cases
    rep = c.view("repeat_of")
    assert (rep >= 0).sum() > 20  # repeats happen, so chains and contacts differ
    root = np.where(rep >= 0, rep, np.arange(c.n))
    contact, closed = c.view("contact"), c.view("closed")
    last = np.full(c.n, -1)
    for i in np.lexsort((contact, root)):  # the highest contact of each chain comes last
        last[root[i]] = i
    travel = np.bincount(root, weights=c.view("travel"), minlength=c.n)
    pending = {cid for _, _, cid in m.repeat_queue}
    per_day: dict[int, list] = {}
    for k in np.flatnonzero(last >= 0):
        i = last[k]
        if np.isnan(closed[i]) or i in pending or c.view("requester_kind")[i] == 2:
            continue
        per_day.setdefault(int(closed[i] // 8) - m.day0, []).append(closed[i] - c.view("created")[k] + travel[k])
    expected = np.array([np.mean(per_day[d]) if d in per_day else np.nan for d in range(40)])
    np.testing.assert_allclose(daily, expected, rtol=1e-12, atol=1e-9)


def test_rule135_check_reads_the_desks_offered_load_as_the_model_reports_it():
    """The check's "short of demand" is the model's own saturation flag: the leading-group office's
    offered load over the counted days is ≥ 1 exactly when the run lists it as saturated."""
    for staff in (0.5, 4.0):
        m = TownshipModel(small(department_staff=24.0, **dict(mechanisms.SCARCE, leading_group_staff=staff)), rng=1)
        m.run(30)
        rho = mechanisms._desk_loads([m])["leading_group_office"][0]
        assert (rho >= 1.0) == ("leading_group_office" in m.staff_report()["saturated_handlers"])
        assert (rho >= 1.0) == (staff == 0.5), rho
