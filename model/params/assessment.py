"""The assessment, dumping and responsibility-list fields of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from pydantic import BaseModel

from .kinds import P


class Assessment(BaseModel):
    """Assessment 双向互评 (G2, G5): scoring, inspection and upward duties."""

    two_way_weight: float = P(
        0.0,
        unit="weight",
        group="assessment",
        kind="lever",
        ge=0,
        le=1,
        desc="Weight ω of townships' score in departments' utility (0 = one-way assessment, G5).",
        label="Two-way assessment weight (双向互评)",
        label_zh="双向互评权重",
        desc_zh="乡镇对部门的评分在部门考核中的权重 ω（0 = 单向考核，G5）。",
        app="assessment@1",
    )
    inspection_hours_per_week: float = P(
        20.0,
        unit="hours/week/township",
        group="assessment",
        kind="lever",
        ge=0,
        le=10_000,
        desc="Township hours consumed by inspections and assessments (督查检查考核).",
        label="Inspections (hours/week/township, 督查检查考核)",
        label_zh="督查检查考核（小时/周/乡镇）",
        desc_zh="每个乡镇每周用于接受督查检查考核的工时。",
        app="assessment@3",
        step=1.0,
        slider=(0.0, 80.0),
        # screening range: none up to above the status quo's 66 h/week (P1; P2 halves it), as the slider
        screen=(0.0, 80.0),
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
        60,
        unit="days",
        group="assessment",
        kind="lever",
        ge=1,
        le=1000,
        desc="Days between assessments.",
        # screening range: monthly up to the year-end assessment of G5 (250 working days)
        screen=(20, 250),
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
        label="Weight of residents' service in townships' score (day split)",
        label_zh="乡镇考核中群众服务的权重（工时分配）",
        desc_zh="县里考核乡镇时群众服务的权重（其余为向上任务、督查检查）。",
        app="assessment@4",
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


class Dumping(BaseModel):
    """Dumping 属地管理 and responsibility lists (G4)."""

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
        label="Responsibility list (责任清单)",
        label_zh="责任清单（可退回清单外任务）",
        desc_zh="责任清单（江北“11117”）：乡镇可退回清单以外的下压任务（G4）。",
        app="assessment@2",
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
