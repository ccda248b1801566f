"""The demand, work and delegation fields of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from .kinds import P


class Demand(BaseModel):
    """Demand and work: request rates, matter types, service times."""

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
    enquiry_share: float = P(
        0.3,
        unit="share",
        group="demand",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis=(
            "share of residents' and firms' contacts that ask for information or guidance (which papers, which office,"
            " am I eligible) rather than for a decision: a tenth to over half (expert judgement)"
        ),
        dist="uniform",
        ge=0,
        le=0.95,
        desc=(
            "Share of contacts that are enquiries (咨询: information, guidance), on top of the request rates "
            "(enquiries per request s/(1−s)); whoever receives one answers it (0 = none)."
        ),
    )
    enquiry_hours: float = P(
        0.25,
        unit="hours/case",
        group="demand",
        kind="assumption",
        plausible=(0.1, 0.5),
        basis="expert judgement: answering a question on papers, eligibility or where to go takes a clerk 6–30 minutes",
        dist="uniform",
        ge=0.01,
        le=8,
        desc="A receiver's work to answer one enquiry (base hours; the service-time draw applies).",
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


class Delegation(BaseModel):
    """Delegation 强镇扩权 (G3): which powers move down, with what staff and competence."""

    delegated_share: float = P(
        0.0,
        unit="share of matter types",
        group="delegation",
        kind="lever",
        ge=0,
        le=1,
        desc="Share of matter types whose power moves to townships (Dayi: 200+ powers, G3).",
        label="Delegated share of matters (强镇扩权)",
        label_zh="强镇扩权：下放事项比例",
        desc_zh="管理权限下放乡镇的事项类型比例（大邑县下放 200 余项，G3）。",
        app="delegation@1",
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
        label="Staff moved down with the powers (编制下沉)",
        label_zh="编制下沉：随权下沉的人力比例",
        desc_zh="下放事项对应的部门工时随之下沉到乡镇的比例（编制下沉）。",
        app="delegation@2",
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
