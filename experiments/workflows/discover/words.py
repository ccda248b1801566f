"""Boxes in a planner's words: "on-time falls below 0.8 when delegated share ≥ 0.55 and ...".

Numbers are rounded to the precision the lever's range makes readable (two
decimals on a 0–1 share, whole numbers on 0–300 cases); shares of runs are
whole percentages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from townsim.experiments.core.prim import Box, Discovery, Lever, Restriction
from townsim.model.metrics import kpi

QP_ALPHA = 0.05
"""A restriction whose quasi-p-value is below this is called firm in the report."""


def lever_label(name: str) -> str:
    """A lever's name as words (``staff_transfer`` → ``staff transfer``)."""
    return name.replace("_", " ")


def outcome_label(outcome: str, township: bool) -> str:
    """The outcome as words: the KPI registry's label for township KPIs, else its name."""
    if township:
        return kpi(outcome).label
    return lever_label(outcome)


def fmt_value(v: float, lever: Lever) -> str:
    """``v`` rounded to the lever's readable precision (integers as whole numbers)."""
    if lever.kind == "int":
        return f"{int(round(v))}"
    span = abs(lever.high - lever.low) or 1.0
    decimals = max(0, 2 - int(math.ceil(math.log10(span))))
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def restriction_words(r: Restriction) -> str:
    """``delegated share ≥ 0.55``, ``staff transfer ≤ 0.2``, ``learning cases 40–120``, ``escalation 135 on``."""
    name = lever_label(r.lever.name)
    if r.values is not None:
        return f"{name} is {' or '.join(r.values)}"
    if r.lower is not None and r.upper is not None:
        return f"{name} is between {fmt_value(r.lower, r.lever)} and {fmt_value(r.upper, r.lever)}"
    if r.lower is not None:
        return f"{name} ≥ {fmt_value(r.lower, r.lever)}"
    upper = r.upper
    assert upper is not None, "a restriction bounds at least one side"
    return f"{name} ≤ {fmt_value(upper, r.lever)}"


def condition_words(restrictions: Sequence[Restriction]) -> str:
    """The restrictions joined with "and" (strongest first: smallest share of its range kept)."""
    if not restrictions:
        return "whatever the levers"
    parts = [restriction_words(r) for r in sorted(restrictions, key=lambda r: r.share_of_range())]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def case_words(outcome: str, threshold: float, below: bool, township: bool) -> str:
    """``cases closed on time falls below 0.8`` (or ``rises above``)."""
    return f"{outcome_label(outcome, township)} {'falls below' if below else 'rises above'} {threshold:g}"


def box_sentence(box: Box, outcome: str, threshold: float, below: bool, township: bool) -> str:
    """One sentence: the case, where it happens, and the box's coverage and density."""
    return (
        f"{case_words(outcome, threshold, below, township)} when {condition_words(box.restrictions)}: "
        f"{box.coverage:.0%} of such cases, {box.density:.0%} of the runs in this box "
        f"({box.runs} runs, {box.mass:.0%} of all)"
    )


def discovery_summary(d: Discovery, outcome: str, threshold: float, below: bool, township: bool) -> list[str]:
    """The sentences of one scenario: the base rate, then one per box (or why there is none)."""
    head = (
        f"{d.cases} of {d.runs} runs ({d.base_rate:.0%}) are cases: {case_words(outcome, threshold, below, township)}."
    )
    lines = [head]
    if d.note:
        lines.append(d.note[0].upper() + d.note[1:] + ".")
    if d.attempt is not None and d.attempt.restrictions:
        a = d.attempt
        lines.append(
            f"Closest: when {condition_words(a.restrictions)}, {a.density:.0%} of the runs are cases "
            f"({a.runs} runs, {a.coverage:.0%} of all cases); too thin to call a box."
        )
        lines.append(firmness_words(a.restrictions))
    for b in d.boxes:
        if b.restrictions:
            lines.append(f"Box {b.number}: {box_sentence(b, outcome, threshold, below, township)}.")
            lines.append(firmness_words(b.restrictions))
    return [line for line in lines if line]


def firmness_words(restrictions: Sequence[Restriction], alpha: float = QP_ALPHA) -> str:
    """Which restrictions are firm (quasi-p < ``alpha`` on every restricted side) and which could be dropped."""
    firm = [r for r in restrictions if r.qp < alpha]
    weak = [r for r in restrictions if not r.qp < alpha]
    if not weak:
        return ""
    if not firm:
        return f"No restriction is firm (every quasi-p-value ≥ {alpha:g})."
    return (
        f"Firm (quasi-p < {alpha:g}): {condition_words(firm)}; the other restrictions "
        f"({', '.join(lever_label(r.lever.name) for r in weak)}) could be dropped."
    )
