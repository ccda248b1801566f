"""What every report shares: scenario titles, cells and differences, figure lists, the run's execution,
the warm-up sentence, and writing Markdown + HTML. Numbers by :mod:`~townsim.experiments.render.fmt`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.render import fmt, html, templates
from townsim.experiments.render.figkit import clip_bounds, grows_with_county
from townsim.model.metrics import kpi

LANGS = ("en", "zh")
"""Languages of every report (``--lang``)."""


def title(scenario: Any, lang: str = "en") -> str:
    """A scenario's title in reports: its label in ``lang`` (else its description, else its name)."""
    if callable(getattr(scenario, "title", None)):
        return scenario.title(lang)
    own = getattr(scenario, "label_zh", "") if lang == "zh" else ""
    return own or getattr(scenario, "label", "") or getattr(scenario, "description", "") or scenario.name


def size_driven(name: str) -> bool:
    """A KPI that grows with the county's size (a total), not comparable across county sizes."""
    return grows_with_county(name)


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
    return templates.render(f"{name}.{check_lang(lang)}.md.j2", **context)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r}: allowed: {', '.join(LANGS)}")
    return lang


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


def figure_path(fig: Path | str, out: Path | str) -> str:
    """The path of figure ``fig`` relative to the report's folder ``out`` (POSIX), whether either is
    given relative to the working folder or absolute; a figure outside ``out`` keeps its absolute path."""
    p, folder = Path(fig).absolute(), Path(out).absolute()
    try:
        return p.relative_to(folder).as_posix()
    except ValueError:
        return p.as_posix()


def figures(figures, out, lang) -> list[dict[str, str]]:
    items = []
    for fig in figures:
        p = Path(fig)
        rel = figure_path(p, out)
        stem = p.stem
        kind = "timeseries" if stem.startswith("timeseries_") else stem
        label = kpi(stem.removeprefix("timeseries_")).text(lang) if kind == "timeseries" else ""
        items.append({"path": rel, "stem": stem, "kind": kind, "label": label})
    return items


def execution(execution) -> dict[str, Any] | None:
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
