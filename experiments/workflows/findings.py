"""``docs/findings.md``: what the model says about each reform option, generated from result folders.

    python3 -m townsim.experiments.workflows.findings [--results DIR] [--write]

Reads the folders the commands in :data:`COMMANDS` write (each resumes if stopped) and writes the
planner's page: the conclusion first, then the evidence (default compare raw and at equal staff,
Morris screening, Sobol' indices in two regimes and where the
lever rankings differ), then the caveats. A missing folder is reported as not run, with its command.
The scenario-discovery section between the ``discover`` markers is kept as it is (its owner writes it).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
HEADLINE = (
    "on_time_rate",
    "on_time_rate_tier5",
    "mean_resolution_days",
    "requester_hours_per_case",
    "trips_per_case",
    "township_utilisation",
    "township_service_share",
    "resolution_rate",
    "petitions",
    "staff_hours",
)
COMMANDS = {
    "compare": "townsim compare --equal-staff --reps 20 --days 250 --out {r}/compare",
    "morris": "townsim sensitivity morris_screening --out {r}/morris",
    "sobol": "townsim sensitivity sobol_levers --out {r}/sobol",
    "validate": "townsim validate --docs",
}
DISCOVER_BEGIN, DISCOVER_END = "<!-- discover:begin -->", "<!-- discover:end -->"


def _fmt(x: float, kpi: str = "") -> str:
    if x is None or not math.isfinite(x):
        return "–"
    try:
        from townsim.model.metrics import kpi as info

        if info(kpi).fmt == "pct":
            return f"{100 * x:+.1f} pts" if kpi else f"{100 * x:.1f} %"
    except Exception:  # noqa: BLE001 - an unknown KPI is shown as a number
        pass
    return f"{x:+.3g}"


def _label(k: str) -> str:
    try:
        from townsim.model.metrics import kpi as info

        return info(k).en
    except Exception:  # noqa: BLE001
        return k


def compare_section(folder: Path, title: str, equal_staff: bool) -> tuple[list[str], list[str]]:
    """Evidence lines and conclusion sentences from a compare folder's comparison.csv: the reforms as
    they are (raw) or their ``+equal_staff`` runs (one ``compare --equal-staff`` holds both, paired)."""
    path = folder / "comparison.csv"
    if not path.is_file():
        return [f"### {title}", "", f"*Not run yet* (`{folder}` has no comparison.csv).", ""], []
    cmp = pd.read_csv(path)
    cmp = cmp[cmp["scenario"].str.endswith("+equal_staff") == equal_staff]
    man = json.loads((folder / "manifest.json").read_text()) if (folder / "manifest.json").is_file() else {}
    kpis = [k for k in HEADLINE if k in set(cmp.kpi)]
    lines = [
        f"### {title}",
        "",
        f"{man.get('reps', '?')} replications × {man.get('days', '?')} days per scenario, paired with "
        f"`{man.get('baseline', 'baseline')}`; differences with 95 % CIs (Holm-adjusted significance *).",
        "",
        "| scenario | " + " | ".join(_label(k) for k in kpis) + " |",
        "|---|" + "---|" * len(kpis),
    ]
    concl = []
    for sc, g in cmp.groupby("scenario", sort=False):
        g = g.set_index("kpi")
        cells = []
        for k in kpis:
            r = g.loc[k]
            star = "*" if bool(r.get("significant", False)) else ""
            cells.append(f"{_fmt(r.difference, k)}{star} ({_fmt(r.ci_low, k)} … {_fmt(r.ci_high, k)})")
        lines.append(f"| {sc} | " + " | ".join(cells) + " |")
        if "on_time_rate" in g.index:
            r = g.loc["on_time_rate"]
            word = "raises" if r.ci_low > 0 else "lowers" if r.ci_high < 0 else "does not clearly change"
            concl.append(
                f"{sc} {word} the on-time rate ({_fmt(r.difference, 'on_time_rate')}, 95 % CI "
                f"{_fmt(r.ci_low, 'on_time_rate')} … {_fmt(r.ci_high, 'on_time_rate')}; {title.lower()})."
            )
    return lines + [""], concl


def sensitivity_section(folder: Path, title: str) -> list[str]:
    path = folder / "rankings.csv"
    if not path.is_file():
        return [f"### {title}", "", f"*Not run yet* (`{folder}` has no rankings.csv).", ""]
    rank = pd.read_csv(path)
    lines = [
        f"### {title}",
        "",
        "Levers by importance per regime and output (influential ones in bold).",
        "",
        "| regime | output | levers, most important first |",
        "|---|---|---|",
    ]
    for (sc, out), g in rank.groupby(["scenario", "output"], sort=False):
        g = g.sort_values("rank")
        lines.append(
            f"| {sc} | {out} | "
            + ", ".join(f"**{p}**" if inf else p for p, inf in zip(g.parameter, g.influential))
            + " |"
        )
    reg = folder / "regimes.csv"
    if reg.is_file():
        d = pd.read_csv(reg).astype(object).fillna("")
        if len(d):
            lines += [
                "",
                "Where the rankings differ between regimes (Kendall's τ of the importances; levers "
                "whose importance differs beyond the combined 95 % half-widths):",
                "",
            ]
            for r in d.itertuples():
                lines.append(
                    f"- {r.output}, {r.a} vs {r.b}: τ = {r.kendall_tau:.2f}; "
                    + (f"changed: {r.changed}" if r.changed else "no lever changes beyond the intervals")
                    + (f"; suggestive: {r.suggestive}" if r.suggestive else "")
                )
    man = folder / "manifest.json"
    if man.is_file():
        m = json.loads(man.read_text())
        secs = m.get("elapsed_seconds") or sum(i.get("elapsed_seconds", 0) for i in m.get("invocations", []))
        if secs:
            lines += ["", f"Run time: {secs / 60:.0f} minutes."]
    return lines + [""]


def render(results: Path, previous: str = "") -> str:
    cmds = {k: v.format(r=results) for k, v in COMMANDS.items()}
    ev, concl = [], []
    for equal, title in ((False, "Default comparison (raw staffing)"), (True, "At equal staff")):
        lines, c = compare_section(Path(cmds["compare"].split("--out ")[1]), title, equal)
        ev += lines
        concl += c
    ev += sensitivity_section(results / "morris", "Morris screening of all levers")
    ev += sensitivity_section(results / "sobol", "Sobol' indices of the key levers: baseline vs full reform")
    discover = ""
    if DISCOVER_BEGIN in previous and DISCOVER_END in previous:
        discover = previous[previous.index(DISCOVER_BEGIN) : previous.index(DISCOVER_END) + len(DISCOVER_END)]
    else:
        discover = f"{DISCOVER_BEGIN}\n*Written by `townsim discover` (issue 15); not generated here.*\n{DISCOVER_END}"
    head = [
        "# What the model says about township reform",
        "",
        "Generated by these commands (each resumes if stopped; run the long ones on an otherwise idle "
        "machine), then `python3 -m townsim.experiments.workflows.findings --write`:",
        "",
        "```bash",
        *cmds.values(),
        "python3 -m townsim.experiments.workflows.findings --write",
        "```",
        "",
        "## Conclusion",
        "",
    ]
    if concl:
        head += [f"- {c}" for c in concl]
    else:
        head += ["*No conclusion yet: none of the comparisons above has been run on the current model.*"]
    tail = [
        "",
        "## Caveats",
        "",
        "- Validation: only the held-out published patterns in `docs/validation.md` are evidence that the "
        "model describes real counties; everything else here is what the model implies.",
        "- Parameter uncertainty enters only where a posterior is used (`--posterior`); other intervals are "
        "seed noise of one parameter set.",
        "- Reduced horizons and counties are used only where `docs/calibration.md` shows they match the full ones.",
        "",
        "## Scenario discovery",
        "",
        discover,
        "",
    ]
    return "\n".join(head + ["", "## Evidence", ""] + ev + tail)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m townsim.experiments.workflows.findings")
    ap.add_argument("--results", type=Path, default=Path("results/findings"))
    ap.add_argument("--write", action="store_true", help=f"write {DOCS} (default: print)")
    args = ap.parse_args(argv)
    prev = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else ""
    text = render(args.results, prev)
    if args.write:
        from townsim.experiments.core.atomic import write_text

        write_text(DOCS, text)
        print(f"wrote {DOCS}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
