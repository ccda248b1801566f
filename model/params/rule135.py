"""The 135 rule and tiered coordination fields of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from pydantic import BaseModel

from .kinds import P


class Rule135(BaseModel):
    """The 135 rule and tiered coordination (F7–F11)."""

    escalation_135: bool = P(
        False,
        unit="switch",
        group="rule135",
        kind="lever",
        desc="135 rule: earliest-deadline-first queues, levels by difficulty (F9) and escalation (F11).",
        label="135 response rule with tiered escalation",
        label_zh="135 响应机制（分级协调）",
        desc_zh="135 响应机制：按时限先到期先办，按难度确定起始层级（F9），超时逐级升级（F11）。",
        app="service@1",
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
        # screening range: the Morris design's range; four levels at 0.25 use the whole deadline (F9, F11)
        screen=(0.1, 0.6),
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
        # screening range: none up to one per department of the centre (F2: 23; F7: 13)
        screen=(0, 23),
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
        # screening range: none up to one liaison per member of F8's 53-department leading group
        screen=(0.0, 53.0),
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
        # screening range: daily up to monthly (20 working days; scenarios: 2 and 5)
        screen=(1, 20),
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
        # screening range: none up to about twice Linping's 16 cases a meeting (scenarios)
        screen=(0, 30),
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
