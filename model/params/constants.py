"""The behavioural constants of the code, declared as assumptions, of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from pydantic import BaseModel

from .kinds import SATISFACTION_BASIS, P


class BehaviourConstants(BaseModel):
    """Behavioural constants of the code, declared as assumptions."""

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
