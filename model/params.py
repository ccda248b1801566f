"""The one validated, immutable parameter model of townsim (every lever of DESIGN §4).

Each field carries a unit, a default, an allowed range and a one-line
description; ``docs/ODD.md``'s parameter table is generated from here
(``python -m townsim.model.params --markdown``), never typed twice.
Invalid values raise :class:`ParamsError`, whose one-line message names the
field and the allowed range.
"""

from __future__ import annotations

import math
import os
import re
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


SATISFACTION_BASIS = (
    "ordinal only: a real failure weighs more than waiting, waiting more than a trip (F6); "
    "no survey of these weights (expert judgement)"
)
"""The basis of the satisfaction weights (``satisfaction``)."""

KINDS = ("lever", "fact", "assumption", "setting")
"""What a parameter is (DESIGN §8): a reform choice, a size or figure cited F#/G#/P#, a number with
no published figure (then with a plausible range, a distribution and a basis), or how the run is made."""


def P(
    default: Any,
    *,
    unit: str,
    group: str,
    desc: str,
    kind: str,
    ge=None,
    le=None,
    gt=None,
    lt=None,
    cite: str | None = None,
    plausible: tuple[float, float] | None = None,
    dist: str = "uniform",
    basis: str | None = None,
    same_results: bool = False,
):
    """A documented field: default, unit, group, one-line description, bounds, and its kind
    (``KINDS``, required): a ``fact`` cites its F#/G#/P# code (``cite``); an ``assumption`` carries
    its ``plausible`` (low, high) range, ``dist`` (``uniform`` or ``loguniform``) and ``basis`` (one
    line: why that range — a physical bound, a survey, expert judgement). A switch or a choice among
    named options gives no ``plausible`` (its range is its allowed values); a list-valued assumption
    gives the range of one factor that scales its whole default list. The range lies within the
    allowed bounds; a default outside it must be explained in the basis (the word "default").
    ``same_results``: a setting that chooses how a run is computed, never what it computes (proven by a
    test), so it is left out of run keys, settings hashes and fingerprints (:func:`keyed_fields`).
    A declaration that breaks these rules raises :class:`KindError` when the class is defined."""
    extra: dict[str, Any] = {"unit": unit, "group": group, "kind": kind}
    if same_results:
        if kind != "setting":
            raise KindError(f"parameter {desc!r}: only a setting can leave the results the same")
        extra["same_results"] = True
    if cite is not None:
        extra["cite"] = cite
    if plausible is not None:
        extra["plausible"] = [float(plausible[0]), float(plausible[1])]
        extra["dist"] = dist
    if basis is not None:
        extra["basis"] = basis
    problem = kind_problem(default, extra, ge=ge, le=le, gt=gt, lt=lt)
    if problem:
        raise KindError(f"parameter {desc!r}: {problem}")
    return Field(default, description=desc, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra)


class KindError(ValueError):
    """A parameter's kind declaration is incomplete or inconsistent (one line)."""


CITE_RE = re.compile(r"^[FGP]\d{1,2}(, [FGP]\d{1,2})*$")
"""A fact's citation: one or more F#/G#/P# codes, comma-separated (``"F13"``, ``"F7, F9"``)."""
DISTS = ("uniform", "loguniform")


def kind_problem(default: Any, extra: dict[str, Any], ge=None, le=None, gt=None, lt=None) -> str | None:
    """What is wrong with one field's kind metadata ``extra`` (None when nothing): the rules of :func:`P`."""
    kind = extra.get("kind")
    if kind not in KINDS:
        return f"kind {kind!r}; allowed: {', '.join(KINDS)}"
    numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
    listed = isinstance(default, tuple)
    if kind == "fact" and not CITE_RE.match(str(extra.get("cite", ""))):
        return f"a fact cites its F#/G#/P# code (cite='F13'), got {extra.get('cite')!r}"
    if kind != "fact" and "cite" in extra:
        return "only a fact takes cite= (name the code in the description otherwise)"
    if kind != "assumption":
        if "plausible" in extra or "basis" in extra:
            return "only an assumption takes plausible= and basis="
        return None
    basis = str(extra.get("basis") or "").strip()
    if len(basis) < 20 or "\n" in basis:
        return "an assumption needs basis= (one line: why that range — physical bound, survey, expert judgement)"
    rng = extra.get("plausible")
    if not (numeric or listed):
        return "plausible= applies only to numbers" if rng is not None else None
    if rng is None:
        return "an assumption needs plausible=(low, high)"
    lo, hi = rng
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        return f"plausible range ({lo}, {hi}) must be finite with low < high"
    if extra.get("dist") not in DISTS:
        return f"dist {extra.get('dist')!r}; allowed: {', '.join(DISTS)}"
    if extra["dist"] == "loguniform" and lo <= 0:
        return "a loguniform range needs low > 0"
    if listed:  # a factor on the default list
        if not lo <= 1.0 <= hi:
            return f"the factor range ({lo}, {hi}) of a list must contain 1 (the default list)"
        return None
    if (
        (ge is not None and lo < ge)
        or (gt is not None and lo <= gt)
        or (le is not None and hi > le)
        or (lt is not None and hi >= lt)
    ):
        return f"plausible range ({lo}, {hi}) lies outside the allowed bounds"
    if not lo <= float(default) <= hi and "default" not in basis:
        return f"default {default} lies outside the plausible range ({lo}, {hi}); say why in the basis"
    return None


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
        kind="fact",
        cite="F13",
        ge=1,
        le=1000,
        desc="Township-level units (乡镇/街道) in the county (Linping: 8, F13).",
    )
    departments: int = P(
        20,
        unit="count",
        group="county",
        kind="fact",
        cite="F2",
        ge=1,
        le=1000,
        desc="County (district) departments that own matters (Linping centre: 23, F2).",
    )
    enterprises: int = P(
        1500,
        unit="count",
        group="county",
        kind="assumption",
        plausible=(500, 5000),
        basis=(
            "no published count for the generic county; 5–50 service-using firms per 1,000 residents of a 100,000 "
            "county (expert judgement)"
        ),
        dist="loguniform",
        ge=0,
        le=5_000_000,
        desc="Enterprises at the start, one agent each.",
    )
    residents: int = P(
        100_000,
        unit="persons",
        group="county",
        kind="fact",
        cite="F13",
        ge=0,
        le=100_000_000,
        desc="Resident population (Linping: 1,175,800, F13).",
    )
    residents_per_agent: int = P(
        100,
        unit="persons/agent",
        group="county",
        kind="setting",
        ge=1,
        le=100_000_000,
        desc="Residents one Citizen agent stands for (1 = one agent per resident).",
    )
    township_size_spread: float = P(
        0.3,
        unit="log-sd",
        group="county",
        kind="assumption",
        plausible=(0.1, 0.8),
        basis=(
            "no township populations in the seed; 0.1 ≈ near-equal units, 0.8 ≈ a largest unit ten times the smallest "
            "among ten (expert judgement)"
        ),
        ge=0,
        le=3,
        desc="Spread of township populations (sd of log share; 0 = equal sizes).",
    )
    department_staff: float = P(
        50.0,
        unit="persons",
        group="county",
        kind="lever",
        ge=0.1,
        le=10_000_000,
        desc="Service staff of all departments, in posts following expected work with a one-person floor each.",
    )
    township_staff: float = P(
        40.0,
        unit="persons",
        group="county",
        kind="lever",
        ge=0.1,
        le=10_000_000,
        desc="Service staff of all townships (the posts the county funds, G3), split by population.",
    )
    catalogue_seed: int = P(
        20260101,
        unit="seed",
        group="county",
        kind="setting",
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
        kind="fact",
        cite="F13",
        ge=0,
        le=1_000_000,
        desc="County area; townships lie uniformly in a disc of this area around the seat (Linping: 1,228 km², F13).",
    )
    travel_speed_kmh: float = P(
        20.0,
        unit="km/h",
        group="county",
        kind="assumption",
        plausible=(10.0, 40.0),
        basis=(
            "door-to-door by bus, motorbike or car on county roads with waiting and parking: 10–40 km/h (physical "
            "bound, expert judgement)"
        ),
        gt=0,
        le=200,
        desc="Door-to-door speed of a requester's trip to the county seat (assumption).",
    )
    township_table: str = P(
        "",
        unit="path",
        group="county",
        kind="setting",
        desc=(
            "CSV of townships (name, residents, travel_hours, staff) replacing the "
            "drawn sizes, distances and staff split ('' = draw)."
        ),
    )
    warmup_days: int = P(
        0,
        unit="days",
        group="county",
        kind="setting",
        ge=0,
        le=10_000,
        desc="Days simulated under the pre-reform levers before the counted run (not in any KPI).",
    )
    pre_reform: dict[str, Any] = P(
        {},
        unit="-",
        group="county",
        kind="setting",
        desc="Lever values used during warm-up (set by the scenario loader from the root of the extends chain).",
    )
    # --- the event engine (model/kernel) ---
    engine: Literal["python", "compiled"] = P(
        "python",
        unit="-",
        group="county",
        kind="setting",
        same_results=True,  # the engines are bit-identical where the compiled one runs (tests/test_kernel_*)
        desc=(
            "Event engine: the Python reference, or the compiled kernel where it covers every mechanism "
            "the scenario uses (else the Python engine runs, with the reason)."
        ),
    )
    overload_threshold: float = P(
        1.5,
        unit="days",
        group="county",
        kind="setting",
        gt=0,
        le=100,
        desc="A township is overloaded when its open work exceeds this many days of its capacity.",
    )

    # --- demand and work -------------------------------------------------
    citizen_request_rate: float = P(
        0.0008,
        unit="requests/resident/day",
        group="demand",
        kind="assumption",
        plausible=(0.0003, 0.002),
        basis=(
            "0.08–0.5 service requests per resident per working year (expert judgement; no published per-resident rate"
            " for county services)"
        ),
        dist="loguniform",
        ge=0,
        le=1,
        desc="Service requests per resident per working day.",
    )
    enterprise_request_rate: float = P(
        0.02,
        unit="requests/enterprise/day",
        group="demand",
        kind="assumption",
        plausible=(0.005, 0.06),
        basis="1–15 requests to government per growing firm per working year (expert judgement)",
        dist="loguniform",
        ge=0,
        le=100,
        desc="Requests per growth-stage enterprise per day (start-ups ×2, mature ×0.6).",
    )
    matter_types: int = P(
        120,
        unit="count",
        group="demand",
        kind="fact",
        cite="F3, P5",
        ge=1,
        le=100_000,
        desc="Matter types in a generated catalogue (Linping's first batch: 425, F3).",
    )
    matter_catalogue: str = P(
        "",
        unit="path",
        group="demand",
        kind="setting",
        desc="CSV matter catalogue to load instead of generating one ('' = generate).",
    )
    catalogue_zipf: float = P(
        1.1,
        unit="exponent",
        group="demand",
        kind="assumption",
        plausible=(0.7, 1.5),
        basis="rank–frequency laws of service demand have exponents near 1 (expert judgement)",
        ge=0,
        le=5,
        desc="Zipf exponent of matter frequency weights (few frequent, many rare).",
    )
    difficulty_hours: tuple[float, float, float, float] = P(
        (0.4, 1.5, 3.0, 6.0),
        unit="hours",
        group="demand",
        kind="assumption",
        plausible=(0.5, 2.0),
        basis=(
            "factor on all four base work-hours: half to double (expert judgement; F5's 1 h and 8 h close-out times "
            "bound the simple and complex ends)"
        ),
        dist="loguniform",
        desc="Mean base work-hours per department step for simple, general, difficult, complex matters.",
    )
    matter_hours_spread: float = P(
        0.3,
        unit="log-sd",
        group="demand",
        kind="assumption",
        plausible=(0.1, 0.8),
        basis="matter types of one difficulty differ by about 1.1× to 2.2× in work (log-sd; expert judgement)",
        ge=0,
        le=3,
        desc="Spread of base work-hours between matter types of one difficulty.",
    )
    service_time_distribution: Literal["lognormal", "exponential", "deterministic"] = P(
        "lognormal",
        unit="-",
        group="demand",
        kind="assumption",
        basis=(
            "shape of one step's work around its mean: no time-and-motion study of these desks; each allowed shape is "
            "plausible (expert judgement)"
        ),
        desc="Distribution of one step's work-hours around the matter's base hours.",
    )
    service_time_cv: float = P(
        0.5,
        unit="-",
        group="demand",
        kind="assumption",
        plausible=(0.2, 1.0),
        basis=(
            "office service times vary from near-routine (cv 0.2) to exponential-like (cv 1) (queueing practice, "
            "expert judgement)"
        ),
        ge=0,
        le=5,
        desc="Coefficient of variation of work-hours (lognormal only).",
    )

    # --- delegation --------------------------------------------------------
    delegated_share: float = P(
        0.0,
        unit="share of matter types",
        group="delegation",
        kind="lever",
        ge=0,
        le=1,
        desc="Share of matter types whose power moves to townships (Dayi: 200+ powers, G3).",
    )
    delegation_order: Literal["frequent_first", "simple_first", "by_department", "random"] = P(
        "frequent_first",
        unit="-",
        group="delegation",
        kind="lever",
        desc="Which matter types are delegated first: most frequent, simplest, whole departments, or at random.",
    )
    staff_transfer: float = P(
        0.0,
        unit="share",
        group="delegation",
        kind="lever",
        ge=0,
        le=1,
        desc="Share of departments' hours for delegated matters that moves down with them (编制下沉).",
    )
    initial_competence: float = P(
        0.5,
        unit="0–1",
        group="delegation",
        kind="assumption",
        plausible=(0.2, 0.9),
        basis=(
            "a township taking over an unfamiliar power: from barely able to nearly as able as the department (expert "
            "judgement)"
        ),
        gt=0,
        le=1,
        desc="Township competence on a newly delegated matter type.",
    )
    learning_cases: float = P(
        50.0,
        unit="cases",
        group="delegation",
        kind="assumption",
        plausible=(10.0, 300.0),
        basis="cases before most of the competence gap closes: a few weeks to a year of practice (expert judgement)",
        dist="loguniform",
        gt=0,
        le=1e7,
        desc="Cases of a type after which the competence gap shrinks by a factor e.",
    )
    rework_rate: float = P(
        0.5,
        unit="probability",
        group="delegation",
        kind="assumption",
        plausible=(0.1, 0.8),
        basis="share of steps redone by a novice handler (expert judgement)",
        ge=0,
        le=1,
        desc="Rework probability per step at zero competence (scaled by 1 − competence).",
    )
    oversight_hours: float = P(
        0.2,
        unit="hours/case",
        group="delegation",
        kind="assumption",
        plausible=(0.0, 1.0),
        basis=(
            "supervision and filing per delegated case left with the owner department: none to one hour (expert "
            "judgement)"
        ),
        ge=0,
        le=100,
        desc="Department work per delegated case that stays with the owner department (supervision, filing).",
    )
    refer_up_rate: float = P(
        0.3,
        unit="probability",
        group="delegation",
        kind="assumption",
        plausible=(0.05, 0.6),
        basis="share of delegated cases a novice township sends back up (expert judgement)",
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
        kind="lever",
        desc="One-stop centre: one window takes the file, one trip at most offline (F4, F6).",
    )
    joint_handling: bool = P(
        False,
        unit="switch",
        group="centre",
        kind="lever",
        desc="Multi-department cases are handled in parallel (joint) instead of serially.",
    )
    online_share: float = P(
        0.2,
        unit="share",
        group="centre",
        kind="lever",
        ge=0,
        le=1,
        desc="Share of requests filed online (一网通办): zero trips.",
    )
    travel_hours: float = P(
        1.0,
        unit="hours",
        group="centre",
        kind="assumption",
        plausible=(0.25, 3.0),
        basis=(
            "working hours lost between two departments' offices at the seat: across a hall to across town (physical "
            "bound, expert judgement)"
        ),
        dist="loguniform",
        ge=0,
        le=80,
        desc="Working hours an offline requester loses between two departments at the seat (serial handling).",
    )
    township_hall_share: float = P(
        0.5,
        unit="share",
        group="centre",
        kind="lever",
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
    )
    commissioner_enterprises: int = P(
        30,
        unit="enterprises/person",
        group="centre",
        kind="assumption",
        plausible=(10, 100),
        basis=(
            "F10 gives 96 commissioners but not their firms; one commissioner can follow 10–100 firms (expert "
            "judgement)"
        ),
        dist="loguniform",
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
        kind="lever",
        desc="135 rule: earliest-deadline-first queues, levels by difficulty (F9) and escalation (F11).",
    )
    tier_deadlines: tuple[float, float, float] = P(
        (1.0, 3.0, 5.0),
        unit="working days",
        group="rule135",
        kind="fact",
        cite="F11",
        desc="Deadlines of tier 1 (one department), 3 (several) and 5 (district coordination) (F11).",
    )
    level_time_share: float = P(
        0.25,
        unit="share of deadline",
        group="rule135",
        kind="lever",
        gt=0,
        le=1,
        desc="Time a case may spend at one level before it moves up.",
    )
    chief_representatives: int = P(
        10,
        unit="persons",
        group="rule135",
        kind="lever",
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
        kind="lever",
        ge=0,
        le=8,
        desc="Hours a day each level-1 coordinator spends on coordination (8 = stationed full time, F7).",
    )
    leading_group_staff: float = P(
        2.0,
        unit="persons",
        group="rule135",
        kind="lever",
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
        kind="assumption",
        plausible=(0.5, 2.0),
        basis="factor on both levels' coordination work per case: half to double (expert judgement)",
        dist="loguniform",
        desc="Coordination work per case at level 1 (chief representative) and level 2 (leading-group office).",
    )
    joint_conference_interval: int = P(
        5,
        unit="days",
        group="rule135",
        kind="lever",
        ge=1,
        le=250,
        desc="Days between joint conferences (联席会议, level 3).",
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
        kind="lever",
        desc="吹哨报到 (P3): a township's call brings the department's step to the head of its queue.",
    )
    whistle_answer_hours: float = P(
        0.5,
        unit="hours",
        group="rule135",
        kind="fact",
        cite="P3",
        ge=0,
        le=80,
        desc="Time within which a department answers a township's whistle (P3: 30 minutes).",
    )
    whistle_site_hours: float = P(
        1.0,
        unit="hours",
        group="rule135",
        kind="assumption",
        plausible=(0.5, 4.0),
        basis="going on site and reporting back after a whistle: half an hour to half a day (expert judgement)",
        dist="loguniform",
        ge=0,
        le=80,
        desc="Extra department hours per whistle (going on site, reporting).",
    )

    # --- assessment --------------------------------------------------------
    two_way_weight: float = P(
        0.0,
        unit="weight",
        group="assessment",
        kind="lever",
        ge=0,
        le=1,
        desc="Weight ω of townships' score in departments' utility (0 = one-way assessment, G5).",
    )
    inspection_hours_per_week: float = P(
        20.0,
        unit="hours/week/township",
        group="assessment",
        kind="lever",
        ge=0,
        le=10_000,
        desc="Township hours consumed by inspections and assessments (督查检查考核).",
    )
    meeting_document_cut: float = P(
        0.0,
        unit="share",
        group="assessment",
        kind="lever",
        ge=0,
        le=1,
        desc=(
            "Share of the county meetings and documents cut from townships' upward duties (P2: cuts of 30–50 %); "
            "0 = no cut. Meetings and documents are a fixed part of the duty hours (P1, ODD §inspection)."
        ),
    )
    assessment_period: int = P(
        60, unit="days", group="assessment", kind="lever", ge=1, le=1000, desc="Days between assessments."
    )
    township_service_weight: float = P(
        0.3,
        unit="weight",
        group="assessment",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis=(
            "weight of residents' service in the county's score of a township; no published scoring sheet (expert "
            "judgement, G2: upward duties dominate)"
        ),
        ge=0,
        le=1,
        desc="Weight of residents' service in the county's score of a township (the rest: upward duties, inspections).",
    )
    overtime_cap: float = P(
        0.2,
        unit="share",
        group="assessment",
        kind="assumption",
        plausible=(0.05, 0.4),
        basis=(
            "extra hours a department can add by effort: the labour law's 36 h/month is about 0.22 of a working month "
            "(physical bound, expert judgement)"
        ),
        ge=0,
        le=1,
        desc="Most overtime effort can add to a department's working hours (labour-law cap, assumption).",
    )
    learning_rate: float = P(
        0.5,
        unit="0–1",
        group="assessment",
        kind="assumption",
        plausible=(0.1, 0.9),
        basis="how far a department moves towards its best response in one assessment period (expert judgement)",
        ge=0,
        le=1,
        desc="How far departments move towards their best response at each assessment.",
    )
    effort_gain: float = P(
        0.3,
        unit="share",
        group="assessment",
        kind="assumption",
        plausible=(0.0, 0.6),
        basis="extra work speed of a department scored 0 under full two-way weight: none to 60 % (expert judgement)",
        ge=0,
        le=5,
        desc="Extra department effort (work speed) at ω = 1 for a department scored 0.",
    )
    score_sensitivity: float = P(
        6.0,
        unit="logit/score",
        group="assessment",
        kind="assumption",
        plausible=(1.0, 20.0),
        basis=(
            "logit cost of dumping per unit of learned score drop: from weak to decisive career concern (expert "
            "judgement)"
        ),
        dist="loguniform",
        ge=0,
        le=100,
        desc="Cost of dumping (logit) per unit of learned township-score drop per dump share, before weighting by ω.",
    )

    # --- dumping and responsibility lists ----------------------------------
    duty_tasks_per_department: float = P(
        0.5,
        unit="tasks/department/day",
        group="dumping",
        kind="assumption",
        plausible=(0.2, 1.5),
        basis=(
            "departments' own inspections, campaigns and reports: one a week to one and a half a day (expert "
            "judgement, P1's counts of township-facing tasks)"
        ),
        dist="loguniform",
        ge=0,
        le=1000,
        desc="Departments' own duty tasks (inspections, campaigns, reports).",
    )
    duty_task_hours: float = P(
        3.0,
        unit="hours",
        group="dumping",
        kind="assumption",
        plausible=(1.0, 8.0),
        basis="one duty task takes an hour to a working day (expert judgement)",
        dist="loguniform",
        ge=0,
        le=1000,
        desc="Work-hours of one duty task.",
    )
    dumping_base: float = P(
        0.3,
        unit="probability",
        group="dumping",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis="share of duty tasks pushed down with no accountability at normal load (expert judgement, G4)",
        gt=0,
        lt=1,
        desc="Probability a department pushes a duty task down at load 1 with no accountability.",
    )
    dumping_pressure_slope: float = P(
        2.0,
        unit="logit/load",
        group="dumping",
        kind="assumption",
        plausible=(0.5, 5.0),
        basis="rise of dumping log-odds per unit of load: weak to strong (expert judgement)",
        ge=0,
        le=100,
        desc="Rise of the dumping log-odds per unit of department load (blame saved).",
    )
    responsibility_list: bool = P(
        False,
        unit="switch",
        group="dumping",
        kind="lever",
        desc="Responsibility lists (责任清单, Jiangbei '11117') let townships bounce off-list tasks.",
    )
    list_enforcement: float = P(
        0.8,
        unit="probability",
        group="dumping",
        kind="lever",
        ge=0,
        le=1,
        desc="Probability an off-list dumped task is bounced back.",
    )
    territorial_share: float = P(
        0.3,
        unit="share",
        group="dumping",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis="share of departments' duty tasks that are truly the township's (expert judgement, G4)",
        ge=0,
        le=1,
        desc="Share of duty tasks that are legitimately the township's (on the list).",
    )
    bounce_cost: float = P(
        2.0,
        unit="logit",
        group="dumping",
        kind="assumption",
        plausible=(0.5, 5.0),
        basis="logit cost a department expects from a bounced task (expert judgement)",
        ge=0,
        le=100,
        desc="Cost a department expects from one bounced task.",
    )

    # --- grid and co-governance ------------------------------------------
    dispute_rate: float = P(
        0.00005,
        unit="disputes/resident/day",
        group="grid",
        kind="assumption",
        plausible=(2e-05, 0.0002),
        basis="0.5–5 disputes per 100 residents per working year (expert judgement)",
        dist="loguniform",
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
        desc="Share of residents living in a grid with a paid grid worker who patrols it (网格化管理, '5+N', G9); "
        "posts = this × residents / grid_worker_residents.",
        kind="lever",
    )
    app_reporting: float = P(
        0.0,
        unit="share",
        group="grid",
        kind="lever",
        ge=0,
        le=1,
        desc="Probability a dispute is reported early by app (江城小蜜蜂, G8).",
    )
    points_incentive: float = P(
        0.0,
        unit="share",
        group="grid",
        kind="lever",
        ge=0,
        le=1,
        desc="Relative boost of app reporting by a points bank (积分银行, G9).",
    )
    local_mediation: float = P(
        0.8,
        unit="probability",
        group="grid",
        ge=0,
        le=1,
        desc="Ceiling of local mediation (枫桥经验, G7): share of early-detected disputes mediators can settle "
        "at all; success = this × (1 − exp(−mediator hours / dispute_difficulty_hours)).",
        kind="assumption",
        plausible=(0.6, 1.0),
        basis="expert judgement: some disputes need a court or a department whatever the mediators do",
    )
    dispute_difficulty_hours: float = P(
        2.0,
        unit="hours",
        group="grid",
        gt=0,
        le=1000,
        desc="Mean mediator hours a dispute needs to be settled (exponential across disputes).",
        kind="assumption",
        plausible=(0.5, 8.0),
        dist="loguniform",
        basis="a talk at the door to a day of meetings with both sides (expert judgement)",
    )
    grid_mediation_hours: float = P(
        2.0,
        unit="hours",
        group="grid",
        ge=0,
        le=8,
        desc="Hours a grid worker gives to mediating each dispute it finds on patrol, beside the township's "
        "(taken from its patrol time).",
        kind="lever",
    )
    dispute_surface_days: float = P(
        10.0,
        unit="days",
        group="grid",
        kind="assumption",
        plausible=(3.0, 40.0),
        basis="an undetected dispute surfaces within days to two months (expert judgement)",
        dist="loguniform",
        gt=0,
        le=1000,
        desc="Mean delay before an undetected dispute surfaces as a harder case.",
    )
    grid_worker_residents: float = P(
        10_000.0,
        unit="residents/worker",
        group="grid",
        kind="assumption",
        plausible=(2000.0, 20000.0),
        basis=(
            "residents per paid grid worker: grids of 300–1,000 households, several grids per paid post (expert "
            "judgement, G9)"
        ),
        dist="loguniform",
        gt=0,
        le=1e9,
        desc="Residents one paid grid worker covers at full coverage (posts = grid_coverage × residents / this).",
    )
    local_problem_rate: float = P(
        0.0,
        unit="problems/resident/day",
        group="grid",
        ge=0,
        le=1,
        desc="Local problems (hazards, sanitation, facilities) per resident per day, found by grid patrols or "
        "app reports or surfacing as calls (0 = not modelled; shipped scenarios: 0.0001).",
        kind="assumption",
        plausible=(0.00002, 0.0005),
        dist="loguniform",
        basis="no published rate (G8 gives counts without a base); from a fifth of to ten times the dispute "
        "rate (expert judgement); the default 0 (not modelled) lies outside: shipped scenarios set 0.0001",
    )
    patrol_residents_per_hour: float = P(
        1250.0,
        unit="residents/hour",
        group="grid",
        gt=0,
        le=1e7,
        desc="Residents' neighbourhood one grid worker sweeps in an hour of patrol (a latent problem there is "
        "found with probability 1 − exp(−hours × this / residents of the grid)).",
        kind="assumption",
        plausible=(300.0, 5000.0),
        dist="loguniform",
        basis="a '5+N' grid of 300–500 households (about 1,000 residents) walked in a quarter of an hour to "
        "three hours (expert judgement)",
    )
    report_hours: float = P(
        0.25,
        unit="hours",
        group="grid",
        gt=0,
        le=8,
        desc="Grid worker's hours to check and file one problem found on patrol (taken from patrol time).",
        kind="assumption",
        plausible=(0.1, 1.0),
        dist="loguniform",
        basis="a photo and a form in the app to an hour's visit and write-up (expert judgement)",
    )
    citizen_patience_days: float = P(
        30.0,
        unit="days",
        group="grid",
        kind="assumption",
        plausible=(10.0, 90.0),
        basis="days a resident waits on a dispute before petitioning: two weeks to a season (expert judgement)",
        dist="loguniform",
        gt=0,
        le=10_000,
        desc="Mean citizen patience; a dispute open longer becomes a petition (上访).",
    )

    # --- satisfaction and enterprise life cycle ----------------------------
    satisfaction_learning: float = P(
        0.3,
        unit="0–1",
        group="feedback",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis="weight of the latest case in a requester's satisfaction: long to short memory (expert judgement)",
        ge=0,
        le=1,
        desc="Weight of the latest closed case in a requester's satisfaction.",
    )
    enterprise_exit_base: float = P(
        0.0002,
        unit="1/day",
        group="feedback",
        kind="assumption",
        plausible=(5e-05, 0.0005),
        basis="annual exit of satisfied firms 1.25–12.5 % (expert judgement, business-demography orders of magnitude)",
        dist="loguniform",
        ge=0,
        le=1,
        desc="Daily exit probability of a satisfied enterprise.",
    )
    enterprise_exit_sensitivity: float = P(
        0.004,
        unit="1/day",
        group="feedback",
        kind="assumption",
        plausible=(0.001, 0.01),
        basis=(
            "extra exit per unit of dissatisfaction: a dissatisfied firm's exit risk up to 2.5–25 %/year (expert "
            "judgement)"
        ),
        dist="loguniform",
        ge=0,
        le=1,
        desc="Extra daily exit probability per unit of satisfaction below 0.8.",
    )
    enterprise_entry_rate: float = P(
        0.0003,
        unit="1/day",
        group="feedback",
        kind="assumption",
        plausible=(0.0001, 0.0006),
        basis="annual entry 2.5–15 % of live firms (expert judgement, business-demography orders of magnitude)",
        dist="loguniform",
        ge=0,
        le=1,
        desc="New enterprises per existing enterprise per day at mean satisfaction 0.7.",
    )
    startup_days: float = P(
        250.0,
        unit="days",
        group="feedback",
        kind="assumption",
        plausible=(125.0, 750.0),
        basis="half a working year to three as a start-up (expert judgement)",
        dist="loguniform",
        gt=0,
        le=100_000,
        desc="Mean days an enterprise stays a start-up.",
    )
    growth_days: float = P(
        750.0,
        unit="days",
        group="feedback",
        kind="assumption",
        plausible=(250.0, 2500.0),
        basis="one to ten working years of growth before maturity (expert judgement)",
        dist="loguniform",
        gt=0,
        le=100_000,
        desc="Mean days an enterprise stays in growth before maturity.",
    )
    settle_stocks: bool = P(
        True,
        unit="switch",
        group="feedback",
        desc="Draw satisfaction, channel memories and life-cycle stages from their status-quo stationary state "
        "during the warm-up (false: they start from fixed values and drift for years).",
        kind="setting",
    )

    # --- incentives and outcomes (issue 11) ---
    score_dumping_weight: float = P(
        0.5,
        unit="score/dump ratio",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 0.8),
        basis=(
            "weight of dumping in a township's score of a department; no published scoring sheet (expert judgement, "
            "G4–G5)"
        ),
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
        kind="assumption",
        plausible=(0.0, 0.3),
        basis="weight of fights over the list in a township's score of a department (expert judgement)",
        ge=0,
        le=1,
        desc="Weight of the department's bounced share in a township's score of it.",
    )
    score_service_weight: float = P(
        0.4,
        unit="score/share",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 0.6),
        basis="weight of late or unsolved cases in a township's score of a department (expert judgement)",
        ge=0,
        le=1,
        desc="Weight of the department's late or unresolved cases from the township's residents in its score.",
    )
    score_noise_sd: float = P(
        0.1,
        unit="score",
        group="incentives",
        kind="assumption",
        plausible=(0.02, 0.3),
        basis="noise of one township's score of a department: near-exact to as large as the signal (expert judgement)",
        dist="loguniform",
        ge=0,
        le=10,
        desc="Standard deviation of the noise in each township's score of a department (judgement, recall).",
    )
    estimator_forgetting: float = P(
        0.9,
        unit="per period",
        group="incentives",
        kind="assumption",
        plausible=(0.7, 1.0),
        basis="memory of a department's estimate: about three periods to all of them (expert judgement)",
        gt=0,
        le=1,
        desc="Forgetting factor λ of the departments' recursive least squares (1 = remember all periods).",
    )
    estimator_prior_sd: float = P(
        0.5,
        unit="score/share",
        group="incentives",
        kind="assumption",
        plausible=(0.1, 2.0),
        basis="prior doubt about the score effect of dumping: confident to vague (expert judgement)",
        dist="loguniform",
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
        kind="assumption",
        plausible=(0.1, 1.0),
        basis="size of a department's per-period experiment with its dumping log-odds (expert judgement)",
        ge=0,
        le=10,
        desc="Sd of a department's per-period experiment with its dumping log-odds (two-way assessment only).",
    )
    reform_half_life_days: float = P(
        float("inf"),
        unit="days",
        group="incentives",
        kind="assumption",
        plausible=(125.0, 5000.0),
        basis=(
            "reform attention fades within half a year to twenty years (P2: burdens crept back); the default ∞ (no "
            "fading) lies outside: the base world keeps attention"
        ),
        dist="loguniform",
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
        kind="lever",
        gt=0,
        desc="Interval at which a campaign renews reform attention to full (∞ = never).",
    )
    resolution_base: float = P(
        0.9,
        unit="probability",
        group="incentives",
        ge=0,
        le=1,
        desc="Ceiling of resolution: probability a fully worked case closed by a fully competent handler is really "
        "resolved (some requests cannot be met under the rules).",
        kind="assumption",
        plausible=(0.8, 1.0),
        basis="expert judgement: a small share of requests cannot be met whatever the work done; no survey figure",
    )
    resolution_time_elasticity: float = P(
        1.0,
        unit="-",
        group="incentives",
        dist="loguniform",
        ge=0,
        le=10,
        desc="Exponent θ on the share of a case's needed work done before closure in its resolution probability.",
        kind="assumption",
        plausible=(0.5, 2.0),
        basis="expert judgement: half the work solves from about 70 % (θ = 0.5) to 25 % (θ = 2) as often",
    )
    corner_cutting: float = P(
        0.5,
        unit="share",
        group="incentives",
        ge=0,
        le=1,
        desc="Share of a late handler's projected shortfall of hours it makes up by doing less of each case's "
        "work (0 = always the full work, cases late instead).",
        kind="assumption",
        plausible=(0.0, 1.0),
        basis="no published figure: from none to all of the shortfall (expert judgement)",
    )
    work_fraction_floor: float = P(
        0.3,
        unit="share",
        group="incentives",
        gt=0,
        le=1,
        desc="Least share of a case's needed work a handler does however late (the file must still be processed).",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis="expert judgement: recording and replying take a tenth to a half of a case's hours",
    )
    repeat_share: float = P(
        0.7,
        unit="share",
        group="incentives",
        kind="assumption",
        plausible=(0.3, 0.9),
        basis="share of requesters left unsolved who come back (expert judgement)",
        ge=0,
        le=1,
        desc="Share of requesters whose unresolved case was closed who come back (a repeat contact).",
    )
    repeat_delay_days: float = P(
        5.0,
        unit="working days",
        group="incentives",
        kind="assumption",
        plausible=(1.0, 20.0),
        basis="days before an unsolved requester comes back (expert judgement)",
        dist="loguniform",
        gt=0,
        le=1000,
        desc="Mean delay before an unresolved requester comes back.",
    )
    ontime_weight: float = P(
        0.0,
        unit="score/case",
        group="incentives",
        kind="lever",
        ge=0,
        le=10,
        desc="Weight of one on-time closure in a handler's assessment (0 = on-time not counted: no gaming).",
    )
    ranking_pressure: float = P(
        0.0,
        unit="-",
        group="incentives",
        kind="lever",
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
        kind="assumption",
        plausible=(0.1, 0.5),
        basis="how early before its deadline a handler decides to close an at-risk case (expert judgement)",
        gt=0,
        le=1,
        desc="How long before its deadline a handler decides whether to close an at-risk case without solving it.",
    )
    gaming_aversion: float = P(
        1.0,
        unit="score/case",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 5.0),
        basis="mean intrinsic cost of a closure without solving, in late-case units (expert judgement)",
        dist="loguniform",
        gt=0,
        le=100,
        desc="Mean of the exponential intrinsic cost of closing a case without solving it.",
    )
    callback_share: float = P(
        0.0,
        unit="share",
        group="incentives",
        kind="lever",
        ge=0,
        le=1,
        desc="Share of closed cases the county calls back (回访) to check that they were solved.",
    )
    callback_penalty: float = P(
        0.0,
        unit="score/case",
        group="incentives",
        kind="lever",
        ge=0,
        le=100,
        desc="Assessment penalty when a call-back catches a closure without solving.",
    )
    detection_prior: float = P(
        0.2,
        unit="probability",
        group="incentives",
        kind="assumption",
        plausible=(0.05, 0.5),
        basis="handlers' prior chance of being caught closing unsolved (expert judgement)",
        ge=0,
        le=1,
        desc="Handlers' prior mean of the chance a gamed closure is caught (strength: detection_prior_strength).",
    )
    report_learning: float = P(
        0.2,
        unit="0–1",
        group="incentives",
        kind="assumption",
        plausible=(0.05, 0.5),
        basis=(
            "Bush–Mosteller rate of residents' reporting habit (expert judgement; reinforcement-learning studies use "
            "0.05–0.5)"
        ),
        ge=0,
        le=1,
        desc="Bush–Mosteller rate at which a resident's app-reporting propensity follows report outcomes.",
    )
    petition_propensity: float = P(
        0.5,
        unit="probability",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 0.8),
        basis="share of residents with a dragging dispute who petition (expert judgement)",
        ge=0,
        le=1,
        desc="Probability a resident whose dispute drags past patience petitions, at satisfaction 0.7.",
    )
    petition_distrust_slope: float = P(
        4.0,
        unit="logit/satisfaction",
        group="incentives",
        kind="assumption",
        plausible=(1.0, 8.0),
        basis="rise of petition log-odds per unit of dissatisfaction (expert judgement)",
        ge=0,
        le=100,
        desc="Rise of the petition log-odds per unit of satisfaction below 0.7.",
    )
    channel_experience_slope: float = P(
        4.0,
        unit="logit/satisfaction",
        group="incentives",
        kind="assumption",
        plausible=(1.0, 8.0),
        basis="rise of online log-odds per unit of better online experience (expert judgement)",
        ge=0,
        le=100,
        desc="Rise of the online log-odds per unit of satisfaction online over offline (past experience).",
    )
    channel_travel_slope: float = P(
        0.5,
        unit="logit/hour",
        group="incentives",
        kind="assumption",
        plausible=(0.1, 2.0),
        basis="preference for the township hall per hour of travel saved (expert judgement)",
        dist="loguniform",
        ge=0,
        le=100,
        desc="Preference for the township hall over a trip to the seat per hour of travel it saves.",
    )

    # --- behavioural constants of the code, declared as assumptions (issue 22) ---
    department_staff_floor: float = P(
        1.0,
        unit="persons/department",
        group="county",
        ge=0,
        le=1000,
        kind="assumption",
        plausible=(0.5, 2.0),
        basis=(
            "persons a department keeps for its own duties whatever its requests: half a post to two (expert judgement)"
        ),
        desc="Staff every department keeps for its own duties, never moved down (capped at an equal split).",
    )
    dispute_hours_factor: float = P(
        2.0,
        unit="× base hours",
        group="demand",
        gt=0,
        le=100,
        kind="assumption",
        plausible=(1.0, 4.0),
        basis=(
            "hearing both sides and visiting the site: as long as a request of the same difficulty to 4× (expert "
            "judgement)"
        ),
        desc="Work of a dispute relative to the base hours of a request of the same difficulty.",
    )
    township_score_late_weight: float = P(
        0.5,
        unit="score/share",
        group="assessment",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.2, 0.8),
        basis=(
            "weight of late closures in the county's score of a township; no published scoring sheet (expert "
            "judgement, G2)"
        ),
        desc=(
            "Weight of a township's late share (and of closures caught unsolved, × callback_penalty) in its county "
            "score."
        ),
    )
    township_score_duty_weight: float = P(
        0.5,
        unit="score/share",
        group="assessment",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.2, 0.8),
        basis=(
            "weight of undone upward duties in the county's score of a township; no published scoring sheet (expert "
            "judgement, G2, P1)"
        ),
        desc="Weight of a township's share of duty work left undone in its county score.",
    )
    county_score_dumping_weight: float = P(
        0.5,
        unit="score/share",
        group="assessment",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.2, 0.8),
        basis=(
            "weight of dumping in the county's own target score of a department; no published sheet (expert judgement,"
            " G4)"
        ),
        desc="Weight of a department's dump share in the county's own score of it (one-way assessment).",
    )
    county_score_late_weight: float = P(
        0.5,
        unit="score/share",
        group="assessment",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.2, 0.8),
        basis="weight of late or unsolved cases in the county's own target score of a department (expert judgement)",
        desc="Weight of a department's late or unresolved share in the county's own score of it (one-way assessment).",
    )
    estimator_residual_prior_sd: float = P(
        0.1,
        unit="score",
        group="incentives",
        gt=0,
        le=10,
        kind="assumption",
        plausible=(0.03, 0.3),
        dist="loguniform",
        basis=(
            "a department's first guess of how noisy its scores are: a third to three times the default noise (expert "
            "judgement)"
        ),
        desc="A department's prior belief about the sd of the scores it receives around its fitted line.",
    )
    estimator_residual_rate: float = P(
        0.2,
        unit="0–1",
        group="incentives",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.05, 0.5),
        basis="weight of the latest squared surprise in that belief: slow to fast updating (expert judgement)",
        desc="Weight of the latest squared surprise in a department's belief about score noise.",
    )
    detection_prior_strength: float = P(
        2.0,
        unit="gamed closures",
        group="incentives",
        gt=0,
        le=1000,
        kind="assumption",
        plausible=(0.5, 10.0),
        dist="loguniform",
        basis=(
            "weight of handlers' prior about being caught, in gamed closures: a hunch to a firm belief (expert "
            "judgement)"
        ),
        desc="Strength of the handlers' prior on the chance a gamed closure is caught (Beta prior, in closures).",
    )
    satisfaction_unresolved_weight: float = P(
        0.5,
        unit="satisfaction",
        group="feedback",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.35, 0.8),
        basis=SATISFACTION_BASIS,
        desc="Satisfaction a requester loses when a closed case was not really resolved.",
    )
    satisfaction_overdue_weight: float = P(
        0.3,
        unit="satisfaction",
        group="feedback",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.1, 0.35),
        basis=SATISFACTION_BASIS,
        desc="Satisfaction lost by waiting as long again as the promised deadline (linear, capped there).",
    )
    satisfaction_trip_weight: float = P(
        0.05,
        unit="satisfaction/trip",
        group="feedback",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.01, 0.1),
        basis=SATISFACTION_BASIS,
        desc="Satisfaction lost per trip the requester made (zero trips beat one, F6).",
    )
    satisfaction_travel_weight: float = P(
        0.02,
        unit="satisfaction/hour",
        group="feedback",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.005, 0.05),
        dist="loguniform",
        basis=SATISFACTION_BASIS + "; an hour of travel costs less than a trip",
        desc="Satisfaction lost per hour of travel for the case.",
    )
    satisfaction_repeat_weight: float = P(
        0.1,
        unit="satisfaction/contact",
        group="feedback",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.03, 0.2),
        basis=SATISFACTION_BASIS,
        desc="Satisfaction lost per earlier contact of the same request (coming back costs goodwill).",
    )
    satisfaction_petition_weight: float = P(
        0.3,
        unit="satisfaction",
        group="feedback",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.1, 0.5),
        basis=SATISFACTION_BASIS,
        desc="Satisfaction lost when the dispute went up as a petition.",
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


# --- kinds (DESIGN §8) ------------------------------------------------------------------------------
def meta(name: str, model: type[BaseModel] = Params) -> dict[str, Any]:
    """The metadata of field ``name``: unit, group, kind, and cite / plausible, dist, basis."""
    extra = model.model_fields[name].json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def unkeyed_fields(model: type[BaseModel] = Params) -> frozenset[str]:
    """Fields declared ``same_results`` (how a run is computed, not what): out of every key and hash."""
    return frozenset(
        n
        for n, f in model.model_fields.items()
        if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("same_results")
    )


def keyed_dump(params: BaseModel) -> dict[str, Any]:
    """``params`` as JSON values without its :func:`unkeyed_fields`: what run keys, settings hashes and
    fingerprints are made of, so that choosing the compiled engine reuses the Python engine's runs."""
    return params.model_dump(mode="json", exclude=set(unkeyed_fields(type(params))))


def fields_of_kind(kind: str, model: type[BaseModel] = Params) -> list[str]:
    """Names of the fields of ``kind`` (one of ``KINDS``), in declaration order."""
    return [n for n in model.model_fields if meta(n, model).get("kind") == kind]


def kind_problems(model: type[BaseModel] = Params) -> list[str]:
    """One line per field of ``model`` whose kind is missing or incomplete (empty when all declare one)."""
    out = []
    for name, info in model.model_fields.items():
        bounds = {k: getattr(m, k) for m in info.metadata for k in ("ge", "le", "gt", "lt") if hasattr(m, k)}
        problem = kind_problem(info.default, meta(name, model), **bounds)
        if problem:
            out.append(f"{name}: {problem}")
    return out


def describe_range(name: str, model: type[BaseModel] = Params) -> str:
    """An assumption's plausible range as text, e.g. ``[0.1, 3] log-uniform`` or ``× [0.5, 2] of the list``;
    for a switch or a choice, its allowed values."""
    m = meta(name, model)
    if "plausible" not in m:
        return allowed_range(name) if model is Params else ""
    lo, hi = (_fmt(v) for v in m["plausible"])
    text = f"[{lo}, {hi}]"
    if isinstance(model.model_fields[name].default, tuple):
        text = f"× {text} of the list"
    return text + (" log-uniform" if m.get("dist") == "loguniform" else "")


def with_assumptions(params: Params, values: dict[str, Any]) -> Params:
    """``params`` with assumption values applied (a world): a number replaces the field's value; for a
    list-valued assumption the number is the factor on the list (the plausible range's meaning).
    :class:`ParamsError` (one line) on a name that is not an assumption or an invalid value."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in Params.model_fields:
            raise ParamsError(name, "unknown parameter")
        if meta(name).get("kind") != "assumption":
            raise ParamsError(name, f"is a {meta(name).get('kind')}, not an assumption")
        current = getattr(params, name)
        changes[name] = tuple(float(v) * float(value) for v in current) if isinstance(current, tuple) else value
    return params.replace(**changes) if changes else params


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


def kind_cell(name: str) -> str:
    """The table's kind column: ``lever``, ``fact (F13)``, ``assumption``, ``setting``."""
    m = meta(name)
    return f"fact ({m['cite']})" if m.get("kind") == "fact" else str(m.get("kind", ""))


def field_table_markdown() -> str:
    """The parameter table of docs/ODD.md, generated from the fields above: default, unit, allowed
    values, kind (fact with its code), an assumption's plausible range and, after its description,
    the basis of that range."""
    lines = []
    for key, title in GROUPS.items():
        lines.append(f"\n**{title}**\n")
        lines.append("| parameter | default | unit | allowed | kind | plausible | description (basis of the range) |")
        lines.append("|---|---|---|---|---|---|---|")
        for name, info in Params.model_fields.items():
            extra = meta(name)
            if extra.get("group") != key:
                continue
            default = info.default
            if isinstance(default, tuple):
                default = "[" + ", ".join(_fmt(v) for v in default) + "]"
            elif isinstance(default, str):
                default = f"'{default}'"
            else:
                default = _fmt(default)
            plausible = describe_range(name) if extra.get("kind") == "assumption" else ""
            desc = info.description or ""
            if extra.get("basis"):
                desc += f" *Basis:* {extra['basis']}."
            lines.append(
                f"| `{name}` | {default} | {extra.get('unit', '')} | {allowed_range(name)} | {kind_cell(name)} "
                f"| {plausible} | {desc} |"
            )
    return "\n".join(lines).strip() + "\n"


if __name__ == "__main__":  # python -m townsim.model.params --markdown
    if "--markdown" in sys.argv:
        print(field_table_markdown(), end="")
    else:
        print(Params().model_dump_json(indent=2))
