"""Where the townships' hours go: each day's hours by use, stacked, and utilisation against time.

A township books every hour of its day (``Township.hours``): on cases (residents' and delegated
matters), on owed upward duties (dumped tasks, inspections), on elective paperwork for the county,
and on elective service to residents (outreach). The app's model keeps each day's split and each
township's utilisation (``beforeafter``); this panel stacks the hours of one township (or the mean of
all) over the days, so a class sees why utilisation alone can mislead: a township can be fully busy
with paperwork while residents wait, or less busy because delegated cases were referred back.
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from .beforeafter import HOUR_USES
from .chartkit import reform_start, wrap
from .clock import lock
from .i18n import place_name, t

USE_COLOURS = {"cases": "#1f5fbf", "duties": "#d62728", "paperwork": "#ff8c00", "outreach": "#2ca02c"}
ALL = -1
"""The township selector's "mean of all townships"."""


def hours_frame(model, township: int, lang: str) -> pd.DataFrame:
    """Hours per day by use of ``township`` (``ALL``: mean over townships), long form."""
    days = getattr(model, "township_day_hours", [])
    if not days:
        return pd.DataFrame(columns=["day", "use", "hours"])
    arr = np.stack(days)  # days × townships × uses
    per_day = arr.mean(axis=1) if township == ALL else arr[:, township, :]
    rows = [
        (d + 1, t(f"use_{u}", lang), float(per_day[d, j])) for d in range(len(per_day)) for j, u in enumerate(HOUR_USES)
    ]
    return pd.DataFrame(rows, columns=["day", "use", "hours"])


def util_frame(model, lang: str) -> pd.DataFrame:
    """Utilisation per township and day, long form."""
    days = getattr(model, "township_day_util", [])
    if not days:
        return pd.DataFrame(columns=["day", "township", "utilisation"])
    arr = np.stack(days)
    names = [place_name(tw.handler.label, lang) for tw in model.townships]
    rows = [(d + 1, names[i], float(arr[d, i])) for d in range(len(arr)) for i in range(arr.shape[1])]
    return pd.DataFrame(rows, columns=["day", "township", "utilisation"])


def _rule(start: int, lang: str):
    rule = pd.DataFrame({"day": [start + 0.5]})
    return alt.Chart(rule).mark_rule(color="#444", strokeDash=[2, 2]).encode(x="day:Q")


def hours_spec(model, township: int, lang: str):
    """Stacked area of the hours by use of ``township`` per day."""
    frame = hours_frame(model, township, lang)
    uses = [t(f"use_{u}", lang) for u in HOUR_USES]
    x = alt.X("day:Q", title=t("axis_day", lang), axis=alt.Axis(tickMinStep=1, format="d"))
    area = (
        alt.Chart(frame)
        .mark_area(opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("hours:Q", stack="zero", title=t("axis_hours_day", lang)),
            color=alt.Color(
                "use:N",
                scale=alt.Scale(domain=uses, range=list(USE_COLOURS.values())),
                sort=uses,
                legend=alt.Legend(title=None, orient="top", columns=2, labelFontSize=12, labelLimit=300),
            ),
            order=alt.Order("use_order:Q"),
            tooltip=[
                alt.Tooltip("day:Q", title=t("axis_day", lang)),
                alt.Tooltip("use:N", title=t("tooltip_series", lang)),
                alt.Tooltip("hours:Q", title=t("axis_hours_day", lang), format=".1f"),
            ],
        )
        .transform_calculate(use_order=f"indexof({json.dumps(uses)}, datum.use)")
    )
    layers = [area]
    start = reform_start(model)
    if start:
        layers.append(_rule(start, lang))
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            t("chart_hours", lang),
            subtitle=wrap(t("help_chart_hours", lang), lang),
            fontSize=16,
            subtitleFontSize=12,
            anchor="start",
        ),
        width="container",
        height=230,
    )


def util_spec(model, township: int, lang: str):
    """Utilisation of every township per day (the chosen one drawn thick)."""
    frame = util_frame(model, lang)
    chosen = place_name(model.townships[township].handler.label, lang) if township != ALL else None
    frame["chosen"] = frame["township"] == chosen if chosen else True
    x = alt.X("day:Q", title=t("axis_day", lang), axis=alt.Axis(tickMinStep=1, format="d"))
    lines = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("utilisation:Q", title=t("axis_share", lang), axis=alt.Axis(format="%")),
            color=alt.Color("township:N", legend=alt.Legend(title=None, orient="right", labelFontSize=12)),
            strokeWidth=alt.condition("datum.chosen", alt.value(2.6), alt.value(0.9)),
            tooltip=[
                alt.Tooltip("day:Q", title=t("axis_day", lang)),
                alt.Tooltip("township:N", title=t("townships", lang)),
                alt.Tooltip("utilisation:Q", title=t("kpi_town_util", lang), format=".0%"),
            ],
        )
    )
    layers = [lines]
    start = reform_start(model)
    if start:
        layers.append(_rule(start, lang))
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            t("chart_util", lang),
            subtitle=wrap(t("help_chart_util", lang), lang),
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
def TownshipHours(model, lang: str, chosen: solara.Reactive):
    """The township selector and the stacked hours of the chosen township (or the mean)."""
    update_counter.get()
    with solara.Div(classes=["townsim-hours"]) as main:
        township = _picker(model, chosen, lang)
        with lock(model):
            spec = hours_spec(model, township, lang)
        solara.FigureAltair(spec)
    return main


@solara.component
def TownshipUtilisation(model, lang: str, chosen: solara.Reactive):
    """Every township's utilisation against time, the chosen one drawn thick."""
    update_counter.get()
    township = chosen.value if chosen.value == ALL or 0 <= chosen.value < len(model.townships) else ALL
    with solara.Div(classes=["townsim-util"]) as main:
        with lock(model):
            spec = util_spec(model, township, lang)
        solara.FigureAltair(spec)
    return main
