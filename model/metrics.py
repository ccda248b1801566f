"""KPIs: the daily table (Mesa DataCollector) and the per-run summary (DESIGN §5).

On-time and within-1h/8h rates count a case once it is *decided*: closed, or
still open past its deadline (threshold) at the end of the run — open cases
not yet due are left out rather than counted as successes.

Only the counted window counts (after ``warmup_days``): rates are over cases
filed in it; ``cases_closed`` counts closures in it, so that
``cases_carried_in + cases_created = cases_closed + backlog_end``.

Requester hours of a case: its waiting, ``closed − created`` in working hours
(hops, queues, coordination, running between departments), plus its travel to
and from the county seat (``travel``: a round trip per trip to the seat).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import inspection, reform
from .cases import GRID_REPORT
from .catalogue import COMPLEX, DISPUTE, SIMPLE, Tier
from .escalation import JOINT_CONFERENCE
from .params import HOURS_PER_DAY

SHORT: dict[str, tuple[str, str]] = {
    "backlog_department": ("departments", "县级部门"),
    "backlog_township": ("townships", "乡镇"),
    "backlog_desk": ("escalation desks", "协调层级"),
    "on_time_rate_tier1": ("tier 1 (1 day)", "1 日（单部门）"),
    "on_time_rate_tier3": ("tier 3 (3 days)", "3 日（多部门）"),
    "on_time_rate_tier5": ("tier 5 (5 days)", "5 日（区级协调）"),
    "escalations_level1": ("chief representatives", "首席代表"),
    "escalations_level2": ("leading-group office", "领导小组办公室"),
    "escalations_level3": ("joint conference", "联席会议"),
    "dumped_tasks": ("dumped", "下压"),
    "bounced_tasks": ("bounced", "退回"),
    "enterprise_satisfaction": ("enterprises", "企业"),
    "citizen_satisfaction": ("citizens", "群众"),
    "petitions": ("petitions", "上访"),
    "on_time_rate": ("closed on time", "按期办结"),
    "resolution_rate": ("really resolved", "实际解决"),
    "grid_participation": ("residents reporting", "群众上报意愿"),
}
"""Short labels (English, Chinese) of KPIs drawn together in one chart, whose title gives the context
(the legends of the teaching app's charts); other KPIs use their full label."""


@dataclass(frozen=True)
class Kpi:
    """One KPI, defined once: every table, figure, report, dashboard and the app read it from here.

    ``fmt``: "pct" (a share 0–1 shown as %), "num" or "count"; ``better``: +1 higher is better,
    −1 lower is better, 0 neither; ``scope``: "daily" (a column of the daily table), "run" (a
    per-run summary key) or "both" (same name in both).
    """

    name: str
    en: str
    zh: str
    unit: str
    fmt: str = "num"
    better: int = 0
    scope: str = "both"

    @property
    def label(self) -> str:
        """The English label."""
        return self.en

    def text(self, lang: str = "en") -> str:
        """The label in ``lang`` ("en" or "zh")."""
        return self.zh if lang == "zh" else self.en

    def short_text(self, lang: str = "en") -> str:
        """The short label in ``lang`` for a chart legend (:data:`SHORT`), else the full label."""
        short = SHORT.get(self.name)
        return (short[1] if lang == "zh" else short[0]) if short else self.text(lang)

    def unit_text(self, lang: str = "en") -> str:
        """The unit in ``lang`` (Chinese from :data:`UNITS_ZH`; the English unit if it has none)."""
        return UNITS_ZH.get(self.unit, self.unit) if lang == "zh" else self.unit

    @property
    def digits(self) -> int:
        """Decimals shown for a value: shares as % with 1, counts 0, 0–1 scores 3, other numbers 2."""
        return {"pct": 1, "count": 0}.get(self.fmt, 3 if self.unit == "0–1" else 2)


UNITS_ZH: dict[str, str] = {
    "cases": "件",
    "tasks": "项",
    "% of cases": "占事项 %",
    "% of decided cases": "占已到期事项 %",
    "% of hours": "占工时 %",
    "0–1": "0–1",
    "enterprises": "家",
    "hours": "小时",
    "petitions": "次",
    "staff hours paid": "人员工时",
    "townships, daily mean": "个乡镇（日均）",
    "trips": "次",
    "working days": "工作日",
    "× normal speed": "× 正常速度",
    "% of closed cases": "占办结事项 %",
    "% of decided requests": "占已到期诉求 %",
    "hours/week": "小时/周",
    "persons": "人",
    "working hours": "工作小时",
    "handlers": "个",
    "departments": "个",
}
"""Chinese of every KPI unit (a test checks that each unit in :data:`KPIS` has one)."""


_K = Kpi
KPIS: tuple[Kpi, ...] = (
    _K("cases_created", "requests created", "新增诉求", "cases", "count", 0),
    _K("cases_closed", "cases closed", "办结事项", "cases", "count", +1),
    _K("backlog", "open cases", "在办事项", "cases", "count", -1, "daily"),
    _K("backlog_mean", "open cases (time-averaged)", "在办事项（时均）", "cases", "num", -1, "daily"),
    _K("backlog_end", "open cases at the end", "期末在办事项", "cases", "count", -1, "run"),
    _K("backlog_department", "open tasks at departments", "部门在办任务", "tasks", "count", -1, "daily"),
    _K("backlog_township", "open tasks at townships", "乡镇在办任务", "tasks", "count", -1, "daily"),
    _K("backlog_desk", "open cases at coordination desks", "协调层级在办事项", "cases", "count", -1, "daily"),
    _K("township_backlog_end", "open township tasks at the end", "期末乡镇在办任务", "tasks", "count", -1, "run"),
    _K("department_backlog_end", "open department tasks at the end", "期末部门在办任务", "tasks", "count", -1, "run"),
    _K("on_time_rate", "cases closed on time", "按期办结率", "% of decided cases", "pct", +1),
    _K("on_time_rate_tier1", "on time, tier 1 (1-day matters)", "按期办结率（1 日类）", "% of cases", "pct", +1),
    _K("on_time_rate_tier3", "on time, tier 3 (3-day matters)", "按期办结率（3 日类）", "% of cases", "pct", +1),
    _K("on_time_rate_tier5", "on time, tier 5 (5-day matters)", "按期办结率（5 日类）", "% of cases", "pct", +1),
    _K("mean_resolution_days", "mean resolution time", "平均办理时长", "working days", "num", -1),
    _K("p90_resolution_days", "90th-percentile resolution time", "办理时长 90 分位", "working days", "num", -1, "run"),
    _K(
        "simple_within_1h_share",
        "simple matters closed within 1 h",
        "简单事项 1 小时内办结",
        "% of cases",
        "pct",
        +1,
        "run",
    ),
    _K(
        "complex_within_8h_share",
        "complex matters closed within 8 h",
        "复杂事项 8 小时内办结",
        "% of cases",
        "pct",
        +1,
        "run",
    ),
    _K(
        "property_simple_within_1h_share",
        "simple property matters within 1 h (F5)",
        "不动产简单事项 1 小时内办结（F5）",
        "% of cases",
        "pct",
        +1,
        "run",
    ),
    _K(
        "property_complex_within_8h_share",
        "complex property matters within 8 h (F5)",
        "不动产复杂事项 8 小时内办结（F5）",
        "% of cases",
        "pct",
        +1,
        "run",
    ),
    _K("escalations", "escalations (all levels)", "升级协调（全部层级）", "cases", "count", 0, "run"),
    _K("escalations_level1", "escalations to chief representatives", "升级至首席代表", "cases", "count", 0),
    _K("escalations_level2", "escalations to the leading-group office", "升级至领导小组办公室", "cases", "count", 0),
    _K("escalations_level3", "escalations to the joint conference", "升级至联席会议", "cases", "count", 0),
    _K("trips_per_case", "trips per case", "每件跑动次数", "trips", "num", -1),
    _K("trips_to_seat_per_case", "trips to the county seat per case", "每件到县城跑动次数", "trips", "num", -1),
    _K(
        "requester_hours_per_case",
        "requester hours per case (travel + waiting)",
        "每件群众耗时（路途＋等待）",
        "working hours",
        "num",
        -1,
    ),
    _K("zero_trip_share", "cases with zero trips (F6)", "零跑动比例（F6）", "% of cases", "pct", +1),
    _K("dumped_tasks", "duty tasks dumped on townships", "下压乡镇的任务", "tasks", "count", -1),
    _K("bounced_tasks", "dumped tasks bounced back", "退回的下压任务", "tasks", "count", 0),
    _K("township_utilisation", "township staff utilisation", "乡镇人员负荷率", "% of hours", "pct", 0),
    _K(
        "township_service_share",
        "township hours on residents",
        "乡镇用于群众服务的工时比例",
        "% of hours",
        "pct",
        +1,
        "run",
    ),
    _K("department_utilisation", "department staff utilisation", "部门人员负荷率", "% of hours", "pct", 0),
    _K("overloaded_townships", "overloaded townships", "超负荷乡镇", "townships, daily mean", "num", -1),
    _K("department_effort", "department effort", "部门努力程度", "× normal speed", "num", +1),
    _K("enterprise_satisfaction", "enterprise satisfaction", "企业满意度", "0–1", "num", +1),
    _K("citizen_satisfaction", "citizen satisfaction", "群众满意度", "0–1", "num", +1),
    _K("petitions", "petitions up the hierarchy", "上访", "petitions", "count", -1),
    _K("enterprises", "enterprises", "企业数", "enterprises", "count", +1, "daily"),
    _K("enterprises_end", "enterprises at the end", "期末企业数", "enterprises", "count", +1, "run"),
    _K("enterprise_entries", "enterprise entries", "新进入企业", "enterprises", "count", +1),
    _K("enterprise_exits", "enterprise exits", "退出企业", "enterprises", "count", -1),
    _K("staff_hours", "staff cost", "人员成本", "staff hours paid", "count", -1),
    _K("overtime_hours", "overtime paid (effort)", "加班工时（努力）", "hours", "count", -1),
    _K("staff_posts", "staff in posts", "编制人数", "persons", "num", 0, "run"),
    _K("posts_departments", "posts: departments", "编制：部门", "persons", "num", 0, "run"),
    _K("posts_townships", "posts: townships", "编制：乡镇", "persons", "num", 0, "run"),
    _K("posts_desks", "posts: coordination desks", "编制：协调层级", "persons", "num", 0, "run"),
    _K("posts_chief_representatives", "posts: chief representatives", "编制：首席代表", "persons", "num", 0, "run"),
    _K("posts_leading_group_office", "posts: leading-group office", "编制：领导小组办公室", "persons", "num", 0, "run"),
    _K("posts_commissioners", "posts: commissioners", "编制：企业服务专员", "persons", "num", 0, "run"),
    _K("posts_grid_workers", "posts: grid workers", "编制：网格员", "persons", "num", 0, "run"),
    # --- capacity: every post works, every hour counts (issue 19) ---
    _K("posts_dispatchers", "posts: platform dispatchers", "编制：平台派单员", "persons", "num", 0, "run"),
    _K("referred_share", "cases forwarded to their department", "转办事项占比", "% of cases", "pct", 0, "run"),
    _K(
        "referral_clerk_hours",
        "forwarding: hours until the file is sent (clerk or dispatcher queue)",
        "转办：发文前耗时（经办人或派单员排队）",
        "working hours",
        "num",
        -1,
        "run",
    ),
    _K(
        "referral_courier_hours",
        "forwarding: hours waiting for the courier",
        "转办：等待交换（送件）耗时",
        "working hours",
        "num",
        -1,
        "run",
    ),
    _K(
        "referral_misrouting_hours",
        "forwarding: hours lost to misrouting",
        "转办：错转耗时",
        "working hours",
        "num",
        -1,
        "run",
    ),
    _K("misrouted_share", "forwarded files misrouted", "转办错转比例", "% of cases", "pct", -1, "run"),
    _K(
        "saturated_handlers",
        "saturated handlers (offered load ≥ 1: queue grows without bound)",
        "饱和经办方（负荷 ≥ 1：队列无限增长）",
        "handlers",
        "count",
        -1,
        "run",
    ),
    _K(
        "floored_departments",
        "departments at the one-person floor",
        "仅保留一人的部门",
        "departments",
        "count",
        0,
        "run",
    ),
    _K("cases_carried_in", "open cases carried in from the warm-up", "预热期结转在办事项", "cases", "count", 0, "run"),
    _K("worked_hours", "staff hours worked", "实际工作时长", "hours", "count", 0, "run"),
    # --- incentives and outcomes (issue 11) ---
    _K("resolution_rate", "closed cases really resolved", "办结事项实际解决率", "% of closed cases", "pct", +1),
    _K(
        "request_on_time_rate",
        "requests really resolved by their first deadline",
        "诉求按期实际解决率",
        "% of decided requests",
        "pct",
        +1,
        "run",
    ),
    _K("repeat_contacts", "repeat contacts (unresolved cases back)", "重复诉求", "cases", "count", -1),
    _K("gamed_closures", "cases closed without solving near the deadline", "临期未解决即办结", "cases", "count", -1),
    _K("work_done_share", "needed work done on closed cases", "办结事项实际完成工作量比例", "% of hours", "pct", +1),
    _K("grid_report_share", "cases from grid reports", "网格上报事项占比", "% of cases", "pct", 0),
    _K("grid_participation", "residents' app reporting propensity", "群众上报意愿", "0–1", "num", +1),
    _K("inspection_hours", "inspection hours per township-week", "每乡镇每周督查检查时长", "hours/week", "num", -1),
)
"""The KPI registry, in display order. Add a KPI here once; its value is computed in
:func:`collect_day` (daily) and/or :func:`summary` (per run), and tests check the two agree."""

KPI: dict[str, Kpi] = {k.name: k for k in KPIS}

TOTALS: tuple[str, ...] = (
    "escalations_level1",
    "escalations_level2",
    "escalations_level3",
    "dumped_tasks",
    "bounced_tasks",
    "township_utilisation",
    "department_utilisation",
    "overloaded_townships",
    "petitions",
    "enterprise_entries",
    "enterprise_exits",
    "staff_hours",
    "overtime_hours",
    "inspection_hours",
)
"""Daily values summed over the counted window (the model's ``kpi_totals``)."""

DAILY_KPIS: tuple[str, ...] = tuple(k.name for k in KPIS if k.scope in ("daily", "both"))
"""Columns of the daily table (Mesa DataCollector model reporters)."""

SUMMARY_KEYS: tuple[str, ...] = tuple(k.name for k in KPIS if k.scope in ("run", "both"))
"""Keys of the per-run summary."""

DEFINITIONS: dict[str, tuple[str, str]] = {
    "backlog": (
        "Cases filed and not yet closed at the end of the day, wherever they wait.",
        "当日结束时已受理、尚未办结的事项，无论在哪一环节等待。",
    ),
    "cases_closed": (
        "Cases closed that day (run: in the counted window), really solved or not.",
        "当天办结的事项（整次运行：计数期内），无论是否真正解决。",
    ),
    "on_time_rate": (
        "Share of cases closed by their 135 deadline, of the cases decided (closed, or open past the deadline); "
        "daily: of the cases closed that day.",
        "已到期事项（已办结或已过时限）中按 135 时限办结的比例；每日值：当天办结的事项中。",
    ),
    "on_time_rate_tier1": (
        "On-time share of matters one department handles: deadline 1 working day (F11).",
        "单部门办理事项（时限 1 个工作日，F11）的按期办结比例。",
    ),
    "on_time_rate_tier3": (
        "On-time share of matters several departments handle: deadline 3 working days (F11).",
        "多部门办理事项（时限 3 个工作日，F11）的按期办结比例。",
    ),
    "on_time_rate_tier5": (
        "On-time share of matters that need district coordination: deadline 5 working days (F11).",
        "需区级协调的事项（时限 5 个工作日，F11）的按期办结比例。",
    ),
    "backlog_department": (
        "Case tasks in county departments' queues at the end of the day.",
        "当日结束时县级部门队列中的办件任务。",
    ),
    "backlog_township": (
        "Case tasks in townships' queues at the end of the day (delegated matters and others held there).",
        "当日结束时乡镇队列中的办件任务（下放事项等）。",
    ),
    "backlog_desk": (
        "Cases held by the coordination desks (chief representatives, leading-group office) or waiting for a "
        "joint conference at the end of the day.",
        "当日结束时在协调层级（首席代表、领导小组办公室）办理或等待联席会议的事项。",
    ),
    "escalations": (
        "Cases moved up a coordination level because they passed their level's share of the deadline: chief "
        "representative → leading-group office → joint conference (F9).",
        "超过本层级时限份额而上移一级的事项：首席代表 → 领导小组办公室 → 联席会议（F9）。",
    ),
    "escalations_level1": (
        "Cases moved up to the chief representatives stationed at the centre (F7, F9).",
        "升级至驻中心首席代表的事项（F7、F9）。",
    ),
    "escalations_level2": (
        "Cases moved up to the leading-group office, which coordinates joint handling (F8, F9).",
        "升级至领导小组办公室、由其协调联合办理的事项（F8、F9）。",
    ),
    "escalations_level3": (
        "Cases referred to the joint conference, which meets on its own schedule with limited slots (F9).",
        "提交联席会议的事项；联席会议定期召开，议题名额有限（F9）。",
    ),
    "trips_per_case": (
        "Mean trips a requester made for a service case closed: online 0, each visit to the township hall or "
        "the county seat 1, running on to each further department at the seat 1 more (F6).",
        "办结服务事项平均每件的跑动次数：线上 0 次，每去一次乡镇便民服务中心或县城计 1 次，"
        "在县城每多跑一个部门再计 1 次（F6）。",
    ),
    "trips_to_seat_per_case": (
        "Of those trips, the mean made to the county seat; farther townships make each trip longer.",
        "其中到县城的平均跑动次数；离县城越远的乡镇，每次路程越长。",
    ),
    "requester_hours_per_case": (
        "A requester's hours per request: from the first filing to the final closure (queues, forwarding, "
        "running between departments, repeat contacts) plus travel to the seat and back.",
        "每件诉求群众耗费的小时：从首次提交到最终办结（排队、转办、部门间奔波、重复诉求），加往返县城路程。",
    ),
    "dumped_tasks": (
        "Departments' own duty tasks (inspections, campaigns, reports) pushed down to townships (属地管理, G4).",
        "县级部门把自身职责任务（检查、专项行动、报表）下压给乡镇（属地管理，G4）。",
    ),
    "bounced_tasks": (
        "Dumped tasks a township sent back because they are not on its responsibility list (G4).",
        "因不在责任清单内而被乡镇退回的下压任务（G4）。",
    ),
    "township_utilisation": (
        "Share of townships' staff hours spent on cases and owed duties (dumped tasks, inspections); elective "
        "paperwork and outreach are not counted.",
        "乡镇在岗工时中用于办件和应尽上级任务（下压任务、督查检查）的比例；自选的材料报送和走访不计入。",
    ),
    "township_service_share": (
        "Share of townships' booked hours spent on residents: cases plus outreach, over cases, upward duties, "
        "paperwork and outreach.",
        "乡镇已用工时中服务群众（办件加走访）的比例；分母为办件、向上任务、材料报送与走访之和。",
    ),
    "overloaded_townships": (
        "Townships whose open work exceeds the overload threshold (days of their own staff hours); run: daily mean.",
        "在办工作量超过超负荷阈值（折合自身工时天数）的乡镇数；整次运行为日均值。",
    ),
    "enterprise_satisfaction": (
        "Mean satisfaction of live enterprises (0–1), moved by each closed case: on time, few trips, no rework, "
        "really solved.",
        "存续企业的平均满意度（0–1），随每件办结事项变化：是否按期、跑动多少、有无返工、是否真正解决。",
    ),
    "citizen_satisfaction": (
        "Mean satisfaction of citizens (0–1), moved by each closed case: on time, few trips, no rework, really solved.",
        "群众的平均满意度（0–1），随每件办结事项变化：是否按期、跑动多少、有无返工、是否真正解决。",
    ),
    "petitions": (
        "Disputes left unresolved past residents' patience that became petitions up the hierarchy (上访, G7).",
        "超过群众耐心仍未解决、转为向上级上访的纠纷（G7）。",
    ),
    "resolution_rate": (
        "Share of closed cases really solved; call-backs and repeat contacts reveal closures without solving.",
        "办结事项中真正解决的比例；回访和重复诉求会发现“办结未解决”。",
    ),
    "grid_participation": (
        "Mean propensity of residents to report problems through the grid app (0–1, G8, G9).",
        "群众通过网格小程序上报问题的平均意愿（0–1，G8、G9）。",
    ),
}
"""One-line definitions (English, Chinese) of the KPIs the teaching app shows (hover help on its tiles and
charts); :func:`definition` reads them."""


def definition(name: str, lang: str = "en") -> str:
    """The one-line definition of KPI ``name`` in ``lang`` ("en" or "zh"); "" if it has none."""
    pair = DEFINITIONS.get(name)
    return (pair[1] if lang == "zh" else pair[0]) if pair else ""


def kpi(name: str) -> Kpi:
    """The registry entry of ``name`` (a readable fall-back for names outside the registry,
    e.g. a plug-in's outputs)."""
    return KPI.get(name) or Kpi(name, name.replace("_", " "), name.replace("_", " "), "", "num", 0, "run")


def _rate(num, den) -> float:
    den = int(np.sum(den))
    return float(np.sum(num)) / den if den else float("nan")


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else float("nan")


def _conference_waiting(model) -> int:
    """Open level-3 cases still waiting for a joint conference (closed ones are dropped lazily)."""
    c = model.cases
    return sum(
        1
        for _, cid in model.conference_queue
        if cid in model.flows and c.level[cid] == JOINT_CONFERENCE and c.boost[cid] == 0
    )


def overloaded(model, town) -> bool:
    """Open work (queued tasks × mean step hours + duty backlog) above ``overload_threshold`` days."""
    h = town.handler
    if h.capacity_hours <= 0:
        return True
    work = h.open_tasks * model.mean_step_hours + h.duty_backlog
    return work > model.params.overload_threshold * h.capacity_hours


def collect_day(
    model, closed_ids: np.ndarray, dumped: int, bounced: int, petitions: int, entries: int, exits: int, created: int
) -> dict:
    """The day's KPI row (flows are today's counts; rates are over cases closed today)."""
    c = model.cases
    ids = closed_ids
    late = c.closed[ids] > c.deadline[ids]
    tier = c.tier[ids]
    service = c.requester_kind[ids] != DISPUTE
    towns = model.townships
    for t in towns:
        t.overloaded = overloaded(model, t)
    n_ent = model.live_enterprises
    ot_total = sum(d.overtime_hours for d in model.departments)
    overtime = ot_total - getattr(model, "_overtime_mark", 0.0)
    model._overtime_mark = ot_total
    row = {
        "cases_created": created,
        "cases_closed": len(ids),
        "backlog": len(model.open_ids),
        "backlog_mean": model.backlog_mean,
        "backlog_department": sum(d.handler.open_tasks for d in model.departments),
        "backlog_township": sum(t.handler.open_tasks for t in towns),
        "backlog_desk": sum(h.open_tasks for h in model.desks) + _conference_waiting(model),
        "on_time_rate": _rate(~late, np.ones(len(ids))),
        "on_time_rate_tier1": _rate(~late & (tier == Tier.TIER1), tier == Tier.TIER1),
        "on_time_rate_tier3": _rate(~late & (tier == Tier.TIER3), tier == Tier.TIER3),
        "on_time_rate_tier5": _rate(~late & (tier == Tier.TIER5), tier == Tier.TIER5),
        "mean_resolution_days": _mean((c.closed[ids] - c.created[ids]) / HOURS_PER_DAY),
        "escalations_level1": model.day_escalations[1],
        "escalations_level2": model.day_escalations[2],
        "escalations_level3": model.day_escalations[3],
        "trips_per_case": _mean(c.trips[ids][service]),
        "trips_to_seat_per_case": _mean(c.seat_trips[ids][service]),
        "requester_hours_per_case": _chain_hours_ended(model, ids[service]),
        "zero_trip_share": _rate(c.trips[ids][service] == 0, service),
        "dumped_tasks": dumped,
        "bounced_tasks": bounced,
        "township_utilisation": _mean([t.handler.utilisation_today for t in towns]),
        "department_utilisation": _mean([d.handler.utilisation_today for d in model.departments]),
        "overloaded_townships": sum(t.overloaded for t in towns),
        "department_effort": _mean([d.effort for d in model.departments]),
        "enterprise_satisfaction": model.mean_enterprise_satisfaction(),
        "citizen_satisfaction": float(model.citizen_state["satisfaction"].mean()) if model.n_citizens else float("nan"),
        "petitions": petitions,
        "enterprises": n_ent,
        "enterprise_entries": entries,
        "enterprise_exits": exits,
        "staff_hours": model.staff_persons * HOURS_PER_DAY + overtime,
        "overtime_hours": overtime,
    }
    new = slice(c.n - created, c.n)
    row.update(
        {
            "resolution_rate": _rate(c.resolved[ids], np.ones(len(ids))),
            "repeat_contacts": int((c.contact[new] > 0).sum()),
            "gamed_closures": int(c.gamed[ids].sum()),
            "work_done_share": _mean(c.work_share[ids][~c.gamed[ids]]),
            "grid_report_share": _rate(c.source[new] == GRID_REPORT, np.ones(created)),
            "grid_participation": _participation(model),
            "inspection_hours": inspection.weekly_duty_hours(reform.effective_params(model)),
        }
    )
    return row


def _chain_hours_ended(model, ids: np.ndarray) -> float:
    """Requester hours per service request whose chain ended today (``ids``: service contacts closed
    today): from the chain's first filing to today's closure plus the travel of every contact — the
    summary's per-request definition, counted on the day the chain ends. A contact closed unresolved
    whose requester will come back (a repeat is pending) does not end its chain."""
    c = model.cases
    pending = np.fromiter((cid for _, _, cid in model.repeat_queue), np.int64)
    done = ids[~np.isin(ids, pending)]
    if not len(done):
        return float("nan")
    r = c.view("repeat_of")
    root = np.where(r[done] >= 0, r[done], done)
    travel = c.view("travel")[root].astype(float)
    rep = _repeat_contacts(model, c, r)
    rep = rep[np.isin(r[rep], root)]
    if len(rep):
        order = np.argsort(root)
        pos = order[np.searchsorted(root, r[rep], sorter=order)]
        np.add.at(travel, pos, c.view("travel")[rep])
    return _mean(c.view("closed")[done] - c.view("created")[root] + travel)


def _repeat_contacts(model, c, r: np.ndarray) -> np.ndarray:
    """Ids of the repeat contacts filed so far (``repeat_of`` ≥ 0), in order, kept incrementally (a case's
    ``repeat_of`` is set when it is filed and never changes): only the cases filed since the last call are read."""
    table, seen, known = getattr(model, "_repeat_cache", (None, 0, None))
    if table is not c:
        seen, known = 0, np.zeros(0, np.int64)
    ids = np.concatenate([known, seen + np.flatnonzero(r[seen:] >= 0)])
    model._repeat_cache = (c, len(r), ids)
    return ids


def _participation(model) -> float:
    r = model.citizen_state["report"]
    return float(r.mean()) if len(r) else float("nan")


def _roots(c) -> np.ndarray:
    r = c.view("repeat_of")
    return np.where(r >= 0, r, np.arange(c.n))


def request_on_time_rate(model, now: float) -> float:
    """Share of decided requests (first contacts filed in the counted window) whose chain was
    really resolved by the first deadline (a request is decided once closed or past that deadline)."""
    c = model.cases
    n = c.n
    if n == 0:
        return float("nan")
    closed, deadline = c.view("closed"), c.view("deadline")
    first = (c.view("contact") == 0) & (c.view("created") >= model.count_start)
    root = _roots(c)
    good = c.view("resolved") & (closed <= deadline[root])
    ok = np.zeros(n, bool)
    ok[root[good]] = True
    decided = first & (~np.isnan(closed) | (now > deadline))
    return _rate(ok & decided, decided)


def requester_hours_per_request(model) -> float:
    """Requester hours per service request over its whole chain: from the first filing to the
    chain's latest closure (waiting, including the time an unresolved problem waited before its
    repeat contact) plus the travel hours of every contact. Requests: first contacts filed in the
    counted window and closed."""
    c = model.cases
    if c.n == 0:
        return float("nan")
    closed = c.view("closed")
    root = _roots(c)
    last = np.full(c.n, -np.inf)
    np.maximum.at(last, root, np.where(np.isnan(closed), -np.inf, closed))
    travel = np.bincount(root, weights=c.view("travel"), minlength=c.n)
    req = (
        (c.view("contact") == 0)
        & (c.view("created") >= model.count_start)
        & ~np.isnan(closed)
        & (c.view("requester_kind") != DISPUTE)
    )
    return _mean((last - c.view("created") + travel)[req])


def summary(model) -> dict[str, float]:
    """Per-run KPIs (keys in ``SUMMARY_KEYS``); rates in [0, 1], NaN when undefined."""
    c = model.cases
    now = model.clock_day * HOURS_PER_DAY
    t_start = model.count_start
    all_closed = c.view("closed")
    closed_all = ~np.isnan(all_closed)
    open_end = int((~closed_all).sum())
    win = c.view("created") >= t_start  # cases filed in the counted window
    n = int(win.sum())
    created, closed, deadline = c.view("created")[win], all_closed[win], c.view("deadline")[win]
    is_closed = ~np.isnan(closed)
    age = np.where(is_closed, closed, now) - created
    decided = is_closed | (now > deadline)
    on_time = is_closed & (closed <= deadline)
    tier = c.view("tier")[win]
    kind = c.view("requester_kind")[win]
    service = kind != DISPUTE
    cat = model.catalogue
    matter = c.view("matter")[win]
    diff = c.view("difficulty")[win]
    prop = cat.is_property[matter] if n else np.zeros(0, bool)

    def within(mask, hours):
        dec = mask & (is_closed | (age > hours))
        return _rate(dec & is_closed & (age <= hours), dec)

    res_days = (closed[is_closed] - created[is_closed]) / HOURS_PER_DAY
    closed_service = is_closed & service
    trips = c.view("trips")[win]
    seat = c.view("seat_trips")[win]
    k = model.kpi_totals
    days = max(int(round((now - t_start) / HOURS_PER_DAY)), 1)
    hrs = {key: sum(t.hours[key] for t in model.townships) for key in ("cases", "duties", "paperwork", "outreach")}
    town_total = sum(hrs.values())
    posts = model.posts
    out = {
        "cases_created": float(n),
        "cases_closed": float((closed_all & (np.nan_to_num(all_closed, nan=-1.0) >= t_start)).sum()),
        "backlog_end": float(open_end),
        "cases_carried_in": float(model.carried_in),
        "on_time_rate": _rate(on_time & decided, decided),
        "on_time_rate_tier1": _rate(on_time & decided & (tier == Tier.TIER1), decided & (tier == Tier.TIER1)),
        "on_time_rate_tier3": _rate(on_time & decided & (tier == Tier.TIER3), decided & (tier == Tier.TIER3)),
        "on_time_rate_tier5": _rate(on_time & decided & (tier == Tier.TIER5), decided & (tier == Tier.TIER5)),
        "mean_resolution_days": _mean(res_days),
        "p90_resolution_days": float(np.percentile(res_days, 90)) if len(res_days) else float("nan"),
        "simple_within_1h_share": within(service & (diff == SIMPLE), 1.0),
        "complex_within_8h_share": within(service & (diff == COMPLEX), 8.0),
        "property_simple_within_1h_share": within(service & prop & (diff == SIMPLE), 1.0),
        "property_complex_within_8h_share": within(service & prop & (diff == COMPLEX), 8.0),
        "escalations": float(k["escalations_level1"] + k["escalations_level2"] + k["escalations_level3"]),
        "escalations_level1": float(k["escalations_level1"]),
        "escalations_level2": float(k["escalations_level2"]),
        "escalations_level3": float(k["escalations_level3"]),
        "trips_per_case": _mean(trips[closed_service]),
        "trips_to_seat_per_case": _mean(seat[closed_service]),
        "requester_hours_per_case": requester_hours_per_request(model),
        "township_service_share": (hrs["cases"] + hrs["outreach"]) / town_total if town_total > 0 else float("nan"),
        "zero_trip_share": _rate(trips[closed_service] == 0, closed_service),
        "dumped_tasks": float(k["dumped_tasks"]),
        "bounced_tasks": float(k["bounced_tasks"]),
        "township_utilisation": k["township_utilisation"] / days,
        "department_utilisation": k["department_utilisation"] / days,
        "overloaded_townships": k["overloaded_townships"] / days,
        "department_effort": _mean([d.effort for d in model.departments]),
        "enterprise_satisfaction": model.mean_enterprise_satisfaction(),
        "citizen_satisfaction": float(model.citizen_state["satisfaction"].mean()) if model.n_citizens else float("nan"),
        "petitions": float(k["petitions"]),
        "enterprises_end": float(model.live_enterprises),
        "enterprise_entries": float(k["enterprise_entries"]),
        "enterprise_exits": float(k["enterprise_exits"]),
        "staff_hours": float(k["staff_hours"]),
        "overtime_hours": float(k["overtime_hours"]),
        "staff_posts": float(posts["total"]),
        **{
            f"posts_{kind_}": float(posts[kind_])
            for kind_ in (
                "departments",
                "townships",
                "desks",
                "chief_representatives",
                "leading_group_office",
                "commissioners",
                "dispatchers",
                "grid_workers",
            )
        },
        "worked_hours": float(sum(h.worked_total + h.duty_total for h in model.handlers)) - model.worked_mark,
        "township_backlog_end": float(sum(t.handler.open_tasks for t in model.townships)),
        "department_backlog_end": float(sum(d.handler.open_tasks for d in model.departments)),
    }
    closed_win = closed_all & (np.nan_to_num(all_closed, nan=-1.0) >= t_start)  # closed in the window
    out.update(
        {
            "resolution_rate": _rate(c.view("resolved") & closed_win, closed_win),
            "request_on_time_rate": request_on_time_rate(model, now),
            "repeat_contacts": float((c.view("contact")[win] > 0).sum()),
            "gamed_closures": float((c.view("gamed") & closed_win).sum()),
            "work_done_share": _mean(c.view("work_share")[closed_win & ~c.view("gamed")]),
            "grid_report_share": _rate(c.view("source")[win] == GRID_REPORT, np.ones(n)),
            "grid_participation": _participation(model),
            "inspection_hours": k.get("inspection_hours", 0.0) / days,
        }
    )
    out.update(referral_kpis(model, win))
    out["saturated_handlers"] = float(len(saturated_handlers(model)))
    out["floored_departments"] = float(model.floored_departments.sum())
    out["coordination_attendance_hours"] = float(model.attendance_hours - model.attendance_mark)
    out["front_line_share"] = front_line_share(model, now)
    return out


def front_line_share(model, now: float) -> float:
    """Share of requests settled at the first contact: first-contact service requests filed in the counted
    window whose one step was done by the handler that took them in (the township at its hall, the
    department or a chief representative at the seat, the department online), with no forwarding,
    errand, coordination, rework or escalation, closed on the working day they were filed. Decided:
    closed, or that day is over. It follows from who holds the power and from the receiver's queue."""
    c = model.cases
    if c.n == 0:
        return float("nan")
    created, closed = c.view("created"), c.view("closed")
    day_end = (np.floor(created / HOURS_PER_DAY) + 1) * HOURS_PER_DAY
    first = (c.view("contact") == 0) & (created >= model.count_start) & (c.view("requester_kind") != DISPUTE)
    decided = first & (~np.isnan(closed) | (now >= day_end))
    one_step = model.catalogue.n_departments[c.view("matter")] == 1
    settled = (
        decided
        & one_step
        & ~c.view("referred")
        & ~c.view("errand")
        & (c.view("start_level") == 0)
        & (c.view("escalations") == 0)
        & (c.view("reworks") == 0)
        & ~c.view("gamed")
        & (np.nan_to_num(closed, nan=np.inf) <= day_end)
    )
    return _rate(settled, decided)


def handler_marks(model) -> dict[int, tuple[float, int, float, int]]:
    """Each handler's counters at the start of the counted window: hours worked (cases and duties),
    open tasks, duty backlog (hours) and tasks started."""
    return {
        h.hid: (h.worked_total + h.duty_total, h.open_tasks, h.duty_backlog, h.served_total) for h in model.handlers
    }


def offered_load(model, h) -> float:
    """A handler's offered load ρ over the counted days: (hours worked on tasks and duties + growth
    of its open work) ÷ its capacity hours; open tasks are valued at the mean hours of the tasks it
    has started (the county's mean step hours before it started any), duty backlog in hours. ∞ for
    a handler with open work and no staff; NaN before the first counted day or with neither."""
    days = model.day
    if days <= 0:
        return float("nan")
    done0, open0, duty0, _ = model.handler_marks.get(h.hid, (0.0, 0, 0.0, 0))
    done = h.worked_total + h.duty_total - done0
    mean_task = h.worked_total / h.served_total if h.served_total else model.mean_step_hours
    growth = (h.open_tasks - open0) * mean_task + (h.duty_backlog - duty0)
    capacity = h.capacity_hours * days
    if capacity <= 0:
        return float("inf") if h.open_tasks > 0 else float("nan")
    return (done + growth) / capacity


def saturated_handlers(model) -> dict[str, float]:
    """Handlers whose offered load over the counted days is ≥ 1 (their queues grow without bound:
    not a steady state), by label, with their load."""
    out = {}
    for h in model.handlers:
        rho = offered_load(model, h)
        if rho == rho and rho >= 1.0:
            out[h.label] = rho
    return out


def referral_kpis(model, win: np.ndarray) -> dict[str, float]:
    """The forwarding hop's parts over cases filed in the window (``win``) and forwarded: hours until
    the file was sent, waiting for the courier, lost to misrouting (each a mean per forwarded case
    whose file has reached its department), the share forwarded and the share misrouted."""
    c = model.cases
    ref = c.view("referred")[win]
    sent = ref & ~np.isnan(c.view("hop_clerk")[win])
    mis = c.view("misrouted")[win]
    arrived = sent & (~mis | (c.view("hop_misrouted")[win] > 0))
    return {
        "referred_share": _rate(ref, np.ones(len(ref))),
        "referral_clerk_hours": _mean(c.view("hop_clerk")[win][sent]),
        "referral_courier_hours": _mean(c.view("hop_courier")[win][sent]),
        "referral_misrouting_hours": _mean(c.view("hop_misrouted")[win][arrived]),
        "misrouted_share": _rate(mis & sent, sent),
    }
