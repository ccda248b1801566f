"""Sentences about a reform across plausible worlds (en/zh): how often it moves a KPI which way, and the
assumption box where its usual effect fails. Used by ``townsim robust``'s report and by the findings page."""

from __future__ import annotations

import math

import pandas as pd

from townsim.experiments.render import fmt
from townsim.model.metrics import kpi

WORDS = {
    "en": {
        "raises": "raises",
        "lowers": "lowers",
        "worlds": "of plausible worlds",
        "tie": "changes {k} by less than seed noise can tell in {s} {w} ({lo}–{hi})",
        "main": "{verb} {k} in {s} {w} ({lo}–{hi})",
        "rest": "; it {verb} it in {s}",
        "where": "; it {verb} it where {conds}",
        "score": " (held-out worlds: {cov} of them in this box, {den} of the box's worlds fail)",
        "unscored": " (too few held-out worlds to score this box)",
        "and": " and ",
        "under": "{a} is under {v}",
        "above": "{a} is above {v}",
        "between": "{a} is between {lo} and {hi}",
        "everywhere": "; no assumption range separates the worlds where it {verb} it",
    },
    "zh": {
        "raises": "提高",
        "lowers": "降低",
        "worlds": "的可信世界",
        "tie": "在 {s}{w}中对{k}的影响小于随机噪声可辨别的程度（{lo}–{hi}）",
        "main": "在 {s}{w}中{verb}{k}（{lo}–{hi}）",
        "rest": "；在 {s} 中{verb}",
        "where": "；当{conds}时{verb}",
        "score": "（留出世界：{cov} 落在此区间内，区间内 {den} 不成立）",
        "unscored": "（留出世界太少，未能检验此区间）",
        "and": "且",
        "under": "{a} 低于 {v}",
        "above": "{a} 高于 {v}",
        "between": "{a} 在 {lo} 与 {hi} 之间",
        "everywhere": "；没有假设区间能区分{verb}的世界",
    },
}


def short_number(v: float) -> str:
    """A bound of an assumption box: 3 significant digits (:func:`~.fmt.significant`)."""
    return fmt.significant(v, 3)


def _assumption(name: str, unit: str) -> str:
    return name.replace("_", " ") + (f" ({unit})" if unit else "")


def conditions(rows: pd.DataFrame, units: dict[str, str], lang: str) -> str:
    """A box's restrictions in words: "courier interval days is over 1.5 and …"."""
    w = WORDS[lang]
    parts = []
    for r in rows.itertuples():
        if not r.assumption:
            continue
        a = _assumption(r.assumption, units.get(r.assumption, ""))
        lo, hi = float(r.lower), float(r.upper)
        if math.isfinite(lo) and math.isfinite(hi):
            parts.append(w["between"].format(a=a, lo=short_number(lo), hi=short_number(hi)))
        elif math.isfinite(hi):
            parts.append(w["under"].format(a=a, v=short_number(hi)))
        elif math.isfinite(lo):
            parts.append(w["above"].format(a=a, v=short_number(lo)))
    return w["and"].join(parts)


def sentence(reform: str, k: str, robust: pd.DataFrame, vul: pd.DataFrame, units: dict[str, str], lang: str) -> str:
    """One sentence: how often ``reform`` moves KPI ``k`` which way, and where its usual effect fails."""
    w = WORDS[lang]
    hit = robust[(robust["reform"] == reform) & (robust["kpi"] == k)]
    if hit.empty:
        return ""
    r = hit.iloc[0]
    label = kpi(k).text(lang)
    d = int(r["direction"]) or 1
    up_share = r["share_better"] if d > 0 else r["share_worse"]
    down_share = r["share_worse"] if d > 0 else r["share_better"]
    up = ("better", "share_better") if d > 0 else ("worse", "share_worse")
    down = ("worse", "share_worse") if d > 0 else ("better", "share_better")
    shares = {"up": up_share, "down": down_share, "tie": r["share_not_distinguishable"]}
    median_side = "up" if r["effect_median"] > 0 else "down"  # at equal shares, the side of the median effect
    main = max(shares, key=lambda s: (shares[s], s == "tie", s == median_side))
    if main == "tie":
        lo, hi = r["not_distinguishable_low"], r["not_distinguishable_high"]
        text = w["tie"].format(k=label, s=fmt.share(shares["tie"]), w=w["worlds"], lo=fmt.share(lo), hi=fmt.share(hi))
        for side, verb in (("up", "raises"), ("down", "lowers")):
            if shares[side] > 0:
                text += w["rest"].format(verb=w[verb], s=fmt.share(shares[side]))
    else:
        col = (up if main == "up" else down)[0]
        verb = w["raises" if main == "up" else "lowers"]
        text = w["main"].format(
            verb=verb,
            k=label,
            s=fmt.share(shares[main]),
            w=w["worlds"],
            lo=fmt.share(r[f"{col}_low"]),
            hi=fmt.share(r[f"{col}_high"]),
        )
    boxes = vul[(vul["reform"] == reform) & (vul["kpi"] == k)]
    if not boxes.empty:
        opposite = w["lowers" if boxes["usual"].iloc[0] == "raises" else "raises"]
        first = boxes[boxes["box"] == 1]
        conds = conditions(first, units, lang) if not first.empty else ""
        if conds:
            b = first.iloc[0]
            text += w["where"].format(verb=opposite, conds=conds)
            if math.isfinite(b["heldout_coverage"]) and math.isfinite(b["heldout_density"]):
                text += w["score"].format(cov=fmt.share(b["heldout_coverage"]), den=fmt.share(b["heldout_density"]))
            else:
                text += w["unscored"]
        else:
            text += w["everywhere"].format(verb=opposite)
    return text + ("." if lang == "en" else "。")
