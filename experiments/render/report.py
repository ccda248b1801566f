"""Planner's reports of ``townsim compare`` and ``townsim sweep``: Markdown and a self-contained HTML page.

The text comes from the templates in ``templates/`` (one per report and language, ``en`` or ``zh``);
this module only gathers what they show from the tables (no model run): scenario titles (their labels,
not code names), headline cells, significant differences, figures and caveats. Numbers are formatted
by :mod:`~townsim.experiments.render.fmt` from the KPI registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.render import fmt, html, templates
from townsim.experiments.render.plots import HEADLINE, SIZE_DRIVEN, clip_bounds
from townsim.model.metrics import kpi

LANGS = ("en", "zh")
"""Languages of every report (``--lang``)."""

TABLES = (
    (
        {"en": "Service to requesters", "zh": "为诉求人服务"},
        ("on_time_rate", "mean_resolution_days", "trips_per_case", "backlog_end"),
    ),
    (
        {"en": "Cost and load", "zh": "成本与负荷"},
        ("staff_hours", "township_utilisation", "overloaded_townships", "dumped_tasks"),
    ),
    (
        {"en": "Satisfaction and conflict", "zh": "满意度与矛盾"},
        ("enterprise_satisfaction", "citizen_satisfaction", "petitions", "escalations"),
    ),
    (
        {"en": "Reaching the seat and the townships' day", "zh": "跑动与乡镇时间"},
        ("requester_hours_per_case", "trips_to_seat_per_case", "township_service_share", "staff_posts"),
    ),
    (
        {"en": "Closed or really solved", "zh": "办结与真正解决"},
        (
            "on_time_rate",
            "request_on_time_rate",
            "resolution_rate",
            "repeat_contacts",
            "gamed_closures",
            "grid_report_share",
        ),
    ),
)
"""Headline tables of the compare report: title per language, KPIs."""

BACKLOG_WARN = 0.10
"""Flag a scenario whose open cases at the end exceed this share of all requests (an unstable queue)."""

MAX_FAILURES = 10
"""Failed runs listed one by one in a report (the rest are counted)."""


def title(scenario: Any, lang: str = "en") -> str:
    """A scenario's title in reports: its label in ``lang`` (else its description, else its name)."""
    if callable(getattr(scenario, "title", None)):
        return scenario.title(lang)
    own = getattr(scenario, "label_zh", "") if lang == "zh" else ""
    return own or getattr(scenario, "label", "") or getattr(scenario, "description", "") or scenario.name


def size_driven(name: str) -> bool:
    """A KPI that grows with the county's size (a total), not comparable across county sizes."""
    k = kpi(name)
    return name in SIZE_DRIVEN or k.fmt == "count" or name == "overloaded_townships"


def write_report(
    out: Path,
    markdown_text: str,
    lang: str,
    write: Callable[[Path, bytes], Any] | None = None,
    stem: str = "report",
) -> list[Path]:
    """Write ``<stem>.md`` and the self-contained ``<stem>.html`` into ``out`` with ``write(path, bytes)``
    (default: the one atomic writer)."""
    if write is None:
        from townsim.experiments.core import atomic

        write = atomic.write_bytes
    out = Path(out)
    page = html.page(markdown_text, out, lang)
    paths = [out / f"{stem}.md", out / f"{stem}.html"]
    write(paths[0], markdown_text.encode("utf-8"))
    write(paths[1], page.encode("utf-8"))
    return paths


def render_report(name: str, lang: str = "en", **context: Any) -> str:
    """Markdown of the template ``templates/<name>.<lang>.md.j2`` (for workflows with their own report,
    e.g. validate and discover: add the two templates, build the context, then :func:`write_report`)."""
    return templates.render(f"{name}.{_check_lang(lang)}.md.j2", **context)


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r}: allowed: {', '.join(LANGS)}")
    return lang


# --- cells and sentences ---------------------------------------------------------------------------
def cell(row: pd.Series, name: str, lang: str = "en") -> str:
    """``mean [low, high]`` of a summary row; ``mean`` alone without an interval."""
    mean = fmt.value(name, row["mean"])
    lo, hi = row.get("ci_low", math.nan), row.get("ci_high", math.nan)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return mean
    lo, hi = clip_bounds(name, lo, hi)
    if fmt.value(name, float(lo)) == fmt.value(name, float(hi)):  # equal to the digits shown
        if hi > lo:  # the runs differ, by less than the last digit shown
            return f"{mean} ({'interval narrower than the digits shown' if lang == 'en' else '区间小于所示精度'})"
        return f"{mean} ({'same in every run' if lang == 'en' else '每次运行相同'})"
    return f"{mean} {fmt.interval(name, float(lo), float(hi))}"


def verdict(name: str, d: float) -> str:
    """``better``, ``worse`` or ``""`` (no direction, or no change) for a difference of ``name``."""
    better = kpi(name).better
    if not better or not d or not math.isfinite(d):
        return ""
    return "better" if (d > 0) == (better > 0) else "worse"


def difference_item(name: str, r: pd.Series, lang: str) -> dict[str, str]:
    """One significant difference: label, both means, difference, its interval, d, verdict."""
    ci = ""
    if math.isfinite(r["ci_low"]) and r["ci_low"] != r["ci_high"]:
        ci = fmt.interval(name, r["ci_low"], r["ci_high"], difference=True, lang=lang)
    e = r["effect_size"]
    d = ""
    if math.isfinite(e):
        d = (
            f"d {'>' if e > 0 else '<'} {fmt.number(10 if e > 0 else -10, 0, sign=True)}"
            if abs(e) > 10
            else f"d = {fmt.number(e, 2)}"
        )
    return {
        "label": kpi(name).text(lang),
        "base": fmt.value(name, r["baseline_mean"]),
        "scenario": fmt.value(name, r["scenario_mean"]),
        "diff": fmt.diff(name, r["difference"], lang),
        "ci": ci,
        "d": d,
        "verdict": verdict(name, r["difference"]),
    }


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
        lang=_check_lang(lang),
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
    heads = [k for k in HEADLINE if len(comparison) and k in set(comparison["kpi"])]
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
        "figures": _figures(figures, out, lang),
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
        "execution": _execution(execution),
    }


CLOSURE_GAP_KPIS = ("on_time_rate", "request_on_time_rate", "resolution_rate", "gamed_closures", "repeat_contacts")


def _closure_gap(summary, shown, titles) -> dict[str, Any] | None:
    """Where the dashboard's on-time rate (closures) and real resolution part ways most and least:
    the gap between the share of cases closed on time and the share of requests really resolved by
    their first deadline."""
    if not len(summary):
        return None
    s = summary.set_index(["scenario", "kpi"])["mean"]
    rows = [n for n in shown if all((n, k) in s.index for k in CLOSURE_GAP_KPIS)]
    if len(rows) < 2:
        return None
    gap = {n: s[(n, "on_time_rate")] - s[(n, "request_on_time_rate")] for n in rows}

    def one(n: str) -> dict[str, str]:
        return {
            "title": titles[n],
            "on_time": f"{100 * s[(n, 'on_time_rate')]:.1f}%",
            "resolved": f"{100 * s[(n, 'request_on_time_rate')]:.1f}%",
            "resolution_rate": f"{100 * s[(n, 'resolution_rate')]:.1f}%",
            "gamed": f"{s[(n, 'gamed_closures')]:,.0f}",
            "repeats": f"{s[(n, 'repeat_contacts')]:,.0f}",
            "gap": f"{100 * gap[n]:.1f}",
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
    for head, listed in TABLES:
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


def figure_path(fig: Path | str, out: Path | str) -> str:
    """The path of figure ``fig`` relative to the report's folder ``out`` (POSIX), whether either is
    given relative to the working folder or absolute; a figure outside ``out`` keeps its absolute path."""
    p, folder = Path(fig).absolute(), Path(out).absolute()
    try:
        return p.relative_to(folder).as_posix()
    except ValueError:
        return p.as_posix()


def _figures(figures, out, lang) -> list[dict[str, str]]:
    items = []
    for fig in figures:
        p = Path(fig)
        rel = figure_path(p, out)
        stem = p.stem
        kind = "timeseries" if stem.startswith("timeseries_") else stem
        label = kpi(stem.removeprefix("timeseries_")).text(lang) if kind == "timeseries" else ""
        items.append({"path": rel, "stem": stem, "kind": kind, "label": label})
    return items


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


def _execution(execution) -> dict[str, Any] | None:
    if execution is None:
        return None
    return {
        "ran": execution.ran,
        "skipped": execution.skipped,
        "failed": execution.failed,
        "seconds": fmt.number(execution.seconds, 0),
    }


def warm_up(scenarios: Sequence[Any], titles: dict[str, str]) -> dict[str, Any]:
    """The warm-up of the runs (working days simulated before the counted days, in no KPI), from each
    scenario's parameters: ``common`` when every scenario has the same (0 = an empty start), else ``by``
    scenario."""
    days = {s.name: int(getattr(s.params, "warmup_days", 0)) for s in scenarios}
    common = next(iter(days.values())) if len(set(days.values())) == 1 else None
    return {"varied": False, "common": common, "by": [{"title": titles.get(n, n), "days": d} for n, d in days.items()]}


def tier_deadlines(scenarios: Sequence[Any], lang: str = "en") -> str:
    """The 135 deadlines by tier (working days) of the scenarios, e.g. ``1, 3 or 5``; ``""`` when they differ."""
    found = {tuple(getattr(s.params, "tier_deadlines", ())) for s in scenarios}
    if len(found) != 1 or not (ds := next(iter(found))):
        return ""
    ticks = [_tick(d) for d in ds]
    sep, last = (", ", " or ") if lang == "en" else ("、", " 或 ")
    return sep.join(ticks[:-1]) + last + ticks[-1] if len(ticks) > 1 else ticks[0]


# --- the sweep report ------------------------------------------------------------------------------
def sweep_report(
    *,
    settings: Any,
    scenario: Any,
    summary: pd.DataFrame,
    keys: Sequence[str],
    figures: Sequence[Path],
    failures: Sequence[dict],
    out: Path,
    execution: Any = None,
    lang: str = "en",
) -> str:
    """The Markdown report of a one- or two-parameter sweep in ``lang``."""
    _check_lang(lang)
    ctx = {
        "keys": [f"`{k}`" for k in keys],
        "scenario": {"name": scenario.name, "title": title(scenario, lang), "description": scenario.description},
        "varies": [
            {"key": f"`{v.key}`", "low": _tick(v.values[0]), "high": _tick(v.values[-1]), "n": len(v.values)}
            for v in settings.varies
        ],
        "reps": settings.reps,
        "days": settings.days,
        "warmup": {"varied": True, "common": None, "by": []}
        if "warmup_days" in keys
        else warm_up([_with_overrides(scenario, settings.overrides)], {scenario.name: title(scenario, lang)}),
        "overrides": [f"`{o}`" for o in settings.overrides],
        "figures": _figures(figures, out, lang),
        "table": _sweep_table(summary, keys, lang),
        "n_failures": len(failures),
        "command": settings.reproduce_command(out),
        "execution": _execution(execution),
    }
    return templates.render(f"sweep.{lang}.md.j2", **ctx)


def _with_overrides(scenario: Any, overrides: Sequence[str]) -> Any:
    """``scenario`` with its parameters as every run of the sweep had them (``--set`` applied)."""
    from types import SimpleNamespace

    from townsim.model.scenario import apply_overrides

    return SimpleNamespace(name=scenario.name, params=apply_overrides(scenario.params, list(overrides)))


def _sweep_table(summary: pd.DataFrame, keys: Sequence[str], lang: str) -> dict[str, Any] | None:
    """Header and rows (grid point × KPI cells) of the sweep table."""
    if not len(summary):
        return None
    kpis = list(dict.fromkeys(summary["kpi"]))
    s = summary.set_index(["point", "kpi"])
    rows = []
    for p in sorted(set(summary["point"])):
        first = s.loc[(p, kpis[0])]
        rows.append([_tick(first[k]) for k in keys] + [cell(s.loc[(p, k)], k, lang) for k in kpis])
    return {"header": [f"`{k}`" for k in keys] + [fmt.axis_label(k, lang) for k in kpis], "rows": rows}


def _tick(v) -> str:
    """A grid value: integers without decimals, else up to 3 significant digits, one minus sign."""
    v = float(v)
    return (f"{v:.0f}" if v.is_integer() else f"{v:.3g}").replace("-", fmt.MINUS)
