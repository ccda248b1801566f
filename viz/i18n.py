"""One translation table for the app: every label in Chinese and English.

Chinese terms follow the glossary of ``shared/DOMAIN.md`` (县级职能部门, 乡镇/街道,
强镇扩权, 编制下沉, 135 响应机制, 首席代表, 领导小组办公室, 联席会议, 双向互评,
责任清单, 一网通办, 网格化管理, 督查检查考核, 上访 …). ``t(key, lang)`` looks a
label up; a missing key or language is a ``KeyError`` (tests check that both
languages cover the same keys), never a silent fallback.
"""

from __future__ import annotations

from . import strip
from .levers import lever_texts

LANGS = ("zh", "en")
"""Supported languages; the first is the default (planners and teachers in China read Chinese first)."""

DEFAULT_LANG = "zh"

TEXT: dict[str, dict[str, str]] = {
    # --- app frame ---------------------------------------------------------------
    "app_title": {"zh": "乡镇治理改革模拟 · townsim", "en": "Township governance reform · townsim"},
    "levers_card": {"zh": "情景与改革杠杆", "en": "Scenario and reform levers"},
    "scenario": {"zh": "情景", "en": "Scenario"},
    "seed": {"zh": "随机种子", "en": "Random seed"},
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "restart_note": {
        "zh": "改变情景、杠杆或种子后，县域从第 0 天重新开始；用 ▶ 或 Step 推进（一步 = 一个工作日）。",
        "en": "Changing the scenario, a lever or the seed restarts the county at day 0; "
        "advance with ▶ or Step (one step = one working day).",
    },
    "applying": {"zh": "正在按新设定重建县域…", "en": "rebuilding the county with these settings…"},
    "changed_from": {"zh": "相对情景已改变", "en": "changed from the scenario"},
    "unchanged": {"zh": "与情景设定一致", "en": "as in the scenario"},
    "lever_error": {"zh": "参数无效", "en": "invalid value"},
    "on": {"zh": "开", "en": "on"},
    "off": {"zh": "关", "en": "off"},
    # --- time controls ----------------------------------------------------------
    "time_card": {"zh": "时间", "en": "Time"},
    "reset": {"zh": "重置", "en": "Reset"},
    "play": {"zh": "播放", "en": "Play"},
    "pause": {"zh": "暂停", "en": "Pause"},
    "step": {"zh": "单步（一天）", "en": "Step (one day)"},
    "run_to": {"zh": "运行到第几天", "en": "Run to day"},
    "run_go": {"zh": "运行", "en": "Run"},
    "running_to": {"zh": "正在运行到第 {day} 天（现为第 {now} 天）…", "en": "running to day {day} (now day {now})…"},
    "step_note": {
        "zh": "单步 = 一个工作日；播放逐日推进，暂停在当天结束时生效；“运行到第几天”恰好停在该天。",
        "en": "Step = one working day; Play goes day by day and a pause takes effect at the end of the day; "
        "“Run to day” stops exactly at that day.",
    },
    # --- levers (DESIGN §4): a field's labels are its Params metadata (``levers.lever_texts``) ---------
    "lever_equal_staff": {
        "zh": "同等编制：新增岗位从部门编制中调剂",
        "en": "Equal staff: new posts come out of departments",
    },
    # --- scenarios -----------------------------------------------------------------
    "scenario_baseline": {"zh": "现状（改革前）", "en": "Status quo (before the reforms)"},
    "scenario_one_stop_135": {"zh": "一站式中心 + 135 机制", "en": "One-stop centre + 135 rule"},
    "scenario_delegation_no_staff": {"zh": "放权不下编", "en": "Delegation without staff"},
    "scenario_delegation_with_staff": {"zh": "放权且编制下沉", "en": "Delegation with staff"},
    "scenario_two_way_assessment": {"zh": "双向互评", "en": "Two-way assessment"},
    "scenario_grid_governance": {"zh": "网格化治理", "en": "Grid governance"},
    "scenario_full_reform": {"zh": "全面改革", "en": "Full reform"},
    "scenario_inspection_cut": {"zh": "督查检查减半", "en": "Inspections cut by half"},
    "scenario_linping": {"zh": "临平区企业综合服务中心（118 万人）", "en": "Linping district (1.18 M residents)"},
    # --- KPI strip (the page's own tiles; the others' labels are the registry's: ``_tile_texts``) ---
    "kpi_day": {"zh": "工作日", "en": "Working day"},
    "kpi_reform": {"zh": "改革", "en": "Reform"},
    "reform_before": {"zh": "未开启（第 {day} 天开启）", "en": "off until day {day}"},
    "reform_on": {"zh": "已开启（第 {day} 天起）", "en": "on since day {day}"},
    "reform_always": {"zh": "一开始即开启", "en": "on from day 0"},
    "reform_none": {"zh": "无（现状）", "en": "none (status quo)"},
    "county_before": {"zh": "改革前", "en": "before the reform"},
    "county_after": {"zh": "改革后", "en": "after the reform"},
    # --- county view ------------------------------------------------------------
    "county_title": {"zh": "县域视图 · 第 {day} 个工作日", "en": "County view · working day {day}"},
    "flows_today": {"zh": "今日流向（线宽 = 件数）", "en": "Today's flows (width = count)"},
    "departments": {"zh": "县级职能部门", "en": "County departments"},
    "townships": {"zh": "乡镇 / 街道", "en": "Townships / subdistricts"},
    "requesters": {
        "zh": "企业（▲）与群众（●）抽样，× = 已退出企业",
        "en": "Enterprises (▲) and citizens (●), sampled; × = exited",
    },
    "centre": {"zh": "一站式服务中心", "en": "One-stop centre"},
    "centre_off": {"zh": "无一站式中心", "en": "No one-stop centre"},
    "desk_1": {"zh": "首席代表", "en": "Chief representatives"},
    "desk_2": {"zh": "领导小组办公室", "en": "Leading-group office"},
    "desk_3": {"zh": "联席会议", "en": "Joint conference"},
    "desks_off": {"zh": "（135 机制关闭）", "en": "(135 rule off)"},
    "desks_adhoc": {
        "zh": "无 135 机制：协调层级临时协调、先到先办；不升级，不开联席会议",
        "en": "no 135 rule: desks coordinate ad hoc, first come first served; no escalation, no joint conference",
    },
    # --- departments by function (the category of most of the demand they own) ------
    "cat_talent": {"zh": "人才", "en": "talent"},
    "cat_investment": {"zh": "招商", "en": "investment"},
    "cat_approval": {"zh": "审批", "en": "approval"},
    "cat_policy_payout": {"zh": "政策兑付", "en": "payouts"},
    "cat_economic_analysis": {"zh": "经济分析", "en": "economy"},
    "cat_request_coordination": {"zh": "诉求协调", "en": "requests"},
    "cat_business_environment": {"zh": "营商环境", "en": "business"},
    "cat_risk_control": {"zh": "风险防控", "en": "risk"},
    "cat_property": {"zh": "不动产", "en": "property"},
    "cat_social_security": {"zh": "社保", "en": "social sec."},
    "cat_household": {"zh": "户籍", "en": "household"},
    "cat_civil_affairs": {"zh": "民政", "en": "civil aff."},
    "cat_health": {"zh": "卫健", "en": "health"},
    "cat_housing": {"zh": "住房", "en": "housing"},
    "dept_none": {"zh": "部门", "en": "dept."},
    # --- Linping's townships (scenarios/townships/linping_townships.csv) -------------
    "place_Linping subdistrict": {"zh": "临平街道", "en": "Linping subdistrict"},
    "place_Donghu subdistrict": {"zh": "东湖街道", "en": "Donghu subdistrict"},
    "place_Nanyuan subdistrict": {"zh": "南苑街道", "en": "Nanyuan subdistrict"},
    "place_Xingqiao subdistrict": {"zh": "星桥街道", "en": "Xingqiao subdistrict"},
    "place_Qiaosi subdistrict": {"zh": "乔司街道", "en": "Qiaosi subdistrict"},
    "place_Yunhe subdistrict": {"zh": "运河街道", "en": "Yunhe subdistrict"},
    "place_Chongxian subdistrict": {"zh": "崇贤街道", "en": "Chongxian subdistrict"},
    "place_Tangqi town": {"zh": "塘栖镇", "en": "Tangqi town"},
    "flow_referral": {"zh": "转办", "en": "referral"},
    "flow_escalation": {"zh": "升级", "en": "escalation"},
    "flow_dumped": {"zh": "甩锅下压", "en": "dumped task"},
    "flow_bounced": {"zh": "依清单退回", "en": "bounced back"},
    "cbar_handlers": {"zh": "积压工作量（折合自身处理能力的天数）", "en": "Queued work (days of own capacity)"},
    "cbar_requesters": {"zh": "满意度", "en": "Satisfaction"},
    "overloaded": {"zh": "红圈 = 超负荷", "en": "red ring = overloaded"},
    "open_cases_short": {"zh": "积压", "en": "open"},
    "sat_short": {"zh": "满意", "en": "sat."},
    "sample_note": {
        "zh": "每个乡镇最多 {k} 个 ▲ 和 {k} 个 ●：共画 {n} 个，全体 {total} 个",
        "en": "≤ {k} ▲ and ≤ {k} ● per township: {n} drawn of {total}",
    },
    "more_flows": {"zh": "另有 {n} 条较小流向未画", "en": "{n} smaller flows not drawn"},
    # --- charts --------------------------------------------------------------------
    "chart_backlog": {"zh": "积压（按承办方）", "en": "Open work by handler kind"},
    "chart_on_time": {"zh": "按期办结率（135 分级）", "en": "On-time rate per 135 tier"},
    "chart_escalations": {"zh": "每日升级（按层级）", "en": "Escalations per day by level"},
    "chart_dumping": {"zh": "下压与退回任务（累计）", "en": "Dumped vs bounced tasks (running total)"},
    "chart_satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "chart_petitions": {"zh": "上访（每日）", "en": "Petitions per day"},
    "chart_outcomes": {"zh": "按期办结与实际解决", "en": "Closed on time vs really resolved"},
    "help_chart_backlog": {
        "zh": "当日结束时尚未办结的事项，按所在承办方：县级部门、乡镇、协调层级（首席代表至联席会议）",
        "en": "Cases still open at the end of the day, by who holds them: departments, townships, escalation desks",
    },
    "help_chart_on_time": {
        "zh": "到期事项中按期办结的比例，按 135 分级（1 日单部门、3 日多部门、5 日区级协调）",
        "en": "Share of due cases closed by their deadline, per 135 tier (1 day, 3 days, 5 days)",
    },
    "help_chart_escalations": {
        "zh": "当日升到各层级的事项：首席代表 → 领导小组办公室 → 联席会议",
        "en": "Cases moved up that day: chief representatives → leading-group office → joint conference",
    },
    "help_chart_dumping": {
        "zh": "自第 1 天起部门下压给乡镇的职责任务，以及乡镇依责任清单退回的任务",
        "en": "Duty tasks departments pushed down to townships since day 1, and those bounced back under a list",
    },
    "help_chart_satisfaction": {
        "zh": "企业与群众的平均满意度（0 = 很不满意，1 = 很满意）",
        "en": "Mean satisfaction of enterprises and of citizens (0 = very unhappy, 1 = fully satisfied)",
    },
    "help_chart_petitions": {
        "zh": "超过耐心仍未解决的纠纷变成上访（每日件数）",
        "en": "Disputes unresolved past residents' patience that became petitions (per day)",
    },
    "help_chart_outcomes": {
        "zh": "按期办结不等于真正解决：回访发现的“办结未解决”拉开两条线；橙线为群众网格上报意愿",
        "en": "Closed on time is not solved: call-backs find cases closed but unsolved; orange: residents reporting",
    },
    "chart_trips": {"zh": "跑动次数（每件，每日）", "en": "Trips per case (per day)"},
    "help_chart_trips": {
        "zh": "当天办结事项平均跑动次数，其中到县城的次数；路远则每次更耗时",
        "en": "Mean trips of the cases closed that day, and those to the county seat (farther townships: longer trips)",
    },
    "axis_trips": {"zh": "次", "en": "trips"},
    "axis_day": {"zh": "工作日", "en": "working day"},
    "axis_cases": {"zh": "件", "en": "cases"},
    "axis_share": {"zh": "比例", "en": "share"},
    "axis_tasks": {"zh": "任务数", "en": "tasks"},
    "axis_score": {"zh": "0–1", "en": "0–1"},
    "chart_trips_total": {"zh": "跑动次数（累计）", "en": "Trips so far (running total)"},
    "help_chart_trips_total": {
        "zh": "自第 1 天起群众的全部跑动，及其中到县城的跑动；线越平，跑得越少",
        "en": "All trips requesters made since day 1, and those to the county seat; a flatter line: fewer trips",
    },
    "series_trips_made": {"zh": "全部跑动", "en": "all trips"},
    "series_seat_trips_made": {"zh": "到县城", "en": "to the county seat"},
    "def_trips_made": {
        "zh": "群众的跑动（线上 0 次；去乡镇便民中心或县城 1 次；在县城每多跑一个部门再计 1 次），按发生之日累计",
        "en": "Trips requesters made (online 0; the hall or the seat 1; each further department at the seat 1 more)",
    },
    "tooltip_definition": {"zh": "定义", "en": "definition"},
    "def_seat_trips_made": {
        "zh": "其中到县城的跑动，按发生之日累计；离县城越远，每次越耗时",
        "en": "Of those, the trips to the county seat, on the day made; farther townships: longer trips",
    },
    "compare_none": {
        "zh": "改变杠杆后，上一次运行会以灰色虚线留在每张图上，并在此与本次逐项对照。",
        "en": "After you change a lever, the previous run stays on every chart as grey dashes and is compared here.",
    },
    "compare_title": {"zh": "第 {day} 天对照", "en": "Compared at day {day}"},
    "compare_pin": {
        "zh": "固定此对照运行（之后改杠杆不替换）",
        "en": "Pin this compared run (keep it as levers change)",
    },
    "use_cases": {"zh": "办件（群众与下放事项）", "en": "cases (residents', delegated)"},
    "use_duties": {"zh": "向上任务（下压任务、督查检查）", "en": "upward duties (dumped tasks, inspections)"},
    "use_paperwork": {"zh": "材料报送（自选）", "en": "paperwork (elective)"},
    "use_outreach": {"zh": "走访服务群众（自选）", "en": "outreach to residents (elective)"},
    "axis_hours_day": {"zh": "小时/天", "en": "hours/day"},
    "chart_hours": {"zh": "乡镇工时去向（每日）", "en": "Where a township's hours go (per day)"},
    "help_chart_hours": {
        "zh": "每天的工时按用途堆叠：办件、向上任务、材料报送、走访服务；顶部 = 当天全部在岗工时",
        "en": "Each day's hours stacked by use: cases, upward duties, paperwork, outreach; the top = all staff hours",
    },
    "chart_util": {"zh": "乡镇人员负荷率（每日）", "en": "Township utilisation (per day)"},
    "help_chart_util": {
        "zh": "办件与向上任务占在岗工时的比例；自选的材料报送和走访不计入，所以负荷率不等于为群众服务",
        "en": "Hours on cases and owed duties over staff hours; elective paperwork and outreach are not counted",
    },
    "all_townships": {"zh": "全部乡镇（平均）", "en": "all townships (mean)"},
    "township_pick": {"zh": "选择乡镇", "en": "Township"},
    "to_seat": {"zh": "距县城 {h:.1f} 小时", "en": "{h:.1f} h to seat"},
    "exercise": {"zh": "练习", "en": "Exercise"},
    "exercise_pick": {
        "zh": "练习预设（设定杠杆并运行到练习读数的那天）",
        "en": "Exercise preset (sets levers, runs to its day)",
    },
    "classroom": {"zh": "课堂模式", "en": "Classroom"},
    "group_delegation": {"zh": "强镇扩权与编制", "en": "Delegation and staff"},
    "group_service": {"zh": "服务与 135 机制", "en": "Service and the 135 rule"},
    "group_assessment": {"zh": "考核、下压与督查", "en": "Assessment, dumping, inspections"},
    "group_grid": {"zh": "网格与回访", "en": "Grid and call-backs"},
    "group_geography": {"zh": "距离与路程", "en": "Distance and travel"},
    "group_time": {"zh": "改革时间", "en": "Timing of the reform"},
    "run_now": {"zh": "本次运行", "en": "this run"},
    "run_compared": {"zh": "对照运行", "en": "compared run"},
    "tooltip_run": {"zh": "运行", "en": "run"},
    "tooltip_series": {"zh": "指标", "en": "measure"},
    "tooltip_value": {"zh": "数值", "en": "value"},
    "reform_starts": {"zh": "改革开启（第 {day} 天后）", "en": "reform on (after day {day})"},
    # --- hover help (``help``): kinds of a lever, its range, the page's own tiles ----------
    "help_kind_lever": {"zh": "改革杠杆", "en": "reform lever"},
    "help_kind_fact": {"zh": "事实（{cite}）", "en": "fact ({cite})"},
    "help_kind_assumption": {"zh": "假设，合理范围 {span}", "en": "assumption, plausible {span}"},
    "help_kind_setting": {"zh": "运行设置", "en": "run setting"},
    "help_range": {"zh": "可选 {span}", "en": "slider {span}"},
    "lever_help_equal_staff": {
        "zh": "不增加总编制：乡镇新增岗位从县级部门编制中调剂（G3）",
        "en": "Without raising the county's total staff: new township posts come out of department posts (G3)",
    },
    "help_tile_day": {
        "zh": "已显示的工作日（每天 8 个工作小时），改革前的天数也计在内",
        "en": "Working days shown so far (8 working hours each), the days before the reform included",
    },
    "help_tile_reform": {
        "zh": "改革前的天数按现状运行，此后改革的杠杆生效（图中的竖虚线）",
        "en": "The days before the reform run the status quo; after them the reform's levers apply (the dashed line)",
    },
}


def _tile_texts() -> dict[str, dict[str, str]]:
    """The labels of the KPI strip's tiles (``kpi_<tile>``), from the registry's ``tiles`` view (``strip``)."""
    return {f"kpi_{key}": {lang: strip.label(key, lang) for lang in LANGS} for key in strip.keys()}


TEXT.update(_tile_texts())  # the shipped tiles' labels (in the table, so the font subset holds them)
TEXT.update(lever_texts())  # the labels of every Params field the app shows (``P(label=, label_zh=, app=)``)


DESCRIPTION_ZH: dict[str, str] = {
    "baseline": "现状：无一站式中心，串联办理，无 135 机制，不放权，单向考核，督查检查繁重",
    "one_stop_135": "一站式中心（联合办理、线上办理、企业服务专员）加 135 分级响应机制（F2–F12）",
    "delegation_no_staff": "一半事项下放乡镇，编制不随之下沉（G3 做得不好）",
    "delegation_with_staff": "一半事项下放乡镇，相应人员工时随之下沉（G3）",
    "two_way_assessment": "乡镇给县级部门打分（双向互评）；减少督查检查另见“督查检查减半”情景（G5）",
    "grid_governance": "网格员、群众随手拍上报与积分激励、就地调解，及早发现纠纷（G7–G9）",
    "full_reform": "全部改革：一站式中心 + 135 机制、放权且编制下沉、双向互评、责任清单、网格化",
    "inspection_cut": "督查检查与向上报送材料减半（G5、P2），不实行双向互评",
    "linping": "临平区企业综合服务中心：8 个镇街、117.58 万人、23 个部门、135 机制（F2–F13）",
}
"""Chinese descriptions of the shipped scenarios (the English is the scenario file's ``description``)."""


def t(key: str, lang: str = DEFAULT_LANG, **fmt) -> str:
    """The label ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``fmt`` if given. A tile's label
    ``kpi_<tile>`` is read from the registry when asked, so a KPI registered after import (a plug-in's, a
    test's fixture) is labelled too."""
    tile = key.removeprefix("kpi_")
    text = strip.label(tile, lang) if key.startswith("kpi_") and tile in strip.keys() else TEXT[key][lang]
    return text.format(**fmt) if fmt else text


def scenario_description(name: str, lang: str, description: str) -> str:
    """A shipped scenario's description in ``lang`` (the file's English text in English; a user's own
    scenario keeps its own text in both)."""
    if lang == "zh" and name in DESCRIPTION_ZH:
        return DESCRIPTION_ZH[name]
    return description


def place_name(name: str, lang: str) -> str:
    """A township's name in ``lang`` (Linping's from the table; others as given)."""
    key = f"place_{name}"
    return TEXT[key][lang] if key in TEXT else name


def scenario_label(name: str, lang: str) -> str:
    """Display name of a shipped scenario; an unknown (user) scenario shows its file name."""
    key = f"scenario_{name}"
    if key in TEXT:
        return f"{TEXT[key][lang]} · {name}"
    return name.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".toml")  # a user file: its name
