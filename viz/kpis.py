"""The KPI strip: today's headline numbers in large type, read from the model's daily row.

``kpi_values(model)`` returns ``(key, label key, text)`` triples: the page's own day and reform tiles,
then the tiles of the KPI registry's ``tiles`` view (``strip``: which KPIs, their labels and how they are
written), from ``model.kpi_today`` (the row the DataCollector records) or, for a tile of the run so far,
the run summary ``model.metrics.summary``. Before the first step every value is "—". The strip is
HTML (browser fonts, selectable text); each value carries the CSS class
``kpi-<key>`` so a teacher's screenshot and the browser test can find it.
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from townsim.model.metrics import summary
from townsim.model.metrics.text import MISSING

from . import strip
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
    """What the tiles read for the day just computed (kept per day for the comparison table): the day's
    row, the run values of the tiles of the run so far, the reform's start and the county's counts."""
    k = dict(model.kpi_today or {})
    run = summary(model) if k else {}
    return {
        "day": int(getattr(model, "clock_day", model.day)),  # every day shown, the days before the reform too
        "today": k,
        "run": {name: run.get(name) for name in strip.run_kpis()},  # so far: a day's few closures are noise
        "start": int(getattr(model, "warmup_days", 0) or 0),
        "reform": has_reform(model),
        "townships": len(model.townships),
    }


def _reform_text(snap: dict, lang: str) -> str:
    start, shown_day = snap["start"], snap["day"]
    if not snap["reform"]:
        return t("reform_none", lang)
    if not start:
        return t("reform_always", lang)
    if shown_day < start:
        return t("reform_before", lang, day=start)
    return t("reform_on", lang, day=start)


def tiles(snap: dict, lang: str = "en") -> list[tuple[str, str, str]]:
    """``(key, label_key, text)`` for the strip, from one day's :func:`snapshot`: the day and the reform
    (the page's own), then every tile of the registry's ``tiles`` view in its order."""
    counts = {"townships": snap.get("townships")}
    today, run = snap.get("today") or {}, snap.get("run") or {}
    return [
        ("day", "kpi_day", str(snap["day"])),
        ("reform", "kpi_reform", _reform_text(snap, lang)),
        *((key, f"kpi_{key}", strip.text(key, today, run, counts)) for key in strip.keys()),
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
