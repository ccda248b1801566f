"""``report.md`` of a sensitivity analysis: levers ranked per output and scenario, regime differences,
seed noise, sample-size advice and the figures — readable without Python."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .analysis import INFLUENTIAL_MU_REL, INFLUENTIAL_ST, NOISE_TARGET, importance_index
from .spec import SensitivitySpec

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Result

MAX_RANKED = 10
"""Levers listed per output in the ranking tables (the full list is in rankings.csv)."""

METHOD_TEXT = {
    "morris": ("Morris elementary effects (screening). **μ\\*** is the mean absolute change of the output "
               "when one lever moves by 2/3 of its range, in the output's own unit; **σ** is the spread of "
               "those changes (large σ/μ\\*: non-linear effect or interactions). Levers are ranked by μ\\*; "
               f"*influential* means μ\\* ≥ {INFLUENTIAL_MU_REL:.0%} of the output's largest μ\\*."),
    "sobol": ("Variance-based Sobol' indices (Saltelli sampling on a scrambled Sobol' sequence). **S1** is the "
              "share of the output's variance due to a lever alone, **ST** the share it takes part in, "
              "interactions included; ST − S1 measures interactions. Levers are ranked by ST; "
              f"*influential* means ST ≥ {INFLUENTIAL_ST}."),
    "fast": ("Extended FAST (eFAST) first-order (**S1**) and total-order (**ST**) indices. Levers are ranked by "
             f"ST; *influential* means ST ≥ {INFLUENTIAL_ST}. SALib's eFAST intervals come from a "
             "half-curve bootstrap that SALib itself calls unreliable (SALib issue 649); eFAST also carries "
             "an interference bias of a few hundredths: read differences below ~0.05 as ties."),
}


def _fmt(v: float, conf: float | None = None) -> str:
    """``0.331 ± 0.277``, ``4.07 ± 4.74``, ``225.8 ± 93.3``, ``200,000 ± 0`` (same decimals for both)."""
    if v is None or not math.isfinite(v):
        return "–"
    a = abs(v)
    digits = 3 if a < 10 else 1 if a < 1000 else 0
    s = f"{v:,.{digits}f}"
    if conf is not None and math.isfinite(conf):
        s += f" ± {conf:,.{digits}f}"
    return s


def _pct(v: float) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.0%}"


def _label(s: str) -> str:
    return s or "plug-in"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return out


def render(spec: SensitivitySpec, result: "Result") -> str:
    """The whole report as Markdown."""
    key = importance_index(spec.method)
    scen = list(spec.run_scenarios)
    L: list[str] = []
    L.append(f"# Sensitivity analysis — `{spec.name}`")
    L.append("")
    if spec.description:
        L.append(spec.description)
        L.append("")
    model = f"plug-in `{spec.evaluate}`" if spec.plugin else \
        f"township model, {spec.days} working days per run, scenarios {', '.join(f'`{s}`' for s in scen)}"
    if spec.overrides:
        model += " with overrides " + ", ".join(f"`{k} = {v}`" for k, v in spec.overrides.items())
    st = result.stats
    L.append(f"- **Model:** {model}")
    L.append(f"- **Method:** `{spec.method}`, N = {spec.N}, seed = {spec.seed}, "
             f"{spec.replications} replication(s) per point (common seeds across points)")
    L.append(f"- **Design:** {spec.n_points()} points × {spec.replications} replication(s) × {len(scen)} "
             f"scenario(s) = {spec.n_runs()} runs; {st.total} distinct "
             f"({st.already_done} reused from earlier runs, {st.ran} run now in {st.seconds:.0f} s)")
    L.append("")
    L.append(METHOD_TEXT[spec.method])
    L.append("Intervals (±) are half-widths of 95 % bootstrap intervals (SALib). Each design point's output is "
             "the mean over its replications.")
    L.append("")
    L.append("## Parameters")
    L.append("")
    L += _table(["parameter", "range sampled"], [[f"`{p.name}`", p.describe()] for p in spec.parameters])
    L.append("")

    # --- rankings ----------------------------------------------------------------------------
    L.append("## Levers ranked per output")
    L.append("")
    rank = result.rankings
    L.append(f"Ranked by {'μ*' if key == 'mu_star' else 'ST'}; **bold** = influential. "
             f"Top {MAX_RANKED} shown; every lever is in `rankings.csv`, every index in `indices.csv`.")
    L.append("")
    for out in spec.outputs:
        r = rank[rank["output"] == out] if not rank.empty else rank
        if r.empty:
            reasons = [f"{_label(s)}: {result.skipped[(s, out)]}" for s in scen if (s, out) in result.skipped]
            L.append(f"### `{out}`")
            L.append("")
            L.append("Not analysed — " + "; ".join(reasons) + ".")
            L.append("")
            continue
        L.append(f"### `{out}`")
        L.append("")
        cols, table_rows = ["rank"], []
        per = {}
        for s in scen:
            g = r[r["scenario"] == s].sort_values("rank")
            if g.empty:
                continue
            cols.append(_label(s))
            per[s] = g
        n = min(MAX_RANKED, max(len(g) for g in per.values()))
        for i in range(n):
            row = [str(i + 1)]
            for s, g in per.items():
                if i < len(g):
                    x = g.iloc[i]
                    cell = f"{x['parameter']} ({_fmt(x['value'], x['conf'])})"
                    row.append(f"**{cell}**" if x["influential"] else cell)
                else:
                    row.append("")
            table_rows.append(row)
        L += _table(cols, table_rows)
        missing = [f"{_label(s)}: {result.skipped[(s, out)]}" for s in scen if (s, out) in result.skipped]
        if missing:
            L.append("")
            L.append("Not analysed in " + "; ".join(missing) + ".")
        if spec.method in ("sobol", "fast"):
            inter = result.indices[(result.indices["output"] == out)]
            notes = []
            for s in per:
                w = inter[inter["scenario"] == s].pivot(index="parameter", columns="index", values="value")
                gap = (w["ST"] - w["S1"]).clip(lower=0)
                share = float(1 - w["S1"].clip(lower=0).sum())
                if share > 0.2:
                    notes.append(f"in {_label(s)} about {share:.0%} of the variance comes from interactions "
                                 f"(1 − ΣS1), mostly via {', '.join(gap.sort_values(ascending=False).index[:2])}")
            if notes:
                L.append("")
                L.append("Interactions: " + "; ".join(notes) + ".")
        L.append("")

    # --- regimes ---------------------------------------------------------------------------
    if len(scen) >= 2:
        L.append("## Where rankings differ between regimes")
        L.append("")
        d = result.differences
        if d.empty:
            L.append("No output could be compared (see the skipped outputs).")
        else:
            L.append("Kendall's τ compares the importance of all levers between two scenarios (1 = same order). "
                     "A lever *changes* when it is influential in one regime only, or moves 3 or more places "
                     "near the top; *beyond the intervals* means the two importances differ by more than their "
                     "combined 95 % half-widths, *within* means the difference may still be sampling error.")
            L.append("")
            rows = []
            for _, x in d.iterrows():
                rows.append([f"`{x['output']}`", f"{x['a']} vs {x['b']}", f"{x['kendall_tau']:.2f}",
                             x["top_a"], x["top_b"], x["changed"] or "–", x["suggestive"] or "–"])
            L += _table(["output", "regimes", "τ", "top 3 (first)", "top 3 (second)",
                         "changes beyond the intervals", "changes within the intervals"], rows)
            L.append("")
            real = d[d["changed"] != ""]
            maybe = d[(d["changed"] == "") & (d["suggestive"] != "")]
            same = d[(d["changed"] == "") & (d["suggestive"] == "")]
            if not real.empty:
                L.append(f"**Rankings differ** between regimes for "
                         f"{', '.join(f'`{o}`' for o in real['output'].unique())}: which levers matter depends "
                         "on the reform regime the county is in.")
            if not maybe.empty:
                L.append(f"Rankings may differ for {', '.join(f'`{o}`' for o in maybe['output'].unique())}, "
                         "but only within the 95 % intervals: raise N to tell.")
            if not same.empty:
                L.append(f"Rankings agree for {', '.join(f'`{o}`' for o in same['output'].unique())}.")
        L.append("")

    # --- seed noise ------------------------------------------------------------------------
    L.append("## Seed noise (from the replications)")
    L.append("")
    L.append("*Single run*: share of one run's variance (over the whole design) that comes from the random seed, "
             "not the parameters. *Analysed*: share left in the replication means the indices decompose "
             "(single-run seed variance / replications ÷ variance of the means). Seed noise there inflates "
             f"total-order indices and μ\\*; the advice aims below {NOISE_TARGET:.0%}.")
    L.append("")
    rows = []
    for _, x in result.noise.iterrows():
        rows.append([_label(x["scenario"]), f"`{x['output']}`", str(x["replications"]),
                     _pct(x["share_single"]), _pct(x["share_mean"]), x["advice"] or "ok"])
    L += _table(["scenario", "output", "replications", "single run", "analysed", "advice"], rows)
    L.append("")

    # --- sample size -------------------------------------------------------------------------
    L.append("## Is N large enough?")
    L.append("")
    a = result.size_advice
    if a.empty:
        L.append("No indices to judge.")
    else:
        what = "relative to the top μ*" if key == "mu_star" else "in index units"
        L.append(f"Widest 95 % half-width of {'μ*' if key == 'mu_star' else 'ST'} ({what}) and the largest "
                 "change of the index when the design doubled (nested designs; eFAST has none).")
        L.append("")
        rows = [[_label(x["scenario"]), f"`{x['output']}`", f"{x['widest_conf']:.3f}",
                 "–" if not math.isfinite(x["last_doubling_change"]) else f"{x['last_doubling_change']:.3f}",
                 x["advice"] or "ok"] for _, x in a.iterrows()]
        L += _table(["scenario", "output", "widest interval", "change at last doubling", "advice"], rows)
    L.append("")

    # --- figures ---------------------------------------------------------------------------
    if result.figures:
        L.append("## Figures")
        L.append("")
        for p in result.figures:
            rel = p.relative_to(result.out_dir)
            L.append(f"![{p.stem}]({rel.as_posix()})")
            L.append("")
    L.append("## Files")
    L.append("")
    L.append("`indices.csv` (scenario, output, parameter, index, value, conf), `rankings.csv`, "
             "`regimes.csv` (the table above), `convergence.csv`, `noise.csv`, `samples.parquet` (design points: model values and draws), "
             "`outputs.parquet` (every run), `runs/` and `failures/` (one file per run; rerunning the same "
             "command resumes), `spec.toml`, `manifest.json`.")
    L.append("")
    return "\n".join(L)
