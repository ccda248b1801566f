"""The one validated, immutable parameter model of townsim (every lever of DESIGN §4).

Each field carries a unit, a default, an allowed range and a one-line
description; ``docs/ODD.md``'s parameter table is generated from here
(``python -m townsim.model.params --markdown``), never typed twice.
Invalid values raise :class:`ParamsError`, whose one-line message names the
field and the allowed range.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

HOURS_PER_DAY = 8.0
"""Working hours in one step (one working day)."""

# Groups, in the order of DESIGN §4; used for the generated table and the app.
GROUPS: dict[str, str] = {
    "county": "County size and staffing",
    "demand": "Demand and work",
    "delegation": "Delegation 强镇扩权 (G3)",
    "centre": "One-stop centre and online channel (F2, F4, F6, F12)",
    "rule135": "135 rule and tiered coordination (F7–F11)",
    "assessment": "Assessment 双向互评 (G2, G5)",
    "dumping": "Dumping 属地管理 and responsibility lists (G4)",
    "grid": "Grid and co-governance (G7–G9)",
    "feedback": "Satisfaction and enterprise life cycle",
    "incentives": "Incentives and outcomes: learning, relapse, resolution, gaming, channels (G5, G9, P2)",
}


KINDS = ("lever", "fact", "assumption", "setting")
"""What a parameter is (DESIGN §8): a reform choice, a size or figure cited F#/G#/P#, a number with
no published figure (then with a plausible range, a distribution and a basis), or how the run is made."""


def P(
    default: Any,
    *,
    unit: str,
    group: str,
    desc: str,
    ge=None,
    le=None,
    gt=None,
    lt=None,
    kind: str | None = None,
    cite: str | None = None,
    plausible: tuple[float, float] | None = None,
    dist: str = "uniform",
    basis: str | None = None,
):
    """A documented field: default, unit, group, one-line description, bounds, and its kind
    (``KINDS``): a ``fact`` cites its F#/G#/P# code (``cite``); an ``assumption`` carries its
    ``plausible`` (low, high) range, ``dist`` (``uniform`` or ``loguniform``) and ``basis`` (one
    line: why that range — a physical bound, a survey, expert judgement)."""
    extra: dict[str, Any] = {"unit": unit, "group": group}
    if kind is not None:
        extra["kind"] = kind
    if cite is not None:
        extra["cite"] = cite
    if plausible is not None:
        extra["plausible"] = [float(plausible[0]), float(plausible[1])]
        extra["dist"] = dist
    if basis is not None:
        extra["basis"] = basis
    return Field(default, description=desc, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra)


class ParamsError(ValueError):
    """A parameter is invalid; ``str()`` is one line naming the field and the allowed range."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class Params(BaseModel):
    """All levers and sizes of one simulated county (immutable)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, ser_json_inf_nan="constants")

    # --- county ---------------------------------------------------------
    townships: int = P(
        10,
        unit="count",
        group="county",
        ge=1,
        le=1000,
        desc="Township-level units (乡镇/街道) in the county (Linping: 8, F13).",
    )
    departments: int = P(
        20,
        unit="count",
        group="county",
        ge=1,
        le=1000,
        desc="County (district) departments that own matters (Linping centre: 23, F2).",
    )
    enterprises: int = P(
        1500, unit="count", group="county", ge=0, le=5_000_000, desc="Enterprises at the start, one agent each."
    )
    residents: int = P(
        100_000,
        unit="persons",
        group="county",
        ge=0,
        le=100_000_000,
        desc="Resident population (Linping: 1,175,800, F13).",
    )
    residents_per_agent: int = P(
        100,
        unit="persons/agent",
        group="county",
        ge=1,
        le=100_000_000,
        desc="Residents one Citizen agent stands for (1 = one agent per resident).",
    )
    township_size_spread: float = P(
        0.3,
        unit="log-sd",
        group="county",
        ge=0,
        le=3,
        desc="Spread of township populations (sd of log share; 0 = equal sizes).",
    )
    department_staff: float = P(
        50.0,
        unit="persons",
        group="county",
        ge=0.1,
        le=10_000_000,
        desc="Service staff of all departments, in posts following expected work with a one-person floor each.",
    )
    township_staff: float = P(
        40.0,
        unit="persons",
        group="county",
        ge=0.1,
        le=10_000_000,
        desc="Service staff of all townships, split by population.",
    )
    catalogue_seed: int = P(
        20260101,
        unit="seed",
        group="county",
        ge=0,
        le=2**63 - 1,
        desc=(
            "Seed of the county itself: matter catalogue, delegated matters, township "
            "sizes and distances (one per county, inherited through extends)."
        ),
    )
    county_area_km2: float = P(
        1000.0,
        unit="km²",
        group="county",
        ge=0,
        le=1_000_000,
        desc="County area; townships lie uniformly in a disc of this area around the seat (Linping: 1,228 km², F13).",
    )
    travel_speed_kmh: float = P(
        20.0,
        unit="km/h",
        group="county",
        gt=0,
        le=200,
        desc="Door-to-door speed of a requester's trip to the county seat (assumption).",
    )
    township_table: str = P(
        "",
        unit="path",
        group="county",
        desc=(
            "CSV of townships (name, residents, travel_hours, staff) replacing the "
            "drawn sizes, distances and staff split ('' = draw)."
        ),
    )
    warmup_days: int = P(
        0,
        unit="days",
        group="county",
        ge=0,
        le=10_000,
        desc="Days simulated under the pre-reform levers before the counted run (not in any KPI).",
    )
    pre_reform: dict[str, Any] = P(
        {},
        unit="-",
        group="county",
        desc="Lever values used during warm-up (set by the scenario loader from the root of the extends chain).",
    )
    overload_threshold: float = P(
        1.5,
        unit="days",
        group="county",
        gt=0,
        le=100,
        desc="A township is overloaded when its open work exceeds this many days of its capacity.",
    )

    # --- demand and work -------------------------------------------------
    citizen_request_rate: float = P(
        0.0008,
        unit="requests/resident/day",
        group="demand",
        ge=0,
        le=1,
        desc="Service requests per resident per working day.",
    )
    enterprise_request_rate: float = P(
        0.02,
        unit="requests/enterprise/day",
        group="demand",
        ge=0,
        le=100,
        desc="Requests per growth-stage enterprise per day (start-ups ×2, mature ×0.6).",
    )
    matter_types: int = P(
        120,
        unit="count",
        group="demand",
        ge=1,
        le=100_000,
        desc="Matter types in a generated catalogue (Linping's first batch: 425, F3).",
    )
    matter_catalogue: str = P(
        "", unit="path", group="demand", desc="CSV matter catalogue to load instead of generating one ('' = generate)."
    )
    catalogue_zipf: float = P(
        1.1,
        unit="exponent",
        group="demand",
        ge=0,
        le=5,
        desc="Zipf exponent of matter frequency weights (few frequent, many rare).",
    )
    difficulty_hours: tuple[float, float, float, float] = P(
        (0.4, 1.5, 3.0, 6.0),
        unit="hours",
        group="demand",
        desc="Mean base work-hours per department step for simple, general, difficult, complex matters.",
    )
    matter_hours_spread: float = P(
        0.3,
        unit="log-sd",
        group="demand",
        ge=0,
        le=3,
        desc="Spread of base work-hours between matter types of one difficulty.",
    )
    service_time_distribution: Literal["lognormal", "exponential", "deterministic"] = P(
        "lognormal",
        unit="-",
        group="demand",
        desc="Distribution of one step's work-hours around the matter's base hours.",
    )
    service_time_cv: float = P(
        0.5, unit="-", group="demand", ge=0, le=5, desc="Coefficient of variation of work-hours (lognormal only)."
    )

    # --- delegation --------------------------------------------------------
    delegated_share: float = P(
        0.0,
        unit="share of matter types",
        group="delegation",
        ge=0,
        le=1,
        desc="Share of matter types whose power moves to townships (Dayi: 200+ powers, G3).",
    )
    delegation_order: Literal["frequent_first", "simple_first", "by_department", "random"] = P(
        "frequent_first",
        unit="-",
        group="delegation",
        desc="Which matter types are delegated first: most frequent, simplest, whole departments, or at random.",
    )
    staff_transfer: float = P(
        0.0,
        unit="share",
        group="delegation",
        ge=0,
        le=1,
        desc="Share of departments' hours for delegated matters that moves down with them (编制下沉).",
    )
    initial_competence: float = P(
        0.5, unit="0–1", group="delegation", gt=0, le=1, desc="Township competence on a newly delegated matter type."
    )
    learning_cases: float = P(
        50.0,
        unit="cases",
        group="delegation",
        gt=0,
        le=1e7,
        desc="Cases of a type after which the competence gap shrinks by a factor e.",
    )
    rework_rate: float = P(
        0.5,
        unit="probability",
        group="delegation",
        ge=0,
        le=1,
        desc="Rework probability per step at zero competence (scaled by 1 − competence).",
    )
    oversight_hours: float = P(
        0.2,
        unit="hours/case",
        group="delegation",
        ge=0,
        le=100,
        desc="Department work per delegated case that stays with the owner department (supervision, filing).",
    )
    refer_up_rate: float = P(
        0.3,
        unit="probability",
        group="delegation",
        ge=0,
        le=1,
        desc=(
            "Probability at zero competence that a township refers a delegated "
            "case up to the department (× (1 − competence))."
        ),
    )

    # --- one-stop centre and online ---------------------------------------
    one_stop_centre: bool = P(
        False,
        unit="switch",
        group="centre",
        desc="One-stop centre: one window takes the file, one trip at most offline (F4, F6).",
    )
    joint_handling: bool = P(
        False,
        unit="switch",
        group="centre",
        desc="Multi-department cases are handled in parallel (joint) instead of serially.",
    )
    online_share: float = P(
        0.2, unit="share", group="centre", ge=0, le=1, desc="Share of requests filed online (一网通办): zero trips."
    )
    travel_hours: float = P(
        1.0,
        unit="hours",
        group="centre",
        ge=0,
        le=80,
        desc="Working hours an offline requester loses between two departments at the seat (serial handling).",
    )
    township_hall_share: float = P(
        0.5,
        unit="share",
        group="centre",
        ge=0,
        le=1,
        desc=(
            "Share of offline requests for county-held matters filed at the township "
            "service hall (referral hop) rather than at the seat (trip)."
        ),
    )
    forward_hours: float = P(
        0.25,
        unit="hours/case",
        group="centre",
        ge=0,
        le=80,
        desc=(
            "A clerk's work to forward one file on paper (register, copy, pack), in the queue of the "
            "township that forwards it; also the wrong department's work to send a misrouted file on."
        ),
        kind="assumption",
        plausible=(0.1, 0.5),
        basis="expert judgement: registering, copying and packing one file takes a clerk 6–30 minutes",
    )
    courier_interval_days: float = P(
        1.0,
        unit="working days",
        group="centre",
        ge=0,
        le=20,
        desc=(
            "Interval between courier runs that carry paper files to the county seat (runs at multiples "
            "of it, the first at the end of day 1; 0 = files arrive the moment they are sent)."
        ),
        kind="assumption",
        plausible=(0.5, 2.0),
        dist="loguniform",
        basis="expert judgement: county document exchange (文件交换) runs from twice a day to every other day",
    )
    misrouting_rate: float = P(
        0.1,
        unit="probability",
        group="centre",
        ge=0,
        le=1,
        desc=(
            "Probability a forwarded file first reaches the wrong department, which sends it on "
            "(its hours; on paper one more courier run)."
        ),
        kind="assumption",
        plausible=(0.02, 0.2),
        dist="loguniform",
        basis="expert judgement: a hall clerk meets hundreds of matter types owned by some twenty departments",
    )
    online_dispatch: bool = P(
        False,
        unit="switch",
        group="centre",
        desc=(
            "Online dispatch on the county platform (一网通办, F12): its dispatchers send hall and "
            "township referrals electronically, with no courier run."
        ),
        kind="lever",
    )
    dispatch_staff: float = P(
        1.0,
        unit="persons",
        group="centre",
        gt=0,
        le=100_000,
        desc="Dispatcher posts of the county platform (with online dispatch; charged in the staff budget).",
        kind="lever",
    )
    dispatch_hours: float = P(
        0.1,
        unit="hours/case",
        group="centre",
        ge=0,
        le=80,
        desc="A platform dispatcher's work to read, classify and dispatch one referred file online.",
        kind="assumption",
        plausible=(0.05, 0.25),
        basis="expert judgement: reading and routing one electronic file takes a dispatcher 3–15 minutes",
    )
    commissioners: int = P(
        0,
        unit="persons",
        group="centre",
        ge=0,
        le=1_000_000,
        desc=(
            "Enterprise service commissioners (企业服务专员, F10: 96); each errand (filing an "
            "enterprise's request for it) takes their hours."
        ),
        kind="lever",
        cite="F10",
    )
    commissioner_enterprises: int = P(
        30,
        unit="enterprises/person",
        group="centre",
        ge=1,
        le=1_000_000,
        desc="Enterprises one commissioner accompanies (their requests need no trip).",
    )
    errand_hours: float = P(
        0.5,
        unit="hours/case",
        group="centre",
        ge=0,
        le=80,
        desc="A commissioner's work to file one enterprise request (collect the documents, file, follow up).",
        kind="assumption",
        plausible=(0.25, 2.0),
        basis="expert judgement: an errand means a call or visit, the documents and the filing",
    )

    # --- 135 rule and tiered coordination -------------------------------
    escalation_135: bool = P(
        False,
        unit="switch",
        group="rule135",
        desc="135 rule: earliest-deadline-first queues, levels by difficulty (F9) and escalation (F11).",
    )
    tier_deadlines: tuple[float, float, float] = P(
        (1.0, 3.0, 5.0),
        unit="working days",
        group="rule135",
        desc="Deadlines of tier 1 (one department), 3 (several) and 5 (district coordination) (F11).",
    )
    level_time_share: float = P(
        0.25,
        unit="share of deadline",
        group="rule135",
        gt=0,
        le=1,
        desc="Time a case may spend at one level before it moves up.",
    )
    chief_representatives: int = P(
        10,
        unit="persons",
        group="rule135",
        ge=0,
        le=100_000,
        desc=(
            "Level-1 coordinators: departments' deputy heads, ad hoc; under the 135 "
            "rule the stationed chief representatives (首席代表, F7: 13)."
        ),
    )
    chief_rep_hours: float = P(
        2.0,
        unit="hours/day",
        group="rule135",
        ge=0,
        le=8,
        desc="Hours a day each level-1 coordinator spends on coordination (8 = stationed full time, F7).",
    )
    leading_group_staff: float = P(
        2.0,
        unit="persons",
        group="rule135",
        ge=0,
        le=100_000,
        desc=(
            "Staff of the leading-group office (领导小组办公室, level 2; F8); ad "
            "hoc: the county leaders' coordinating staff."
        ),
    )
    coordination_hours: tuple[float, float] = P(
        (0.5, 2.0),
        unit="hours",
        group="rule135",
        desc="Coordination work per case at level 1 (chief representative) and level 2 (leading-group office).",
    )
    joint_conference_interval: int = P(
        5, unit="days", group="rule135", ge=1, le=250, desc="Days between joint conferences (联席会议, level 3)."
    )
    joint_conference_slots: int = P(
        10,
        unit="cases/meeting",
        group="rule135",
        ge=0,
        le=1_000_000,
        desc=(
            "Cases on one joint conference's agenda (its length); each costs its attendees "
            "conference_case_hours (the meeting's hours are charged to posts)."
        ),
        kind="lever",
    )
    attendance_share: float = P(
        0.5,
        unit="share",
        group="rule135",
        ge=0,
        le=1,
        desc=(
            "Hours each department a desk coordinates spends, as a share of the coordinator's "
            "coordination_hours (a call, a short meeting, a written opinion)."
        ),
        kind="assumption",
        plausible=(0.25, 1.0),
        basis="expert judgement: an attending department gives from a quarter of the coordinator's time to all of it",
    )
    conference_case_hours: float = P(
        0.25,
        unit="hours/case",
        group="rule135",
        ge=0,
        le=80,
        desc=(
            "Meeting time per case at the joint conference, spent by the deputy head of every department "
            "the case needs and by the leading-group office that convenes it."
        ),
        kind="assumption",
        plausible=(0.1, 0.5),
        basis="expert judgement: a half-day joint meeting takes some 8 to 40 items",
    )
    desk_decisions: bool = P(
        False,
        unit="switch",
        group="rule135",
        desc=(
            "Chief representatives stationed in the one-stop centre decide simple one-department "
            "enterprise matters filed there on the spot, at their desk, with their hours (F7, F9 即知即办)."
        ),
        kind="lever",
    )
    whistle: bool = P(
        False,
        unit="switch",
        group="rule135",
        desc="吹哨报到 (P3): a township's call brings the department's step to the head of its queue.",
    )
    whistle_answer_hours: float = P(
        0.5,
        unit="hours",
        group="rule135",
        ge=0,
        le=80,
        desc="Time within which a department answers a township's whistle (P3: 30 minutes).",
    )
    whistle_site_hours: float = P(
        1.0,
        unit="hours",
        group="rule135",
        ge=0,
        le=80,
        desc="Extra department hours per whistle (going on site, reporting).",
    )

    # --- assessment --------------------------------------------------------
    two_way_weight: float = P(
        0.0,
        unit="weight",
        group="assessment",
        ge=0,
        le=1,
        desc="Weight ω of townships' score in departments' utility (0 = one-way assessment, G5).",
    )
    inspection_hours_per_week: float = P(
        20.0,
        unit="hours/week/township",
        group="assessment",
        ge=0,
        le=10_000,
        desc="Township hours consumed by inspections and assessments (督查检查考核).",
    )
    assessment_period: int = P(60, unit="days", group="assessment", ge=1, le=1000, desc="Days between assessments.")
    township_service_weight: float = P(
        0.3,
        unit="weight",
        group="assessment",
        ge=0,
        le=1,
        desc="Weight of residents' service in the county's score of a township (the rest: upward duties, inspections).",
    )
    overtime_cap: float = P(
        0.2,
        unit="share",
        group="assessment",
        ge=0,
        le=1,
        desc="Most overtime effort can add to a department's working hours (labour-law cap, assumption).",
    )
    learning_rate: float = P(
        0.5,
        unit="0–1",
        group="assessment",
        ge=0,
        le=1,
        desc="How far departments move towards their best response at each assessment.",
    )
    effort_gain: float = P(
        0.3,
        unit="share",
        group="assessment",
        ge=0,
        le=5,
        desc="Extra department effort (work speed) at ω = 1 for a department scored 0.",
    )
    score_sensitivity: float = P(
        6.0,
        unit="logit/score",
        group="assessment",
        ge=0,
        le=100,
        desc="Cost of dumping (logit) per unit of learned township-score drop per dump share, before weighting by ω.",
    )

    # --- dumping and responsibility lists ----------------------------------
    duty_tasks_per_department: float = P(
        0.5,
        unit="tasks/department/day",
        group="dumping",
        ge=0,
        le=1000,
        desc="Departments' own duty tasks (inspections, campaigns, reports).",
    )
    duty_task_hours: float = P(3.0, unit="hours", group="dumping", ge=0, le=1000, desc="Work-hours of one duty task.")
    dumping_base: float = P(
        0.3,
        unit="probability",
        group="dumping",
        gt=0,
        lt=1,
        desc="Probability a department pushes a duty task down at load 1 with no accountability.",
    )
    dumping_pressure_slope: float = P(
        2.0,
        unit="logit/load",
        group="dumping",
        ge=0,
        le=100,
        desc="Rise of the dumping log-odds per unit of department load (blame saved).",
    )
    responsibility_list: bool = P(
        False,
        unit="switch",
        group="dumping",
        desc="Responsibility lists (责任清单, Jiangbei '11117') let townships bounce off-list tasks.",
    )
    list_enforcement: float = P(
        0.8,
        unit="probability",
        group="dumping",
        ge=0,
        le=1,
        desc="Probability an off-list dumped task is bounced back.",
    )
    territorial_share: float = P(
        0.3,
        unit="share",
        group="dumping",
        ge=0,
        le=1,
        desc="Share of duty tasks that are legitimately the township's (on the list).",
    )
    bounce_cost: float = P(
        2.0, unit="logit", group="dumping", ge=0, le=100, desc="Cost a department expects from one bounced task."
    )

    # --- grid and co-governance ------------------------------------------
    dispute_rate: float = P(
        0.00005,
        unit="disputes/resident/day",
        group="grid",
        ge=0,
        le=1,
        desc="Citizen disputes arising per resident per day.",
    )
    grid_coverage: float = P(
        0.0,
        unit="share",
        group="grid",
        ge=0,
        le=1,
        desc="Probability a grid worker detects a dispute early (网格化管理, '5+N', G9).",
    )
    app_reporting: float = P(
        0.0,
        unit="share",
        group="grid",
        ge=0,
        le=1,
        desc="Probability a dispute is reported early by app (江城小蜜蜂, G8).",
    )
    points_incentive: float = P(
        0.0,
        unit="share",
        group="grid",
        ge=0,
        le=1,
        desc="Relative boost of app reporting by a points bank (积分银行, G9).",
    )
    local_mediation: float = P(
        0.5,
        unit="probability",
        group="grid",
        ge=0,
        le=1,
        desc="Probability an early-detected dispute is settled by local mediation (枫桥经验, G7).",
    )
    dispute_surface_days: float = P(
        10.0,
        unit="days",
        group="grid",
        gt=0,
        le=1000,
        desc="Mean delay before an undetected dispute surfaces as a harder case.",
    )
    grid_worker_residents: float = P(
        10_000.0,
        unit="residents/worker",
        group="grid",
        gt=0,
        le=1e9,
        desc="Residents one paid grid worker covers at full coverage (posts = grid_coverage × residents / this).",
    )
    citizen_patience_days: float = P(
        30.0,
        unit="days",
        group="grid",
        gt=0,
        le=10_000,
        desc="Mean citizen patience; a dispute open longer becomes a petition (上访).",
    )

    # --- satisfaction and enterprise life cycle ----------------------------
    satisfaction_learning: float = P(
        0.3,
        unit="0–1",
        group="feedback",
        ge=0,
        le=1,
        desc="Weight of the latest closed case in a requester's satisfaction.",
    )
    enterprise_exit_base: float = P(
        0.0002, unit="1/day", group="feedback", ge=0, le=1, desc="Daily exit probability of a satisfied enterprise."
    )
    enterprise_exit_sensitivity: float = P(
        0.004,
        unit="1/day",
        group="feedback",
        ge=0,
        le=1,
        desc="Extra daily exit probability per unit of satisfaction below 0.8.",
    )
    enterprise_entry_rate: float = P(
        0.0003,
        unit="1/day",
        group="feedback",
        ge=0,
        le=1,
        desc="New enterprises per existing enterprise per day at mean satisfaction 0.7.",
    )
    startup_days: float = P(
        250.0, unit="days", group="feedback", gt=0, le=100_000, desc="Mean days an enterprise stays a start-up."
    )
    growth_days: float = P(
        750.0,
        unit="days",
        group="feedback",
        gt=0,
        le=100_000,
        desc="Mean days an enterprise stays in growth before maturity.",
    )

    # --- incentives and outcomes (issue 11) ---
    score_dumping_weight: float = P(
        0.5,
        unit="score/dump ratio",
        group="incentives",
        ge=0,
        le=1,
        desc=(
            "Weight of dumped tasks (per fair share) in a township's score of a department (0 = score ignores dumping)."
        ),
    )
    score_bounce_weight: float = P(
        0.1,
        unit="score/share",
        group="incentives",
        ge=0,
        le=1,
        desc="Weight of the department's bounced share in a township's score of it.",
    )
    score_service_weight: float = P(
        0.4,
        unit="score/share",
        group="incentives",
        ge=0,
        le=1,
        desc="Weight of the department's late or unresolved cases from the township's residents in its score.",
    )
    score_noise_sd: float = P(
        0.1,
        unit="score",
        group="incentives",
        ge=0,
        le=10,
        desc="Standard deviation of the noise in each township's score of a department (judgement, recall).",
    )
    estimator_forgetting: float = P(
        0.9,
        unit="per period",
        group="incentives",
        gt=0,
        le=1,
        desc="Forgetting factor λ of the departments' recursive least squares (1 = remember all periods).",
    )
    estimator_prior_sd: float = P(
        0.5,
        unit="score/share",
        group="incentives",
        gt=0,
        le=100,
        desc=(
            "Prior standard deviation of a department's estimate of the score effect of its dump share (prior mean 0)."
        ),
    )
    dumping_exploration_sd: float = P(
        0.5,
        unit="logit",
        group="incentives",
        ge=0,
        le=10,
        desc="Sd of a department's per-period experiment with its dumping log-odds (two-way assessment only).",
    )
    reform_half_life_days: float = P(
        float("inf"),
        unit="days",
        group="incentives",
        gt=0,
        desc=(
            "Half-life of reform attention: the two-way weight and the inspection "
            "cut fade towards the old regime (assumption, P2)."
        ),
    )
    reform_renewal_days: float = P(
        float("inf"),
        unit="days",
        group="incentives",
        gt=0,
        desc="Interval at which a campaign renews reform attention to full (∞ = never).",
    )
    resolution_base: float = P(
        0.9,
        unit="probability",
        group="incentives",
        ge=0,
        le=1,
        desc="Probability a fully worked case closed by a fully competent handler is really resolved.",
    )
    resolution_time_elasticity: float = P(
        1.0,
        unit="-",
        group="incentives",
        ge=0,
        le=10,
        desc="Exponent on the share of a case's work done before closure in its resolution probability.",
    )
    repeat_share: float = P(
        0.7,
        unit="share",
        group="incentives",
        ge=0,
        le=1,
        desc="Share of requesters whose unresolved case was closed who come back (a repeat contact).",
    )
    repeat_delay_days: float = P(
        5.0,
        unit="working days",
        group="incentives",
        gt=0,
        le=1000,
        desc="Mean delay before an unresolved requester comes back.",
    )
    ontime_weight: float = P(
        0.0,
        unit="score/case",
        group="incentives",
        ge=0,
        le=10,
        desc="Weight of one on-time closure in a handler's assessment (0 = on-time not counted: no gaming).",
    )
    ranking_pressure: float = P(
        0.0,
        unit="-",
        group="incentives",
        ge=0,
        le=10,
        desc=(
            "Tournament lever κ: extra weight of an on-time closure for a handler ranked last (× rank from the bottom)."
        ),
    )
    gaming_window: float = P(
        0.25,
        unit="share of deadline",
        group="incentives",
        gt=0,
        le=1,
        desc="How long before its deadline a handler decides whether to close an at-risk case without solving it.",
    )
    gaming_aversion: float = P(
        1.0,
        unit="score/case",
        group="incentives",
        gt=0,
        le=100,
        desc="Mean of the exponential intrinsic cost of closing a case without solving it.",
    )
    callback_share: float = P(
        0.0,
        unit="share",
        group="incentives",
        ge=0,
        le=1,
        desc="Share of closed cases the county calls back (回访) to check that they were solved.",
    )
    callback_penalty: float = P(
        0.0,
        unit="score/case",
        group="incentives",
        ge=0,
        le=100,
        desc="Assessment penalty when a call-back catches a closure without solving.",
    )
    detection_prior: float = P(
        0.2,
        unit="probability",
        group="incentives",
        ge=0,
        le=1,
        desc="Handlers' prior mean of the chance a gamed closure is caught (strength: 2 closures).",
    )
    report_learning: float = P(
        0.2,
        unit="0–1",
        group="incentives",
        ge=0,
        le=1,
        desc="Bush–Mosteller rate at which a resident's app-reporting propensity follows report outcomes.",
    )
    petition_propensity: float = P(
        0.5,
        unit="probability",
        group="incentives",
        ge=0,
        le=1,
        desc="Probability a resident whose dispute drags past patience petitions, at satisfaction 0.7.",
    )
    petition_distrust_slope: float = P(
        4.0,
        unit="logit/satisfaction",
        group="incentives",
        ge=0,
        le=100,
        desc="Rise of the petition log-odds per unit of satisfaction below 0.7.",
    )
    channel_experience_slope: float = P(
        4.0,
        unit="logit/satisfaction",
        group="incentives",
        ge=0,
        le=100,
        desc="Rise of the online log-odds per unit of satisfaction online over offline (past experience).",
    )
    channel_travel_slope: float = P(
        0.5,
        unit="logit/hour",
        group="incentives",
        ge=0,
        le=100,
        desc="Preference for the township hall over a trip to the seat per hour of travel it saves.",
    )

    @field_validator("reform_half_life_days", "reform_renewal_days", mode="before")
    @classmethod
    def _none_is_never(cls, v):
        """``None`` (how JSON writes ∞) means never: infinite."""
        return float("inf") if v is None else v

    @model_validator(mode="after")
    def _consistent(self) -> Params:
        if any(not (0 < d <= 250) for d in self.tier_deadlines):
            raise ValueError("tier_deadlines: each deadline must be in (0, 250] working days")
        if list(self.tier_deadlines) != sorted(self.tier_deadlines):
            raise ValueError("tier_deadlines: must be non-decreasing (tier 1 ≤ tier 3 ≤ tier 5)")
        if any(not (0 < h <= 1000) for h in self.difficulty_hours):
            raise ValueError("difficulty_hours: each must be in (0, 1000] hours")
        if any(not (0 <= h <= 1000) for h in self.coordination_hours):
            raise ValueError("coordination_hours: each must be in [0, 1000] hours")
        return self

    # --- helpers -----------------------------------------------------------
    @classmethod
    def build(cls, **values: Any) -> Params:
        """Validate ``values``; raise :class:`ParamsError` with a one-line message on failure."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise params_error(exc) from None

    def replace(self, **changes: Any) -> Params:
        """A validated copy with ``changes`` applied."""
        return Params.build(**{**self.model_dump(), **changes})

    @property
    def citizen_agents(self) -> int:
        """Number of Citizen agents (residents / residents_per_agent, rounded up)."""
        return -(-self.residents // self.residents_per_agent)

    @model_validator(mode="after")
    def _fits_in_memory(self) -> Params:
        """Refuse a county whose agents cannot fit in this machine's memory (estimate in the message)."""
        need, have = estimated_memory_bytes(self), memory_limit_bytes()
        if have is not None and need > have:
            agents = self.citizen_agents + self.enterprises
            raise ValueError(
                f"residents: {self.residents:,} residents at {self.residents_per_agent:,} per agent and "
                f"{self.enterprises:,} enterprises give {agents:,} agents, ≈ {need / 1024**3:,.1f} GiB of memory; "
                f"this machine has {have / 1024**3:,.1f} GiB; raise residents_per_agent or lower residents"
            )
        return self


# --- memory estimate (used by Params._fits_in_memory) --------------------------------------------
BASE_MEMORY_BYTES = 160 * 1024**2
"""Interpreter, libraries and a small county (benchmarks: default year 164 MiB peak)."""
BYTES_PER_AGENT = 520
"""Peak memory per agent over a year's run, cases included (benchmarks: Linping at one agent per
resident, 1,175,800 agents, 742 MiB peak vs 164 MiB for the default county)."""


def estimated_memory_bytes(params: Params) -> int:
    """Estimated peak memory of one run of ``params`` in bytes (agents × BYTES_PER_AGENT + base)."""
    agents = params.citizen_agents + params.enterprises + params.townships + params.departments
    return BASE_MEMORY_BYTES + BYTES_PER_AGENT * agents


def memory_limit_bytes() -> int | None:
    """Physical memory of this machine in bytes (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def allowed_range(name: str) -> str:
    """Human-readable allowed values of field ``name`` (e.g. '[0, 1]', 'one of a, b')."""
    info = Params.model_fields[name]
    ann = info.annotation
    if getattr(ann, "__origin__", None) is Literal:
        return "one of " + ", ".join(map(str, get_args(ann)))
    if ann is bool:
        return "true or false"
    if ann is str:
        return "a text value"
    if getattr(ann, "__origin__", None) is dict:
        return "a table of lever values (the scenario loader fills it)"
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None:
            hi = m.le
        if getattr(m, "lt", None) is not None:
            hi, hi_open = m.lt, True
    kind = "an integer" if ann is int else "a number"
    if str(ann).startswith("tuple"):
        kind = f"a list of {len(get_args(ann))} numbers"
        return kind
    if lo is None and hi is None:
        return kind
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return f"{kind} in {left}{_fmt(lo)}, {_fmt(hi)}{right}"


def _fmt(x) -> str:
    if x is None:
        return "∞"
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:,}" if isinstance(x, int) and abs(x) >= 10_000 else str(x)


def params_error(exc: ValidationError) -> ParamsError:
    """Turn pydantic's error into one line: field, what was given, what is allowed."""
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ())]
    field = loc[0] if loc else ""
    if err["type"] == "extra_forbidden":
        return ParamsError(field, "unknown parameter")
    if not field:  # model-level validator: message starts with the field name
        msg = err["msg"].removeprefix("Value error, ")
        name, _, rest = msg.partition(": ")
        return ParamsError(name, rest or msg)
    got = err.get("input")
    return ParamsError(field, f"got {got!r}; allowed: {allowed_range(field)}")


def field_table_markdown() -> str:
    """The parameter table of docs/ODD.md, generated from the fields above."""
    lines = []
    for key, title in GROUPS.items():
        lines.append(f"\n**{title}**\n")
        lines.append("| parameter | default | unit | allowed | description |")
        lines.append("|---|---|---|---|---|")
        for name, info in Params.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("group") != key:
                continue
            default = info.default
            if isinstance(default, tuple):
                default = "[" + ", ".join(_fmt(v) for v in default) + "]"
            elif isinstance(default, str):
                default = f"'{default}'"
            else:
                default = _fmt(default)
            lines.append(
                f"| `{name}` | {default} | {extra.get('unit', '')} | {allowed_range(name)} | {info.description} |"
            )
    return "\n".join(lines).strip() + "\n"


if __name__ == "__main__":  # python -m townsim.model.params --markdown
    if "--markdown" in sys.argv:
        print(field_table_markdown(), end="")
    else:
        print(Params().model_dump_json(indent=2))
