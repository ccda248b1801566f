"""Outcomes from the work done (issue 19): resolution follows the work a loaded handler does,
gaming only touches cases that would be late, the counted days start settled.

Every check runs the small county on common seeds (replication ``i`` uses seed ``seed + i`` in
every arm) and states its criterion on 95 % t intervals; ``powered`` says the intervals are
narrower than the margins the criterion allows. The KPIs a check reads are its own choice (what it
measures), not a view of the registry.
"""

from __future__ import annotations

import numpy as np

from .base import CheckResult, check, paired_difference
from .outcome_measures import (
    CEILING,
    PER_DAYS,
    half,
    kpi,
    late_by_projection,
    mediation_rate,
    runs,
    same_summary,
    slopes,
    small,
    status_quo,
)

# --- resolution falls with load, reaches the ceiling when the work is complete ---------------

LOAD_STAFF = (64.0, 14.0, 9.0)
"""Department persons of the load sweep: ample (work share 1), busy (≈ 0.9), overloaded (≈ 0.75)."""
LOAD_DAYS = 60


@check(
    "resolution_falls_with_load",
    part="verification",
    claim="Resolution comes from the work done: with ample staff every case gets its full work and "
    "closed cases are resolved at the ceiling (resolution_base); as department staff falls (load "
    "rises) handlers cut the work per case and resolution falls; with corner_cutting = 0 (the full "
    "work always, cases late instead) resolution stays at the ceiling under the same overload",
    source="ODD §7.16 (work under load)",
    quick_reps=4,
    full_reps=10,
)
def resolution_falls_with_load(reps: int, seed: int) -> CheckResult:
    res, work = {}, {}
    for staff in LOAD_STAFF:
        ms = runs(small(department_staff=staff, warmup_days=20), reps, seed, LOAD_DAYS)
        res[staff], work[staff] = kpi(ms, "resolution_rate"), kpi(ms, "work_done_share")
    full = runs(small(department_staff=LOAD_STAFF[-1], warmup_days=20, corner_cutting=0.0), reps, seed, LOAD_DAYS)
    res_full, work_full = kpi(full, "resolution_rate"), kpi(full, "work_done_share")
    ample, busy, heavy = LOAD_STAFF
    ceiling = np.full(reps, CEILING)
    at_ample, ample_ci = paired_difference(res[ample], ceiling)
    drop, drop_ci = paired_difference(res[ample], res[heavy])
    step, step_ci = paired_difference(res[busy], res[heavy])
    cf, cf_ci = paired_difference(res_full, ceiling)
    # a "drop" below 3 points is no drop; "at the ceiling" is an equivalence test: the whole 95 % CI of
    # (resolution − ceiling) inside ± 3 points. A point-null test ("the CI contains 0") would fail one
    # run in twenty by chance when the model is right, and pass any unpowered run when it is wrong.
    margin = 0.03
    passed = (
        bool(np.all(work[ample] == 1.0))
        and bool(np.all(work_full == 1.0))
        and -margin < ample_ci[0]
        and ample_ci[1] < margin
        and drop_ci[0] > margin
        and step_ci[0] > 0
        and -margin < cf_ci[0]
        and cf_ci[1] < margin
    )
    powered = max(half(ample_ci), half(drop_ci), half(cf_ci)) < margin
    return CheckResult(
        "resolution_falls_with_load",
        f"ample staff: work share 1 and resolution − ceiling ≈ 0 (95 % CI inside ± {margin}); resolution falls "
        f"from ample to busy to overloaded (ample − overloaded > {margin}, busy − overloaded > 0); "
        f"overloaded with corner_cutting = 0: work share 1, resolution − ceiling ≈ 0 (95 % CI inside ± {margin})",
        drop,
        drop_ci,
        passed,
        powered,
        reps,
        {
            "resolution_by_department_staff": {s: float(res[s].mean()) for s in LOAD_STAFF},
            "work_done_share_by_department_staff": {s: float(work[s].mean()) for s in LOAD_STAFF},
            "ample_minus_ceiling": (at_ample, ample_ci),
            "busy_minus_overloaded": (step, step_ci),
            "overloaded_full_work_minus_ceiling": (cf, cf_ci),
            "overloaded_full_work_share": float(work_full.mean()),
        },
    )


REGIMES: dict[str, dict[str, object]] = {
    "status quo": {},
    "one-stop centre + 135 rule": dict(one_stop_centre=True, joint_handling=True, escalation_135=True),
    "delegation with staff": dict(delegated_share=0.5, staff_transfer=1.0, initial_competence=1.0),
    "all reforms": dict(
        one_stop_centre=True,
        joint_handling=True,
        escalation_135=True,
        delegated_share=0.5,
        staff_transfer=1.0,
        initial_competence=1.0,
        two_way_weight=0.5,
        responsibility_list=True,
    ),
}
"""Regimes of the ample-staff counterfactual (competence 1: the ceiling is resolution_base everywhere)."""


@check(
    "ample_staff_full_work_every_regime",
    part="verification",
    claim="Counterfactual: with ample staff (five times the small county's posts) no handler is late, "
    "every closed case gets its full work (f = 1) and resolution sits at the ceiling in every regime: "
    "no reform changes resolution except through the work it lets handlers do",
    source="ODD §7.16 (work under load)",
    quick_reps=4,
    full_reps=10,
)
def ample_staff_full_work_every_regime(reps: int, seed: int) -> CheckResult:
    ample = dict(department_staff=80.0, township_staff=60.0, warmup_days=10)
    out, work_ok, worst, worst_ci = {}, True, 0.0, (0.0, 0.0)
    for name, levers in REGIMES.items():
        ms = runs(small(**ample, **levers), reps, seed, 60)
        work_ok &= bool(np.all(kpi(ms, "work_done_share") == 1.0))
        d, ci = paired_difference(kpi(ms, "resolution_rate"), np.full(reps, CEILING))
        out[name] = (d, ci)
        if abs(d) >= abs(worst):
            worst, worst_ci = d, ci
    margin = 0.03
    passed = work_ok and all(abs(d) < margin and ci[0] > -margin and ci[1] < margin for d, ci in out.values())
    return CheckResult(
        "ample_staff_full_work_every_regime",
        f"in every regime: work share 1, resolution − ceiling within ± {margin} (95 % CI)",
        worst,
        worst_ci,
        passed,
        max(half(ci) for _, ci in out.values()) < margin,
        reps,
        {"resolution_minus_ceiling": out, "full_work_everywhere": work_ok},
    )


# --- gaming only on cases that would be late -------------------------------------------------

GAMING = dict(tier_deadlines=(0.5, 1.5, 3.0), ontime_weight=2.0, warmup_days=10)


@check(
    "gaming_only_when_late",
    part="verification",
    claim="A handler games (closes without solving) only a case projected to finish after its "
    "deadline from the queues ahead of it; the projection predicts lateness (cases projected late and "
    "not gamed end late far more often than cases projected on time); with ample staff no case is at "
    "risk and nothing is gamed, however much on-time closures count",
    source="ODD §7.17",
    # hours booked on the days they are worked (§7.3) widened the seed spread of the gap: 4 replications
    # gave 0.37 (CI 0.28–0.46), 10 give 0.39 (0.35–0.44); a run of this county costs about 0.5 s
    quick_reps=10,
    full_reps=20,
)
def gaming_only_when_late(reps: int, seed: int) -> CheckResult:
    loaded = runs(small(**GAMING), reps, seed, 40)
    stats = [late_by_projection(m) for m in loaded]
    risk_late = np.array([s[0] for s in stats])
    safe_late = np.array([s[1] for s in stats])
    gamed = np.array([s[2] for s in stats])
    all_at_risk = all(s[4] for s in stats)
    gap, gap_ci = paired_difference(risk_late, safe_late)
    slack = dict(GAMING, tier_deadlines=(30.0, 40.0, 50.0), department_staff=80.0, township_staff=60.0)
    ample = runs(small(**slack), reps, seed, 40)
    gamed_ample = np.array([m.summary()["gamed_closures"] for m in ample])
    margin = 0.3
    passed = all_at_risk and bool(np.all(gamed > 0)) and gap_ci[0] > margin and bool(np.all(gamed_ample == 0))
    return CheckResult(
        "gaming_only_when_late",
        f"every gamed case projected late; late share among projected-late minus projected-on-time "
        f"(not gamed) > {margin} (95 % CI); ample staff and slack deadlines: 0 gamed",
        gap,
        gap_ci,
        passed,
        half(gap_ci) < margin,
        reps,
        {
            "gamed_per_run": float(gamed.mean()),
            "late_share_projected_late": float(np.nanmean(risk_late)),
            "late_share_projected_on_time": float(np.nanmean(safe_late)),
            "every_gamed_case_at_risk": all_at_risk,
            "gamed_with_ample_staff_and_slack": float(gamed_ample.mean()),
        },
    )


# --- a settled start: no trend in the counted days --------------------------------------------

TREND_DAYS = 240
RAW_DAYS = 40
"""Counted days of the settled status quo, the span the trend is stated over (change per 120 days),
and the counted days of the not-settled counterfactual (its drift is large)."""


@check(
    "settled_start_no_trend",
    part="verification",
    claim="The status quo (scenario baseline, its own warm-up) starts its counted days settled: citizen "
    "and enterprise satisfaction show no trend (fitted change per 120 days over 240 counted days: 95 % CI "
    "inside ± 0.01, an equivalence test; whether it contains 0 is reported); the check can fail: with the "
    "slow stocks not settled (settle_stocks = false) it finds the drift",
    source="ODD §5.2 (start settled; MSER-5, White 1997)",
    quick_reps=7,
    full_reps=12,
)
def settled_start_no_trend(reps: int, seed: int) -> CheckResult:
    """Asserted: equivalence, the 95 % CI of the mean fitted change lies inside ± 0.01 per 120 days.
    The issue's wording, "the slope CI contains 0", is reported (``ci_contains_0``) but not asserted:
    a wide, unpowered interval always contains 0, and a well-powered one excludes 0 for a residual of
    no practical size (enterprises: about −0.004 per 120 days at 10 seeds); only the equivalence test
    can both pass and fail for the right reason.

    Power: each seed's settled satisfaction starts a little off the stationary level and relaxes with
    a correlation time of months (enterprise satisfaction's daily autocorrelation is 0.7 at 40 days),
    so a seed's fitted slope varies mostly through that relaxation. Fitting over 240 counted days
    instead of 120 halves the spread of the change per 120 days (0.010 → 0.006, enterprises) at less
    than twice the cost; the equivalence margin is unchanged (a rate, ± 0.01 per 120 days). The
    not-settled counterfactual drifts by about 0.05 per 120 days, ten of its CI half-widths, so
    it pairs only a third of the seeds (at least 3) over 40 days."""
    settled = runs(status_quo(), reps, seed, TREND_DAYS)
    raw_reps = max(3, reps // 3)
    raw = runs(status_quo(settle_stocks=False), raw_reps, seed, RAW_DAYS)
    margin = 0.01
    out, passed, worst, worst_ci = {}, True, 0.0, (0.0, 0.0)
    for col in ("citizen_satisfaction", "enterprise_satisfaction"):
        d, ci = paired_difference(slopes(settled, col), np.zeros(reps))
        r, rci = paired_difference(slopes(raw, col), np.zeros(raw_reps))
        out[col] = {"settled": (d, ci), "not_settled": (r, rci)}
        passed &= -margin < ci[0] and ci[1] < margin
        if abs(d) >= abs(worst):
            worst, worst_ci = d, ci
    found = any(v["not_settled"][1][0] > 0 or v["not_settled"][1][1] < 0 for v in out.values())
    return CheckResult(
        "settled_start_no_trend",
        f"satisfaction change per {PER_DAYS} days, fitted over {TREND_DAYS} counted days: 95 % CI inside "
        f"± {margin}; without settling the drift is found (some CI excludes 0; fitted over {RAW_DAYS} days)",
        worst,
        worst_ci,
        bool(passed and found),
        max(half(v["settled"][1]) for v in out.values()) < margin,
        reps,
        {
            "change_per_120_days": out,
            "ci_contains_0": {k: bool(v["settled"][1][0] <= 0 <= v["settled"][1][1]) for k, v in out.items()},
            "not_settled_replications": raw_reps,
        },
    )


# --- the grid's share of case sources and mediation success come from grid workers' hours ----

GRID_DAYS = 40
GRID = dict(warmup_days=10, app_reporting=0.0, dispute_rate=0.0005, local_problem_rate=0.0005)
"""Small county with enough disputes and local problems for the grid to find, no app reports."""


@check(
    "grid_share_follows_patrol",
    part="verification",
    claim="The grid's share of case sources is an outcome of grid workers' patrols: it rises with "
    "coverage (more posts patrolling), falls when a patrol hour sweeps fewer residents, and is 0 "
    "with no grid workers and no app reports",
    source="ODD §7.10 (patrols); G9",
    quick_reps=4,
    full_reps=10,
)
def grid_share_follows_patrol(reps: int, seed: int) -> CheckResult:
    share = {}
    arms = {
        "coverage 0.3": dict(grid_coverage=0.3),
        "coverage 0.9": dict(grid_coverage=0.9),
        "coverage 0.9, slow patrol": dict(grid_coverage=0.9, patrol_residents_per_hour=150.0),
        "no grid": dict(grid_coverage=0.0),
    }
    for name, kw in arms.items():
        share[name] = kpi(runs(small(**GRID, **kw), reps, seed, GRID_DAYS), "grid_report_share")
    up, up_ci = paired_difference(share["coverage 0.9"], share["coverage 0.3"])
    slow, slow_ci = paired_difference(share["coverage 0.9"], share["coverage 0.9, slow patrol"])
    margin = 0.01
    passed = up_ci[0] > margin and slow_ci[0] > margin and bool(np.all(share["no grid"] == 0))
    return CheckResult(
        "grid_share_follows_patrol",
        f"grid share at coverage 0.9 − at 0.3 > {margin}; at 0.9 − with slow patrols > {margin} (95 % CIs); "
        "0 with no grid and no app",
        up,
        up_ci,
        passed,
        max(half(up_ci), half(slow_ci)) < margin * 3,
        reps,
        {
            "grid_report_share": {k: float(v.mean()) for k, v in share.items()},
            "slow_patrol_drop": (slow, slow_ci),
        },
    )


@check(
    "mediation_follows_hours",
    part="verification",
    claim="Local mediation succeeds more often when mediators spend more hours on a dispute (grid workers' "
    "mediation hours on the disputes they find) and less often when disputes are harder; with no grid "
    "workers their mediation hours change nothing (identical runs)",
    source="ODD §7.10 (mediation); G7",
    quick_reps=4,
    full_reps=10,
)
def mediation_follows_hours(reps: int, seed: int) -> CheckResult:
    def rates(**kw):
        return np.array([mediation_rate(m) for m in runs(small(**GRID, **kw), reps, seed, GRID_DAYS)])

    few = rates(grid_coverage=1.0, grid_mediation_hours=0.0)
    many = rates(grid_coverage=1.0, grid_mediation_hours=4.0)
    hard = rates(grid_coverage=1.0, grid_mediation_hours=4.0, dispute_difficulty_hours=8.0)
    none_a = runs(small(**GRID, grid_coverage=0.0, grid_mediation_hours=0.0), reps, seed, 10)
    none_b = runs(small(**GRID, grid_coverage=0.0, grid_mediation_hours=4.0), reps, seed, 10)
    same = all(same_summary(a.summary(), b.summary()) for a, b in zip(none_a, none_b))
    gain, gain_ci = paired_difference(many, few)
    harder, harder_ci = paired_difference(many, hard)
    margin = 0.05
    passed = gain_ci[0] > margin and harder_ci[0] > margin and same
    return CheckResult(
        "mediation_follows_hours",
        f"mediation success with 4 grid mediation hours − with 0 > {margin}; easy − hard disputes > {margin} "
        "(95 % CIs); no grid: the hours change nothing",
        gain,
        gain_ci,
        passed,
        max(half(gain_ci), half(harder_ci)) < margin * 2,
        reps,
        {
            "success_no_grid_hours": float(np.nanmean(few)),
            "success_4_grid_hours": float(np.nanmean(many)),
            "success_4_grid_hours_hard_disputes": float(np.nanmean(hard)),
            "harder_drop": (harder, harder_ci),
            "no_grid_identical": same,
        },
    )
