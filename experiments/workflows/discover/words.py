"""Boxes in a planner's words (en/zh): "on-time falls below 0.8 when delegated share ≥ 0.55 and ...".

Numbers are rounded to the precision the lever's range makes readable (two
decimals on a 0–1 share, whole numbers on 0–300 cases); shares of runs are
whole percentages. Lever names stay code words in both languages (as in the
other reports' assumption boxes); the outcome's label comes from the KPI registry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from townsim.experiments.core.prim import Box, Discovery, Lever, Restriction
from townsim.model.metrics import kpi

QP_ALPHA = 0.05
"""A restriction whose quasi-p-value is below this is called firm in the report."""

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "values": "{name} is {values}",
        "or": " or ",
        "between": "{name} is between {lo} and {hi}",
        "and": " and ",
        "comma": ", ",
        "whatever": "whatever the levers",
        "below": "falls below",
        "above": "rises above",
        "box": "{case} when {conds}: {cov} of such cases, {den} of the runs in this box ({runs} runs, {mass} of all)",
        "head": "{cases} of {runs} runs ({rate}) are cases: {case}.",
        "closest": "Closest: when {conds}, {den} of the runs are cases ({runs} runs, {cov} of all cases); "
        "too thin to call a box.",
        "box_n": "Box {n}: {sentence}.",
        "no_firm": "No restriction is firm (every quasi-p-value ≥ {alpha}).",
        "firm": "Firm (quasi-p < {alpha}): {conds}; the other restrictions ({weak}) could be dropped.",
        "no_cases": "no run is a case of interest: there is no box to find",
        "everywhere": "cases of interest are everywhere: {rate} of all runs, no lever restriction is needed to "
        "reach a density of {md}",
        "thin": "no box reaches a density of {md}: the densest box found holds {den} cases of interest",
        "no_box": "no box",
        "stop": ".",
        "regime_none": "**{s}**: {cases} of {runs} runs ({rate}) are cases; {reason}.",
        "regime_closest": "; closest: {conds} (coverage {cov}, density {den})",
        "regime_box": "**{s}**: {rate} of the runs are cases; box 1: {conds} (coverage {cov}, density {den}).",
        "regime_per": "{s}: {words}",
        "regime_lever": "{lever} ({per})",
        "regime_sep": "; ",
        "regime_common": "Restricted in every regime's first box: {parts}.",
        "regime_only": "Only in **{s}**: {levers}.",
    },
    "zh": {
        "values": "{name} 为{values}",
        "or": "或",
        "between": "{name} 在 {lo} 与 {hi} 之间",
        "and": " 且 ",
        "comma": "、",
        "whatever": "无论杠杆取何值",
        "below": "低于",
        "above": "高于",
        "box": "当 {conds} 时，{case}：占全部关注情形的 {cov}，框内运行的 {den} 属于关注情形"
        "（{runs} 次运行，占全部运行的 {mass}）",
        "head": "{runs} 次运行中有 {cases} 次（{rate}）属于关注情形：{case}。",
        "closest": "最接近的框：当 {conds} 时，{den} 的运行属于关注情形（{runs} 次运行，占全部关注情形的 {cov}）；"
        "密度太低，不算作一个框。",
        "box_n": "框 {n}：{sentence}。",
        "no_firm": "没有稳固的限制（所有准 p 值 ≥ {alpha}）。",
        "firm": "稳固的限制（准 p 值 < {alpha}）：{conds}；其余限制（{weak}）可以去掉。",
        "no_cases": "没有任何运行属于关注情形：无框可找",
        "everywhere": "关注情形处处都有：占全部运行的 {rate}，不限制任何杠杆即可达到 {md} 的密度",
        "thin": "没有框的密度达到 {md}：找到的最密集的框中关注情形占 {den}",
        "no_box": "没有框",
        "stop": "。",
        "regime_none": "**{s}**：{runs} 次运行中有 {cases} 次（{rate}）属于关注情形；{reason}。",
        "regime_closest": "；最接近的框：{conds}（覆盖率 {cov}，密度 {den}）",
        "regime_box": "**{s}**：{rate} 的运行属于关注情形；框 1：{conds}（覆盖率 {cov}，密度 {den}）。",
        "regime_per": "{s}：{words}",
        "regime_lever": "{lever}（{per}）",
        "regime_sep": "；",
        "regime_common": "各情景的第一个框都限制了：{parts}。",
        "regime_only": "仅在 **{s}** 中：{levers}。",
    },
}
"""The sentences of a discovery report per language (``{...}``: the numbers and words filled in)."""
SWITCH = {"en": {"off": "off", "on": "on"}, "zh": {"off": "关", "on": "开"}}
"""A switch's values in words (PRIM's ``off``/``on``)."""


def lever_label(name: str) -> str:
    """A lever's name as words (``staff_transfer`` → ``staff transfer``)."""
    return name.replace("_", " ")


def outcome_label(outcome: str, township: bool, lang: str = "en") -> str:
    """The outcome as words: the KPI registry's label for township KPIs, else its name."""
    if township:
        return kpi(outcome).label if lang == "en" else kpi(outcome).text(lang)
    return lever_label(outcome)


def fmt_value(v: float, lever: Lever) -> str:
    """``v`` rounded to the lever's readable precision (integers as whole numbers)."""
    if lever.kind == "int":
        return f"{int(round(v))}"
    span = abs(lever.high - lever.low) or 1.0
    decimals = max(0, 2 - int(math.ceil(math.log10(span))))
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def switch_words(values: Sequence[str], lang: str = "en") -> str:
    """The allowed values of a switch: ``off``, ``on``, ``off or on`` (关、开 in Chinese)."""
    return WORDS[lang]["or"].join(SWITCH[lang].get(v, v) for v in values)


def restriction_words(r: Restriction, lang: str = "en") -> str:
    """``delegated share ≥ 0.55``, ``staff transfer ≤ 0.2``, ``learning cases 40–120``, ``escalation 135 on``."""
    w = WORDS[lang]
    name = lever_label(r.lever.name)
    if r.values is not None:
        return w["values"].format(name=name, values=switch_words(r.values, lang))
    if r.lower is not None and r.upper is not None:
        return w["between"].format(name=name, lo=fmt_value(r.lower, r.lever), hi=fmt_value(r.upper, r.lever))
    if r.lower is not None:
        return f"{name} ≥ {fmt_value(r.lower, r.lever)}"
    upper = r.upper
    assert upper is not None, "a restriction bounds at least one side"
    return f"{name} ≤ {fmt_value(upper, r.lever)}"


def condition_words(restrictions: Sequence[Restriction], lang: str = "en") -> str:
    """The restrictions joined with "and" (strongest first: smallest share of its range kept)."""
    w = WORDS[lang]
    if not restrictions:
        return w["whatever"]
    parts = [restriction_words(r, lang) for r in sorted(restrictions, key=lambda r: r.share_of_range())]
    return parts[0] if len(parts) == 1 else w["comma"].join(parts[:-1]) + w["and"] + parts[-1]


def case_words(outcome: str, threshold: float, below: bool, township: bool, lang: str = "en") -> str:
    """``cases closed on time falls below 0.8`` (or ``rises above``)."""
    w = WORDS[lang]
    label = outcome_label(outcome, township, lang)
    gap = "" if lang == "zh" and not label[-1:].isascii() else " "  # no space after a Chinese label
    return f"{label}{gap}{w['below' if below else 'above']} {threshold:g}"


def box_sentence(box: Box, outcome: str, threshold: float, below: bool, township: bool, lang: str = "en") -> str:
    """One sentence: the case, where it happens, and the box's coverage and density."""
    return WORDS[lang]["box"].format(
        case=case_words(outcome, threshold, below, township, lang),
        conds=condition_words(box.restrictions, lang),
        cov=f"{box.coverage:.0%}",
        den=f"{box.density:.0%}",
        runs=box.runs,
        mass=f"{box.mass:.0%}",
    )


def note_words(d: Discovery, lang: str = "en") -> str:
    """Why a scenario has no box (empty when it has one): the discovery's own note in English, the same
    reason in ``lang`` otherwise (no cases, cases everywhere, or no box dense enough)."""
    if lang == "en" or not d.note:
        return d.note
    w = WORDS[lang]
    md = f"{d.min_density:.0%}"
    if d.cases == 0:
        return w["no_cases"]
    if d.attempt is not None:
        return w["thin"].format(md=md, den=f"{d.attempt.density:.0%}")
    if d.boxes and not d.boxes[0].restrictions:
        return w["everywhere"].format(rate=f"{d.base_rate:.0%}", md=md)
    return d.note


def discovery_summary(
    d: Discovery, outcome: str, threshold: float, below: bool, township: bool, lang: str = "en"
) -> list[str]:
    """The sentences of one scenario: the base rate, then one per box (or why there is none)."""
    w = WORDS[lang]
    case = case_words(outcome, threshold, below, township, lang)
    lines = [w["head"].format(cases=d.cases, runs=d.runs, rate=f"{d.base_rate:.0%}", case=case)]
    note = note_words(d, lang)
    if note:
        lines.append(note[0].upper() + note[1:] + w["stop"])
    if d.attempt is not None and d.attempt.restrictions:
        a = d.attempt
        lines.append(
            w["closest"].format(
                conds=condition_words(a.restrictions, lang),
                den=f"{a.density:.0%}",
                runs=a.runs,
                cov=f"{a.coverage:.0%}",
            )
        )
        lines.append(firmness_words(a.restrictions, lang=lang))
    for b in d.boxes:
        if b.restrictions:
            lines.append(
                w["box_n"].format(n=b.number, sentence=box_sentence(b, outcome, threshold, below, township, lang))
            )
            lines.append(firmness_words(b.restrictions, lang=lang))
    return [line for line in lines if line]


def firmness_words(restrictions: Sequence[Restriction], alpha: float = QP_ALPHA, lang: str = "en") -> str:
    """Which restrictions are firm (quasi-p < ``alpha`` on every restricted side) and which could be dropped."""
    w = WORDS[lang]
    firm = [r for r in restrictions if r.qp < alpha]
    weak = [r for r in restrictions if not r.qp < alpha]
    if not weak:
        return ""
    if not firm:
        return w["no_firm"].format(alpha=f"{alpha:g}")
    return w["firm"].format(
        alpha=f"{alpha:g}",
        conds=condition_words(firm, lang),
        weak=w["comma"].join(lever_label(r.lever.name) for r in weak),
    )


def regime_lines(discoveries: Sequence[Discovery], lang: str = "en") -> list[str]:
    """How the first boxes differ between scenarios, one list item each (empty for one scenario)."""
    if len(discoveries) < 2:
        return []
    w = WORDS[lang]
    lines = []
    firsts = {d.scenario: d.boxes[0] for d in discoveries if d.boxes and d.boxes[0].restrictions}
    for d in discoveries:
        if d.scenario not in firsts:
            reason = note_words(d, lang) or w["no_box"]
            if d.attempt is not None and d.attempt.restrictions:
                a = d.attempt
                conds = condition_words(a.restrictions, lang)
                reason += w["regime_closest"].format(conds=conds, cov=f"{a.coverage:.0%}", den=f"{a.density:.0%}")
            rate = f"{d.base_rate:.0%}"
            lines.append(w["regime_none"].format(s=d.scenario, cases=d.cases, runs=d.runs, rate=rate, reason=reason))
        else:
            b = firsts[d.scenario]
            lines.append(
                w["regime_box"].format(
                    s=d.scenario,
                    rate=f"{d.base_rate:.0%}",
                    conds=condition_words(b.restrictions, lang),
                    cov=f"{b.coverage:.0%}",
                    den=f"{b.density:.0%}",
                )
            )
    if len(firsts) >= 2:
        names = sorted({r.lever.name for b in firsts.values() for r in b.restrictions})
        common = [n for n in names if all(n in b.restricted for b in firsts.values())]
        only = {s: [n for n in b.restricted if n not in common] for s, b in firsts.items()}
        if common:
            parts = []
            for n in common:
                per = w["regime_sep"].join(
                    w["regime_per"].format(
                        s=s, words=restriction_words(next(r for r in b.restrictions if r.lever.name == n), lang)
                    )
                    for s, b in firsts.items()
                )
                parts.append(w["regime_lever"].format(lever=lever_label(n), per=per))
            lines.append(w["regime_common"].format(parts=w["regime_sep"].join(parts)))
        for s, ns in only.items():
            if ns:
                lines.append(w["regime_only"].format(s=s, levers=w["comma"].join(lever_label(n) for n in ns)))
    return lines
