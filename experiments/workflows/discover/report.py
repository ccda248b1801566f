"""``report.md`` of a discovery run: the boxes in a planner's words, their tables and figures,
and how the boxes differ between regimes (scenarios)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from townsim.experiments.core.prim import Discovery, Restriction

from .words import case_words, condition_words, discovery_summary, fmt_value, lever_label, restriction_words


@dataclass
class ReportInput:
    """What the report needs besides the discoveries (kept free of the spec class)."""

    title: str
    outcome: str
    threshold: float
    below: bool
    township: bool
    min_density: float
    design: str
    """One line: how the lever values were drawn and how many runs there are."""
    levers: list[str] = field(default_factory=list)
    """One line per lever: ``name: range``."""
    settings: str = ""
    """One line of PRIM settings."""
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _qp(r: Restriction) -> str:
    vals = [v for v in (r.qp_lower, r.qp_upper) if v is not None]
    return ", ".join(f"{v:.2g}" for v in vals) if vals else "–"


def _limits(r: Restriction) -> str:
    lv = r.lever
    if r.values is not None:
        return " or ".join(r.values)
    lo = "" if r.lower is None else fmt_value(r.lower, lv)
    hi = "" if r.upper is None else fmt_value(r.upper, lv)
    return f"{lo or '·'} – {hi or '·'}"


def _full(r: Restriction) -> str:
    lv = r.lever
    return "off / on" if lv.kind == "bool" else f"{fmt_value(lv.low, lv)} – {fmt_value(lv.high, lv)}"


def regime_lines(discoveries: Sequence[Discovery], inp: ReportInput) -> list[str]:
    """How the first boxes differ between scenarios, in words (empty for one scenario)."""
    if len(discoveries) < 2:
        return []
    lines = []
    firsts = {d.scenario: d.boxes[0] for d in discoveries if d.boxes and d.boxes[0].restrictions}
    for d in discoveries:
        if d.scenario not in firsts:
            reason = d.note or "no box"
            if d.attempt is not None and d.attempt.restrictions:
                a = d.attempt
                reason += (
                    f"; closest: {condition_words(a.restrictions)} (coverage {a.coverage:.0%}, density {a.density:.0%})"
                )
            lines.append(f"- **{d.scenario}**: {d.cases} of {d.runs} runs ({d.base_rate:.0%}) are cases; {reason}.")
        else:
            b = firsts[d.scenario]
            lines.append(
                f"- **{d.scenario}**: {d.base_rate:.0%} of the runs are cases; box 1: "
                f"{condition_words(b.restrictions)} (coverage {b.coverage:.0%}, density {b.density:.0%})."
            )
    if len(firsts) >= 2:
        names = sorted({r.lever.name for b in firsts.values() for r in b.restrictions})
        common = [n for n in names if all(n in b.restricted for b in firsts.values())]
        only = {s: [n for n in b.restricted if n not in common] for s, b in firsts.items()}
        if common:
            parts = []
            for n in common:
                per = "; ".join(
                    f"{s}: {restriction_words(next(r for r in b.restrictions if r.lever.name == n))}"
                    for s, b in firsts.items()
                )
                parts.append(f"{lever_label(n)} ({per})")
            lines.append(f"- Restricted in every regime's first box: {'; '.join(parts)}.")
        for s, ns in only.items():
            if ns:
                lines.append(f"- Only in **{s}**: {', '.join(lever_label(n) for n in ns)}.")
    return lines


def render(discoveries: Sequence[Discovery], inp: ReportInput, out_dir: Path) -> str:
    """The markdown text of ``report.md`` (figure links relative to ``out_dir``).

    Over 60 lines: the report's sections in reading order, one short block each.
    """
    case = case_words(inp.outcome, inp.threshold, inp.below, inp.township)
    md = [
        f"# Scenario discovery: {inp.title}",
        "",
        f"**Question:** under which lever values does {case}?",
        "",
        f"- Design: {inp.design}",
        f"- Case of interest: `{inp.outcome} {'<' if inp.below else '>'} {inp.threshold:g}` in a run.",
        f"- Box rule: on each peeling trajectory, the step of highest coverage whose density is at least "
        f"{inp.min_density:.0%}.",
        f"- PRIM: {inp.settings}",
        "",
    ]
    if inp.levers:
        md += ["Levers sampled:", ""] + [f"- {line}" for line in inp.levers] + [""]

    md += ["## Findings", ""]
    for d in discoveries:
        if d.scenario:
            md += [f"### {d.scenario}", ""]
        md += [" ".join(discovery_summary(d, inp.outcome, inp.threshold, inp.below, inp.township)), ""]
        boxed = [b for b in d.boxes if b.restrictions]
        if boxed:
            md += [
                "| box | lever | box limits | full range | quasi-p | coverage | density | mass | runs |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for b in boxed:
                for i, r in enumerate(b.restrictions):
                    stats = f"{b.coverage:.0%} | {b.density:.0%} | {b.mass:.0%} | {b.runs}" if i == 0 else " | | | "
                    md.append(
                        f"| {b.number if i == 0 else ''} | {lever_label(r.lever.name)} | {_limits(r)} | "
                        f"{_full(r)} | {_qp(r)} | {stats} |"
                    )
            md.append("")
        own = re.compile(
            rf"(trajectory_{re.escape(_slug(d.scenario))}|limits_{re.escape(_slug(d.scenario))}_(box\d+|densest))"
        )
        figs = [f for f in inp.figures if own.fullmatch(f.stem)]
        for f in figs:
            md += [f"![{f.stem}]({f.relative_to(out_dir).as_posix()})", ""]

    regimes = regime_lines(discoveries, inp)
    if regimes:
        md += ["## How the boxes differ between regimes", ""] + regimes + [""]
        md += [f"![regimes]({f.relative_to(out_dir).as_posix()})" for f in inp.figures if f.stem == "regimes"]
        md.append("")

    md += [
        "## How to read this",
        "",
        "- **Coverage**: share of all cases of interest that fall inside the box. "
        "**Density**: share of the runs inside the box that are cases. **Mass**: share of all runs inside "
        "the box. Each replication is one run.",
        "- **Quasi-p-value** of a restricted side: the one-sided binomial probability of the box's density "
        "if that restriction were dropped; a small value (say < 0.05) means the restriction matters, a large "
        "one that it could be dropped.",
        "- Box limits are sampled values at the edge of the box: with PRIM peeling 5 % of the runs at a "
        "time, a limit is uncertain by about one peeling step.",
        "- Further boxes are found in the runs outside the earlier boxes (covering), so their coverage adds up.",
        "- PRIM is the EMA Workbench's implementation: the maintained reference implementation of scenario "
        "discovery (peeling and pasting, covering, quasi-p-values, integer and on/off levers), rather than a "
        "hand-written one.",
        "",
    ]
    md += [f"- {n}" for n in inp.notes]
    return "\n".join(md).rstrip() + "\n"


def _slug(text: str) -> str:
    from .plots import slug  # deferred: it pulls in matplotlib (heavy)

    return slug(text)
