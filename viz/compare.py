"""The run compared against: the previous county (or a pinned one) beside the county on screen.

When the page replaces the county (a lever, the scenario or the seed changed, or Reset), the county
it leaves becomes the compared run, unless the teacher pinned one: its daily columns are drawn in grey
on every chart (``charts``) and this table puts its tiles beside today's, at the same day: the tiles
whose group declares a ``compared`` position, in that order. A compared run that had not reached that
day shows "—" there.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from townsim.model.metrics import compared_tile_keys

from .charts import Comparison, daily_frame, reform_start
from .clock import lock, shown_day
from .controls import lever_text
from .help import tile_help
from .i18n import scenario_label, t
from .kpis import DASH, snapshot, tiles


def describe(settings, scenario_values: dict, lang: str) -> str:
    """A run in one line: its scenario, the levers moved away from the scenario, its seed."""
    moved = [
        lever_text(name, value, lang)
        for name, value in settings.levers
        if name in scenario_values and value != scenario_values[name]
    ]
    parts = [scenario_label(settings.scenario, lang), *moved, f"{t('seed', lang)} {settings.seed}"]
    return " · ".join(parts)


def keep(model, settings, scenario_values: dict, pinned: bool = False) -> Comparison | None:
    """The comparison kept of ``model`` (None if it never ran a day)."""
    log = tuple(getattr(model, "day_log", ()))
    if not log:
        return None
    frame = daily_frame(model)
    with lock(model):
        hours = _stack(getattr(model, "township_day_hours", ()))
        util = _stack(getattr(model, "township_day_util", ()))
        towns = tuple(tw.handler.label for tw in model.townships)
    label = tuple((lang, describe(settings, scenario_values, lang)) for lang in ("zh", "en"))
    return Comparison(frame, log, label, reform_start(model), pinned, hours, util, towns)


def _stack(days) -> np.ndarray | None:
    """One array of a model's per-day township records (None before the first day)."""
    return np.stack(list(days)) if len(days) else None


def compared_tiles(compare: Comparison, day: int, lang: str) -> dict[str, str]:
    """The compared run's tile texts at ``day`` (all "—" if it did not reach it)."""
    if day < 1 or day > len(compare.day_log):
        return {}
    return {key: text for key, _, text in tiles(compare.day_log[day - 1], lang)}


@solara.component
def CompareTable(model, compare: solara.Reactive, lang: str):
    """This run's tiles beside the compared run's at the same day, and the pin switch."""
    update_counter.get()
    c = compare.value
    with solara.Div(classes=["townsim-compare"]) as main:
        if c is None:
            solara.Text(t("compare_none", lang), classes=["townsim-note", "townsim-compare-none"])
            return main
        with lock(model):
            day = shown_day(model)
            today = tiles(snapshot(model), lang)
        now = {key: text for key, _, text in today} if day else {}
        label_of = {key: label for key, label, _ in today}
        then = compared_tiles(c, day, lang)
        labels = dict(c.label)
        html = solara.v.Html
        with solara.Div(classes=["townsim-compare-head"]):
            solara.Text(f"{t('compare_title', lang, day=day)} — {t('run_compared', lang)}: {labels.get(lang, '')}")
        head = html(
            tag="tr",
            children=[html(tag="th", children=[x]) for x in (t("tooltip_series", lang), t("run_now", lang))]
            + [html(tag="th", children=[t("run_compared", lang)], class_="compare-then")],
        )
        rows = [
            html(
                tag="tr",
                class_=f"compare-{key}",
                children=[
                    html(tag="td", children=[t(label_of[key], lang)], attributes={"title": tile_help(key, lang)}),
                    html(tag="td", children=[now.get(key, DASH)], class_="compare-now"),
                    html(tag="td", children=[then.get(key, DASH)], class_="compare-then"),
                ],
            )
            for key in compared_tile_keys()
        ]
        html(tag="table", children=[head, *rows], class_="townsim-compare-table")
        solara.Switch(
            label=t("compare_pin", lang),
            value=c.pinned,
            on_value=lambda v: compare.set(replace(c, pinned=bool(v))),
            classes=["townsim-pin"],
        )
    return main
