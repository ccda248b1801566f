"""Figures of a robustness experiment: effect distributions per reform, regret per option, failure boxes.

Chinese figure text uses only characters of the shipped CJK font subset (:mod:`townsim.viz.fonts`), so that
the figures read on a machine without a CJK font.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from townsim.experiments.render import fmt
from townsim.experiments.render.fonts import figure as font_context
from townsim.experiments.render.plots import save_figure, scale
from townsim.model.metrics import kpi

MAX_BOX_FIGURES = 6
HORIZONTAL = (
    {"orientation": "horizontal"}
    if tuple(int(x) for x in matplotlib.__version__.split(".")[:2]) >= (3, 10)
    else {"vert": False}
)
"""Horizontal box plots (``vert`` is deprecated from Matplotlib 3.10 on)."""


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


def _label(name: str, lang: str) -> str:
    """``label (unit)`` of a difference (shares in percentage points)."""
    return fmt.axis_label(name, lang, difference=True)


def effects_figure(
    path: Path,
    effects: pd.DataFrame,
    kpis: Sequence[str],
    titles: dict[str, str],
    lang: str = "en",
    posterior: bool = False,
) -> Path:
    """One panel per KPI: each reform's effect (reform − baseline) in every world, a box over the worlds;
    ``posterior``: the worlds are draws of a calibration posterior (the title says so)."""
    reforms = list(dict.fromkeys(effects["reform"]))
    with font_context(lang):
        n = len(kpis)
        fig = Figure(figsize=(5.2 * min(n, 2), (0.32 * len(reforms) + 1.4) * ((n + 1) // 2)))
        axes = fig.subplots((n + 1) // 2, min(n, 2), squeeze=False).ravel()
        rng = np.random.default_rng(0)  # jitter only
        for ax, k in zip(axes, kpis):
            data = [
                effects[(effects["reform"] == r) & (effects["kpi"] == k)]["effect"].to_numpy(float) * scale(k)
                for r in reforms
            ]
            y = np.arange(len(reforms))
            ax.boxplot(data, positions=y, widths=0.5, showfliers=False, **HORIZONTAL)
            for i, d in enumerate(data):
                ax.scatter(d, i + rng.uniform(-0.15, 0.15, len(d)), s=8, alpha=0.5, color="tab:blue")
            ax.axvline(0, color="black", lw=0.8)
            ax.set_yticks(y, [titles.get(r, r) for r in reforms], fontsize=8)
            ax.invert_yaxis()
            ax.set_xlabel(_label(k, lang), fontsize=8)
            better = kpi(k).better
            hint = {1: ("higher is better", "↑"), -1: ("lower is better", "↓")}.get(better)
            ax.set_title(kpi(k).text(lang) + (f" ({hint[lang == 'zh']})" if hint else ""), fontsize=9)
        for ax in axes[n:]:
            ax.set_visible(False)
        head = (
            "改革的效应"
            if lang == "zh"
            else "Effect of each reform in every world drawn from the posterior"
            if posterior
            else "Effect of each reform in every plausible world"
        )
        fig.suptitle(head, fontsize=10)
        fig.tight_layout()
        return save_figure(fig, path)


def regret_figure(
    path: Path, regret: pd.DataFrame, ranking: pd.DataFrame, titles: dict[str, str], lang: str = "en"
) -> Path:
    """Each option's regret over the worlds (box, points, maximum marked), in minimax-regret order."""
    order = list(ranking["option"])
    k = str(regret["kpi"].iloc[0])
    with font_context(lang):
        fig = Figure(figsize=(7, 0.5 * len(order) + 1.6))
        ax = fig.subplots()
        data = [regret[regret["option"] == o]["regret"].to_numpy(float) * scale(k) for o in order]
        y = np.arange(len(order))
        ax.boxplot(data, positions=y, widths=0.5, showfliers=False, **HORIZONTAL)
        rng = np.random.default_rng(0)
        for i, d in enumerate(data):
            ax.scatter(d, i + rng.uniform(-0.15, 0.15, len(d)), s=8, alpha=0.5, color="tab:orange")
            ax.scatter([d.max()], [i], marker="|", s=200, color="tab:red")
        ax.set_yticks(y, [titles.get(o, o) for o in order], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(f"regret{'：' if lang == 'zh' else ': '}{_label(k, lang)}", fontsize=8)
        head = "regret（红线 = max）" if lang == "zh" else "Regret against the best option of each world (red: maximum)"
        ax.set_title(head, fontsize=10)
        fig.tight_layout()
        return save_figure(fig, path)


def box_figure(
    path: Path,
    unit: pd.DataFrame,
    effects: pd.Series,
    cases: np.ndarray,
    rows: pd.DataFrame,
    title: str,
    lang: str = "en",
) -> Path:
    """Worlds on the two most restricted assumptions ([0, 1] scale): failing ones marked, the box drawn."""
    names = list(dict.fromkeys(rows["assumption"]))[:2]
    others = [c for c in unit.columns if c not in names]
    names += others[: 2 - len(names)]
    with font_context(lang):
        fig = Figure(figsize=(5.6, 4.6))
        ax = fig.subplots()
        x = unit[names[0]].to_numpy(float)
        pos = "：区间 0–1" if lang == "zh" else ": position in its plausible range (0–1)"
        yv = unit[names[1]].to_numpy(float) if len(names) > 1 else effects.to_numpy(float)
        ok = "效应方向不变" if lang == "zh" else "other worlds"
        bad = "效应方向改变" if lang == "zh" else "worlds where the usual effect fails"
        ax.scatter(x[~cases], yv[~cases], s=14, color="tab:blue", alpha=0.6, label=ok)
        ax.scatter(x[cases], yv[cases], s=18, color="tab:red", marker="x", label=bad)
        lim = {r.assumption: (r.lower_unit, r.upper_unit) for r in rows.itertuples()}
        lo0, hi0 = (v if pd.notna(v) else d for v, d in zip(lim.get(names[0], (None, None)), (0.0, 1.0)))
        if len(names) > 1:
            lo1, hi1 = (v if pd.notna(v) else d for v, d in zip(lim.get(names[1], (None, None)), (0.0, 1.0)))
            ax.add_patch(Rectangle((lo0, lo1), hi0 - lo0, hi1 - lo1, fill=False, ec="tab:red", lw=1.5, ls="--"))
            ax.set_ylim(-0.02, 1.02)
            ax.set_ylabel(names[1] + pos, fontsize=8)
        else:
            ax.axvspan(lo0, hi0, color="tab:red", alpha=0.1)
            ax.axhline(0, color="black", lw=0.8)
            ax.set_ylabel("effect" if lang == "en" else "效应", fontsize=8)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel(names[0] + pos, fontsize=8)
        ax.legend(fontsize=7, loc="best")
        ax.set_title(title, fontsize=9)
        fig.tight_layout()
        return save_figure(fig, path)
