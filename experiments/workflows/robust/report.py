"""The report of ``townsim robust`` (en/zh, from ``templates/robust.<lang>.md.j2``): one sentence per reform,
robustness and regret tables, the failure boxes, and the figures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.render import fmt
from townsim.experiments.render.plots import HEADLINE
from townsim.experiments.render.report import render_report
from townsim.experiments.render.worlds import conditions, sentence, short_number
from townsim.model.metrics import kpi

from . import analysis, plots
from .plan import Plan


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
    out.append(plots.effects_figure(folder / "effects.png", effects, heads, titles, lang, bool(p.settings.posterior)))
    if not regret.empty:
        out.append(plots.regret_figure(folder / "regret.png", regret, ranking, titles, lang))
    shown = 0
    for (reform, k), rows in vul[vul["assumption"].fillna("") != ""].groupby(["reform", "kpi"], sort=False):
        if shown >= plots.MAX_BOX_FIGURES:
            break
        first = rows[rows["box"] == 1]
        sub = effects[(effects["reform"] == reform) & (effects["kpi"] == k)].sort_values("world")
        found = analysis.failing(sub, analysis.directions([k])[k])
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
    """The Markdown report (``execution`` is not shown: a resumed experiment's report equals a fresh one's).

    Over 60 lines: the report's sections in reading order, one short block each; split, every helper would take the
    same dozen tables.
    """
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
        posterior_how=p.worlds.how.get(lang, ""),
        forced=p.worlds.forced,
        baseline=titles[p.baseline],
        varied=[
            {
                "name": a.name,
                "low": short_number(a.low),
                "high": short_number(a.high),
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
                "down": f"{int(r['worlds_collapsed'])}/{int(r['worlds'])}",
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
        stop_days=short_number(float(p.arms[0].params.stop_backlog_days)),
        collapse=_collapse(p, robust, titles),
    )


def _collapse(p: Plan, robust: pd.DataFrame, titles: dict[str, str]) -> list[dict[str, str]]:
    """Per reform, the shares of worlds where it and the baseline collapsed (empty when none did)."""
    if robust.empty or not (robust["share_collapsed"] > 0).any() and not (robust["baseline_collapsed"] > 0).any():
        return []
    rows = []
    for r in p.reforms:
        hit = robust[robust["reform"] == r]
        if not hit.empty:
            x = hit.iloc[0]
            n = int(x["worlds"])
            rows.append(
                {
                    "title": titles[r],
                    "reform": f"{fmt.share(x['share_collapsed'])} ({round(x['share_collapsed'] * n)}/{n})",
                    "baseline": f"{fmt.share(x['baseline_collapsed'])} ({round(x['baseline_collapsed'] * n)}/{n})",
                }
            )
    return rows


def _spread(robust: pd.DataFrame) -> str:
    """How many (reform, KPI) pairs change verdict between worlds (a share, for the caveats)."""
    if robust.empty:
        return ""
    mixed = (robust[["share_better", "share_worse", "share_not_distinguishable"]].to_numpy(float) > 0).sum(axis=1) > 1
    return fmt.share(float(np.mean(mixed)))
