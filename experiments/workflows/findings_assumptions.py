"""The findings page's screening of assumptions and levers together (``townsim sensitivity morris_assumptions``):
which of what the model *assumes* decide its outputs, beside what a planner chooses.

Read from the folder's ``rankings.csv`` (μ* per factor, output and regime): each factor is an assumption when
``model/params`` declares it one (``core.assumptions``), else a lever. The evidence lists the most important
factors per output with their kind; the conclusion names, per headline output, the influential assumptions
first (the issue's "the assumptions that decide most named first")."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from townsim.experiments.core.assumptions import assumptions
from townsim.model.metrics import kpi, kpis

from .findings_sensitivity import _figures, run_time

TITLE = "Morris screening of assumptions and levers together"
SHOWN = 8
"""Factors listed per output in the evidence's table (the full ranking is in the folder's rankings.csv)."""


def _kinds(parameters) -> dict[str, str]:
    named = {a.name for a in assumptions()}
    return {p: ("assumption" if p in named else "lever") for p in parameters}


def assumption_section(folder: Path, command: str, figures: dict[Path, str]) -> tuple[list[str], list[str]]:
    """(evidence lines, conclusion lines) from ``folder``; a folder without rankings says how to run it. The
    folder's importance map and μ*–σ plots are added to ``figures`` (source → name under docs/figures)."""
    path = folder / "rankings.csv"
    if not path.is_file():
        return [f"### {TITLE}", "", f"*Not run yet*: `{command}`.", ""], []
    rank = pd.read_csv(path)
    kinds = _kinds(rank["parameter"].unique())
    n_a = sum(k == "assumption" for k in kinds.values())
    lines = [
        f"### {TITLE}",
        "",
        f"Morris elementary effects of {len(kinds)} factors sampled together — {n_a} assumptions, each over its "
        f"declared plausible range (`townsim scenarios show baseline --assumptions`), and {len(kinds) - n_a} "
        "reform levers — on the status-quo county, one working year. Factors by importance (μ*, the mean "
        "absolute elementary effect, in the output's unit); influential ones (μ* ≥ 10 % of the output's "
        "largest) in bold; *A* an assumption, *L* a lever.",
        "",
        "| regime | output | factors, most important first | influential: assumptions / levers |",
        "|---|---|---|---|",
    ]
    concl = []
    for (sc, out), g in rank.groupby(["scenario", "output"], sort=False):
        g = g.sort_values("rank")
        top = [
            (f"**{p}**" if inf else p) + (" *A*" if kinds[p] == "assumption" else " *L*")
            for p, inf in zip(g.parameter[:SHOWN], g.influential[:SHOWN])
        ]
        infl = [p for p, i in zip(g.parameter, g.influential) if i]
        inf_a = [p for p in infl if kinds[p] == "assumption"]
        lines.append(f"| {sc} | {out} | {', '.join(top)} | {len(inf_a)} / {len(infl) - len(inf_a)} |")
        if out in kpis("drivers") and infl:
            levers = [p for p in infl if kinds[p] == "lever"]
            concl.append(
                f"{kpi(out).text('en')} in `{sc}`: "
                + (f"assumptions {', '.join(inf_a[:4])}" if inf_a else "no assumption")
                + (f"; levers {', '.join(levers[:3])}" if levers else "")
                + f" ({len(inf_a)} of its {len(infl)} influential factors are assumptions)"
            )
    infl = rank[rank["influential"]]
    if "conf" in rank and len(infl):
        half = (infl["conf"] / infl["value"]).median()
        lines += [
            "",
            f"How precise: the influential factors' μ* carry 95 % half-widths of typically {100 * half:.0f} % of "
            "their value (the folder's `rankings.csv`, column `conf`): the screening tells the factors that "
            "matter from the many that hardly do, not the order among the top ones (more trajectories, the "
            "spec's `N`, would).",
        ]
    lines += _figures(folder / "figures", "morris_assumptions", TITLE, figures)
    rt = run_time(folder)
    if rt:
        lines += ["", rt]
    return lines + [""], concl
