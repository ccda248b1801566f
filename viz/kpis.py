"""The KPI strip: today's headline numbers in large type, read from the model's daily row.

``kpi_values(model)`` returns ``(key, label key, text)`` triples from
``model.kpi_today`` (the row the DataCollector records) and
``model.kpi_totals``; what a tile shows "so far" (the townships' hours on
residents, the requesters' hours per request, the on-time and really-resolved
rates) comes from the run summary ``model.metrics.summary``. Before the first
step every value is "—". The strip is
HTML (browser fonts, selectable text); each value carries the CSS class
``kpi-<key>`` so a teacher's screenshot and the browser test can find it.
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from townsim.model.metrics import summary
from townsim.model.metrics.text import MISSING, number, share

from .clock import lock
from .help import tile_help
from .i18n import t

DASH = MISSING


def has_reform(model) -> bool:
    """True if the county on screen runs a reform (its levers differ from the status quo, which then
    holds for the days before the reform); the status quo itself has no reform to switch on."""
    params = getattr(model, "reform_params", model.params)
    return bool(params.pre_reform)


def snapshot(model) -> dict:
    """What the tiles read for the day just computed (kept per day for the comparison table)."""
    k = dict(model.kpi_today or {})
    run = summary(model) if k else {}
    return {
        "day": int(getattr(model, "clock_day", model.day)),  # every day shown, the days before the reform too
        "today": k,
        "totals": dict(model.kpi_totals),
        "service": run.get("township_service_share"),
        "req_hours": run.get("requester_hours_per_case"),  # per request so far: a day's few closures are noise
        "on_time": run.get("on_time_rate"),  # so far: a day's rates drift with each run's random draws
        "resolution": run.get("resolution_rate"),
        "start": int(getattr(model, "warmup_days", 0) or 0),
        "reform": has_reform(model),
        "townships": len(model.townships),
    }


def tiles(snap: dict, lang: str = "en") -> list[tuple[str, str, str]]:
    """``(key, label_key, text)`` for the strip, from one day's :func:`snapshot`.

    The tiles are the app's own design, not a view of the registry: each combines or formats its KPIs
    its own way (levels summed, dumped / bounced as a pair, today beside the run so far)."""
    k, tot = snap["today"], snap["totals"]
    esc = sum(k.get(f"escalations_level{i}", 0) for i in (1, 2, 3)) if k else None
    dumped = f"{number(k['dumped_tasks'], 0)} / {number(k['bounced_tasks'], 0)}" if k else DASH
    over = f"{number(k['overloaded_townships'], 0)} / {snap['townships']}" if k else DASH
    start, shown_day = snap["start"], snap["day"]
    if not snap["reform"]:
        reform_text = t("reform_none", lang)
    elif not start:
        reform_text = t("reform_always", lang)
    elif shown_day < start:
        reform_text = t("reform_before", lang, day=start)
    else:
        reform_text = t("reform_on", lang, day=start)
    esc_total = sum(tot.get(f"escalations_level{i}", 0) for i in (1, 2, 3)) if k else None
    dumped_total = f"{number(tot['dumped_tasks'], 0)} / {number(tot['bounced_tasks'], 0)}" if k else DASH
    return [
        ("day", "kpi_day", str(shown_day)),
        ("reform", "kpi_reform", reform_text),
        ("backlog", "kpi_backlog", number(k.get("backlog"), 0)),
        ("closed", "kpi_closed", number(k.get("cases_closed"), 0)),
        ("on_time", "kpi_on_time", share(k.get("on_time_rate"))),
        ("resolution", "kpi_resolution", share(k.get("resolution_rate"))),
        ("on_time_so_far", "kpi_on_time_so_far", share(snap.get("on_time"))),
        ("resolution_so_far", "kpi_resolution_so_far", share(snap.get("resolution"))),
        ("escalations", "kpi_escalations", number(esc, 0)),
        ("dumped", "kpi_dumped", dumped),
        ("overloaded", "kpi_overloaded", over),
        ("town_util", "kpi_town_util", share(k.get("township_utilisation"))),
        ("town_service", "kpi_town_service", share(snap["service"])),
        ("req_hours", "kpi_req_hours", number(snap.get("req_hours"), 1)),
        ("ent_sat", "kpi_ent_sat", number(k.get("enterprise_satisfaction"), 2)),
        ("cit_sat", "kpi_cit_sat", number(k.get("citizen_satisfaction"), 2)),
        ("petitions", "kpi_petitions", number(tot.get("petitions") if k else None, 0)),
        ("esc_total", "kpi_esc_total", number(esc_total, 0)),
        ("dumped_total", "kpi_dumped_total", dumped_total),
    ]


def kpi_values(model, lang: str = "en") -> list[tuple[str, str, str]]:
    """``(key, label_key, text)`` for the strip, from the last completed day of ``model``."""
    return tiles(snapshot(model), lang)


CSS = """
.townsim-kpis { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 10px 0; }
.townsim-kpi { background: #f4f7fb; border: 1px solid #d5dde8; border-radius: 8px; padding: 6px 12px;
               min-width: 120px; cursor: help; }
.townsim-kpi .kpi-label { font-size: 14px; color: #44546a; white-space: nowrap; }
.townsim-kpi .kpi-value { font-size: 28px; font-weight: 700; color: #10243e; line-height: 1.15; }
.townsim-note { font-size: 13px; color: #555; }
.townsim-lever-label { font-size: 14px; margin-top: 6px; }
.townsim-lever-changed { font-weight: 700; color: #b3261e; }
.townsim-county img { width: 100%; max-width: 1300px; height: auto; }
.townsim-compare { margin: 0 0 10px 0; }
.townsim-compare-head { font-size: 15px; font-weight: 600; color: #10243e; margin-bottom: 4px; }
.townsim-compare-table { border-collapse: collapse; font-size: 15px; }
.townsim-compare-table th, .townsim-compare-table td { border-bottom: 1px solid #d5dde8; padding: 2px 12px; }
.townsim-compare-table td.compare-now, .townsim-compare-table td.compare-then { text-align: right; }
.townsim-compare-table .compare-then { color: #6b6b6b; }
"""


@solara.component
def KpiStrip(model, lang: str):
    """Today's KPIs of ``model`` as large numbers; refreshed after every step."""
    update_counter.get()
    with lock(model):
        values = kpi_values(model, lang)
    with solara.Div(classes=["townsim-kpis"]) as main:
        for key, label, text in values:
            with solara.Div(classes=["townsim-kpi", f"kpi-{key}"], attributes={"title": tile_help(key, lang)}):
                solara.Div(children=[t(label, lang)], classes=["kpi-label"])
                solara.Div(children=[text], classes=["kpi-value"])
    return main
