"""Planner's reports (Markdown, readable without Python) for ``townsim compare`` and ``townsim sweep``.

The text is generated from the tables only (no model import): the question,
the scenarios in one line each, headline tables (mean and 95% confidence
interval), the differences from the baseline that are statistically
significant after Holm correction, the figures, caveats and the exact
command that reproduces the experiment.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from townsim.experiments.render.plots import HEADLINE, clip_bounds, info

TABLES = (
    ("Service to requesters", ("on_time_rate", "mean_resolution_days", "trips_per_case", "backlog_end")),
    ("Cost and load", ("staff_hours", "township_utilisation", "overloaded_townships", "dumped_tasks")),
    ("Satisfaction and conflict", ("enterprise_satisfaction", "citizen_satisfaction", "petitions", "escalations")),
    ("Closed or really solved", ("on_time_rate", "request_on_time_rate", "resolution_rate", "repeat_contacts",
                                 "gamed_closures", "grid_report_share")),
)
BACKLOG_WARN = 0.10
"""Flag a scenario whose open cases at the end exceed this share of all requests (an unstable queue)."""


# --- formatting ------------------------------------------------------------------------------------
def fmt_value(kpi: str, v: float) -> str:
    """A KPI value for a table: shares as %, counts with thousands separators, else 3 significant digits."""
    if v is None or not math.isfinite(v):
        return "–"
    k = info(kpi)
    if k.fmt == "pct":
        return f"{100 * v:.1f}%"
    if k.fmt == "count" or abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) >= 0.01 else f"{v:.2g}"


def fmt_diff(kpi: str, v: float) -> str:
    """A signed difference: percentage points for shares."""
    if v is None or not math.isfinite(v):
        return "–"
    k = info(kpi)
    if k.fmt == "pct":
        return f"{100 * v:+.1f} points"
    if k.fmt == "count" or abs(v) >= 1000:
        return f"{v:+,.0f}"
    return f"{v:+.3g}"


def _cell(row: pd.Series, kpi: str) -> str:
    mean = fmt_value(kpi, row["mean"])
    if not math.isfinite(row.get("ci_low", math.nan)):
        return mean
    if row["ci_low"] == row["ci_high"]:
        return f"{mean} (same in every run)"
    lo, hi = clip_bounds(kpi, row["ci_low"], row["ci_high"])
    return f"{mean} ({fmt_value(kpi, float(lo))}–{fmt_value(kpi, float(hi))})"


def closure_vs_resolution(summary: pd.DataFrame, order: Sequence[str]) -> str:
    """In words: where the dashboard's on-time rate (closures) and real resolution part ways most."""
    s = summary.set_index(["scenario", "kpi"])["mean"]
    need = ("on_time_rate", "request_on_time_rate", "resolution_rate", "gamed_closures")
    rows = [n for n in order if all((n, k) in s.index for k in need)]
    if not rows:
        return ""
    gap = {n: s[(n, "on_time_rate")] - s[(n, "request_on_time_rate")] for n in rows}
    worst = max(rows, key=gap.get)
    best = min(rows, key=gap.get)
    return (f"**Where closure and resolution part ways.** The on-time rate counts closures, as real "
            f"dashboards do; a closure may not solve the request (it comes back as a repeat contact) or may be "
            f"made just before the deadline without solving it (gamed). The gap is widest in `{worst}`: "
            f"{100 * s[(worst, 'on_time_rate')]:.1f}% of decided cases are closed on time, but only "
            f"{100 * s[(worst, 'request_on_time_rate')]:.1f}% of requests are really resolved by their first "
            f"deadline ({100 * s[(worst, 'resolution_rate')]:.1f}% of closed cases really resolved, "
            f"{s[(worst, 'gamed_closures')]:,.0f} closures without solving). It is narrowest in `{best}` "
            f"({100 * s[(best, 'on_time_rate')]:.1f}% vs {100 * s[(best, 'request_on_time_rate')]:.1f}%).")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _esc(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# --- compare report ---------------------------------------------------------------------------------
def compare_report(*, settings: Any, scenarios: Sequence[Any], runs: pd.DataFrame, summary: pd.DataFrame,
                   comparison: pd.DataFrame, failures: Sequence[dict], figures: Sequence[Path], out: Path,
                   execution: Any = None) -> str:
    """The Markdown report of a scenario comparison."""
    out = Path(out)
    base = settings.baseline
    order = [s.name for s in scenarios]
    n_by = runs.groupby("scenario").size().to_dict() if len(runs) else {}
    years = settings.days / 250
    lines: list[str] = []
    add = lines.append
    add("# Which reform package serves enterprises and citizens best?\n")
    add(f"This report compares **{len(scenarios) - 1} reform scenario(s)** with the status quo "
        f"**`{base}`** in a simulated county (the townsim agent-based model). Each scenario was simulated "
        f"**{settings.reps} times** for **{settings.days} working days** (about {years:.1g} year"
        f"{'s' if years > 1.05 else ''}), with different random demand in each replication. "
        + ("Every scenario saw the *same* random demand in replication *k* (common random numbers), "
           "so each difference is measured run against run."
           if not settings.independent_seeds else
           "Every scenario drew its own random demand (independent seeds).")
        + "\n")
    add("Read the numbers as *how the model says these reforms compare*, not as forecasts for a real "
        "county: the sizes, rates and behaviours are assumptions documented in `docs/ODD.md` and in the "
        "scenario files.\n")

    # scenarios
    add("## The scenarios\n")
    for s in scenarios:
        tag = " *(baseline)*" if s.name == base else ""
        add(f"- **`{s.name}`**{tag} — {_esc(s.description) or 'no description'}")
    add("")

    # bottom line
    if len(comparison):
        add("## In short\n")
        add("Headline indicators that differ significantly from the baseline (details below):\n")
        c = comparison.set_index(["scenario", "kpi"])
        heads = [k for k in HEADLINE if k in set(comparison["kpi"])]
        for name in order:
            if name == base or name not in n_by:
                continue
            better, worse, other = [], [], []
            for k in heads:
                if (name, k) not in c.index or not bool(c.loc[(name, k), "significant"]):
                    continue
                d, direction = c.loc[(name, k), "difference"], info(k).better
                if d == 0:
                    continue
                (other if not direction else better if (d > 0) == (direction > 0) else worse).append(info(k).label)
            parts = []
            if better:
                parts.append("**better** on " + ", ".join(better))
            if worse:
                parts.append("**worse** on " + ", ".join(worse))
            if other:
                parts.append("changes " + ", ".join(other))
            add(f"- `{name}`: " + ("; ".join(parts) if parts else "no significant difference") + ".")
        add("")

    # headline tables
    if len(summary):
        add("## Headline results\n")
        add("Each cell: mean over the runs, and in brackets its 95% confidence interval "
            "(the range that contains the true model mean with 95% confidence; cut at natural bounds such as "
            "0% and 100%).\n")
        s = summary.set_index(["scenario", "kpi"])
        for title, kpis in TABLES:
            kpis = [k for k in kpis if k in set(summary["kpi"])]
            if not kpis:
                continue
            header = ["scenario"] + [f"{info(k).label} ({info(k).unit})" for k in kpis]
            rows = []
            for name in order:
                if name not in n_by:
                    continue
                rows.append([f"`{name}`"] + [_cell(s.loc[(name, k)], k) if (name, k) in s.index else "–"
                                             for k in kpis])
            add(f"**{title}**\n")
            add(_md_table(header, rows) + "\n")
        words = closure_vs_resolution(summary, [n for n in order if n in n_by])
        if words:
            add(words + "\n")

    # significant differences
    if len(comparison):
        add("## What changes compared with the baseline\n")
        tested = comparison[comparison["test"].isin(["paired t", "Welch t"])]
        test_name = ("paired t-tests (runs paired by replication)" if not settings.independent_seeds
                     else "Welch's t-tests")
        add(f"Differences are scenario minus `{base}`. A difference is called **significant** when its "
            f"p-value, corrected with Holm's method for all {len(tested)} comparisons in `comparison.csv` "
            f"({test_name}), is below 0.05. Effect size *d* is the difference in units of the run-to-run "
            "spread (|d| ≈ 0.2 small, 0.5 medium, 0.8 large).\n")
        c = comparison.set_index(["scenario", "kpi"])
        heads = [k for k in HEADLINE if k in set(comparison["kpi"])]
        for name in order:
            if name == base or name not in n_by:
                continue
            add(f"### `{name}`\n")
            sig, nonsig = [], []
            for k in heads:
                if (name, k) not in c.index:
                    continue
                r = c.loc[(name, k)]
                if bool(r["significant"]):
                    sig.append(_sentence(k, r))
                else:
                    nonsig.append(info(k).label)
            if sig:
                lines.extend(f"- {x}" for x in sig)
            else:
                add("- No headline indicator differs significantly from the baseline.")
            if nonsig:
                add(f"- Not significantly different: {', '.join(nonsig)}.")
            add("")

    # figures
    if figures:
        add("## Figures\n")
        captions = {
            "forest_differences": "Differences from the baseline with 95% confidence intervals, one panel per "
                                  "indicator. A filled dot is significant after Holm correction; 'better'/"
                                  "'worse' follows the direction named in the panel title. The intervals "
                                  "are not corrected for the many comparisons, so an interval that misses "
                                  "zero can still belong to a hollow (not significant) dot.",
            "tradeoffs": "Trade-offs: each marker is one scenario's mean, bars are 95% confidence intervals. "
                         "Left: what the reform costs in staff hours against how many cases close on time. "
                         "Middle and right: how busy township staff are against how satisfied enterprises "
                         "and citizens are.",
        }
        for fig in figures:
            rel = Path(fig).relative_to(out) if Path(fig).is_absolute() or str(fig).startswith(str(out)) else fig
            stem = Path(fig).stem
            if stem.startswith("timeseries_"):
                k = stem.removeprefix("timeseries_")
                cap = (f"{info(k).label[0].upper() + info(k).label[1:]} day by day, one panel per scenario "
                       "with the baseline in black: mean over the runs, shaded band: 95% confidence band.")
            else:
                cap = captions.get(stem, stem)
            add(f"![{stem}]({rel.as_posix()})\n")
            add(f"*{cap}*\n")

    # caveats
    add("## Caveats\n")
    add(f"- **Replications.** {settings.reps} runs per scenario"
        + (f" (finished: {', '.join(f'{k} {v}' for k, v in n_by.items() if v != settings.reps)})"
           if any(v != settings.reps for v in n_by.values()) else "")
        + ". Small differences may be real but not detectable with this many runs; more `--reps` narrow "
          "the intervals roughly with the square root of the number of runs.")
    add(f"- **Horizon.** {settings.days} working days from an empty start (no warm-up is removed). "
        "Slow effects — township competence learning, enterprise entry and exit, departments adapting "
        "to assessments — may not have settled by the end.")
    add("- **Significance is not importance.** With many runs tiny differences become significant; "
        "look at the size of the difference and its interval.")
    add("- **Undefined rates.** A rate with no cases behind it (for example on-time rate of tier-5 matters "
        "when there are none) is left out, so its *n* can be smaller than the number of runs.")
    from townsim.experiments.workflows.compare import different_county

    for name, diff in different_county(scenarios).items():
        add(f"- **`{name}` is a different county**, not only a different reform: it changes "
            f"{', '.join(f'`{f}`' for f in diff)}. Its differences from `{base}` mix size and reform "
            "(totals such as staff cost, petitions and open cases grow with the county); it is left out "
            "of the cost panel of the trade-off figure.")
    if len(summary):
        s = summary.set_index(["scenario", "kpi"])
        for name in order:
            if (name, "backlog_end") in s.index and (name, "cases_created") in s.index:
                share = s.loc[(name, "backlog_end"), "mean"] / max(s.loc[(name, "cases_created"), "mean"], 1)
                if share > BACKLOG_WARN:
                    add(f"- **`{name}` is overloaded:** {100 * share:.0f}% of all requests are still open at the "
                        "end, so its queues grow without bound and its averages depend on the horizon.")
    if settings.overrides:
        add(f"- **Overrides.** Every scenario was run with {', '.join(f'`{o}`' for o in settings.overrides)}.")
    if failures:
        add(f"- **{len(failures)} run(s) failed** and are left out of every number above "
            "(see `failures.csv`):")
        for f in failures[:10]:
            add(f"  - `{f['scenario']}` replication {f['replication']} (seed {f['seed']}): {_esc(f['error'])}")
        if len(failures) > 10:
            add(f"  - … and {len(failures) - 10} more")
    add("")

    # reproduce
    add("## How to reproduce\n")
    add("Run this command in the townsim folder (add `--workers K`, `--dask-local` or "
        "`--scheduler tcp://HOST:PORT` to choose where the runs execute; results do not depend on it). "
        "Rerunning it with the same `--out` folder resumes an interrupted experiment and reruns nothing "
        "that finished.\n")
    add("```bash\n" + settings.reproduce_command(out) + "\n```\n")
    add("Files in this folder: `runs.parquet` (one row per run), `timeseries.parquet` (daily indicators of "
        "every run), `summary.csv` (mean, sd, 95% CI, n per scenario and indicator), `comparison.csv` "
        "(every difference from the baseline with its test), `manifest.json` (parameters, seeds, versions, "
        "timings)" + (", `failures.csv`" if failures else "") + ".\n")
    if execution is not None:
        add(f"*This invocation: {execution.ran} run(s) made, {execution.skipped} reused from an earlier "
            f"invocation, {execution.failed} failed, in {execution.seconds:.0f} s.*\n")
    return "\n".join(lines)


def _sentence(kpi: str, r: pd.Series) -> str:
    """``on-time rate: 96.0% → 97.4% (+1.4 points, 95% CI +1.0 to +1.8 points; d = 1.2) — better``."""
    k = info(kpi)
    d = r["difference"]
    verdict = ""
    if k.better and d != 0:
        verdict = " — **better**" if (d > 0) == (k.better > 0) else " — **worse**"
    ci = ""
    if math.isfinite(r["ci_low"]) and r["ci_low"] != r["ci_high"]:
        lo, hi = fmt_diff(kpi, r["ci_low"]), fmt_diff(kpi, r["ci_high"])
        ci = f", 95% CI {lo.removesuffix(' points')} to {hi}"
    e = r["effect_size"]
    es = ""
    if math.isfinite(e):
        es = f"; d {'>' if e > 0 else '<'} {'+' if e > 0 else '−'}10" if abs(e) > 10 else f"; d = {e:.2g}"
    return (f"{k.label}: {fmt_value(kpi, r['baseline_mean'])} → {fmt_value(kpi, r['scenario_mean'])} "
            f"({fmt_diff(kpi, d)}{ci}{es}){verdict}")


# --- sweep report -----------------------------------------------------------------------------------
def sweep_report(*, settings: Any, scenario: Any, summary: pd.DataFrame, keys: Sequence[str],
                 figures: Sequence[Path], failures: Sequence[dict], out: Path, execution: Any = None) -> str:
    """The Markdown report of a one- or two-parameter sweep."""
    out = Path(out)
    lines: list[str] = []
    add = lines.append
    what = " and ".join(f"`{k}`" for k in keys)
    add(f"# How do the results change with {what}?\n")
    add(f"Scenario **`{scenario.name}`** — {_esc(scenario.description)}.\n")
    ranges = "; ".join(f"`{v.key}` from {v.values[0]} to {v.values[-1]} ({len(v.values)} values)"
                       for v in settings.varies)
    add(f"Grid: {ranges}. Each grid point was simulated **{settings.reps} times** for **{settings.days} working "
        "days**, with the same random demand in replication *k* at every point (common random numbers)"
        + (f"; every run also used {', '.join(f'`{o}`' for o in settings.overrides)}" if settings.overrides else "")
        + ".\n")
    if figures:
        add("## Figures\n")
        for fig in figures:
            add(f"![{Path(fig).stem}]({Path(fig).relative_to(out).as_posix()})\n")
    if len(summary):
        add("## Table\n")
        add("Mean over the runs at each grid point, with its 95% confidence interval.\n")
        kpis = list(dict.fromkeys(summary["kpi"]))
        s = summary.set_index(["point", "kpi"])
        header = [f"`{k}`" for k in keys] + [f"{info(k).label} ({info(k).unit})" for k in kpis]
        rows = []
        for p in sorted(set(summary["point"])):
            first = s.loc[(p, kpis[0])]
            rows.append([str(first[k]) for k in keys] + [_cell(s.loc[(p, k)], k) for k in kpis])
        add(_md_table(header, rows) + "\n")
    add("## Caveats\n")
    add(f"- {settings.reps} runs per point; {settings.days} working days from an empty start. Neighbouring "
        "points share random demand, so the shape of a curve is more reliable than any single point.")
    if failures:
        add(f"- **{len(failures)} run(s) failed** and are left out (see `failures.csv`).")
    add("")
    add("## How to reproduce\n")
    add("```bash\n" + settings.reproduce_command(out) + "\n```\n")
    if execution is not None:
        add(f"*This invocation: {execution.ran} run(s) made, {execution.skipped} reused, {execution.failed} "
            f"failed, in {execution.seconds:.0f} s.*\n")
    return "\n".join(lines)
