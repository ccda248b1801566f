"""The live charts: the model's DataCollector columns drawn with Altair, with the run compared against.

Each chart is a few daily KPI columns (``model.metrics.DAILY_KPIS``) with fixed colours, drawn as a
component of Mesa's ``SolaraViz`` page. The server only sends the data and a Vega-Lite spec; the
browser draws the chart (its own fonts, so Chinese labels need no server font) and shows tooltips.
Labels, units and tooltips come from the KPI registry (``model.metrics.kpi``) in the page's language,
never raw column names. Three layers:

* the county on screen, one coloured line per column;
* the run compared against (``Comparison``: the previous county, or a pinned one), the same columns
  as grey dashed lines, so "before I moved the lever" stays on every chart;
* a vertical line at the day the reform switches on (after the days under the status quo).

The model is read under its lock (``clock.lock``): a chart drawn from a click while the county is
playing never reads a day half done.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from townsim.model import metrics
from townsim.model.metrics import definition, kpi

from .beforeafter import TRIP_COLUMNS
from .chartkit import GREY, reform_start, wrap  # noqa: F401 - also read by compare
from .clock import lock
from .hours import TownshipHours, TownshipUtilisation
from .i18n import t


@dataclass(frozen=True)
class Chart:
    """One chart: a title key, the KPI columns with their colours, a y-axis key, a fixed range."""

    title: str
    series: dict[str, str]
    ylabel: str
    unit_range: bool = False
    help: str = ""
    """Key of the chart's one-line definition (shown under its title)."""
    cumulative: bool = False
    """Draw running totals since day 1 instead of daily values."""


@dataclass(frozen=True)
class Comparison:
    """A run kept to compare with: its daily columns, its tiles per day and what it was."""

    frame: pd.DataFrame
    """Daily KPI columns, one row per day shown (row 0 = day 1)."""
    day_log: tuple = ()
    """``kpis.snapshot`` of every day (the tiles at any day)."""
    label: tuple = ()
    """What the run was (scenario and changed levers) as ``(("zh", text), ("en", text))``."""
    start: int = 0
    """Day the reform switched on (0: none or from the start)."""
    pinned: bool = False
    hours: np.ndarray | None = None
    """Its townships' hours per day by use (days × townships × ``beforeafter.HOUR_USES``)."""
    util: np.ndarray | None = None
    """Its townships' utilisation per day (days × townships)."""
    towns: tuple = ()
    """Its townships' labels (``place_name`` gives the page's language)."""


APP_SERIES: dict[str, tuple[str, str]] = {
    "trips_made": ("series_trips_made", "def_trips_made"),
    "seat_trips_made": ("series_seat_trips_made", "def_seat_trips_made"),
}
"""The page's own daily columns (not registry KPIs: ``beforeafter.TRIP_COLUMNS``): their label and
definition keys."""


def series_label(column: str, lang: str) -> str:
    """A column's label in a legend or tooltip: the registry's short label, or the page's own."""
    return t(APP_SERIES[column][0], lang) if column in APP_SERIES else kpi(column).short_text(lang)


def series_definition(column: str, lang: str) -> str:
    """A column's one-line definition: the registry's (``metrics.definition``), or the page's own."""
    return t(APP_SERIES[column][1], lang) if column in APP_SERIES else definition(column, lang)


VIEW = "app"
"""The registry's view whose groups are the charts (their colours and running totals: ``metrics.GROUPS``)."""

APP_GROUPS: dict[str, tuple[str, ...]] = {"trips_total": tuple(TRIP_COLUMNS)}
"""Charts of the page's own columns (:data:`APP_SERIES`), by group of the ``app`` view."""

AXES = {"tasks": "axis_tasks", "trips": "axis_trips", "0–1": "axis_score"}
"""Key of a chart's y-axis text by its first KPI's unit (shares: ``axis_share``; otherwise ``axis_cases``);
shown when the series have no unit."""


def charts() -> tuple[Chart, ...]:
    """The charts in the order shown: one per group of the registry's ``app`` view (:data:`APP_GROUPS`
    for the page's own columns), its series the KPIs that declare it; the title and help texts are the
    page's ``chart_<group>`` and ``help_chart_<group>``."""
    members = dict(metrics.groups(VIEW))
    out = []
    for name in dict.fromkeys([*metrics.GROUPS.get(VIEW, {}), *members]):
        cols = members.get(name) or APP_GROUPS.get(name, ())
        if not cols:
            continue
        g = metrics.group(VIEW, name)
        ks = [metrics.kpi(c) for c in cols if c not in APP_SERIES]
        unit_range = bool(ks) and all(k.fmt == "pct" or k.unit == "0–1" for k in ks)
        axis = "axis_trips" if not ks else "axis_share" if ks[0].fmt == "pct" else AXES.get(ks[0].unit, "axis_cases")
        series = {c: g.colour(i) for i, c in enumerate(cols)}
        out.append(Chart(f"chart_{name}", series, axis, unit_range, f"help_chart_{name}", g.running))
    return tuple(out)


CHARTS: tuple[Chart, ...] = charts()
"""The shipped charts (:func:`charts` reads the registry again): the six of the app's issue, trips per case
and their running total (a reform's slow effect on trips shows in the slope), and closed-on-time vs really
resolved with residents' grid reporting (what Citizen agents decide, issue 11)."""


def long_frame(frame: pd.DataFrame, chart: Chart, lang: str, run: str) -> pd.DataFrame:
    """``frame``'s columns of ``chart`` in long form: day, column, label, definition, value, run."""
    cols = [c for c in chart.series if c in frame.columns]
    if frame.empty or not cols:
        return pd.DataFrame(columns=["day", "column", "label", "definition", "value", "run"])
    part = frame[cols].reset_index(drop=True)
    if chart.cumulative:
        part = part.cumsum()
    part.insert(0, "day", range(1, len(part) + 1))  # row 0 is working day 1 (collected after each day)
    out = part.melt(id_vars="day", var_name="column", value_name="value")
    out["label"] = [series_label(c, lang) for c in out["column"]]
    out["definition"] = [series_definition(c, lang) for c in out["column"]]
    out["run"] = run
    return out.dropna(subset=["value"])


def spec(chart: Chart, frame: pd.DataFrame, lang: str, compare: Comparison | None = None, start: int = 0):
    """The Altair chart of ``chart``: this run, the compared run in grey, the reform-start line."""
    labels = {c: series_label(c, lang) for c in chart.series}
    unit = kpi(next(iter(chart.series))).unit_text(lang)
    fmt = ".0%" if kpi(next(iter(chart.series))).fmt == "pct" else ".3~f"
    y_scale = alt.Scale(domain=[0, 1]) if chart.unit_range else alt.Scale(zero=True)
    now = long_frame(frame, chart, lang, t("run_now", lang))
    x = alt.X("day:Q", title=t("axis_day", lang), axis=alt.Axis(tickMinStep=1, format="d", labelOverlap=True))
    axis = alt.Axis(format="%") if fmt == ".0%" else alt.Axis()
    y = alt.Y("value:Q", title=unit or t(chart.ylabel, lang), scale=y_scale, axis=axis)
    tooltip = [
        alt.Tooltip("run:N", title=t("tooltip_run", lang)),
        alt.Tooltip("day:Q", title=t("axis_day", lang)),
        alt.Tooltip("label:N", title=t("tooltip_series", lang)),
        alt.Tooltip("value:Q", title=unit or t("tooltip_value", lang), format=fmt),
        alt.Tooltip("definition:N", title=t("tooltip_definition", lang)),
    ]
    colour = alt.Color(
        "label:N",
        scale=alt.Scale(domain=list(labels.values()), range=list(chart.series.values())),
        legend=alt.Legend(title=None, orient="top", labelFontSize=13, labelLimit=260),
    )
    layers = []
    if compare is not None:
        before = long_frame(compare.frame, chart, lang, t("run_compared", lang))
        if not before.empty:
            layers.append(
                alt.Chart(before)
                .mark_line(color=GREY, strokeDash=[5, 3], strokeWidth=1.5, opacity=0.9)
                .encode(x=x, y=y, detail="label:N", tooltip=tooltip)
            )
    layers.append(alt.Chart(now).mark_line(strokeWidth=2.2).encode(x=x, y=y, color=colour, tooltip=tooltip))
    if start:
        rule = pd.DataFrame({"day": [start + 0.5], "text": [t("reform_starts", lang, day=start)]})
        layers.append(alt.Chart(rule).mark_rule(color="#444", strokeDash=[2, 2]).encode(x="day:Q"))
        layers.append(
            alt.Chart(rule)
            .mark_text(align="right", dx=-4, dy=-4, baseline="top", fontSize=12, color="#444")
            .encode(x="day:Q", y=alt.value(0), text="text:N")
        )
    return (
        alt.layer(*layers)
        .properties(
            title=alt.TitleParams(
                t(chart.title, lang),
                subtitle=wrap(t(chart.help, lang), lang) if chart.help else "",
                fontSize=16,
                subtitleFontSize=12,
                anchor="start",
            ),
            width="container",
            height=230,
        )
        .configure_axis(labelFontSize=12, titleFontSize=13)
    )


def daily_frame(model) -> pd.DataFrame:
    """The model's daily KPI columns so far, with the page's own (``APP_SERIES``: trips made each day)
    when the model keeps them (a copy, read under the model's lock)."""
    with lock(model):
        frame = model.datacollector.get_model_vars_dataframe().copy()
        trips = list(getattr(model, "day_trips", ()))
    if trips and len(trips) == len(frame):
        made = np.stack(trips)
        for j, column in enumerate(TRIP_COLUMNS):
            frame[column] = made[:, j]
    return frame


@solara.component
def LiveChart(model, chart: Chart, lang: str, compare: solara.Reactive):
    """One chart of ``model``, redrawn after every step, with the compared run of ``compare``."""
    update_counter.get()
    frame = daily_frame(model)
    with solara.Div(classes=["townsim-chart", f"chart-{chart.title}"]) as main:
        solara.FigureAltair(spec(chart, frame, lang, compare.value, reform_start(model)))
    return main


def chart_components(lang: str, compare: solara.Reactive) -> list:
    """Components ``(component, page)`` for ``SolaraViz(components=...)``: one per chart, then the
    townships' hours panel (``hours``)."""

    def make(chart: Chart):
        def component(model):
            return LiveChart(model, chart, lang, compare)

        return component

    chosen = solara.reactive(-1)  # the township the hours panel shows (this page's; -1: the mean)

    def township_hours(model):
        return TownshipHours(model, lang, chosen, compare)

    def township_util(model):
        return TownshipUtilisation(model, lang, chosen, compare)

    return [(make(c), 0) for c in CHARTS] + [(township_hours, 0), (township_util, 0)]
