"""Figures of scenario discovery (matplotlib figures, no pyplot): peeling trajectories and box limits.

- ``trajectory_<scenario>.png``: coverage against density of every step of every
  box's peeling trajectory, coloured by the number of restricted levers, the
  chosen step of each box ringed and labelled;
- ``limits_<scenario>_box<N>.png``: each restricted lever's box limits (coloured)
  against its full sampled range (grey), with the limits and quasi-p-values;
- ``regimes.png``: the first box of every scenario side by side on the levers
  restricted in any of them (how the boxes differ between regimes).

Their words are in English or Chinese (``lang``, :data:`WORDS`); lever names stay code words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from townsim.experiments.core.prim import Box, Discovery, Lever, Restriction
from townsim.experiments.render.fonts import figure as font_context
from townsim.experiments.render.plots import save_figure

from .words import WORDS as SENTENCES
from .words import fmt_value, lever_label, switch_words

MARKERS = "os^Dv"
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "box": "box {n}",
        "densest": "densest box (below\nthe minimum density)",
        "step": "{name}: step {step}, coverage {cov}, density {den}",
        "min_density": " minimum density {md}",
        "all_runs": " all runs {rate}",
        "restricted": "restricted levers",
        "coverage": "coverage (share of all cases of interest inside the box)",
        "density": "density (share of the box's runs that are cases)",
        "footer": "{runs} runs, {cases} cases of interest; ringed: the chosen box",
        "footer_none": " (none is dense enough: the densest is ringed)",
        "full": "{lever}\n(full {full})",
        "limits": "box {range}\n{qp}",
        "qp": "quasi-p ",
        "qp_p": "p",
        "qp_low": "low",
        "qp_high": "high",
        "low": "low",
        "middle": "middle",
        "high": "high",
        "position": "position in the lever's full sampled range",
        "none_restricted": "no lever restricted",
        "stats": "{title}\ncoverage {cov}, density {den}, mass {mass}",
        "densest_scenario": " (densest box, below the minimum density)",
        "share_of_range": "box limits as a share of each lever's full range (pale: not restricted)",
        "plugin": "plug-in",
        "title_trajectory": "Peeling trajectory, {label}: {case}",
        "title_densest": "Densest box (below {md} density), {label}: {case}",
        "title_box": "Box {n}, {label}: {case}",
        "title_regimes": "First box by scenario: {case}",
    },
    "zh": {
        "box": "框 {n}",
        "densest": "最密集的框（低于\n最低密度）",
        "step": "{name}：第 {step} 步，覆盖率 {cov}，密度 {den}",
        "min_density": " 最低密度 {md}",
        "all_runs": " 全部运行 {rate}",
        "restricted": "受限杠杆数",
        "coverage": "覆盖率（全部关注情形中落在框内的占比）",
        "density": "密度（框内运行中属于关注情形的占比）",
        "footer": "{runs} 次运行，{cases} 次关注情形；圈出的是选中的框",
        "footer_none": "（没有框足够密集：圈出的是最密集的框）",
        "full": "{lever}\n（完整区间 {full}）",
        "limits": "框 {range}\n{qp}",
        "qp": "准 p 值 ",
        "qp_p": "p",
        "qp_low": "下限",
        "qp_high": "上限",
        "low": "低",
        "middle": "中",
        "high": "高",
        "position": "在杠杆完整抽样区间中的位置",
        "none_restricted": "没有受限的杠杆",
        "stats": "{title}\n覆盖率 {cov}，密度 {den}，质量 {mass}",
        "densest_scenario": "（最密集的框，低于最低密度）",
        "share_of_range": "框的界限占各杠杆完整区间的比例（浅色：不受限）",
        "plugin": "插件",
        "title_trajectory": "剥离轨迹，{label}：{case}",
        "title_densest": "最密集的框（密度低于 {md}），{label}：{case}",
        "title_box": "框 {n}，{label}：{case}",
        "title_regimes": "各情景的第一个框：{case}",
    },
}
"""The figures' words per language."""


def slug(text: str) -> str:
    """A file-name-safe form of a scenario label (``""`` → ``plugin``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "plugin"


def trajectory_figure(path: Path, d: Discovery, title: str, lang: str = "en") -> Path:
    """Coverage (x) against density (y) of every peeling step; chosen steps ringed.

    Over 60 lines: one figure, panel by panel, on one set of axes and labels.
    """
    w = WORDS[lang]
    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.subplots()
    shown = d.boxes or ([d.attempt] if d.attempt is not None else [])
    dims = [int(v) for b in shown for v in b.trajectory["res_dim"]]
    vmax = max(dims + [1])
    cmap = matplotlib.colormaps["viridis"].resampled(vmax + 1)
    sc = None
    for i, b in enumerate(shown):
        name = w["box"].format(n=b.number) if d.boxes else w["densest"]
        t = b.trajectory
        sc = ax.scatter(
            t["coverage"],
            t["density"],
            c=t["res_dim"],
            cmap=cmap,
            vmin=-0.5,
            vmax=vmax + 0.5,
            marker=MARKERS[i % len(MARKERS)],
            s=22,
            zorder=2,
            label=w["step"].format(name=name, step=b.step, cov=f"{b.coverage:.0%}", den=f"{b.density:.0%}"),
        )
        ax.scatter([b.coverage], [b.density], s=220, facecolors="none", edgecolors="crimson", linewidths=2, zorder=3)
        ax.annotate(
            name.split(" (")[0].split("（")[0],
            (b.coverage, b.density),
            textcoords="offset points",
            xytext=(-12, -14) if b.coverage > 0.8 else (9, -12),
            ha="right" if b.coverage > 0.8 else "left",
            fontsize=8,
            color="crimson",
            fontweight="bold",
        )
    ax.axhline(d.min_density, color="grey", lw=0.8, ls="--")
    ax.text(
        0.01,
        d.min_density,
        w["min_density"].format(md=f"{d.min_density:.0%}"),
        va="bottom",
        fontsize=8,
        color="grey",
        transform=ax.get_yaxis_transform(),
    )
    ax.axhline(d.base_rate, color="grey", lw=0.8, ls=":")
    ax.text(
        0.01,
        d.base_rate,
        w["all_runs"].format(rate=f"{d.base_rate:.0%}"),
        va="bottom",
        fontsize=8,
        color="grey",
        transform=ax.get_yaxis_transform(),
    )
    if sc is not None:
        cb = fig.colorbar(sc, ax=ax, ticks=range(vmax + 1))
        cb.set_label(w["restricted"])
        ax.legend(loc="lower left", fontsize=7)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(w["coverage"])
    ax.set_ylabel(w["density"])
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    fig.text(
        0.01,
        0.005,
        w["footer"].format(runs=d.runs, cases=d.cases) + ("" if d.boxes else w["footer_none"]),
        fontsize=7,
        color="grey",
    )
    return save_figure(fig, path)


def _span(r: Restriction) -> tuple[float, float]:
    """Box limits of ``r`` as shares of the lever's full range."""
    lv = r.lever
    if r.values is not None:
        return (0.0, 0.5) if r.values == ("off",) else (0.5, 1.0)
    lo = lv.low if r.lower is None else r.lower
    hi = lv.high if r.upper is None else r.upper
    w = lv.high - lv.low
    return (lo - lv.low) / w, (hi - lv.low) / w


def _range_text(r: Restriction, lang: str = "en") -> str:
    lv = r.lever
    if r.values is not None:
        return switch_words(r.values, lang)
    lo = fmt_value(lv.low if r.lower is None else r.lower, lv)
    hi = fmt_value(lv.high if r.upper is None else r.upper, lv)
    return f"{lo} – {hi}"


def _qp_text(r: Restriction, lang: str = "en") -> str:
    w = WORDS[lang]
    parts = []
    if r.qp_lower is not None:
        parts.append(f"{w['qp_p'] if r.values is not None else w['qp_low']} {r.qp_lower:.1g}")
    if r.qp_upper is not None:
        parts.append(f"{w['qp_high']} {r.qp_upper:.1g}")
    return w["qp"] + SENTENCES[lang]["comma"].join(parts) if parts else ""


def limits_figure(path: Path, box: Box, title: str, lang: str = "en") -> Path:
    """One row per restricted lever: the full range (grey) and the box's limits (coloured)."""
    w = WORDS[lang]
    rs = box.restrictions
    fig = Figure(figsize=(7.2, 0.9 + 0.6 * max(1, len(rs))))
    ax = fig.subplots()
    for i, r in enumerate(rs):
        y = len(rs) - 1 - i
        ax.barh(y, 1.0, left=0.0, height=0.5, color="0.88", edgecolor="0.6")
        a, b = _span(r)
        ax.barh(y, max(b - a, 0.004), left=a, height=0.5, color="tab:red", alpha=0.8)
        lv = r.lever
        both = " / ".join(switch_words([v], lang) for v in ("off", "on"))
        full = both if lv.kind == "bool" else f"{fmt_value(lv.low, lv)} – {fmt_value(lv.high, lv)}"
        ax.text(-0.02, y, w["full"].format(lever=lever_label(lv.name), full=full), ha="right", va="center", fontsize=8)
        limits = w["limits"].format(range=_range_text(r, lang), qp=_qp_text(r, lang))
        ax.text(1.02, y, limits, ha="left", va="center", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(rs) - 0.4 if rs else 0.6)
    ax.set_yticks([])
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xticklabels([w["low"], "", w["middle"], "", w["high"]], fontsize=8)
    ax.set_xlabel(w["position"])
    if not rs:
        ax.text(0.5, 0, w["none_restricted"], ha="center", va="center")
    stats = {"cov": f"{box.coverage:.0%}", "den": f"{box.density:.0%}", "mass": f"{box.mass:.0%}"}
    ax.set_title(w["stats"].format(title=title, **stats), fontsize=10)
    return save_figure(fig, path)


def _first(d: Discovery) -> tuple[Box | None, bool]:
    """A scenario's first box, or its densest box when none is dense enough (flag True)."""
    if d.boxes and d.boxes[0].restrictions:
        return d.boxes[0], False
    if not d.boxes and d.attempt is not None and d.attempt.restrictions:
        return d.attempt, True
    return None, False


def regimes_figure(path: Path, discoveries: Sequence[Discovery], title: str, lang: str = "en") -> Path | None:
    """The first box of each scenario on the levers restricted in any of them (None if < 2 scenarios).

    A scenario without a dense enough box shows its densest box hatched.
    """
    firsts = [_first(d) for d in discoveries]
    if len(discoveries) < 2 or not any(b is not None for b, _ in firsts):
        return None
    w = WORDS[lang]
    levers: list[Lever] = []
    for b, _ in firsts:
        for r in b.restrictions if b is not None else []:
            if r.lever.name not in [lv.name for lv in levers]:
                levers.append(r.lever)
    n_s = len(discoveries)
    h = 0.8 / n_s
    cmap = matplotlib.colormaps["tab10"]
    fig = Figure(figsize=(7.2, 1.0 + 0.35 * n_s * len(levers) + 0.3))
    ax = fig.subplots()
    for j, lv in enumerate(levers):
        y0 = len(levers) - 1 - j
        ax.barh(y0, 1.0, height=0.9, color="0.93", edgecolor="0.8")
        ax.text(-0.02, y0, lever_label(lv.name), ha="right", va="center", fontsize=8)
        for s, (d, (box, densest)) in enumerate(zip(discoveries, firsts)):
            y = y0 + 0.4 - h * (s + 0.5)
            if box is None:
                continue
            r = next((r for r in box.restrictions if r.lever.name == lv.name), None)
            a, b = _span(r) if r is not None else (0.0, 1.0)
            label = d.scenario + (w["densest_scenario"] if densest else "")
            ax.barh(
                y,
                max(b - a, 0.004),
                left=a,
                height=h * 0.8,
                color=cmap(s % 10),
                alpha=0.85 if r is not None else 0.25,
                hatch="///" if densest else None,
                edgecolor="white" if densest else None,
                label=label if j == 0 else None,
            )
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ax.set_xticks([0, 0.5, 1.0])
    ax.set_xticklabels([w["low"], w["middle"], w["high"]], fontsize=8)
    ax.set_xlabel(w["share_of_range"])
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=1)
    return save_figure(fig, path)


def all_figures(folder: Path, discoveries: Sequence[Discovery], case: str, lang: str = "en") -> list[Path]:
    """Every figure of a discovery run into ``folder`` (its words in ``lang``); returns the paths written."""
    w = WORDS[lang]
    out: list[Path] = []
    with font_context(lang):
        for d in discoveries:
            label = d.scenario or w["plugin"]
            if d.boxes or d.attempt is not None:
                title = w["title_trajectory"].format(label=label, case=case)
                out.append(trajectory_figure(folder / f"trajectory_{slug(d.scenario)}.png", d, title, lang))
            if d.attempt is not None:
                title = w["title_densest"].format(md=f"{d.min_density:.0%}", label=label, case=case)
                out.append(limits_figure(folder / f"limits_{slug(d.scenario)}_densest.png", d.attempt, title, lang))
            for b in d.boxes:
                title = w["title_box"].format(n=b.number, label=label, case=case)
                out.append(limits_figure(folder / f"limits_{slug(d.scenario)}_box{b.number}.png", b, title, lang))
        fig = regimes_figure(folder / "regimes.png", discoveries, w["title_regimes"].format(case=case), lang)
    if fig is not None:
        out.append(fig)
    return out
