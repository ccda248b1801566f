"""The KPI registry: every KPI once, in display order, with the views it appears in; queries of it.

``kpis(view)`` lists the KPIs of a view (``"run"``, ``"headline"``, ``"report.service"``);
``groups(view)`` the groups of a grouped view with their KPIs; ``kpi(name)`` one entry. A KPI's value
is computed in :func:`~.collect.collect_day` (daily) and/or :func:`~.compute.summary` (per run), and
tests check the two agree. :func:`registered` adds KPIs for a while (a plug-in's outputs, a test's
fixture): every view query sees them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .kpi import Kpi
from .views import GROUPS, Group

_K = Kpi
# One KPI per entry: name, en, zh, unit, fmt, better, scope, kind, views (``view[.group][@position]``), and
# optionally its short label on the app's tiles (``tile=(en, zh)``).
# fmt: off
KPIS: tuple[Kpi, ...] = (
    _K("cases_created", "requests created", "新增诉求", "cases", "count", 0, "both", "flow",
       "run dashboard.requests province@1 probe.daily probe.summary@1"),
    _K("cases_closed", "cases closed", "办结事项", "cases", "count", +1, "both", "flow",
       "run dashboard.requests tiles.closed probe.daily probe.summary@2", tile=("closed", "办结")),
    _K("backlog", "open cases", "在办事项", "cases", "count", -1, "daily", "stock",
       "timeseries dashboard.backlog@4 tiles.backlog warmup@1 probe.daily"),
    _K("backlog_mean", "open cases (time-averaged)", "在办事项（时均）", "cases", "num", -1, "daily", "stock"),
    _K("backlog_end", "open cases at the end", "期末在办事项", "cases", "count", -1, "run", "stock",
       "run headline@4 report.service@4 probe.summary@3"),
    _K("backlog_department", "open tasks at departments", "部门在办任务", "tasks", "count", -1, "daily", "stock",
       "dashboard.backlog@1 app.backlog probe.daily"),
    _K("backlog_township", "open tasks at townships", "乡镇在办任务", "tasks", "count", -1, "daily", "stock",
       "dashboard.backlog@2 app.backlog probe.daily"),
    _K("backlog_desk", "open cases at coordination desks", "协调层级在办事项", "cases", "count", -1, "daily",
       "stock", "dashboard.backlog@3 app.backlog probe.daily"),
    _K("township_backlog_end", "open township tasks at the end", "期末乡镇在办任务", "tasks", "count", -1, "run",
       "stock", "sweep@2"),
    _K("department_backlog_end", "open department tasks at the end", "期末部门在办任务", "tasks", "count", -1,
       "run", "stock"),
    _K("on_time_rate", "cases closed on time", "按期办结率", "% of decided cases", "pct", +1, "both", "rate",
       "run timeseries headline@1 report.service@1 report.resolved@1 findings@1 worlds@1 sweep@1 "
       "dashboard.on_time app.outcomes tiles.on_time tiles.on_time_so_far province@2 warmup@2 probe.daily "
       "probe.summary@5 tradeoff.speed@2 closure_gap@1 options@1 drivers@1", tile=("on time", "按期办结率")),
    _K("on_time_rate_tier1", "on time, tier 1 (1-day matters)", "按期办结率（1 日类）", "% of cases", "pct", +1,
       "both", "rate", "run dashboard.on_time app.on_time probe.daily"),
    _K("on_time_rate_tier3", "on time, tier 3 (3-day matters)", "按期办结率（3 日类）", "% of cases", "pct", +1,
       "both", "rate", "run dashboard.on_time app.on_time probe.daily"),
    _K("on_time_rate_tier5", "on time, tier 5 (5-day matters)", "按期办结率（5 日类）", "% of cases", "pct", +1,
       "both", "rate", "run findings@3 dashboard.on_time app.on_time probe.daily"),
    _K("mean_resolution_days", "mean resolution time", "平均办理时长", "working days", "num", -1, "both", "rate",
       "run headline@2 report.service@2 province@3 probe.summary@6"),
    _K("p90_resolution_days", "90th-percentile resolution time", "办理时长 90 分位", "working days", "num", -1,
       "run", "rate", "run probe.summary@7"),
    _K("simple_within_1h_share", "simple matters closed within 1 h", "简单事项 1 小时内办结", "% of cases", "pct",
       +1, "run", "rate", "probe.summary@8"),
    _K("complex_within_8h_share", "complex matters closed within 8 h", "复杂事项 8 小时内办结", "% of cases", "pct",
       +1, "run", "rate", "probe.summary@9"),
    _K("property_simple_within_1h_share", "simple property matters within 1 h (F5)",
       "不动产简单事项 1 小时内办结（F5）", "% of cases", "pct", +1, "run", "rate", "run probe.summary@10"),
    _K("property_complex_within_8h_share", "complex property matters within 8 h (F5)",
       "不动产复杂事项 8 小时内办结（F5）", "% of cases", "pct", +1, "run", "rate", "run probe.summary@11"),
    _K("escalations", "escalations (all levels)", "升级协调（全部层级）", "cases", "count", 0, "run", "flow",
       "run headline@12 report.satisfaction@4 tiles.esc_total probe.summary@12", tile=("escalations", "升级")),
    _K("escalations_level1", "escalations to chief representatives", "升级至首席代表", "cases", "count", 0, "both",
       "flow", "dashboard.escalations app.escalations tiles.escalations@1 probe.daily", tile=("escalations", "升级")),
    _K("escalations_level2", "escalations to the leading-group office", "升级至领导小组办公室", "cases", "count", 0,
       "both", "flow", "dashboard.escalations app.escalations tiles.escalations@2 probe.daily",
       tile=("escalations", "升级")),
    _K("escalations_level3", "escalations to the joint conference", "升级至联席会议", "cases", "count", 0, "both",
       "flow", "dashboard.escalations app.escalations tiles.escalations@3 probe.daily", tile=("escalations", "升级")),
    _K("trips_per_case", "trips per case", "每件跑动次数", "trips", "num", -1, "both", "rate",
       "run headline@3 report.service@3 dashboard.trips app.trips province@4 probe.daily probe.summary@13"),
    _K("trips_to_seat_per_case", "trips to the county seat per case", "每件到县城跑动次数", "trips", "num", -1,
       "both", "rate", "report.reach@2 findings@5 app.trips probe.summary@14"),
    _K("requester_hours_per_case", "requester hours per case (travel + waiting)", "每件群众耗时（路途＋等待）",
       "working hours", "num", -1, "both", "rate",
       "report.reach@1 findings@4 worlds@4 tiles.req_hours probe.summary@15 options@3 drivers@3",
       tile=("requester hours per case", "每件群众耗时（小时）")),
    _K("zero_trip_share", "cases with zero trips (F6)", "零跑动比例（F6）", "% of cases", "pct", +1, "both", "rate",
       "run dashboard.zero_trip probe.daily probe.summary@17"),
    _K("dumped_tasks", "duty tasks dumped on townships", "下压乡镇的任务", "tasks", "count", -1, "both", "flow",
       "run headline@11 report.cost@4 dashboard.dumping app.dumping tiles.dumped@1 tiles.dumped_total@1 probe.daily "
       "probe.summary@18", tile=("dumped", "下压")),
    _K("bounced_tasks", "dumped tasks bounced back", "退回的下压任务", "tasks", "count", 0, "both", "flow",
       "run dashboard.dumping app.dumping tiles.dumped@2 tiles.dumped_total@2 probe.daily probe.summary@19",
       tile=("bounced", "退回")),
    _K("township_utilisation", "township staff utilisation", "乡镇人员负荷率", "% of hours", "pct", 0, "both",
       "rate", "run timeseries headline@5 report.cost@2 findings@6 sweep@3 dashboard.workload tiles.town_util "
       "warmup@5 probe.daily tradeoff.enterprises@1 tradeoff.citizens@1",
       tile=("township utilisation", "乡镇人员负荷率")),
    _K("township_service_share", "township hours on residents", "乡镇用于群众服务的工时比例", "% of hours", "pct",
       +1, "run", "rate", "report.reach@3 findings@7 tiles.town_service probe.summary@16",
       tile=("township hours on residents", "乡镇服务群众工时比例")),
    _K("department_utilisation", "department staff utilisation", "部门人员负荷率", "% of hours", "pct", 0, "both",
       "rate", "run dashboard.workload warmup@4 probe.daily"),
    _K("overloaded_townships", "overloaded townships", "超负荷乡镇", "townships, daily mean", "num", -1, "both",
       "stock", "run timeseries headline@6 report.cost@3 dashboard.overload tiles.overloaded province@8 probe.daily "
       "footnote.end"),
    _K("department_effort", "department effort", "部门努力程度", "× normal speed", "num", +1, "both", "stock",
       "dashboard.effort probe.daily"),
    _K("enterprise_satisfaction", "enterprise satisfaction", "企业满意度", "0–1", "num", +1, "both", "stock",
       "run timeseries headline@8 report.satisfaction@1 sweep@4 dashboard.satisfaction app.satisfaction province@5 "
       "tiles.ent_sat probe.daily probe.summary@20 tradeoff.enterprises@2"),
    _K("citizen_satisfaction", "citizen satisfaction", "群众满意度", "0–1", "num", +1, "both", "stock",
       "run timeseries headline@9 report.satisfaction@2 dashboard.satisfaction app.satisfaction province@6 "
       "tiles.cit_sat probe.daily probe.summary@21 tradeoff.citizens@2"),
    _K("petitions", "petitions up the hierarchy", "上访", "petitions", "count", -1, "both", "flow",
       "run headline@10 report.satisfaction@3 findings@9 worlds@5 dashboard.overload app.petitions province@7 "
       "tiles.petitions probe.daily probe.summary@22 footnote.total", tile=("petitions", "上访")),
    _K("enterprises", "enterprises", "企业数", "enterprises", "count", +1, "daily", "stock",
       "dashboard.enterprises probe.daily footnote.change"),
    _K("enterprises_end", "enterprises at the end", "期末企业数", "enterprises", "count", +1, "run", "stock",
       "run probe.summary@23"),
    _K("enterprise_entries", "enterprise entries", "新进入企业", "enterprises", "count", +1, "both", "flow",
       "probe.summary@24"),
    _K("enterprise_exits", "enterprise exits", "退出企业", "enterprises", "count", -1, "both", "flow",
       "probe.summary@25"),
    _K("staff_hours", "staff cost", "人员成本", "staff hours paid", "count", -1, "both", "flow",
       "run headline@7 report.cost@1 findings@10 province@9 probe.daily probe.summary@26 tradeoff.speed@1 options@4"),
    _K("overtime_hours", "overtime paid (effort)", "加班工时（努力）", "hours", "count", -1, "both", "flow",
       "probe.summary@27"),
    _K("staff_posts", "staff in posts", "编制人数", "persons", "num", 0, "run", "stock",
       "report.reach@4 probe.summary@28"),
    _K("posts_departments", "posts: departments", "编制：部门", "persons", "num", 0, "run", "stock",
       "probe.summary@29"),
    _K("posts_townships", "posts: townships", "编制：乡镇", "persons", "num", 0, "run", "stock", "probe.summary@30"),
    _K("posts_desks", "posts: coordination desks", "编制：协调层级", "persons", "num", 0, "run", "stock",
       "probe.summary@31"),
    _K("posts_chief_representatives", "posts: chief representatives", "编制：首席代表", "persons", "num", 0, "run",
       "stock", "probe.summary@32"),
    _K("posts_leading_group_office", "posts: leading-group office", "编制：领导小组办公室", "persons", "num", 0,
       "run", "stock", "probe.summary@33"),
    _K("posts_commissioners", "posts: commissioners", "编制：企业服务专员", "persons", "num", 0, "run", "stock",
       "probe.summary@34"),
    _K("posts_grid_workers", "posts: grid workers", "编制：网格员", "persons", "num", 0, "run", "stock",
       "probe.summary@35"),
    # --- capacity: every post works, every hour counts (issue 19) ---
    _K("posts_dispatchers", "posts: platform dispatchers", "编制：平台派单员", "persons", "num", 0, "run", "stock"),
    _K("posts_callback_desk", "posts: call-back desk", "编制：回访专席", "persons", "num", 0, "run", "stock"),
    _K("referred_share", "cases forwarded to their department", "转办事项占比", "% of cases", "pct", 0, "run",
       "rate"),
    _K("referral_clerk_hours", "forwarding: hours until the file is sent (clerk or dispatcher queue)",
       "转办：发文前耗时（经办人或派单员排队）", "working hours", "num", -1, "run", "rate"),
    _K("referral_courier_hours", "forwarding: hours waiting for the courier", "转办：等待交换（送件）耗时",
       "working hours", "num", -1, "run", "rate"),
    _K("referral_misrouting_hours", "forwarding: hours lost to misrouting", "转办：错转耗时", "working hours",
       "num", -1, "run", "rate"),
    _K("misrouted_share", "forwarded files misrouted", "转办错转比例", "% of cases", "pct", -1, "run", "rate"),
    _K("saturated_handlers", "saturated handlers (offered load ≥ 1: queue grows without bound)",
       "饱和经办方（负荷 ≥ 1：队列无限增长）", "handlers", "count", -1, "run", "stock"),
    _K("department_wait_hours", "hours a step waits in a department's queue", "部门排队等候时长（每环节）",
       "working hours", "num", -1, "run", "rate"),
    _K("floored_departments", "departments at the one-person floor", "仅保留一人的部门", "departments", "count", 0,
       "run", "stock"),
    _K("stopped_day", "day the stop rule stopped the run (backlog above stop_backlog_days of arrivals)",
       "停止规则终止运行之日（积压超过 stop_backlog_days 天的受理量）", "working days", "count", 0, "run",
       "stock"),
    _K("cases_carried_in", "open cases carried in from the warm-up", "预热期结转在办事项", "cases", "count", 0,
       "run", "stock", "probe.summary@4"),
    _K("worked_hours", "staff hours worked", "实际工作时长", "hours", "count", 0, "run", "flow", "probe.summary@36"),
    # --- incentives and outcomes (issue 11) ---
    _K("resolution_rate", "closed cases really resolved", "办结事项实际解决率", "% of closed cases", "pct", +1,
       "both", "rate", "report.resolved@3 findings@8 worlds@3 app.outcomes tiles.resolution tiles.resolution_so_far "
       "warmup@3 probe.summary@37 closure_gap@3", tile=("really resolved", "办结实际解决率")),
    _K("request_on_time_rate", "requests really resolved by their first deadline", "诉求按期实际解决率",
       "% of decided requests", "pct", +1, "run", "rate", "report.resolved@2 findings@2 worlds@2 probe.summary@38 "
       "closure_gap@2 options@2 drivers@2"),
    _K("repeat_contacts", "repeat contacts (unresolved cases back)", "重复诉求", "cases", "count", -1, "both",
       "flow", "report.resolved@4 probe.summary@39 closure_gap@5"),
    _K("gamed_closures", "cases closed without solving near the deadline", "临期未解决即办结", "cases", "count", -1,
       "both", "flow", "report.resolved@5 probe.summary@40 closure_gap@4"),
    _K("work_done_share", "needed work done on closed cases", "办结事项实际完成工作量比例", "% of hours", "pct", +1,
       "both", "rate"),
    _K("grid_report_share", "cases from grid reports", "网格上报事项占比", "% of cases", "pct", 0, "both", "rate",
       "report.resolved@6 probe.summary@41"),
    _K("mediation_accept_share", "early-detected disputes taken on by mediators", "早期发现纠纷的调解受理比例",
       "% of disputes", "pct", 0, "run", "rate"),
    _K("callbacks_made", "call-backs made (回访)", "已回访事项", "cases", "count", 0, "both", "flow"),
    _K("callbacks_not_made", "call-backs drawn but not made (the desk's hours spent)", "抽中但未回访的事项",
       "cases", "count", -1, "both", "flow"),
    _K("callback_made_share", "drawn call-backs made", "抽中回访的完成比例", "% of drawn call-backs", "pct", +1,
       "run", "rate"),
    _K("callback_desk_utilisation", "call-back desk utilisation", "回访席位负荷率", "% of hours", "pct", 0, "run",
       "rate"),
    _K("grid_participation", "residents' app reporting propensity", "群众上报意愿", "0–1", "num", +1, "both",
       "stock", "app.outcomes probe.summary@42"),
    _K("inspection_hours", "inspection hours per township-week", "每乡镇每周督查检查时长", "hours/week", "num", -1,
       "both", "stock", "probe.summary@43"),
)
# fmt: on
"""The shipped KPIs, in display order."""

KPI: dict[str, Kpi] = {k.name: k for k in KPIS}
"""The live registry by name: the shipped KPIs and any :func:`registered` for a while."""

DAILY_KPIS: tuple[str, ...] = tuple(k.name for k in KPIS if k.scope in ("daily", "both"))
"""Columns of the daily table (Mesa DataCollector model reporters)."""

SUMMARY_KEYS: tuple[str, ...] = tuple(k.name for k in KPIS if k.scope in ("run", "both"))
"""Keys of the per-run summary."""


def kpi(name: str) -> Kpi:
    """The registry entry of ``name`` (a readable fall-back for names outside the registry,
    e.g. a plug-in's outputs)."""
    return KPI.get(name) or Kpi(name, name.replace("_", " "), name.replace("_", " "), "", "num", 0, "run")


def kpis(view: str) -> tuple[str, ...]:
    """Names of the KPIs of ``view`` in the order shown: a view (``"headline"``: all its groups, one
    after the other, each KPI once) or one group (``"report.service"``)."""
    name, _, group = view.partition(".")
    if group:
        return _members(name, group)
    return tuple(dict.fromkeys(k for _, names in groups(name) for k in names))


def groups(view: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(group, KPI names)`` of ``view`` in the order shown: the groups :data:`~.views.GROUPS` lists,
    then any other a KPI declares; an ungrouped view is one group ``""``. Groups without KPIs are left out."""
    declared = [g for k in KPI.values() for g in k.placements.get(view, {})]
    order = [*GROUPS.get(view, {}), *dict.fromkeys(declared)]
    return tuple((g, m) for g in dict.fromkeys(order) if (m := _members(view, g)))


def group(view: str, name: str) -> Group:
    """Title, axis and colours of group ``name`` of ``view`` (an empty one if the view declares none)."""
    return GROUPS.get(view, {}).get(name) or Group()


def compared_tile_keys() -> tuple[str, ...]:
    """Keys of the ``tiles`` groups set side by side in the app's compared-run table, in that table's order
    (each group's ``compared`` position, :mod:`.views`)."""
    shown = [(group("tiles", g).compared, i, g) for i, (g, _) in enumerate(groups("tiles"))]
    return tuple(g for position, _, g in sorted(shown) if position)


def _members(view: str, group_name: str) -> tuple[str, ...]:
    found = [
        (k.placements[view][group_name], i, k.name)
        for i, k in enumerate(KPI.values())
        if group_name in k.placements.get(view, {})
    ]
    return tuple(name for *_, name in sorted(found))


@contextlib.contextmanager
def registered(*extra: Kpi) -> Iterator[tuple[Kpi, ...]]:
    """Inside, the KPIs ``extra`` are in the registry (after the shipped ones): :func:`kpi` and every
    view query find them. A name already registered is refused."""
    clash = [k.name for k in extra if k.name in KPI]
    if clash:
        raise ValueError(f"KPI {clash[0]!r} is already registered")
    KPI.update({k.name: k for k in extra})
    try:
        yield extra
    finally:
        for k in extra:
            KPI.pop(k.name, None)
