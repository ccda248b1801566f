"""Outcomes from the work done: the work fraction under load (model/workload.py), resolution from the
work done (model/resolution.py), gaming only on cases projected late (model/gaming.py), and the
registered checks of experiments/checks/outcomes.py with their quick replications."""

from __future__ import annotations

import numpy as np
import pytest
from checks_cache import explain, group, quick
from helpers import small

from townsim.model import Params, TownshipModel, gaming, workload

# --- the work fraction ---------------------------------------------------------------------


def test_work_fraction_is_one_with_slack_and_falls_with_the_shortfall():
    p = Params(corner_cutting=0.5, work_fraction_floor=0.3)
    assert workload.work_fraction(p, 0.0, 10.0, 1.0) == 1.0
    assert workload.work_fraction(p, 40.0, 40.0, 1.0) == 1.0  # exactly doable in time
    assert workload.work_fraction(p, 80.0, 40.0, 1.0) == pytest.approx(1 - 0.5 * 0.5)
    assert workload.work_fraction(p, 80.0, 40.0, 2.0) == 1.0  # more time before the deadlines
    assert workload.work_fraction(p, 80.0, 40.0, 0.2) == pytest.approx(0.75)  # looks at least one day ahead
    assert workload.work_fraction(p, 1e9, 1.0, 1.0) == pytest.approx(0.5)  # χ = 0.5 cuts at most half
    assert workload.work_fraction(p.replace(corner_cutting=1.0), 1e9, 1.0, 1.0) == pytest.approx(0.3)  # the floor
    assert workload.work_fraction(p.replace(corner_cutting=0.0), 1e6, 1.0, 1.0) == 1.0


@pytest.mark.parametrize(
    ("field", "value"), [("corner_cutting", -0.1), ("corner_cutting", 1.5), ("work_fraction_floor", 0.0)]
)
def test_bad_work_parameters_are_one_line_errors(field, value):
    from townsim.model.params import ParamsError

    with pytest.raises(ParamsError) as e:
        Params.build(**{field: value})
    assert str(e.value).startswith(f"{field}:") and "\n" not in str(e.value)


def test_new_parameters_declare_their_kind_and_range():
    for name in ("corner_cutting", "work_fraction_floor", "resolution_base", "resolution_time_elasticity"):
        extra = Params.model_fields[name].json_schema_extra
        assert extra["kind"] == "assumption" and len(extra["plausible"]) == 2 and extra["basis"], name


def test_overloaded_handlers_do_less_work_and_resolve_less():
    """A busy county: the steps' work share is the handlers' f; cases worked in full resolve at the
    ceiling, cut ones less (resolution from the work done, not from the load itself)."""
    m = TownshipModel(small(department_staff=6.0, resolution_base=0.9, local_mediation=0.9), rng=3).run(40)
    c = m.cases
    closed = ~np.isnan(c.view("closed")) & ~c.view("gamed") & ~c.view("delegated")
    w = c.view("work_share")[closed].astype(float)
    res = c.view("resolved")[closed]
    assert np.all((w > 0) & (w <= 1))
    full, cut = w == 1.0, w < 0.8
    assert full.sum() > 200 and cut.sum() > 200
    assert abs(res[full].mean() - 0.9) < 4 * np.sqrt(0.09 / full.sum())
    assert res[cut].mean() < res[full].mean() - 0.1
    assert m.summary()["work_done_share"] == pytest.approx(w.mean(), abs=0.05)
    assert min(d.work_fraction for d in m.departments) < 1.0


def test_no_corner_cutting_means_full_work_everywhere():
    m = TownshipModel(small(department_staff=6.0, corner_cutting=0.0), rng=3).run(30)
    c = m.cases
    closed = ~np.isnan(c.view("closed")) & ~c.view("gamed")
    assert np.all(c.view("work_share")[closed] == 1.0)
    assert all(a.work_fraction == 1.0 for a in [*m.departments, *m.townships])


# --- gaming only when late ------------------------------------------------------------------


def test_every_gamed_case_was_projected_late_at_its_decision():
    m = TownshipModel(small(tier_deadlines=(0.5, 1.5, 3.0), ontime_weight=2.0), rng=4).run(30)
    log = m.gaming_log
    gamed = [r for r in log if r[4]]
    assert len(gamed) > 20 and len(gamed) == m.summary()["gamed_closures"] + _gamed_before(m)
    assert all(finish > deadline for _, _, finish, deadline, _ in gamed)
    assert any(finish <= deadline for _, _, finish, deadline, _ in log), "some decisions found the case on track"
    ids = np.array([r[0] for r in gamed])
    assert np.all(m.cases.view("gamed")[ids])


def _gamed_before(m) -> int:
    return 0 if not m.warmup_days else int(m.cases.view("gamed")[m.cases.view("closed") < m.count_start].sum())


def test_projected_finish_counts_the_work_queued_ahead():
    """A case behind a long queue is projected later than one at its head."""
    m = TownshipModel(small(department_staff=4.0), rng=5).run(5)
    found = False
    for d in m.departments:
        q = workload.waiting_steps(d.handler)
        if len(q) >= 3:
            first, last = q[0][2].case, q[-1][2].case
            if m.cases.view("joint")[[first, last]].any():
                continue
            now = m.engine.now
            assert gaming.projected_finish(m, last, now) > gaming.projected_finish(m, first, now)
            found = True
            break
    assert found


def test_agents_decide_gaming_by_lateness_cost_against_penalty():
    m = TownshipModel(small(ontime_weight=1.0, callback_penalty=100.0, detection_prior=1.0), rng=6)
    assert not any(d.decide_gaming() for d in m.departments)  # the expected penalty outweighs being late
    m2 = TownshipModel(small(ontime_weight=10.0, gaming_aversion=0.01), rng=6)
    assert all(d.decide_gaming() for d in m2.departments)


# --- the registered checks ------------------------------------------------------------------

NAMES = [
    "resolution_falls_with_load",
    "ample_staff_full_work_every_regime",
    "gaming_only_when_late",
    "settled_start_no_trend",
    "grid_share_follows_patrol",
    "mediation_follows_hours",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=group(n)) for n in NAMES])
def test_outcome_check_passes_quick(name):
    r = quick(name)
    assert r.passed, explain(r)


# --- a settled start ------------------------------------------------------------------------


def test_stage_shares_are_the_stable_life_cycle_distribution():
    from townsim.model.settle import stage_shares

    p = Params(enterprise_entry_rate=0.0003, startup_days=250.0, growth_days=750.0)
    x = stage_shares(p, 0.7)
    b = 0.0003
    assert x.sum() == pytest.approx(1.0)
    assert x[0] == pytest.approx(b / (1 / 250 + b)) and x[1] == pytest.approx(x[0] * (1 / 250) / (1 / 750 + b))
    assert stage_shares(p.replace(enterprise_entry_rate=0.0), 0.7).tolist() == [0.0, 0.0, 1.0]


def test_settling_rounds_come_after_the_run_in():
    from townsim.model.settle import round_starts

    assert round_starts(0) == set() and round_starts(65) == {33, 41, 49, 57}
    assert round_starts(20) == {12} and round_starts(40) == {24, 32}


def test_mser5_cuts_the_initial_transient():
    from townsim.experiments.warmup import mser, recommended_warmup

    rng = np.random.default_rng(1)
    y = np.concatenate([np.linspace(0.0, 1.0, 30), np.ones(170)]) + rng.normal(0, 0.02, 200)
    assert 20 <= mser(y) <= 35
    assert mser(np.ones(200) + rng.normal(0, 0.02, 200)) <= 20
    assert recommended_warmup(25.6) == 65 and recommended_warmup(0.0) == 65


def test_warmup_command_bad_scenario_is_one_line_exit_2(capsys):
    from townsim.experiments.warmup import main

    assert main(["no_such_scenario"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err


def test_settling_draws_satisfaction_from_the_warm_up_and_keeps_runs_pure():
    p = small(warmup_days=30)
    a, b = TownshipModel(p, rng=7), TownshipModel(p, rng=7)
    np.testing.assert_array_equal(a.citizen_state["satisfaction"], b.citizen_state["satisfaction"])
    s = a.citizen_state["satisfaction"]
    assert s.std() > 0.01 and abs(s.mean() - 0.7) > 0.02  # drawn, not the fixed start
    raw = TownshipModel(small(warmup_days=30, settle_stocks=False), rng=7)
    assert raw.settle_pool is None and a.settle_pool is None


def test_settle_stocks_is_a_setting():
    extra = Params.model_fields["settle_stocks"].json_schema_extra
    assert extra["kind"] == "setting" and Params().settle_stocks is True


# --- grid patrols and mediation ---------------------------------------------------------------


def test_patrol_split_leaves_hours_for_the_finds():
    from townsim.model.patrol import split_patrol

    assert split_patrol(8.0, 1.0, 0.0) == pytest.approx(8.0)
    h = split_patrol(8.0, 1.0, 100.0)
    assert 0 < h < 8.0 and h + (1 - np.exp(-h / 8.0)) * 100.0 == pytest.approx(8.0, abs=1e-6)
    assert split_patrol(0.0, 1.0, 10.0) == 0.0


def test_mediation_success_rises_with_hours_relative_to_difficulty():
    from townsim.model.resolution import mediation_success

    p = Params(local_mediation=0.8, dispute_difficulty_hours=2.0)
    assert mediation_success(p, 0.0) == 0.0
    assert mediation_success(p, 2.0) == pytest.approx(0.8 * (1 - np.exp(-1)))
    assert (
        mediation_success(p, 4.0)
        > mediation_success(p, 2.0)
        > mediation_success(p.replace(dispute_difficulty_hours=8.0), 2.0)
    )


def test_local_problems_are_township_matters_found_by_the_grid_or_surfacing():
    from townsim.model.cases import GRID_REPORT, HOTLINE
    from townsim.model.catalogue import APPENDED, DISPUTE, LOCAL_PROBLEMS

    m = TownshipModel(small(grid_coverage=0.8, local_problem_rate=0.0005, app_reporting=0.0), rng=8).run(40)
    cat = m.catalogue
    local = np.array([cat.dispute_id(k) for k in LOCAL_PROBLEMS])
    assert np.all(local >= len(cat) - APPENDED) and np.all(cat.requester[local] == DISPUTE)
    assert np.all(cat.owner[local] < 0)  # township matters
    c = m.cases
    is_local = np.isin(c.view("matter"), local)
    src = c.view("source")[is_local & (c.view("contact") == 0)]  # first contacts (a repeat comes by any channel)
    assert (src == GRID_REPORT).sum() > 50 and (src == HOTLINE).sum() > 0
    assert set(np.unique(src).tolist()) <= {GRID_REPORT, HOTLINE}
    assert not c.view("petitioned")[is_local].any(), "local problems are not petitioned"
    assert m.grid_hours["patrol"] > 0 and m.grid_hours["reports"] > 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("local_problem_rate", -1.0),
        ("patrol_residents_per_hour", 0.0),
        ("report_hours", 0.0),
        ("report_hours", 9.0),
        ("dispute_difficulty_hours", 0.0),
        ("grid_mediation_hours", -1.0),
    ],
)
def test_bad_grid_parameters_are_one_line_errors(field, value):
    from townsim.model.params import ParamsError

    with pytest.raises(ParamsError) as e:
        Params.build(**{field: value})
    assert str(e.value).startswith(f"{field}:") and "\n" not in str(e.value)


@pytest.mark.parametrize(
    "setting",
    [
        "corner_cutting=2",
        "work_fraction_floor=0",
        "local_problem_rate=-1",
        "patrol_residents_per_hour=0",
        "report_hours=9",
        "dispute_difficulty_hours=0",
        "grid_mediation_hours=-1",
        "settle_stocks=maybe",
    ],
)
def test_cli_bad_new_parameter_is_one_line_exit_2_nothing_written(tmp_path, capsys, setting):
    from townsim.experiments.cli import main

    out = tmp_path / "run"
    assert main(["run", "baseline", "--days", "2", "--set", setting, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert setting.split("=")[0] in err and "\n" not in err
    assert not out.exists()
