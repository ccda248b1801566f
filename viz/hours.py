"""Where the townships' hours go: each day's hours by use, stacked, and utilisation against time.

One function (:func:`panel_spec`) draws both panels; the run compared against (the previous or pinned
one, ``compare``) is drawn in grey dashes on both, like on every other chart.

A township books every hour of its day (``Township.hours``): on cases (residents' and delegated
matters), on owed upward duties (dumped tasks, inspections), on elective paperwork for the county,
and on elective service to residents (outreach). The app's model keeps each day's split and each
township's utilisation (``beforeafter``); this panel stacks the hours of one township (or the mean of
all) over the days, so a class sees why utilisation alone can mislead: a township can be fully busy
with paperwork while residents wait, or less busy because delegated cases were referred back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from .beforeafter import HOUR_USES
from .chartkit import GREY, reform_start, wrap
from .clock import lock
from .i18n import place_name, t

USE_COLOURS = {"cases": "#1f5fbf", "duties": "#d62728", "paperwork": "#ff8c00", "outreach": "#2ca02c"}
ALL = -1
"""The township selector's "mean of all townships"."""
PANELS = ("hours", "util")
"""The two panels :func:`panel_spec` draws: hours by use (stacked) and utilisation."""


@dataclass(frozen=True)
class TownshipLog:
    """What a run kept of its townships, per day: hours by use and utilisation, and their labels."""

    hours: np.ndarray | None
    """days × townships × ``HOUR_USES``."""
    util: np.ndarray | None
    """days × townships."""
    towns: tuple[str, ...]


def township_log(model) -> TownshipLog:
    """The log of the county on screen (read under its lock)."""
    with lock(model):
        hours, util = getattr(model, "township_day_hours", []), getattr(model, "township_day_util", [])
        return TownshipLog(
            np.stack(hours) if hours else None,
            np.stack(util) if util else None,
            tuple(tw.handler.label for tw in model.townships),
        )


def _palette(n: int) -> list[str]:
    """``n`` colours for the townships' lines (Tableau 20, repeated for a larger county)."""
    base = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
        "#bab0ac", "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2",
        "#d37295", "#79706e",
    ]  # fmt: skip
    return [base[i % len(base)] for i in range(n)]


def _pick(log: TownshipLog, township: int | str | None):
    """Index of the township in ``log`` (a label matches by name: the compared run's county may differ),
    ``ALL`` for the mean, None if ``log`` has no such township."""
    if township == ALL:
        return ALL
    if isinstance(township, str):
        return log.towns.index(township) if township in log.towns else None
    return township if township is not None and 0 <= township < len(log.towns) else None


def _frame(kind: str, log: TownshipLog, township, lang: str, run: str, mean: bool) -> pd.DataFrame:
    """Long form of one panel's data. Hours: day, use, hours and ``top`` (the stack's height up to that
    use). Utilisation: day, township, utilisation, ``chosen``; ``mean`` draws one line (the mean of all
    townships, or the chosen one) instead of every township."""
    at = _pick(log, township)
    arr = log.hours if kind == "hours" else log.util
    if arr is None or at is None:
        return pd.DataFrame()
    if kind == "hours":
        per_day = arr.mean(axis=1) if at == ALL else arr[:, at, :]
        tops = np.cumsum(per_day, axis=1)
        rows = [
            (d + 1, t(f"use_{u}", lang), float(per_day[d, j]), float(tops[d, j]), run)
            for d in range(len(per_day))
            for j, u in enumerate(HOUR_USES)
        ]
        return pd.DataFrame(rows, columns=["day", "use", "hours", "top", "run"])
    names = [place_name(name, lang) for name in log.towns]
    line = arr.mean(axis=1) if at == ALL else arr[:, at]
    name = t("all_townships", lang) if at == ALL else names[at]
    rows = [(d + 1, name, float(line[d]), True, run) for d in range(len(line))]
    if not mean:  # every township thin, and the mean of all (or the chosen one) thick
        rows = [(d + 1, names[i], float(arr[d, i]), False, run) for d in range(len(arr)) for i in range(len(names))]
        if at == ALL:
            rows += [(d + 1, name, float(line[d]), True, run) for d in range(len(line))]
        else:
            rows = [r if r[1] != name else (*r[:3], True, r[4]) for r in rows]
    return pd.DataFrame(rows, columns=["day", "township", "utilisation", "chosen", "run"])


def panel_spec(kind: str, model, township: int, lang: str, compare=None):
    """One townships' panel of ``model`` (``kind`` in ``PANELS``): ``"hours"``, the hours by use of
    ``township`` (``ALL``: the mean) stacked per day; ``"util"``, every township's utilisation per day,
    thin, and the mean of all (or the chosen township) thick. The compared run (``charts.Comparison``) is
    drawn on top in grey dashes: the tops of its stacked uses, or its utilisation (the mean, or the same
    township by name); then the reform-start line.

    Over 60 lines: one Vega-Lite chart, layer by layer (the run, the compared run, the reform line); split, its
    shared axis and tooltips would travel through every helper."""
    log = township_log(model)
    label = log.towns[township] if township != ALL and 0 <= township < len(log.towns) else ALL
    now = _frame(kind, log, township, lang, t("run_now", lang), mean=False)
    x = alt.X("day:Q", title=t("axis_day", lang), axis=alt.Axis(tickMinStep=1, format="d", labelOverlap=True))
    day, run = alt.Tooltip("day:Q", title=t("axis_day", lang)), alt.Tooltip("run:N", title=t("tooltip_run", lang))
    if kind == "hours":
        uses = [t(f"use_{u}", lang) for u in HOUR_USES]
        what = [alt.Tooltip("use:N", title=t("tooltip_series", lang))]
        what.append(alt.Tooltip("hours:Q", title=t("axis_hours_day", lang), format=".1f"))
        y = alt.Y("hours:Q", stack="zero", title=t("axis_hours_day", lang))
        main = (
            alt.Chart(now)
            .mark_area(opacity=0.85)
            .encode(
                x=x,
                y=y,
                color=alt.Color(
                    "use:N",
                    scale=alt.Scale(domain=uses, range=list(USE_COLOURS.values())),
                    sort=uses,
                    legend=alt.Legend(title=None, orient="top", columns=2, labelFontSize=12, labelLimit=300),
                ),
                order=alt.Order("use_order:Q"),
                tooltip=[day, *what],
            )
            .transform_calculate(use_order=f"indexof({json.dumps(uses)}, datum.use)")
        )
        grey_y, detail = alt.Y("top:Q", title=t("axis_hours_day", lang)), "use:N"
    else:
        towns, mean_name = [place_name(name, lang) for name in log.towns], t("all_townships", lang)
        what = [alt.Tooltip("township:N", title=t("townships", lang))]
        what.append(alt.Tooltip("utilisation:Q", title=t("kpi_town_util", lang), format=".0%"))
        y = alt.Y("utilisation:Q", title=t("axis_share", lang), axis=alt.Axis(format="%"))
        main = (
            alt.Chart(now)
            .mark_line()
            .encode(
                x=x,
                y=y,
                color=alt.Color(
                    "township:N",
                    scale=alt.Scale(domain=[*towns, mean_name], range=[*_palette(len(towns)), "#111111"]),
                    legend=alt.Legend(title=None, orient="right", labelFontSize=12),
                ),
                strokeWidth=alt.condition("datum.chosen", alt.value(2.6), alt.value(0.9)),
                tooltip=[day, *what],
            )
        )
        grey_y, detail = y, "township:N"
    layers = [main]  # the compared run on top (over the stacked areas too), in grey dashes
    if compare is not None:
        before = TownshipLog(getattr(compare, "hours", None), getattr(compare, "util", None), compare.towns)
        then = _frame(kind, before, label, lang, t("run_compared", lang), mean=True)
        if not then.empty:
            layers.append(
                alt.Chart(then)
                .mark_line(color=GREY, strokeDash=[5, 3], strokeWidth=2, opacity=1)
                .encode(x=x, y=grey_y, detail=detail, tooltip=[run, day, *what])
            )
    start = reform_start(model)
    if start:
        rule = pd.DataFrame({"day": [start + 0.5]})
        layers.append(alt.Chart(rule).mark_rule(color="#444", strokeDash=[2, 2]).encode(x="day:Q"))
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            t(f"chart_{kind}", lang),
            subtitle=wrap(t(f"help_chart_{kind}", lang), lang),
            fontSize=16,
            subtitleFontSize=12,
            anchor="start",
        ),
        width="container",
        height=230,
    )


def _picker(model, chosen: solara.Reactive, lang: str) -> int:
    """The township selector (only the townships offered are taken); returns the township shown."""
    township = chosen.value if chosen.value == ALL or 0 <= chosen.value < len(model.townships) else ALL
    items = [{"text": t("all_townships", lang), "value": ALL}] + [
        {"text": place_name(tw.handler.label, lang), "value": i} for i, tw in enumerate(model.townships)
    ]

    def choose(value):
        if isinstance(value, int) and not isinstance(value, bool) and (value == ALL or 0 <= value < len(items) - 1):
            chosen.set(value)

    solara.v.Select(
        label=t("township_pick", lang),
        items=items,
        v_model=township,
        on_v_model=choose,
        dense=True,
        hide_details=True,
        class_="townsim-hours-pick",
        style_="max-width: 320px",
    )
    return township


@solara.component
def TownshipHours(model, lang: str, chosen: solara.Reactive, compare: solara.Reactive):
    """The township selector and the stacked hours of the chosen township (or the mean), the compared
    run's in grey."""
    update_counter.get()
    with solara.Div(classes=["townsim-hours"]) as main:
        township = _picker(model, chosen, lang)
        solara.FigureAltair(panel_spec("hours", model, township, lang, compare.value))
    return main


@solara.component
def TownshipUtilisation(model, lang: str, chosen: solara.Reactive, compare: solara.Reactive):
    """Every township's utilisation against time, the chosen one drawn thick, the compared run's in grey."""
    update_counter.get()
    township = chosen.value if chosen.value == ALL or 0 <= chosen.value < len(model.townships) else ALL
    with solara.Div(classes=["townsim-util"]) as main:
        solara.FigureAltair(panel_spec("util", model, township, lang, compare.value))
    return main
