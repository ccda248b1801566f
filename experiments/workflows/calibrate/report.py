"""Outputs of a calibration: plots (marginals, pairs, thresholds), the posterior predictive check
of every target and held-out statistic, and ``report.md``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .abc import weighted_quantile
from .spec import CalibrationSpec


def predictive_table(spec: CalibrationSpec, pred: pd.DataFrame) -> pd.DataFrame:
    """Per statistic: role, observed value or bound, predictive mean and 5–95 % interval, share of draws
    meeting it."""
    rows = []
    for role, targets in (("target", spec.targets), ("held out", spec.holdout)):
        for t in targets:
            s = pred[t.name].to_numpy(float) if t.name in pred else np.array([np.nan])
            ok = np.array([t.met(v) for v in s])
            rows.append(
                {
                    "statistic": t.name,
                    "role": role,
                    "observed": t.describe(),
                    "predictive_mean": float(np.nanmean(s)),
                    "p05": float(np.nanquantile(s, 0.05)),
                    "p95": float(np.nanquantile(s, 0.95)),
                    "share_met": float(ok.mean()),
                }
            )
    return pd.DataFrame(rows)


def summary_table(spec: CalibrationSpec, post: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: prior, posterior mean, median and 90 % interval (weighted)."""
    rows = []
    w = post["weight"].to_numpy(float)
    for p in spec.priors:
        x = post[p.name].to_numpy(float)
        q = weighted_quantile(x, w, [0.05, 0.5, 0.95])
        rows.append(
            {
                "parameter": p.name,
                "prior": p.describe(),
                "mean": float(np.average(x, weights=w)),
                "median": float(q[1]),
                "q05": float(q[0]),
                "q95": float(q[2]),
            }
        )
    return pd.DataFrame(rows)


def figures(
    spec: CalibrationSpec, post: pd.DataFrame, gens: pd.DataFrame, pred: pd.DataFrame | None, folder: Path
) -> list[Path]:
    """marginals.png, pairwise.png, epsilon.png and predictive.png in ``folder``.

    Over 60 lines: the calibration's figures one after another, each a few lines of the same figure kit.
    """
    from townsim.experiments.render.plots import save_figure  # deferred: it pulls in matplotlib (heavy)

    out = []
    names, w = spec.names, post["weight"].to_numpy(float)
    k = len(names)
    fig, axes = _subplots(1, k, figsize=(3.2 * k, 2.6), squeeze=False)
    bins = int(np.clip(round(1.5 * np.sqrt(len(post))), 5, 30))  # a few particles: few bins, not spikes
    for ax, p in zip(axes[0], spec.priors):
        ax.hist(post[p.name], bins=bins, weights=w, density=True, color="C0", alpha=0.7, label="posterior")
        xs = np.linspace(p.low, p.high, 200)
        ax.plot(xs, p.rv().pdf(xs), color="0.4", lw=1, ls="--", label="prior")
        ax.set_xlabel(p.name)
        ax.set_yticks([])
    axes[0][0].legend(fontsize=7)
    fig.suptitle(
        f"Posterior marginals ({spec.name}, generation {int(gens.generation.iloc[-1])}, {len(post)} particles)",
        fontsize=9,
    )
    out.append(save_figure(fig, folder / "marginals.png"))

    if k >= 2:
        fig, axes = _subplots(k, k, figsize=(2.4 * k, 2.4 * k), squeeze=False)
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                ax = axes[i][j]
                if i == j:
                    ax.hist(post[a], bins=25, weights=w, color="C0", alpha=0.7)
                elif i > j:
                    ax.scatter(post[b], post[a], s=4 + 400 * w, alpha=0.5, color="C0")
                else:
                    ax.axis("off")
                if i == k - 1:
                    ax.set_xlabel(b, fontsize=7)
                if j == 0 and i > 0:
                    ax.set_ylabel(a, fontsize=7)
                ax.tick_params(labelsize=6)
        fig.suptitle("Pairwise posterior (point size: weight)", fontsize=9)
        out.append(save_figure(fig, folder / "pairwise.png"))

    fig, ax = _subplots(figsize=(4.5, 2.6))
    ax.semilogy(gens.generation, gens.epsilon.clip(lower=1e-12), "o-")
    ax.set_xlabel("SMC generation")
    ax.set_ylabel("distance threshold ε")
    ax.set_title("ABC-SMC thresholds", fontsize=9)
    out.append(save_figure(fig, folder / "epsilon.png"))

    if pred is not None:
        allt = [*spec.targets, *spec.holdout]
        fig, axes = _subplots(
            1, len(allt), figsize=(3.0 * len(allt), 2.8), squeeze=False, gridspec_kw={"top": 0.78, "bottom": 0.2}
        )
        rng = np.random.default_rng(0)  # vertical jitter only, so that equal draws stay visible
        for ax, t in zip(axes[0], allt):
            x = pred[t.name].dropna().to_numpy(float)
            ax.scatter(x, rng.uniform(0.2, 0.8, x.size), s=14, alpha=0.7, color="C1" if t in spec.holdout else "C0")
            ax.axvline(t.value, color="C3", lw=1.5)
            lo, hi = min(float(t.value), *x) if x.size else t.value, max(float(t.value), *x) if x.size else t.value
            pad = 0.08 * (hi - lo) or 0.01 * max(abs(hi), 1e-3)
            ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(0, 1)
            ax.set_xlabel(t.name, fontsize=7)
            ax.set_title(("held out " if t in spec.holdout else "target ") + t.describe(), fontsize=8)
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
        fig.suptitle(
            "Posterior predictive check: one dot per posterior draw (red: published value or bound)", fontsize=9
        )
        out.append(save_figure(fig, folder / "predictive.png"))
    return out


def _f(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:,.0f}"


REASONS = ("epsilon", "generations", "interrupted")
"""Why a calibration stopped: the threshold reached ``minimum_epsilon``, ``max_generations`` were run, or
it was interrupted (the report says which)."""


def markdown(
    spec: CalibrationSpec,
    summ: pd.DataFrame,
    gens: pd.DataFrame,
    ptab: pd.DataFrame | None,
    *,
    command: str,
    elapsed_total: float,
    n_sims: int,
    lang: str = "en",
) -> str:
    """The text of ``report.md`` in ``lang``: the template ``calibrate.<lang>.md.j2`` with :func:`context`."""
    from townsim.experiments.render.reportkit import render_report  # deferred: the renderer loads Jinja2

    ctx = context(spec, summ, gens, ptab, command=command, elapsed_total=elapsed_total, n_sims=n_sims)
    return render_report("calibrate", lang, **ctx) + "\n"  # a blank last line, as the report always had


def context(
    spec: CalibrationSpec,
    summ: pd.DataFrame,
    gens: pd.DataFrame,
    ptab: pd.DataFrame | None,
    *,
    command: str,
    elapsed_total: float,
    n_sims: int,
) -> dict:
    """The report's numbers, formatted once for every language.

    Over 60 lines: one flat mapping of every value the en and zh templates print, in the templates' order;
    split, each part would take the same tables."""
    last = float(gens.epsilon.iloc[-1])
    reason = (
        "epsilon"
        if last <= spec.minimum_epsilon
        else "generations"
        if len(gens) >= spec.max_generations
        else "interrupted"
    )
    return {
        "spec_name": spec.name,
        "command": command,
        "description": spec.description,
        "plugin": spec.evaluate if spec.plugin else "",
        "scenario": spec.scenario,
        "days": spec.days,
        "overrides": str(spec.overrides or "none"),
        "replications": spec.replications,
        "population": spec.population_size,
        "max_generations": spec.max_generations,
        "n_generations": len(gens),
        "n_sims": f"{n_sims:,}",
        "minutes": f"{elapsed_total / 60:.1f}",
        "reason": reason,
        "targets": [
            {"name": t.name, "observed": t.describe(), "scale": _f(t.scale), "weight": _f(t.weight)}
            for t in spec.targets
        ],
        "holdout": [{"name": t.name, "observed": t.describe()} for t in spec.holdout],
        "posterior": [
            {
                "name": r.parameter,
                "prior": r.prior,
                "mean": _f(r.mean),
                "median": _f(r.median),
                "q05": _f(r.q05),
                "q95": _f(r.q95),
            }
            for r in summ.itertuples()
        ],
        "pairwise": len(spec.priors) >= 2,
        "generations": [
            {
                "generation": r.generation,
                "epsilon": f"{r.epsilon:.4g}",
                "simulations": f"{r.simulations:,}",
                "acceptance": f"{r.acceptance_rate:.3f}",
            }
            for r in gens.itertuples()
        ],
        "draws": spec.predictive_draws,
        "checks": None
        if ptab is None
        else [
            {
                "name": r.statistic,
                "held_out": r.role == "held out",
                "observed": r.observed,
                "mean": _f(r.predictive_mean),
                "p05": _f(r.p05),
                "p95": _f(r.p95),
                "met": f"{r.share_met:.0%}",
            }
            for r in ptab.itertuples()
        ],
    }


def _subplots(nrows: int = 1, ncols: int = 1, figsize=None, **kw):
    """A matplotlib Figure and its axes, drawn without pyplot (no backend chosen)."""
    from matplotlib.figure import Figure  # deferred: matplotlib is heavy, loaded only when a figure is drawn

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kw)
