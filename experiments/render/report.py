"""Planner's reports of ``townsim compare`` (and, re-exported, ``townsim sweep``): Markdown and HTML.

The text comes from the templates in ``templates/`` (one per report and language, ``en`` or ``zh``);
this module only gathers what they show from the tables (no model run): scenario titles (their labels,
not code names), headline cells, significant differences, figures and caveats. Numbers are formatted
by :mod:`~townsim.experiments.render.fmt` from the KPI registry; what every report shares is in
:mod:`.reportkit`, the sweep's report in :mod:`.sweep_report` (both re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.render import fmt, templates
from townsim.experiments.render import reportkit as kit
from townsim.experiments.render.reportkit import (  # noqa: F401 - re-exported: one import for every report
    LANGS,
    cell,
    check_lang,
    difference_item,
    figure_path,
    render_report,
    size_driven,
    title,
    verdict,
    warm_up,
    write_report,
)
from townsim.experiments.render.sweep_report import sweep_report  # noqa: F401 - re-exported
from townsim.model import metrics
from townsim.model.metrics import kpi

TABLES = "report"
"""The registry's view of the compare report's headline tables: one table per group (its title from
:data:`~townsim.model.metrics.GROUPS`), the KPIs each declares (:func:`tables`)."""


def tables() -> tuple[tuple[dict[str, str], tuple[str, ...]], ...]:
    """Headline tables of the compare report: ``({"en": title, "zh": title}, KPIs)`` per group, in order."""
    return tuple(
        ({lang: metrics.group(TABLES, g).title(lang) for lang in LANGS}, names) for g, names in metrics.groups(TABLES)
    )


BACKLOG_WARN = 0.10
"""Flag a scenario whose open cases at the end exceed this share of all requests (an unstable queue)."""

MAX_FAILURES = 10
"""Failed runs listed one by one in a report (the rest are counted)."""


# --- the compare report ----------------------------------------------------------------------------
def compare_report(
    *,
    settings: Any,
    scenarios: Sequence[Any],
    runs: pd.DataFrame,
    summary: pd.DataFrame,
    comparison: pd.DataFrame,
    failures: Sequence[dict],
    figures: Sequence[Path],
    out: Path,
    execution: Any = None,
    lang: str = "en",
    different_county: dict[str, list[str]] | None = None,
) -> str:
    """The Markdown report of a scenario comparison in ``lang``."""
    ctx = compare_context(
        settings=settings,
        scenarios=scenarios,
        runs=runs,
        summary=summary,
        comparison=comparison,
        failures=failures,
        figures=figures,
        out=out,
        execution=execution,
        lang=check_lang(lang),
        different_county=different_county or {},
    )
    return templates.render(f"compare.{lang}.md.j2", **ctx)


def compare_context(
    *, settings, scenarios, runs, summary, comparison, failures, figures, out, execution, lang, different_county
) -> dict[str, Any]:
    """Everything the compare templates show."""
    base = settings.baseline
    titles = {s.name: title(s, lang) for s in scenarios}
    n_by = runs.groupby("scenario").size().to_dict() if len(runs) else {}
    shown = [s.name for s in scenarios if s.name in n_by]
    others = [n for n in shown if n != base]
    heads = [k for k in metrics.kpis("headline") if len(comparison) and k in set(comparison["kpi"])]
    comp = comparison.set_index(["scenario", "kpi"]) if len(comparison) else None
    years = settings.days / 250
    return {
        "base": {"name": base, "title": titles.get(base, base)},
        "reforms": len(scenarios) - 1,
        "reps": settings.reps,
        "days": settings.days,
        "years": f"{years:.1f}".rstrip("0").rstrip(".") if years >= 0.95 else f"{years:.2f}",
        "paired": not settings.independent_seeds,
        "scenarios": [
            {"name": s.name, "title": titles[s.name], "description": s.description, "is_base": s.name == base}
            for s in scenarios
        ],
        "in_short": [_in_short(n, titles[n], comp, heads, n in different_county, lang) for n in others]
        if comp is not None
        else [],
        "no_135": [titles[s.name] for s in scenarios if not getattr(s.params, "escalation_135", True)],
        "tiers": tier_deadlines(scenarios, lang),
        "warmup": warm_up(scenarios, titles),
        "tables": _tables(summary, shown, titles, lang),
        "n_tests": int(comparison["test"].isin(["paired t", "Welch t"]).sum()) if len(comparison) else 0,
        "differences": [_differences(n, titles[n], comp, heads, lang) for n in others] if comp is not None else [],
        "figures": kit.figures(figures, out, lang),
        "unequal": [{"title": titles[k], "n": v} for k, v in n_by.items() if v != settings.reps],
        "different_county": [
            {"title": titles.get(n, n), "fields": [f"`{f}`" for f in d]} for n, d in different_county.items()
        ],
        "overloaded": _overloaded(summary, shown, titles),
        "non_stationary": list(getattr(settings, "non_stationary", [])),
        "non_stationary_titles": [x["title"] for x in getattr(settings, "non_stationary", [])],
        "closure_gap": _closure_gap(summary, shown, titles),
        "overrides": [f"`{o}`" for o in settings.overrides],
        **_failures(failures, titles),
        "command": settings.reproduce_command(out),
        "execution": kit.execution(execution),
    }


def _closure_gap(summary, shown, titles) -> dict[str, Any] | None:
    """Where the dashboard's on-time rate (closures) and real resolution part ways most and least:
    the gap between the share of cases closed on time and the share of requests really resolved by
    their first deadline. The KPIs it needs are the registry's ``closure_gap`` view: closed on time,
    really resolved by the first deadline, closed cases really resolved, gamed closures, repeat contacts."""
    if not len(summary):
        return None
    needed = metrics.kpis("closure_gap")
    on, solved, rate, gamed, repeats = needed[:5]
    s = summary.set_index(["scenario", "kpi"])["mean"]
    rows = [n for n in shown if all((n, k) in s.index for k in needed)]
    if len(rows) < 2:
        return None
    gap = {n: s[(n, on)] - s[(n, solved)] for n in rows}

    def one(n: str) -> dict[str, str]:
        return {
            "title": titles[n],
            "on_time": fmt.share(s[(n, on)], 1),
            "resolved": fmt.share(s[(n, solved)], 1),
            "resolution_rate": fmt.share(s[(n, rate)], 1),
            "gamed": fmt.number(s[(n, gamed)], 0),
            "repeats": fmt.number(s[(n, repeats)], 0),
            "gap": fmt.number(100 * gap[n], 1),
        }

    return {"widest": one(max(rows, key=gap.__getitem__)), "narrowest": one(min(rows, key=gap.__getitem__))}


def _in_short(name, stitle, comp, heads, other_county: bool, lang) -> dict[str, Any]:
    """Significant headline changes of one scenario, grouped by direction; totals of another county left out."""
    groups: dict[str, list[str]] = {"better": [], "worse": [], "": []}
    skipped = []
    for k in heads:
        if (name, k) not in comp.index or not bool(comp.loc[(name, k), "significant"]):
            continue
        d = comp.loc[(name, k), "difference"]
        if not d:
            continue
        if other_county and size_driven(k):
            skipped.append(kpi(k).text(lang))
            continue
        groups[verdict(k, d)].append(kpi(k).text(lang))
    return {
        "title": stitle,
        "better": groups["better"],
        "worse": groups["worse"],
        "other": groups[""],
        "size_skipped": skipped,
    }


def _differences(name, stitle, comp, heads, lang) -> dict[str, Any]:
    sig, nonsig = [], []
    for k in heads:
        if (name, k) not in comp.index:
            continue
        r = comp.loc[(name, k)]
        if bool(r["significant"]):
            sig.append(difference_item(k, r, lang))
        else:
            nonsig.append(kpi(k).text(lang))
    return {"title": stitle, "significant": sig, "not_significant": nonsig}


def _tables(summary, shown, titles, lang) -> list[dict[str, Any]]:
    if not len(summary):
        return []
    s = summary.set_index(["scenario", "kpi"])
    present = set(summary["kpi"])
    out = []
    for head, listed in tables():
        names = [k for k in listed if k in present]
        if not names:
            continue
        rows = [
            {
                "title": titles[n],
                "cells": [cell(s.loc[(n, k)], k, lang) if (n, k) in s.index else fmt.MISSING for k in names],
            }
            for n in shown
        ]
        out.append({"title": head[lang], "header": [fmt.axis_label(k, lang) for k in names], "rows": rows})
    return out


def _overloaded(summary, shown, titles) -> list[dict[str, str]]:
    if not len(summary):
        return []
    s = summary.set_index(["scenario", "kpi"])
    out = []
    for n in shown:
        if (n, "backlog_end") in s.index and (n, "cases_created") in s.index:
            share = s.loc[(n, "backlog_end"), "mean"] / max(s.loc[(n, "cases_created"), "mean"], 1)
            if share > BACKLOG_WARN:
                out.append({"title": titles[n], "share": fmt.share(share)})
    return out


def _failures(failures, titles) -> dict[str, Any]:
    shown = [{**f, "title": titles.get(f["scenario"], f["scenario"])} for f in failures[:MAX_FAILURES]]
    return {"failures": shown, "n_failures": len(failures)}


def tier_deadlines(scenarios: Sequence[Any], lang: str = "en") -> str:
    """The 135 deadlines by tier (working days) of the scenarios, e.g. ``1, 3 or 5``; ``""`` when they differ."""
    found = {tuple(getattr(s.params, "tier_deadlines", ())) for s in scenarios}
    if len(found) != 1 or not (ds := next(iter(found))):
        return ""
    ticks = [fmt.tick(d) for d in ds]
    sep, last = (", ", " or ") if lang == "en" else ("、", " 或 ")
    return sep.join(ticks[:-1]) + last + ticks[-1] if len(ticks) > 1 else ticks[0]
