"""Figures of a sensitivity analysis (matplotlib, PNG, headless).

- ``morris_<scenario>.png``: μ*–σ plane per output, μ* with its 95 % interval,
  guide lines σ/μ* = 0.1, 0.5, 1 (linear / monotonic / non-linear or interacting);
- ``indices_<scenario>.png``: S1 and ST bars with 95 % intervals per output (Sobol', eFAST);
- ``convergence_<scenario>.png``: the importance index against a growing number of samples
  (nested designs) with its interval, for the most important levers;
- ``heatmap_total_order.png``: ST (or μ* relative to the output's largest μ* for Morris),
  parameters × outputs, one panel per scenario, one shared colour scale.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from townsim.experiments.render.plots import save_figure

from .analysis import importance_index
from .spec import SensitivitySpec

TOP_LABELS = 8
"""Levers labelled in a μ*–σ panel and drawn in a convergence panel."""
CONVERGENCE_LEVERS = 5
"""Levers drawn in each convergence panel (the largest at the full design)."""
DPI = 110


def _label(scenario: str) -> str:
    return scenario or "plug-in"


def _fname(scenario: str) -> str:
    return (scenario or "plugin").replace("/", "_")


def _grid(n: int, ncols_max: int = 3) -> tuple[int, int]:
    ncols = min(ncols_max, n)
    return math.ceil(n / ncols), ncols


def _save(fig, path: Path) -> Path:
    return save_figure(fig, path, dpi=DPI)


def _outputs(spec: SensitivitySpec, df: pd.DataFrame, scenario: str) -> list[str]:
    have = set(df.loc[df["scenario"] == scenario, "output"])
    return [o for o in spec.outputs if o in have]


# ------------------------------------------------------------------------------------------
def _place_labels(ax, names, us, vs, min_rel: float = 0.05) -> None:
    """Label points given in axes-fraction coordinates, nudging labels up so they do not overlap."""
    placed: list[tuple[float, float]] = []
    for name, u, v in zip(names, us, vs):
        tu, tv = min(u + 0.015, 0.80), v + 0.01
        for _ in range(40):
            if all(abs(tu - pu) > 0.22 or abs(tv - pv) > 0.045 for pu, pv in placed):
                break
            tv += 0.045
        placed.append((tu, tv))
        moved = abs(tv - v) > 0.03 or abs(tu - u) > 0.03
        ax.annotate(
            name,
            (u, v),
            xycoords="axes fraction",
            xytext=(tu, tv),
            textcoords="axes fraction",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5} if moved else None,
        )


def morris_plot(spec: SensitivitySpec, indices: pd.DataFrame, scenario: str, path: Path) -> Path | None:
    """μ*–σ scatter, one panel per output; the most important levers are labelled."""
    outs = _outputs(spec, indices, scenario)
    if not outs:
        return None
    nrows, ncols = _grid(len(outs))
    fig = Figure(figsize=(5.6 * ncols, 4.6 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, out in zip(axes.flat, outs):
        d = indices[(indices["scenario"] == scenario) & (indices["output"] == out)]
        wide = d.pivot(index="parameter", columns="index", values="value")
        conf = d[d["index"] == "mu_star"].set_index("parameter")["conf"].reindex(wide.index).fillna(0)
        wide = wide.sort_values("mu_star", ascending=False)
        conf = conf.reindex(wide.index)
        x, y = wide["mu_star"].to_numpy(), wide["sigma"].to_numpy()
        ax.errorbar(
            x,
            y,
            xerr=conf.to_numpy(),
            fmt="o",
            ms=5,
            color="tab:blue",
            ecolor="tab:blue",
            alpha=0.8,
            elinewidth=1,
            capsize=2,
        )
        top = max(float(np.nanmax(x + conf.to_numpy())), 1e-12) * 1.05
        ymax = max(float(np.nanmax(y)), 1e-12) * 1.25
        xs = np.array([0, top])
        for ratio, style, text in (
            (1.0, "-", "σ/μ* = 1 (non-linear or interacting)"),
            (0.5, "--", "σ/μ* = 0.5"),
            (0.1, ":", "σ/μ* = 0.1 (almost linear)"),
        ):
            ax.plot(xs, ratio * xs, style, color="grey", lw=0.8, label=text)
        ax.set_xlim(0, top)
        ax.set_ylim(0, ymax)
        keep = [i for i in range(len(x)) if x[i] >= 0.05 * x[0]][:TOP_LABELS] if len(x) else []
        _place_labels(ax, [wide.index[i] for i in keep], [x[i] / top for i in keep], [y[i] / ymax for i in keep])
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.ticklabel_format(axis="both", style="sci", scilimits=(-3, 4))
        ax.set_xlabel("μ* (mean |elementary effect|, output units)")
        ax.set_ylabel("σ (spread of elementary effects)")
        ax.set_title(out, fontsize=11)
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in list(axes.flat)[len(outs) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Morris screening — {_label(scenario)} (N = {spec.N} trajectories, "
        f"{spec.replications} replication(s) per point; bars: 95% interval of μ*; "
        f"unlabelled: μ* < 5% of the largest)",
        fontsize=12,
    )
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.03, 1, 1 - 0.5 / fig.get_figheight()))  # room for the title above the panels
    return _save(fig, path)


def indices_plot(spec: SensitivitySpec, indices: pd.DataFrame, scenario: str, path: Path) -> Path | None:
    """Horizontal S1/ST bars with 95 % intervals, one panel per output, levers sorted by ST."""
    outs = _outputs(spec, indices, scenario)
    if not outs:
        return None
    D = len(spec.parameters)
    nrows, ncols = _grid(len(outs))
    h = max(2.8, 0.32 * D + 1.2)
    fig = Figure(figsize=(5.4 * ncols, h * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    method = "Sobol'" if spec.method == "sobol" else "eFAST"
    for ax, out in zip(axes.flat, outs):
        d = indices[(indices["scenario"] == scenario) & (indices["output"] == out)]
        v = d.pivot(index="parameter", columns="index", values="value")
        c = d.pivot(index="parameter", columns="index", values="conf")
        order = v["ST"].sort_values().index
        ypos = np.arange(len(order))
        ax.barh(
            ypos + 0.2,
            v.loc[order, "ST"],
            height=0.38,
            xerr=c.loc[order, "ST"],
            color="tab:red",
            alpha=0.75,
            label="ST (total)",
            error_kw={"elinewidth": 1, "capsize": 2},
        )
        ax.barh(
            ypos - 0.2,
            v.loc[order, "S1"],
            height=0.38,
            xerr=c.loc[order, "S1"],
            color="tab:blue",
            alpha=0.75,
            label="S1 (first order)",
            error_kw={"elinewidth": 1, "capsize": 2},
        )
        ax.set_yticks(ypos, order, fontsize=8)
        ax.axvline(0, color="black", lw=0.6)
        lo = min(0.0, float(np.nanmin(v.values - c.values)))
        hi = max(1.0, float(np.nanmax(v.values + c.values)))
        ax.set_xlim(max(lo, -0.5), min(hi, 1.5))
        ax.set_xlabel("index (share of output variance)")
        ax.set_title(out, fontsize=11)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for ax in list(axes.flat)[len(outs) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{method} indices with 95% intervals — {_label(scenario)} (N = {spec.N}, {spec.replications} replication(s))",
        fontsize=12,
    )
    fig.tight_layout()
    return _save(fig, path)


def convergence_plot(spec: SensitivitySpec, conv: pd.DataFrame, scenario: str, path: Path) -> Path | None:
    """Importance index against the number of base samples / trajectories, top levers, with intervals."""
    key = importance_index(spec.method)
    c = conv[(conv["scenario"] == scenario) & (conv["index"] == key)]
    outs = [o for o in spec.outputs if o in set(c["output"])]
    if not outs or c["n"].nunique() < 2:
        return None
    nrows, ncols = _grid(len(outs))
    fig = Figure(figsize=(5.4 * ncols, 4.0 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    cmap = matplotlib.colormaps["tab10"]
    sizes = sorted(c["n"].unique())
    for ax, out in zip(axes.flat, outs):
        d = c[c["output"] == out]
        nmax = d["n"].max()
        top = d[d["n"] == nmax].sort_values("value", ascending=False)["parameter"][:CONVERGENCE_LEVERS]
        for k, p in enumerate(top):
            s = d[d["parameter"] == p].sort_values("n")
            col = cmap(k % 10)
            ax.plot(s["n"], s["value"], "o-", color=col, ms=3, lw=1.4, label=p)
            ax.fill_between(s["n"], s["value"] - s["conf"], s["value"] + s["conf"], color=col, alpha=0.10, lw=0)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
        ax.set_xlabel("trajectories" if key == "mu_star" else "base samples N")
        ax.set_ylabel("μ*" if key == "mu_star" else "ST")
        ax.set_title(out, fontsize=11)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best", framealpha=0.6)
    for ax in list(axes.flat)[len(outs) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Convergence of {'μ*' if key == 'mu_star' else 'total-order indices'} — "
        f"{_label(scenario)}, top {CONVERGENCE_LEVERS} levers (bands: 95% intervals)",
        fontsize=12,
    )
    fig.tight_layout()
    return _save(fig, path)


def heatmap(spec: SensitivitySpec, indices: pd.DataFrame, path: Path) -> Path | None:
    """Parameters × outputs heat map of ST (μ*/max μ* for Morris), one panel per scenario."""
    key = importance_index(spec.method)
    d = indices[indices["index"] == key]
    if d.empty:
        return None
    scenarios = [s for s in spec.run_scenarios if s in set(d["scenario"])]
    D, n_out = len(spec.parameters), len(spec.outputs)
    cell_w, cell_h = 0.85, 0.36
    fig = Figure(
        layout="constrained",
        figsize=(max(4.5, cell_w * n_out + 2.6) * len(scenarios) + 1.2, max(3.0, cell_h * D + 2.2)),
    )
    axes = fig.subplots(1, len(scenarios), squeeze=False)
    # One lever order for every panel: by the largest value anywhere.
    rel = d.copy()
    if key == "mu_star":
        rel["value"] = rel["value"] / rel.groupby(["scenario", "output"])["value"].transform("max")
    order = rel.groupby("parameter")["value"].max().sort_values(ascending=False).index.tolist()
    order += [p for p in spec.names if p not in order]
    im = None
    for ax, scenario in zip(axes.flat, scenarios):
        m = rel[rel["scenario"] == scenario].pivot(index="parameter", columns="output", values="value")
        m = m.reindex(index=order, columns=[o for o in spec.outputs])
        vals = m.to_numpy(float)
        im = ax.imshow(np.clip(vals, 0, 1), vmin=0, vmax=1, cmap="viridis", aspect="auto")
        ax.set_xticks(range(m.shape[1]), m.columns, rotation=40, ha="right", fontsize=8)
        ax.set_yticks(range(m.shape[0]), m.index, fontsize=8)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                v = vals[i, j]
                txt = "–" if not np.isfinite(v) else f"{v:.2f}"
                ax.text(
                    j,
                    i,
                    txt,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if (np.isfinite(v) and v < 0.6) else "black",
                )
        ax.set_title(_label(scenario), fontsize=11)
    label = "μ* / largest μ* of the output" if key == "mu_star" else "total-order index ST"
    if im is not None:
        fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label=label)
    fig.suptitle(f"{label} — parameters × outputs", fontsize=12)
    return _save(fig, path)


def all_figures(spec: SensitivitySpec, indices: pd.DataFrame, conv: pd.DataFrame, folder: Path) -> list[Path]:
    """Draw every figure for ``spec``; return the files written."""
    folder = Path(folder)
    out: list[Path | None] = []
    for s in spec.run_scenarios:
        if spec.method == "morris":
            out.append(morris_plot(spec, indices, s, folder / f"morris_{_fname(s)}.png"))
        else:
            out.append(indices_plot(spec, indices, s, folder / f"indices_{_fname(s)}.png"))
        out.append(convergence_plot(spec, conv, s, folder / f"convergence_{_fname(s)}.png"))
    out.append(heatmap(spec, indices, folder / "heatmap_total_order.png"))
    return [p for p in out if p is not None]
