"""The validation report: ``validation.md`` in en/zh (verification and validation kept apart, from
``templates/validate.<lang>.md.j2``), ``checks.csv`` and one figure per validation pattern."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.render import fmt

from .suite import PARTS, Outcome


def rows(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """One row per check: part, name, claim, source, expected, measured, CI, reps, passed, powered."""
    out = []
    for o in outcomes:
        r = o.result
        out.append(
            {
                "part": o.check.part,
                "check": o.check.name,
                "claim": o.check.claim,
                "source": o.check.source,
                "expected": r.expected if r else "",
                "measured": r.measured if r else float("nan"),
                "ci_low": r.ci[0] if r else float("nan"),
                "ci_high": r.ci[1] if r else float("nan"),
                "replications": r.replications if r else 0,
                "passed": o.passed,
                "powered": bool(r.powered) if r else False,
                "seconds": round(o.seconds, 1),
                "error": o.error or "",
            }
        )
    return pd.DataFrame(out)


def markdown(
    outcomes: Sequence[Outcome],
    *,
    quick: bool,
    command: str,
    elapsed: float,
    figure_dir: str = "figures",
    started: str = "",
    not_run: Sequence = (),
    lang: str = "en",
) -> str:
    """The text of ``validation.md`` in ``lang``: the template ``validate.<lang>.md.j2`` with :func:`context`;
    figures are linked under ``figure_dir``."""
    from townsim.experiments.render.reportkit import render_report  # deferred: it pulls in matplotlib (heavy)

    ctx = context(
        outcomes, quick=quick, command=command, elapsed=elapsed, figure_dir=figure_dir, started=started, not_run=not_run
    )
    return render_report("validate", lang, **ctx) + "\n"  # a blank last line, as the report always had


def context(
    outcomes: Sequence[Outcome],
    *,
    quick: bool,
    command: str,
    elapsed: float,
    figure_dir: str = "figures",
    started: str = "",
    not_run: Sequence = (),
) -> dict[str, Any]:
    """The report's numbers, formatted once for every language: the run, then each part's checks."""
    n_fail = sum(not o.passed for o in outcomes)
    parts = []
    for part in PARTS:
        sel = [o for o in outcomes if o.check.part == part]
        figures = [o.check.name for o in sel if o.result is not None] if part == "validation" else []
        parts.append({"part": part, "checks": [_check_row(o) for o in sel], "figures": figures})
    return {
        "command": command,
        "started": started,
        "minutes": f"{elapsed / 60:.1f}",
        "quick": quick,
        "n": len(outcomes),
        "n_pass": len(outcomes) - n_fail,
        "n_fail": n_fail,
        "parts": parts,
        "figure_dir": figure_dir,
        "not_run": [{"name": c.name, "part": c.part} for c in not_run],
    }


def _check_row(o: Outcome) -> dict[str, Any]:
    """One check's cells: ``measured`` with its CI, ``reps``; ``error`` instead when it crashed; ``powered``
    True, False or None (no result)."""
    r = o.result
    row: dict[str, Any] = {"name": o.check.name, "claim": o.check.claim, "source": o.check.source, "passed": o.passed}
    if r is None:
        return {**row, "expected": "–", "error": str(o.error), "measured": "", "reps": "–", "powered": None}
    ci = (
        ""
        if any(not math.isfinite(x) for x in r.ci) or r.ci[0] == r.ci[1]
        else f" ({fmt.auto(r.ci[0])} – {fmt.auto(r.ci[1])})"
    )
    expected = r.expected.replace("|", "\\|")
    return {
        **row,
        "expected": expected,
        "error": None,
        "measured": f"{fmt.auto(r.measured)}{ci}",
        "reps": str(r.replications),
        "powered": bool(r.powered),
    }


FIGURE_WORDS = {
    "en": {
        "replications": "replications (n = {n})",
        "ci": "mean, 95 % CI",
        "measured": "measured",
        "published": "published: {expected}",
        "region": "pass region",
        "pass": "pass",
        "fail": "FAIL",
    },
    "zh": {
        "replications": "各次重复（n = {n}）",
        "ci": "均值，95% 置信区间",
        "measured": "测得值",
        "published": "公开数值：{expected}",
        "region": "通过区域",
        "pass": "通过",
        "fail": "未通过",
    },
}
"""The words of a pattern's figure per language (the check's name, source, target and axis label are its own)."""


def pattern_figure(outcome: Outcome, path: Path, lang: str = "en") -> Path | None:
    """A validation pattern's figure: each replication, the mean with its CI, and the published target.

    Reads ``details``: ``values`` (per replication), ``target`` (number), ``kind`` ("min", "max" or
    "value"), ``tol`` (for "value"), ``label`` (axis label).
    """
    from townsim.experiments.render.fonts import figure as font_context  # deferred: matplotlib (heavy)

    if outcome.result is None:
        return None
    with font_context(lang):
        return _pattern_figure(outcome, path, FIGURE_WORDS[lang])


def _pattern_figure(outcome: Outcome, path: Path, w: dict[str, str]) -> Path:
    from townsim.experiments.render.plots import save_figure  # deferred: it pulls in matplotlib (heavy)

    r = outcome.result
    assert r is not None, "a check without a result has no figure"
    d = r.details
    fig, ax = _subplots(figsize=(6.0, 2.6))
    vals = d.get("values", [])
    if vals:
        ax.plot(vals, [0.0] * len(vals), "o", color="0.6", alpha=0.7, label=w["replications"].format(n=len(vals)))
    lo, hi = r.ci
    if math.isfinite(lo) and math.isfinite(hi):
        ax.errorbar(
            [r.measured],
            [0.0],
            xerr=[[r.measured - lo], [hi - r.measured]],
            fmt="D",
            color="C0",
            capsize=6,
            label=w["ci"],
        )
    else:
        ax.plot([r.measured], [0.0], "D", color="C0", label=w["measured"])
    target, kind = d.get("target"), d.get("kind", "value")
    if target is not None:
        ax.axvline(target, color="C3", lw=1.5, label=w["published"].format(expected=r.expected))
        x0, x1 = ax.get_xlim()
        if kind == "min":
            ax.axvspan(target, max(x1, target + 1e-9), color="C2", alpha=0.12, label=w["region"])
        elif kind == "max":
            ax.axvspan(min(x0, target - 1e-9), target, color="C2", alpha=0.12, label=w["region"])
        elif d.get("tol") is not None:
            ax.axvspan(target - d["tol"], target + d["tol"], color="C2", alpha=0.12, label=w["region"])
    ax.set_yticks([])
    ax.set_xlabel(d.get("label", outcome.check.name))
    verdict = w["pass"] if outcome.passed else w["fail"]
    ax.set_title(f"{outcome.check.name}: {verdict} ({outcome.check.source})", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save_figure(fig, path)


def _subplots(nrows: int = 1, ncols: int = 1, figsize=None, **kw):
    """A matplotlib Figure and its axes, drawn without pyplot (no backend chosen)."""
    from matplotlib.figure import Figure  # deferred: matplotlib is heavy, loaded only when a figure is drawn

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kw)
