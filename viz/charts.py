"""The live charts: Mesa's own ``make_plot_component`` on the model's DataCollector columns.

Each chart is one Mesa plot component of a few daily KPI columns
(``model.metrics.DAILY_KPIS``) with fixed colours. The Altair backend is used:
the server only sends the data and a Vega-Lite spec (about 0.03 s of CPU per
chart and step, against 0.1 s for a matplotlib PNG), the browser draws the
chart (with its own fonts, so Chinese labels need no server font) and shows
tooltips. A ``post_process`` hook puts the title, legend and axis titles in
the chosen language and fixes the y-range of rates and scores to [0, 1].
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
from mesa.visualization import make_plot_component

from townsim.model.metrics import kpi

from .i18n import t


@dataclass(frozen=True)
class Chart:
    """One chart: a title key, the KPI columns with their colours, a y-axis key, a fixed range."""

    title: str
    series: dict[str, str]
    ylabel: str
    unit_range: bool = False


CHARTS: tuple[Chart, ...] = (
    Chart(
        "chart_backlog",
        {"backlog_department": "#1f5fbf", "backlog_township": "#2ca02c", "backlog_desk": "#7b3fa0"},
        "axis_cases",
    ),
    Chart(
        "chart_on_time",
        {"on_time_rate_tier1": "#2ca02c", "on_time_rate_tier3": "#ff8c00", "on_time_rate_tier5": "#d62728"},
        "axis_share",
        unit_range=True,
    ),
    Chart(
        "chart_escalations",
        {"escalations_level1": "#9467bd", "escalations_level2": "#7b3fa0", "escalations_level3": "#3f1f5f"},
        "axis_cases",
    ),
    Chart("chart_dumping", {"dumped_tasks": "#d62728", "bounced_tasks": "#ff8c00"}, "axis_tasks"),
    Chart(
        "chart_satisfaction",
        {"enterprise_satisfaction": "#1f5fbf", "citizen_satisfaction": "#2ca02c"},
        "axis_score",
        unit_range=True,
    ),
    Chart("chart_petitions", {"petitions": "#8c564b"}, "axis_cases"),
    Chart(
        "chart_outcomes",
        {"on_time_rate": "#1f5fbf", "resolution_rate": "#2ca02c", "grid_participation": "#ff8c00"},
        "axis_share",
        unit_range=True,
    ),
)
"""The charts, in the order shown: the six of the app's issue, and closed-on-time vs really resolved
with residents' grid reporting (what Citizen agents decide, issue 11)."""


def translate(chart: Chart, lang: str):
    """A ``post_process(chart)`` for Mesa's Altair plot: title, axis titles and legend in ``lang``."""
    names = {column: kpi(column).short_text(lang) for column in chart.series}
    # Vega expression mapping a column name to its label (the legend shows labels, data keep column names)
    label_expr = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in names.items()) + "}[datum.label]"
    y_scale = alt.Scale(domain=[0, 1]) if chart.unit_range else alt.Scale(zero=True)

    def post_process(c):
        # Mesa's data frame counts rows from 0; row 0 is working day 1 (the model collects after each day)
        return (
            c.transform_calculate(Day="datum.Step + 1")
            .encode(
                x=alt.X("Day:Q", title=t("axis_day", lang), axis=alt.Axis(tickMinStep=1, format="d")),
                y=alt.Y("Value:Q", title=t(chart.ylabel, lang), scale=y_scale),
                color=alt.Color(
                    "Measure:N",
                    scale=alt.Scale(domain=list(chart.series), range=list(chart.series.values())),
                    legend=alt.Legend(title=None, orient="top", labelExpr=label_expr, labelFontSize=13, labelLimit=220),
                ),
                tooltip=[
                    alt.Tooltip("Day:Q", title=t("axis_day", lang)),
                    alt.Tooltip("Measure:N"),
                    alt.Tooltip("Value:Q", format=".3~f"),
                ],
            )
            .properties(
                title=alt.TitleParams(t(chart.title, lang), fontSize=16, anchor="start"), width="container", height=230
            )
            .configure_axis(labelFontSize=12, titleFontSize=13)
        )

    return post_process


def chart_components(lang: str) -> list:
    """Mesa plot components ``(component, page)`` for ``SolaraViz(components=...)``."""
    return [make_plot_component(dict(c.series), post_process=translate(c, lang), backend="altair") for c in CHARTS]
