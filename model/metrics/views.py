"""The views that show KPIs and the groups inside them: titles, axes and colours, in the order shown.

Which KPIs a view shows is declared by each KPI (its ``views``, :mod:`.kpi`); this module holds what
belongs to the view or group itself. Views: ``run`` (the table printed after ``townsim run``),
``timeseries`` (compare's daily figures), ``headline`` (compare's forest plot and significant
differences; robust's headline effects), ``report`` (compare's report tables, grouped), ``findings``
(the findings page's evidence tables), ``worlds`` (the findings page's plausible-worlds table),
``sweep`` (a sweep's default KPIs), ``dashboard`` (the run dashboard's panels, grouped), ``app``
(the teaching app's live charts, grouped; their titles are the app's own texts ``chart_<group>``),
``tiles`` (the teaching app's strip of large numbers: one group per tile, below), ``province`` (the
province report's headline rows), ``warmup`` (the daily KPIs whose initial transient
the run-in must clear), ``probe`` (the behaviour probe's hashed outputs: groups ``daily`` and
``summary``; a KPI added there changes the behaviour fingerprint once), ``tradeoff`` (compare's trade-off
figure: one group per panel, its KPIs x then y by position, its title the panel's), ``closure_gap`` (the
KPIs compare's report needs to say where closing and solving part ways), ``options`` (the findings page's
reform-options table: closed on time, really resolved, requester hours, staff cost, in that order),
``drivers`` (the outputs whose most influential levers the findings page names) and ``footnote`` (the
run dashboard's closing line, grouped by what is shown: ``end`` the last day's value, ``total`` the sum
over the run, ``change`` the first and the last day's; the group's ``en`` / ``zh`` words it with the
KPI's short label).

A tile of the ``tiles`` view is a group: its name is the tile's key on the page, its KPIs the numbers it
shows. Its label is its KPIs' tile labels (``Kpi.tile_text``) worded by the group's ``en`` / ``zh``
(``"{} today"``; empty: the label as it is, for a level at the day's end); KPIs sharing a tile label are
added up (the levels of escalations), different ones shown side by side (dumped / bounced). A tile reads
the day's row, or with ``running`` the run so far (the run summary: a rate since the counted window began,
or a total); ``of`` shows the value out of the county's count of that (``"townships"``); ``compared``
(a position, 0: not) sets the tile in the app's table that puts a compared run beside the one on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

VIEWS = (
    "run",
    "timeseries",
    "headline",
    "report",
    "findings",
    "worlds",
    "sweep",
    "dashboard",
    "app",
    "tiles",
    "province",
    "warmup",
    "probe",
    "tradeoff",
    "closure_gap",
    "options",
    "drivers",
    "footnote",
)


@dataclass(frozen=True)
class Group:
    """A group of a view: its title and axis (English, Chinese), its series' colours in order, whether
    its value axis starts at 0 (``zero``) and whether it draws running totals since day 1 (``running``; a tile:
    reads the run so far); a tile's ``of``: the county count its value is shown out of, and ``compared``: its
    position in the compared-run table, 0 if not there (module docstring)."""

    en: str = ""
    zh: str = ""
    axis_en: str = ""
    axis_zh: str = ""
    colours: tuple[str, ...] = ()
    zero: bool = True
    running: bool = False
    of: str = ""
    compared: float = 0

    def title(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def axis(self, lang: str = "en") -> str:
        return self.axis_zh if lang == "zh" else self.axis_en

    def colour(self, i: int) -> str:
        """The colour of the group's ``i``-th series (a default cycle past the declared ones)."""
        return self.colours[i] if i < len(self.colours) else f"C{i % 10}"


_G = Group


def _cmp(base: Group, position: float) -> Group:
    """``base`` with the compared-run table's ``position``."""
    return replace(base, compared=position)


_TODAY = _G("{} today", "今日{}")
"""A tile of the day's flow or rate."""
_SO_FAR = _G("{} so far", "{}（累计）", running=True)
"""A tile of a rate over the run so far."""
_TOTAL = _G("{} so far", "累计{}", running=True)
"""A tile of a total over the run so far."""
GROUPS: dict[str, dict[str, Group]] = {
    "report": {
        "service": _G("Service to requesters", "为诉求人服务"),
        "cost": _G("Cost and load", "成本与负荷"),
        "satisfaction": _G("Satisfaction and conflict", "满意度与矛盾"),
        "reach": _G("Reaching the seat and the townships' day", "跑动与乡镇时间"),
        "resolved": _G("Closed or really solved", "办结与真正解决"),
    },
    "dashboard": {
        "requests": _G(
            "Requests: new vs closed",
            "诉求：新增与办结",
            "cases per working day",
            "件 / 工作日",
            ("tab:blue", "tab:green"),
        ),
        "backlog": _G(
            "Open cases (backlog) by who holds them",
            "在办事项（按承办方）",
            "open at day end",
            "日终在办",
            ("tab:blue", "tab:orange", "tab:red", "black"),
        ),
        "on_time": _G(
            "Closed on time (135 deadlines: 1, 3, 5 days)",
            "按期办结（135 时限：1、3、5 日）",
            "share of cases closed that day",
            "当日办结事项占比",
            ("black", "tab:green", "tab:orange", "tab:red"),
        ),
        "escalations": _G(
            "Escalations (tiered coordination, 135 rule)",
            "升级协调（分级协调，135 机制）",
            "cases moved up per working day",
            "件 / 工作日",
            ("tab:olive", "tab:orange", "tab:red"),
        ),
        "trips": _G(
            "Trips a requester makes",
            "诉求人跑动次数",
            "trips per closed case",
            "每件办结事项跑动次数",
            ("tab:purple",),
        ),
        "zero_trip": _G(
            "Requests needing no trip (online, commissioner)",
            "零跑动诉求（网上办、专员代办）",
            "share of closed cases",
            "占办结事项",
            ("tab:cyan",),
        ),
        "dumping": _G(
            "Duty tasks pushed down to townships",
            "向乡镇下压的职责任务",
            "tasks per working day",
            "项 / 工作日",
            ("tab:brown", "tab:gray"),
        ),
        "workload": _G(
            "Workload: utilisation of staff hours",
            "工作负荷：人员工时利用率",
            "share of available hours",
            "占可用工时",
            ("tab:orange", "tab:blue"),
        ),
        "overload": _G(
            "Townships overloaded, petitions",
            "超负荷乡镇与上访",
            "count",
            "数量",
            ("tab:red", "tab:purple"),
        ),
        "satisfaction": _G(
            "Satisfaction (0 = none, 1 = full)",
            "满意度（0 = 无，1 = 完全）",
            "mean satisfaction",
            "平均满意度",
            ("tab:blue", "tab:green"),
        ),
        "effort": _G(
            "County departments' effort (two-way assessment)",
            "县级部门努力程度（双向互评）",
            "work speed (1 = normal)",
            "工作速度（1 = 正常）",
            ("tab:gray",),
        ),
        "enterprises": _G("Enterprises in the county", "县内企业", "enterprises", "家", ("tab:blue",), zero=False),
    },
    "app": {
        "backlog": _G(colours=("#1f5fbf", "#2ca02c", "#7b3fa0")),
        "on_time": _G(colours=("#2ca02c", "#ff8c00", "#d62728")),
        "escalations": _G(colours=("#9467bd", "#17a589", "#222222")),
        "dumping": _G(colours=("#d62728", "#ff8c00"), running=True),
        "satisfaction": _G(colours=("#1f5fbf", "#2ca02c")),
        "petitions": _G(colours=("#8c564b",)),
        "trips": _G(colours=("#1f5fbf", "#8c564b")),
        "trips_total": _G(colours=("#1f5fbf", "#8c564b"), running=True),
        "outcomes": _G(colours=("#1f5fbf", "#2ca02c", "#ff8c00")),
    },
    "tiles": {
        "backlog": _G(compared=1),
        "closed": _TODAY,
        "on_time": _cmp(_TODAY, 2),
        "resolution": _cmp(_TODAY, 3),
        "on_time_so_far": _SO_FAR,
        "resolution_so_far": _SO_FAR,
        "escalations": _TODAY,
        "dumped": _TODAY,
        "overloaded": _G(of="townships", compared=6),
        "town_util": _cmp(_TODAY, 4),
        "town_service": _cmp(_SO_FAR, 5),
        "req_hours": _cmp(_SO_FAR, 7),
        "ent_sat": _G(compared=8),
        "cit_sat": _G(compared=9),
        "petitions": _cmp(_TOTAL, 12),
        "esc_total": _cmp(_TOTAL, 10),
        "dumped_total": _cmp(_TOTAL, 11),
    },
    "tradeoff": {
        "speed": _G("Cost against speed: better is up and to the left", "成本与速度：越靠左上越好"),
        "enterprises": _G("Township load against enterprise satisfaction", "乡镇负荷与企业满意度"),
        "citizens": _G("Township load against citizen satisfaction", "乡镇负荷与群众满意度"),
    },
    "footnote": {
        "end": _G("{} at the end: {}", "期末{}：{}"),
        "total": _G("{} over the run: {}", "全程{}：{}"),
        "change": _G("{}: {} → {}", "{}：{} → {}"),
    },
}
"""The groups of each grouped view, in the order shown (a group no KPI declares is shown empty or left
out by the view; a group a KPI declares but not listed here comes last, untitled)."""
