"""The report of ``townsim robust`` (en/zh, from ``templates/robust.<lang>.md.j2``): one sentence per reform,
robustness and regret tables, the failure boxes, and the figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.render import fmt
from townsim.model.metrics import kpi

from . import analysis, plots
from .plan import Plan

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


def _num(v: float) -> str:
    return f"{v:.3g}" if math.isfinite(v) else "–"


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
            parts.append(w["between"].format(a=a, lo=_num(lo), hi=_num(hi)))
        elif math.isfinite(hi):
            parts.append(w["under"].format(a=a, v=_num(hi)))
        elif math.isfinite(lo):
            parts.append(w["above"].format(a=a, v=_num(lo)))
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


def figures(
    folder: Path,
    p: Plan,
    effects: pd.DataFrame,
    regret: pd.DataFrame,
    ranking: pd.DataFrame,
    vul: pd.DataFrame,
    lang: str,
) -> list[Path]:
    """Every figure of the report (none when there are no effects)."""
    titles = {a.name: a.title(lang) for a in p.arms}
    out: list[Path] = []
    if effects.empty:
        return out
    heads = _headline(p, effects)[:4]
    out.append(plots.effects_figure(folder / "effects.png", effects, heads, titles, lang))
    if not regret.empty:
        out.append(plots.regret_figure(folder / "regret.png", regret, ranking, titles, lang))
    shown = 0
    for (reform, k), rows in vul[vul["assumption"].fillna("") != ""].groupby(["reform", "kpi"], sort=False):
        if shown >= plots.MAX_BOX_FIGURES:
            break
        first = rows[rows["box"] == 1]
        sub = effects[(effects["reform"] == reform) & (effects["kpi"] == k)].sort_values("world")
        found = analysis.failing(sub)
        if found is None or first.empty:
            continue
        unit = p.worlds.unit.iloc[sub["world"].to_numpy(int)].reset_index(drop=True)
        title = f"{titles.get(reform, reform)}: {kpi(k).text(lang)}"
        path = folder / f"failure_{plots.slug(reform)}_{k}.png"
        out.append(plots.box_figure(path, unit, sub["effect"].reset_index(drop=True), found[0], first, title, lang))
        shown += 1
    for stale in set(folder.glob("*.png")) - set(out):  # figures of an earlier analysis of this folder
        stale.unlink()
    return out


def _headline(p: Plan, effects: pd.DataFrame) -> list[str]:
    from townsim.experiments.render.plots import HEADLINE

    present = set(effects["kpi"])
    heads = [k for k in HEADLINE if k in present]
    k = p.settings.regret_kpi
    return ([k] if k in present else []) + [h for h in heads if h != k]


def render(
    p: Plan,
    runs: pd.DataFrame,
    robust: pd.DataFrame,
    ranking: pd.DataFrame,
    vul: pd.DataFrame,
    failures: Sequence[dict[str, Any]],
    figures: Sequence[Path],
    out: Path,
    execution: Any,
    lang: str,
) -> str:
    """The Markdown report (``execution`` is not shown: a resumed experiment's report equals a fresh one's)."""
    from townsim.experiments.render.report import render_report

    s = p.settings
    titles = {a.name: a.title(lang) for a in p.arms}
    units = {a.name: a.unit for a in p.worlds.varied}
    k = s.regret_kpi
    said = {r: sentence(r, k, robust, vul, units, lang) for r in p.reforms} if not robust.empty else {}
    sentences = [{"title": titles[r], "name": r, "text": text} for r, text in said.items() if text]
    heads = _headline(p, robust) if not robust.empty else []
    table = []
    for r in p.reforms:
        cells = []
        for h in heads[:6]:
            row = robust[(robust["reform"] == r) & (robust["kpi"] == h)]
            if row.empty:
                cells.append("–")
                continue
            x = row.iloc[0]
            cells.append(
                f"{fmt.share(x['share_better'])} / {fmt.share(x['share_worse'])} / "
                f"{fmt.share(x['share_not_distinguishable'])}"
            )
        table.append({"title": titles[r], "cells": cells})
    vrows = []
    for (reform, kk, box), rows in vul[vul["box"] > 0].groupby(["reform", "kpi", "box"], sort=False):
        b = rows.iloc[0]
        vrows.append(
            {
                "reform": titles.get(reform, reform),
                "kpi": kpi(kk).text(lang),
                "box": int(box),
                "failing": f"{int(b['failing_worlds'])}/{int(b['worlds'])}",
                "conditions": conditions(rows, units, lang) or "–",
                "heldout": f"{fmt.share(b['heldout_coverage'])} / {fmt.share(b['heldout_density'])}",
            }
        )
    return render_report(
        "robust",
        lang,
        worlds=s.worlds,
        reps=s.reps,
        days=s.days,
        paired=not s.independent_seeds,
        source=p.worlds.source,
        posterior_note=p.worlds.note,
        posterior_file=p.worlds.posterior_file,
        forced=p.worlds.forced,
        baseline=titles[p.baseline],
        varied=[
            {
                "name": a.name,
                "low": _num(a.low),
                "high": _num(a.high),
                "dist": a.dist,
                "unit": ("× " + ("factor on the list" if lang == "en" else "列表倍数")) if a.factor else a.unit,
                "basis": a.basis,
            }
            for a in p.worlds.varied
        ],
        fixed=p.worlds.fixed,
        kpi=kpi(k).text(lang),
        sentences=sentences,
        heads=[kpi(h).text(lang) for h in heads[:6]],
        table=table,
        ranking=[
            {
                "rank": int(r["rank"]),
                "title": titles.get(r["option"], r["option"]),
                "max": fmt.number(float(r["max_regret"]) * plots.scale(k), 3),
                "p90": fmt.number(float(r["p90_regret"]) * plots.scale(k), 3),
                "best": f"{int(r['worlds_best_or_tied'])}/{int(r['worlds'])}",
            }
            for _, r in ranking.iterrows()
        ],
        unit=fmt.axis_label(k, lang, difference=True),
        vulnerabilities=vrows,
        kept={titles.get(n, n): ks for n, ks in p.kept.items()},
        n_failures=len(failures),
        figures=[{"stem": f.stem, "path": str(Path(f).relative_to(out))} for f in figures],
        reproduce=s.reproduce_command(out),
        equal_staff=[titles[a.name] for a in p.arms if a.equal_staff_of],
        n_runs=int(len(runs)),
        spread=_spread(robust),
    )


def _spread(robust: pd.DataFrame) -> str:
    """How many (reform, KPI) pairs change verdict between worlds (a share, for the caveats)."""
    if robust.empty:
        return ""
    mixed = (robust[["share_better", "share_worse", "share_not_distinguishable"]].to_numpy(float) > 0).sum(axis=1) > 1
    return fmt.share(float(np.mean(mixed)))
