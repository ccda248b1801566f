"""The planner's report of ``townsim sweep`` (Markdown from the ``sweep`` templates, en or zh)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from townsim.experiments.render import fmt, templates
from townsim.experiments.render import reportkit as kit
from townsim.experiments.render.reportkit import cell, check_lang, title, warm_up
from townsim.scenarios import apply_overrides


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
    check_lang(lang)
    ctx = {
        "keys": [f"`{k}`" for k in keys],
        "scenario": {"name": scenario.name, "title": title(scenario, lang), "description": scenario.description},
        "varies": [
            {"key": f"`{v.key}`", "low": fmt.tick(v.values[0]), "high": fmt.tick(v.values[-1]), "n": len(v.values)}
            for v in settings.varies
        ],
        "reps": settings.reps,
        "days": settings.days,
        "warmup": {"varied": True, "common": None, "by": []}
        if "warmup_days" in keys
        else warm_up([_with_overrides(scenario, settings.overrides)], {scenario.name: title(scenario, lang)}),
        "overrides": [f"`{o}`" for o in settings.overrides],
        "figures": kit.figures(figures, out, lang),
        "table": _sweep_table(summary, keys, lang),
        "n_failures": len(failures),
        "command": settings.reproduce_command(out),
        "execution": kit.execution(execution),
    }
    return templates.render(f"sweep.{lang}.md.j2", **ctx)


def _with_overrides(scenario: Any, overrides: Sequence[str]) -> Any:
    """``scenario`` with its parameters as every run of the sweep had them (``--set`` applied)."""
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
        rows.append([fmt.tick(first[k]) for k in keys] + [cell(s.loc[(p, k)], k, lang) for k in kpis])
    return {"header": [f"`{k}`" for k in keys] + [fmt.axis_label(k, lang) for k in kpis], "rows": rows}
