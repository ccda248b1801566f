"""Hover help on the page: a short definition for every lever the app offers and every tile of the strip.

Nothing here defines a KPI or a parameter a second time. A tile's help is the KPI registry's label, unit
and one-line definition (``model.metrics.kpi``, ``model.metrics.definition``) of the KPIs it shows
(``TILE_KPIS``); a lever's help is its ``Params`` field: the description (English), its kind (reform
lever, fact with its F#/G#/P# code, assumption with its plausible range and basis, setting) and its
allowed range. ``Params`` descriptions are English only; the Chinese page shows the translation kept in
``LEVER_ZH`` with the same generated kind and range. The page puts the text in the element's ``title``
(the browser's own tooltip: no script, works with a projector and a screen reader).
"""

from __future__ import annotations

from townsim.model.metrics import definition, kpi
from townsim.model.metrics.text import number, significant
from townsim.model.params import Params

from .i18n import t
from .levers import LEVERS

TILE_KPIS: dict[str, tuple[str, ...]] = {
    "backlog": ("backlog",),
    "closed": ("cases_closed",),
    "on_time": ("on_time_rate",),
    "resolution": ("resolution_rate",),
    "on_time_so_far": ("on_time_rate",),
    "resolution_so_far": ("resolution_rate",),
    "escalations": ("escalations",),
    "dumped": ("dumped_tasks", "bounced_tasks"),
    "overloaded": ("overloaded_townships",),
    "town_util": ("township_utilisation",),
    "town_service": ("township_service_share",),
    "req_hours": ("requester_hours_per_case",),
    "ent_sat": ("enterprise_satisfaction",),
    "cit_sat": ("citizen_satisfaction",),
    "petitions": ("petitions",),
    "esc_total": ("escalations",),
    "dumped_total": ("dumped_tasks", "bounced_tasks"),
}
"""The registry KPIs each tile of the strip (``kpis.tiles``) shows; the day and reform tiles are the
page's own (``help_tile_day``, ``help_tile_reform``)."""

LEVER_ZH: dict[str, str] = {
    "delegated_share": "管理权限下放乡镇的事项类型比例（大邑县下放 200 余项，G3）。",
    "staff_transfer": "下放事项对应的部门工时随之下沉到乡镇的比例（编制下沉）。",
    "equal_staff": "不增加总编制：乡镇新增岗位从县级部门编制中调剂（G3）。",
    "escalation_135": "135 响应机制：按时限先到期先办，按难度确定起始层级（F9），超时逐级升级（F11）。",
    "two_way_weight": "乡镇对部门的评分在部门考核中的权重 ω（0 = 单向考核，G5）。",
    "responsibility_list": "责任清单（江北“11117”）：乡镇可退回清单以外的下压任务（G4）。",
    "online_share": "线上提交的诉求比例（一网通办）：零跑动。",
    "grid_coverage": "居住在配有专职网格员（巡查网格）的网格内的居民比例（“5+N”网格化管理，G9）。",
    "inspection_hours_per_week": "每个乡镇每周用于接受督查检查考核的工时。",
    "county_area_km2": "县域面积；乡镇均匀分布在以县城为中心、此面积的圆内（临平：1228 平方公里，F13）。",
    "travel_hours": "线下办事群众在县城两个部门之间往返损失的工作小时（串联办理）。",
    "township_hall_share": "县级部门事项的线下诉求中，在乡镇便民服务中心提交（转办）而非去县城（跑一趟）的比例。",
    "township_service_weight": "县里考核乡镇时群众服务的权重（其余为向上任务、督查检查）。",
    "callback_share": "县里回访、核实是否真正解决的办结事项比例（回访）。",
    "callback_penalty": "回访发现“办结未解决”时的考核扣分。",
    "reform_half_life_days": "改革注意力的半衰期：双向互评权重与督查减负逐渐回到旧体制（假设，P2）。",
    "warmup_days": "在改革前的杠杆下先运行的天数，之后改革开启（不计入任何指标）。",
}
"""Chinese of the ``Params`` descriptions of the levers the app offers (``equal_staff`` is the page's own
switch: its text in both languages is ``lever_help_equal_staff``)."""


def _range_end(x: float) -> str:
    """An end of a plausible or slider range: whole numbers with separators (``200,000``), others to 3
    significant digits (``0.05``, ``0.125``)."""
    return number(x, 0) if float(x).is_integer() else significant(x, 3)


def _kind_text(name: str, lang: str) -> str:
    """A Params field's kind in one phrase: lever, fact (code), assumption (range, basis), setting."""
    extra = Params.model_fields[name].json_schema_extra or {}
    kind = extra.get("kind", "")
    if kind == "fact":
        return t("help_kind_fact", lang, cite=extra.get("cite", ""))
    if kind == "assumption":
        lo, hi = extra.get("plausible", (None, None))
        span = f"{_range_end(lo)}–{_range_end(hi)}" if lo is not None else ""
        text = t("help_kind_assumption", lang, span=span)
        return f"{text}; {extra['basis']}" if lang == "en" and extra.get("basis") else text
    return t(f"help_kind_{kind}", lang) if kind in ("lever", "setting") else ""


def lever_help(name: str, lang: str) -> str:
    """The hover help of lever ``name``: its definition, its kind and the range the slider offers."""
    lever = next(lv for lv in LEVERS if lv.name == name)
    if lever.virtual:
        return t(f"lever_help_{name}", lang)
    info = Params.model_fields[name]
    text = LEVER_ZH[name] if lang == "zh" else str(info.description)
    parts = [text, _kind_text(name, lang)]
    if lever.kind == "slider":
        unit = (info.json_schema_extra or {}).get("unit", "")
        top = "∞" if lever.inf_at_max else _range_end(lever.max)
        span = f"{_range_end(lever.min)}–{top}" + (f" {unit}" if unit and lang == "en" else "")
        parts.append(t("help_range", lang, span=span))
    return " · ".join(p for p in parts if p)


def tile_help(key: str, lang: str) -> str:
    """The hover help of tile ``key``: each KPI it shows with its registry label, unit and definition."""
    if key not in TILE_KPIS:
        return t(f"help_tile_{key}", lang)
    lines = []
    for name in TILE_KPIS[key]:
        k = kpi(name)
        unit = k.unit_text(lang)
        head = f"{k.text(lang)}（{unit}）" if lang == "zh" else f"{k.text(lang)} ({unit})"
        lines.append(f"{head}{'：' if lang == 'zh' else ': '}{definition(name, lang)}")
    return "\n".join(lines)
