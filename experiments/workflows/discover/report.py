"""``report.md`` of a discovery run in en/zh (the template ``templates/discover.<lang>.md.j2``): the boxes in
a planner's words, their tables and figures, and how the boxes differ between regimes (scenarios)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from townsim.experiments.core.prim import Discovery, Restriction

from .words import case_words, discovery_summary, fmt_value, lever_label, regime_lines, switch_words


@dataclass
class Design:
    """How the lever values were drawn and how many runs there are (the report's design line)."""

    runs: int
    levers: int
    reused: str = ""
    """The sensitivity folder the runs were reused from (then nothing else is set)."""
    samples: int = 0
    replications: int = 0
    seed: int = 0
    scenarios: Sequence[str] = ()
    days: int = 0
    plugin: str = ""
    """The plug-in evaluated instead of the township model (then no scenarios nor days)."""


@dataclass
class Settings:
    """PRIM's settings as the report prints them."""

    ema_workbench: str | None
    peel_alpha: float
    paste_alpha: float
    mass_min: float
    max_boxes: int


@dataclass
class ReportInput:
    """What the report needs besides the discoveries (kept free of the spec class)."""

    title: str
    outcome: str
    threshold: float
    below: bool
    township: bool
    min_density: float
    design: Design
    levers: list[str] = field(default_factory=list)
    """One line per lever: ``name: range``."""
    settings: Settings | None = None
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _qp(r: Restriction) -> str:
    vals = [v for v in (r.qp_lower, r.qp_upper) if v is not None]
    return ", ".join(f"{v:.2g}" for v in vals) if vals else "–"


def _limits(r: Restriction, lang: str) -> str:
    lv = r.lever
    if r.values is not None:
        return switch_words(r.values, lang)
    lo = "" if r.lower is None else fmt_value(r.lower, lv)
    hi = "" if r.upper is None else fmt_value(r.upper, lv)
    return f"{lo or '·'} – {hi or '·'}"


def _full(r: Restriction, lang: str) -> str:
    lv = r.lever
    return (
        " / ".join(switch_words([v], lang) for v in ("off", "on"))
        if lv.kind == "bool"
        else (f"{fmt_value(lv.low, lv)} – {fmt_value(lv.high, lv)}")
    )


def render(discoveries: Sequence[Discovery], inp: ReportInput, out_dir: Path, lang: str = "en") -> str:
    """The Markdown text of ``report.md`` in ``lang`` (figure links relative to ``out_dir``)."""
    from townsim.experiments.render.reportkit import render_report  # deferred: it pulls in matplotlib (heavy)

    return render_report("discover", lang, **context(discoveries, inp, out_dir, lang))


def context(discoveries: Sequence[Discovery], inp: ReportInput, out_dir: Path, lang: str = "en") -> dict[str, Any]:
    """The report's sentences, tables and figure links in ``lang``: one entry per scenario, then the regimes."""
    findings = []
    for d in discoveries:
        own = re.compile(
            rf"(trajectory_{re.escape(_slug(d.scenario))}|limits_{re.escape(_slug(d.scenario))}_(box\d+|densest))"
        )
        findings.append(
            {
                "scenario": d.scenario,
                "summary": ("" if lang == "zh" else " ").join(  # Chinese sentences end in a full-width stop
                    discovery_summary(d, inp.outcome, inp.threshold, inp.below, inp.township, lang)
                ),
                "rows": _box_rows(d, lang),
                "figures": [
                    {"stem": f.stem, "path": f.relative_to(out_dir).as_posix()}
                    for f in inp.figures
                    if own.fullmatch(f.stem)
                ],
            }
        )
    s = inp.settings
    return {
        "title": inp.title,
        "case": case_words(inp.outcome, inp.threshold, inp.below, inp.township, lang),
        "design": inp.design,
        "outcome": inp.outcome,
        "below": inp.below,
        "threshold": f"{inp.threshold:g}",
        "min_density": f"{inp.min_density:.0%}",
        "settings": None
        if s is None
        else {
            "ema_workbench": s.ema_workbench,
            "peel_alpha": f"{s.peel_alpha:g}",
            "paste_alpha": f"{s.paste_alpha:g}",
            "mass_min": f"{s.mass_min:g}",
            "max_boxes": s.max_boxes,
        },
        "levers": inp.levers,
        "findings": findings,
        "regimes": regime_lines(discoveries, lang),
        "regime_figures": [f.relative_to(out_dir).as_posix() for f in inp.figures if f.stem == "regimes"],
        "notes": inp.notes,
    }


def _box_rows(d: Discovery, lang: str) -> list[dict[str, Any]]:
    """The box table's rows: one per restricted lever, the box's number and statistics on its first row."""
    rows = []
    for b in d.boxes:
        for i, r in enumerate(b.restrictions):
            stats = f"{b.coverage:.0%} | {b.density:.0%} | {b.mass:.0%} | {b.runs}" if i == 0 else " | | | "
            rows.append(
                {
                    "box": b.number if i == 0 else "",
                    "lever": lever_label(r.lever.name),
                    "limits": _limits(r, lang),
                    "full": _full(r, lang),
                    "qp": _qp(r),
                    "stats": stats,
                }
            )
    return rows


def _slug(text: str) -> str:
    from .plots import slug  # deferred: it pulls in matplotlib (heavy)

    return slug(text)
