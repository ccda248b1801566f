"""Reform mechanisms (issue 10): each reform effect comes out of simulated behaviour, and goes
away when its cause is removed. Paired replications on common seeds, 95 % t intervals.

Every check runs a small county (``SMALL``) and states its criterion on paired differences;
``passed`` needs every part of the criterion, ``powered`` that the intervals are narrower
than the margins the criterion allows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...model import Params, TownshipModel
from ...model.metrics import offered_load
from ...model.staffing import budget
from ..core.county import SMALL_COUNTY
from .base import CheckResult, check, paired_difference

SMALL = SMALL_COUNTY


def _small(**kw) -> Params:
    return Params(**{**SMALL, **kw})


def _runs(params: Params, reps: int, seed: int, days: int):
    """Models after ``days`` counted days, one per replication (seeds ``seed … seed+reps−1``)."""
    return [TownshipModel(params, rng=seed + i).run(days) for i in range(reps)]


def _daily(models, col: str, lo: int, hi: int) -> np.ndarray:
    return np.array([np.nanmean(m.timeseries()[col].to_numpy()[lo:hi]) for m in models])


def _half(ci) -> float:
    return (ci[1] - ci[0]) / 2


# --- delegation with staff: fewer trips, J-curve, gain from distance only -------------------

DELEGATION_DAYS = 400
EARLY, LATE = (0, 20), (250, 400)
"""Counted days. The late window starts once the transition is over in the small county: with
repeat contacts (§7.16) the township backlog built while competence is low drains only by about
day 200 (ODD §7.14, "J-curve"); before that the reform is still in its trough."""
J_WINDOWS = ((0, 20), (20, 50), (50, 90), (90, 150), (150, 250), (250, 400))


def _delegation_pair(reps: int, seed: int, **county):
    base = _small(warmup_days=20, inspection_hours_per_week=50.0, initial_competence=0.3, **county)
    reform = base.replace(
        delegated_share=0.5, staff_transfer=1.0, pre_reform={"delegated_share": 0.0, "staff_transfer": 0.0}
    )
    return _runs(base, reps, seed, DELEGATION_DAYS), _runs(reform, reps, seed, DELEGATION_DAYS)


def _cumulative(models, col: str) -> np.ndarray:
    """Cumulative daily means of ``col`` over the counted days (one row per replication)."""
    x = np.array([np.nan_to_num(m.timeseries()[col].to_numpy()) for m in models])
    return np.cumsum(x, axis=1)


@check(
    "delegation_with_staff_j_curve",
    part="verification",
    claim="Delegation with the matching posts (equal staff): fewer trips to the seat from the start; "
    "requester hours per request (whole chain, repeats included) worse in the first weeks (low "
    "competence: slow work, rework, referrals up, unresolved cases back as repeats), lower in the "
    "long run (days 251–400, after the township backlog has drained); with travel, the courier wait "
    "and misrouting all 0 the long-run gain drops (paired) to no measurable gain",
    source="G3; ODD §7.2, §7.4, §7.14, §7.16",
    # the long-run gain is ≈ 1 h since the hop became work (§7.14): 6 replications cannot bound it above 0
    # (0.7 h, CI −0.2 to 1.7); 12 do (1.1 h, CI 0.5 to 1.7)
    quick_reps=12,
    full_reps=24,
)
def delegation_with_staff_j_curve(reps: int, seed: int) -> CheckResult:
    base, reform = _delegation_pair(reps, seed)
    col = "requester_hours_per_case"
    trips, trips_ci = paired_difference(
        _daily(reform, "trips_to_seat_per_case", *EARLY), _daily(base, "trips_to_seat_per_case", *EARLY)
    )
    early, early_ci = paired_difference(_daily(reform, col, *EARLY), _daily(base, col, *EARLY))
    gain, gain_ci = paired_difference(_daily(base, col, *LATE), _daily(reform, col, *LATE))
    zb, zr = _delegation_pair(
        reps, seed, county_area_km2=0.0, courier_interval_days=0.0, misrouting_rate=0.0, travel_hours=0.0
    )
    zero_b, zero_r = _daily(zb, col, *LATE), _daily(zr, col, *LATE)
    zero, zero_ci = paired_difference(zero_b, zero_r)
    # the counterfactual, paired on the seeds: removing distance removes the gain
    drop, drop_ci = paired_difference(_daily(base, col, *LATE) - _daily(reform, col, *LATE), zero_b - zero_r)
    margin = 1.0  # hours: a "gain" below this is no gain
    # Without distance the long-run gain measures −0.5 h (95 % CI −1.0 to 0.0, 12 replications): the
    # margin cannot be shown at the suite's budget (the arms share one random stream, so paired runs
    # diverge after the first rework draw). Stated instead, and able to fail: the gain drops when
    # distance is removed, and what is left is no gain (not significantly above 0, point below the margin).
    passed = (
        trips_ci[1] < 0 and early_ci[0] > 0 and gain_ci[0] > 0 and drop_ci[0] > 0 and zero_ci[0] < 0 and zero < margin
    )
    powered = max(_half(gain_ci), _half(zero_ci)) < 2 * margin
    # the J in the daily series (reform − base per window) and when the trough is paid back
    # (the first day the cumulative sum of daily differences is ≤ 0; None: not within the run)
    j = {
        f"days {lo + 1}-{hi}": paired_difference(_daily(reform, col, lo, hi), _daily(base, col, lo, hi))
        for lo, hi in J_WINDOWS
    }
    cum = (_cumulative(reform, col) - _cumulative(base, col)).mean(axis=0)
    back = np.flatnonzero(cum <= 0)
    return CheckResult(
        "delegation_with_staff_j_curve",
        f"trips Δ < 0 (days {EARLY[0] + 1}–{EARLY[1]}); hours Δ > 0 early (days {EARLY[0] + 1}–"
        f"{EARLY[1]}), gain > 0 late (days {LATE[0] + 1}–{LATE[1]}); "
        f"without travel, the courier wait and misrouting the gain drops (paired Δ > 0) to no gain "
        f"(CI reaches below 0, mean < {margin} h)",
        gain,
        gain_ci,
        passed,
        powered,
        reps,
        {
            "trips_to_seat_delta_early": (trips, trips_ci),
            "requester_hours_delta_early": (early, early_ci),
            "late_gain_without_distance": (zero, zero_ci),
            "late_gain_drop_without_distance": (drop, drop_ci),
            "requester_hours_delta_by_window": j,
            "mean_delta_whole_run": float(cum[-1] / DELEGATION_DAYS),
            "payback_day": int(back[0]) + 1 if len(back) else None,
        },
    )


# --- delegation without staff: harmless with slack, sharp at full utilisation -----------------


@check(
    "delegation_without_staff_saturation",
    part="verification",
    claim="Delegation without posts: little effect (no worse) while townships have slack; sharp deterioration "
    "as township utilisation approaches 1 (delegated_share 0 → 0.5 at slack and tight township staffing)",
    source="G3; ODD §7.4",
    # requester hours now carry the hall's forwarding, repeat contacts and misrouting (§7.14, §7.16): at 4
    # replications the slack interval was wider than its margin (Δ −1.0 h, CI −4.4 to 2.3); 8 bring it inside
    quick_reps=8,
    full_reps=16,
)
def delegation_without_staff_saturation(reps: int, seed: int) -> CheckResult:
    out: dict[str, Any] = {}
    for label, staff in (("slack", 40.0), ("tight", 6.0)):
        a = _runs(_small(township_staff=staff), reps, seed, 100)
        b = _runs(_small(township_staff=staff, delegated_share=0.5), reps, seed, 100)
        ka = np.array([m.summary()["requester_hours_per_case"] for m in a])
        kb = np.array([m.summary()["requester_hours_per_case"] for m in b])
        out[label] = paired_difference(kb, ka)
        out[label + "_utilisation"] = float(np.mean([m.summary()["township_utilisation"] for m in b]))
    slack, slack_ci = out["slack"]
    tight, tight_ci = out["tight"]
    margin = 1.0  # hours: "little effect" means not worse by more than this
    passed = slack_ci[1] < margin and tight_ci[0] > 10.0 and out["tight_utilisation"] > 0.9
    powered = _half(slack_ci) < 2 * margin
    return CheckResult(
        "delegation_without_staff_saturation",
        f"slack: requester hours Δ < {margin} h; tight: Δ > 10 h with township utilisation > 0.9",
        tight,
        tight_ci,
        passed,
        powered,
        reps,
        {
            "slack": out["slack"],
            "slack_utilisation": out["slack_utilisation"],
            "tight_utilisation": out["tight_utilisation"],
        },
    )


# --- the 135 rule: its gain comes from coordination hours short of demand ------------------

SCARCE = dict(chief_representatives=4, chief_rep_hours=2.0, leading_group_staff=0.5)
AMPLE = dict(chief_representatives=8, chief_rep_hours=8.0, leading_group_staff=4.0)
COORDINATION_DESKS = ("chief_representative", "leading_group_office")
RULE135_DAYS = 100


def _tier35(models) -> np.ndarray:
    return np.array([(m.summary()["on_time_rate_tier3"] + m.summary()["on_time_rate_tier5"]) / 2 for m in models])


def _tier35_daily(models, lo: int, hi: int) -> np.ndarray:
    """Mean over counted days ``lo``–``hi`` of the daily tier-3/5 on-time rate (cases closed that day)."""
    return (_daily(models, "on_time_rate_tier3", lo, hi) + _daily(models, "on_time_rate_tier5", lo, hi)) / 2


def _desk_loads(models) -> dict[str, np.ndarray]:
    """Offered load ρ of each coordination desk over the counted days, one per replication."""
    out = {}
    for label in COORDINATION_DESKS:
        out[label] = np.array(
            [next((offered_load(m, h) for h in m.handlers if h.label == label), np.nan) for m in models]
        )
    return out


@check(
    "rule135_gain_from_scarce_coordination",
    part="verification",
    claim="At equal staff (the same coordinators and hours in both regimes, conference hours charged to "
    "attendees), the 135 rule raises tier-3/5 on-time when coordination hours are short of demand (the "
    "leading-group office's offered load ≥ 1 in both regimes: its queue grows, and the rule's priority "
    "decides who waits) and the gain vanishes when they are ample (every coordination desk's load well "
    "below 1)",
    source="F7–F11; ODD §7.5",
    quick_reps=6,
    full_reps=12,
)
def rule135_gain_from_scarce_coordination(reps: int, seed: int) -> CheckResult:
    """The rule's gain is priority under overload, not a steady-state gain: with coordination and
    conference hours charged to attendees (§7.21) the leading-group office's queue grows without
    bound in both regimes at the scarce setting; first come first served then makes every case that
    reaches it later and later, while earliest deadline first, the ladder's climb to the conference
    and the boosts keep the most urgent on time. Its size therefore grows with the counted window
    and is no fixed number; the criterion asks it to be a gain at all, beyond the one margin that
    bounds "no gain" on the ample side (0.1 of tier-3/5 on-time), and to drop by more than that
    margin when the hours become ample (paired on the seeds: the counterfactual that can fail).
    The overload reading is tested too: while the office is saturated the gain grows from the first
    to the second half of the window (ad hoc's FIFO wait keeps growing), which a steady-state gain
    would not do.
    "Short of demand" is asserted, not assumed: every replication of both regimes at the scarce
    setting has the office saturated (ρ ≥ 1), and at the ample setting every desk has ρ < 0.5.

    Over 60 lines: a quarter of it is this docstring, which states the criterion; the two settings' loop and the
    verdict read as one check."""
    res: dict[str, Any] = {}
    gains: dict[str, Any] = {}
    loads: dict[str, Any] = {}
    growth: dict[str, Any] = {}
    half = RULE135_DAYS // 2
    for label, desks in (("scarce", SCARCE), ("ample", AMPLE)):
        adhoc = _small(department_staff=24.0, **desks)
        rule = adhoc.replace(escalation_135=True, joint_conference_interval=2)
        assert budget(rule)["total"] == budget(adhoc)["total"]  # equal staff by construction
        ma, mr = _runs(adhoc, reps, seed, RULE135_DAYS), _runs(rule, reps, seed, RULE135_DAYS)
        gains[label] = _tier35(mr) - _tier35(ma)
        res[label] = paired_difference(_tier35(mr), _tier35(ma))
        early = _tier35_daily(mr, 0, half) - _tier35_daily(ma, 0, half)
        late = _tier35_daily(mr, half, RULE135_DAYS) - _tier35_daily(ma, half, RULE135_DAYS)
        growth[label] = paired_difference(late, early)
        loads[label] = {"ad hoc": _desk_loads(ma), "135 rule": _desk_loads(mr)}
        loads[label + "_saturated"] = {
            "ad hoc": float(np.mean([len(m.staff_report()["saturated_handlers"]) for m in ma])),
            "135 rule": float(np.mean([len(m.staff_report()["saturated_handlers"]) for m in mr])),
        }
    scarce, scarce_ci = res["scarce"]
    ample, ample_ci = res["ample"]
    drop, drop_ci = paired_difference(gains["scarce"], gains["ample"])
    margin = 0.1
    overloaded = all(bool(np.all(v["leading_group_office"] >= 1.0)) for v in loads["scarce"].values())
    slack = all(bool(np.all(x < 0.5)) for v in loads["ample"].values() for x in v.values())
    grows = growth["scarce"][1][0] > 0
    passed = overloaded and slack and scarce_ci[0] > margin and ample_ci[1] < margin and drop_ci[0] > margin and grows
    powered = max(_half(ample_ci), _half(scarce_ci)) < margin
    return CheckResult(
        "rule135_gain_from_scarce_coordination",
        f"scarce (leading-group office ρ ≥ 1 in both regimes): tier-3/5 on-time gain > {margin}; "
        f"ample (every desk ρ < 0.5): gain < {margin}; scarce − ample gain > {margin}; scarce: the daily "
        f"gain grows from days 1–{half} to {half + 1}–{RULE135_DAYS} (paired 95 % CIs)",
        scarce,
        scarce_ci,
        passed,
        powered,
        reps,
        {
            "ample": res["ample"],
            "scarce_minus_ample": (drop, drop_ci),
            "gain_growth_second_minus_first_half": growth,
            "offered_load": {
                label: {regime: {k: float(x.mean()) for k, x in v.items()} for regime, v in loads[label].items()}
                for label in ("scarce", "ample")
            },
            "saturated_handlers_per_run": {label: loads[label + "_saturated"] for label in ("scarce", "ample")},
            "leading_group_office_saturated_every_run": overloaded,
            "every_desk_below_half_when_ample": slack,
        },
    )


# --- townships spend the day on what they are scored on ----------------------------------


@check(
    "township_hours_follow_scoring",
    part="verification",
    claim="Under one-way assessment baseline townships spend most hours on upward duties; two-way assessment "
    "(fewer dumps, inspections halved, P2) moves hours back to residents — and not when the township's "
    "score ignores residents' service",
    source="G2, G5, P1, P2; ODD §7.8",
    quick_reps=8,
    full_reps=12,
)
def township_hours_follow_scoring(reps: int, seed: int) -> CheckResult:
    """The counterfactual half (service weight 0) asks a paired interval to sit inside ±0.02; with
    resolution from the work done (§7.21) the paired differences spread more, and 4 replications
    gave half-widths near the margin (seed-dependent failures of the quick run). The quick run
    therefore pairs 8 seeds (about 10 s on the small county), the full run 12."""
    res = {}
    for w in (0.3, 0.0):
        one = _runs(
            _small(inspection_hours_per_week=66.0, township_staff=16.0, township_service_weight=w), reps, seed, 100
        )
        two = _runs(
            _small(inspection_hours_per_week=33.0, two_way_weight=0.5, township_staff=16.0, township_service_weight=w),
            reps,
            seed,
            100,
        )
        s1 = np.array([m.summary()["township_service_share"] for m in one])
        s2 = np.array([m.summary()["township_service_share"] for m in two])
        res[w] = (paired_difference(s2, s1), float(s1.mean()))
    (shift, shift_ci), base_share = res[0.3]
    (cf, cf_ci), _ = res[0.0]
    margin = 0.02
    passed = base_share < 0.5 and shift_ci[0] > margin and abs(cf_ci[0]) < margin and abs(cf_ci[1]) < margin
    powered = _half(cf_ci) < margin
    return CheckResult(
        "township_hours_follow_scoring",
        f"one-way service share < 0.5; two-way shift > {margin}; shift within ±{margin} when service weighs 0",
        shift,
        shift_ci,
        passed,
        powered,
        reps,
        {"one_way_service_share": base_share, "shift_without_service_weight": (cf, cf_ci)},
    )
