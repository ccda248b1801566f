"""One-line definitions (English, Chinese) of KPIs: the teaching app's hover help on its tiles and charts."""

from __future__ import annotations

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
