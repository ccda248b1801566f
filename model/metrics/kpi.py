"""What a KPI is: its labels, unit, format, direction, kind (stock, flow or rate) and the views it appears in.

A view is a place that shows KPIs (the ``run`` table, the ``dashboard``, the report's ``headline``…); a
grouped view shows them in groups (the dashboard's panels, the report's tables: ``report.service``). A KPI
lists its views as tokens ``view[.group][@position]``; within a view or group KPIs come by position, then
in registry order (the views and groups themselves: :mod:`.views`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("stock", "flow", "rate")
"""``stock``: a level at a moment (open cases, live enterprises, satisfaction), drawn as it is; ``flow``: a
count over a period (cases closed, petitions), a daily count or a run total; ``rate``: a share or a mean
over the period's cases or hours (on-time rate, trips per case). Flows and rates are smoothed in figures."""

FORMATS = ("pct", "num", "count")
SCOPES = ("daily", "run", "both")

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
    "% of disputes": "占纠纷 %",
    "% of drawn call-backs": "占抽中回访 %",
}
"""Chinese of every KPI unit (a test checks that each unit in the registry has one)."""


@dataclass(frozen=True)
class Kpi:
    """One KPI, defined once: every table, figure, report, dashboard and the app read it from here.

    ``fmt``: "pct" (a share 0–1 shown as %), "num" or "count"; ``better``: +1 higher is better,
    −1 lower is better, 0 neither; ``scope``: "daily" (a column of the daily table), "run" (a
    per-run summary key) or "both" (same name in both); ``kind``: one of :data:`KINDS`; ``views``:
    space-separated ``view[.group][@position]`` tokens (module docstring); ``tile``: an optional short label
    (English, Chinese) on the teaching app's tiles, whose group words it ("{} today"); else the full label.
    """

    name: str
    en: str
    zh: str
    unit: str
    fmt: str = "num"
    better: int = 0
    scope: str = "both"
    kind: str = "rate"
    views: str = ""
    tile: tuple[str, ...] = ()
    placements: dict[str, dict[str, float]] = field(init=False, repr=False, compare=False, hash=False)
    """View → {group: position}, parsed from ``views`` (a KPI may sit in several groups of one view)."""

    def __post_init__(self) -> None:
        where = f"KPI {self.name!r}"
        for value, allowed, what in (
            (self.fmt, FORMATS, "fmt"),
            (self.scope, SCOPES, "scope"),
            (self.kind, KINDS, "kind"),
        ):
            if value not in allowed:
                raise ValueError(f"{where}: {what} {value!r}: allowed: {', '.join(allowed)}")
        if self.tile and (len(self.tile) != 2 or not all(self.tile)):
            raise ValueError(f"{where}: tile {self.tile!r}: expected (English, Chinese) short labels")
        placements: dict[str, dict[str, float]] = {}
        for token in self.views.split():
            head, _, pos = token.partition("@")
            view, _, group = head.partition(".")
            try:
                position = float(pos) if pos else 0.0
            except ValueError:
                position = float("nan")
            if not view or position != position or group in placements.get(view, {}):
                raise ValueError(f"{where}: view token {token!r}: expected view[.group][@position], each once")
            placements.setdefault(view, {})[group] = position
        object.__setattr__(self, "placements", placements)

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

    def tile_text(self, lang: str = "en") -> str:
        """The label in ``lang`` on the app's tiles: the short :attr:`tile` label, else the full label."""
        return (self.tile[1] if lang == "zh" else self.tile[0]) if self.tile else self.text(lang)

    def unit_text(self, lang: str = "en") -> str:
        """The unit in ``lang`` (Chinese from :data:`UNITS_ZH`; the English unit if it has none)."""
        return UNITS_ZH.get(self.unit, self.unit) if lang == "zh" else self.unit

    @property
    def digits(self) -> int:
        """Decimals shown for a value: shares as % with 1, counts 0, 0–1 scores 3, other numbers 2."""
        return {"pct": 1, "count": 0}.get(self.fmt, 3 if self.unit == "0–1" else 2)

    @property
    def measure(self) -> str:
        """What the number measures, from its format and unit: "share", "score" (0–1), "count",
        "hours" or "number"."""
        if self.fmt == "pct":
            return "share"
        if self.unit == "0–1":
            return "score"
        if self.fmt == "count":
            return "count"
        return "hours" if "hours" in self.unit else "number"

    @property
    def grows_with_county(self) -> bool:
        """A total that grows with the county's size, not comparable across county sizes: a count (cases,
        staff hours, tasks …) or the daily mean of a counted level (overloaded townships, unit "…, daily
        mean")."""
        return self.fmt == "count" or (self.kind == "stock" and self.unit.endswith(", daily mean"))

    @property
    def smoothed(self) -> bool:
        """Drawn as a moving average in daily figures: flows and rates are; stocks are drawn as they are."""
        return self.kind != "stock"

    def in_view(self, view: str) -> bool:
        """True if the KPI appears in ``view`` (``"report"``) or in its group (``"report.service"``)."""
        name, _, group = view.partition(".")
        return name in self.placements and (not group or group in self.placements[name])
