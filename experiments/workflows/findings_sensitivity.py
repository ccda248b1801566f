"""The findings page's sensitivity sections: lever rankings per regime and output, where the rankings of
two regimes differ, the figures cited and the recorded run time (from a ``townsim sensitivity`` folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from townsim.experiments.render import fmt
from townsim.model.metrics import kpi, kpis

FIGURES = "figures/findings"
"""Where the cited figures go, relative to ``docs/``."""
LABELS = {"morris": "Morris", "sobol": "Sobol'"}
"""How the conclusion's top-lever lines name each analysis (``- Morris, …``), by the folder's tag."""
SHIPPED = Path(__file__).resolve().parents[2] / "docs" / FIGURES
"""The figures the shipped page cites: read back when a sensitivity folder is kept without its ``figures/``
(git keeps a findings folder's manifest and CSVs only, ``results/README.md``)."""


def _figure(src: Path, name: str, figures: dict[Path, str], alt: str) -> list[str]:
    if not src.is_file():
        return []
    figures[src] = name
    return ["", f"![{alt}]({FIGURES}/{name})"]


def _figures(figs: Path, tag: str, title: str, figures: dict[Path, str]) -> list[str]:
    """The folder's importance map and index plots, to be copied as ``{tag}_<name>``; a folder kept without
    its figures (a fresh checkout) cites the copies the shipped page already holds."""
    if not figs.is_dir():
        shipped = [(f"{tag}_heatmap.png", "importance map")] if (SHIPPED / f"{tag}_heatmap.png").is_file() else []
        for png in sorted(SHIPPED.glob(f"{tag}_indices_*.png")) + sorted(SHIPPED.glob(f"{tag}_morris_*.png")):
            shipped.append((png.name, png.stem[len(tag) + 1 :]))
        return [x for name, alt in shipped for x in ("", f"![{title}: {alt}]({FIGURES}/{name})")]
    lines = _figure(figs / "heatmap_total_order.png", f"{tag}_heatmap.png", figures, f"{title}: importance map")
    for png in sorted(figs.glob("indices_*.png")) + sorted(figs.glob("morris_*.png")):
        lines += _figure(png, f"{tag}_{png.name}", figures, f"{title}: {png.stem}")
    return lines


def run_time(folder: Path) -> str:
    """The recorded run time of every invocation that simulated something (a resumed job lists each)."""
    man = folder / "manifest.json"
    if not man.is_file():
        return ""
    m = json.loads(man.read_text())
    parts = []
    invocations = m.get("invocations") or [  # a sensitivity manifest written before it kept invocations
        {
            "runs": {"ran": m.get("ran_now", 0)},
            "elapsed_seconds": m.get("run_seconds_now"),
            "executor": m.get("executor"),
        }
    ]
    for i in invocations:
        ran, secs = (i.get("runs") or {}).get("ran", 0), i.get("elapsed_seconds") or 0
        if ran and secs:
            w = (i.get("executor") or {}).get("workers")
            day = str(i.get("started", ""))[:10]
            parts.append(
                f"{fmt.number(secs / 60, 0)} minutes for {fmt.number(ran, 0)} simulations"
                + (f" on {w} worker processes" if w else "")
                + (f" ({day})" if day else "")
            )
    return ("Run time: " + "; ".join(parts) + ".") if parts else ""


def kept_section(previous: str, title: str, label: str) -> tuple[list[str], list[str]]:
    """The previous page's section under ``### {title}`` (to the next heading) and its top-lever sentences
    (the conclusion's ``- {label}, …`` lines); empty when the page has no such section or it was not run."""
    lines = previous.splitlines()
    head = f"### {title}"
    if head not in lines:
        return [], []
    i = lines.index(head)
    j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith("#")), len(lines))
    if any("*Not run yet*" in x for x in lines[i:j]):
        return [], []
    start = f"- {label}, "
    tops = [x[len(start) :].removesuffix(".") for x in lines if x.startswith(start)]
    return lines[i:j], tops


def sensitivity_section(
    folder: Path, title: str, figures: dict[Path, str], tag: str, kept: str = ""
) -> tuple[list[str], list[str]]:
    """Evidence (ranking table, regime differences, figures, run time) and top-lever sentences.

    ``kept``: the page as it stands, when it was made by a model that behaves as this one does (its stamp in
    ``docs/generated.json``): a folder absent here (not kept in git when it was made) keeps its section from it
    instead of reading *Not run yet*; its figures are the ones the page already cites."""
    path = folder / "rankings.csv"
    if not path.is_file():
        section, tops = kept_section(kept, title, LABELS[tag])
        if section:
            return section, tops
        return [f"### {title}", "", f"*Not run yet* (`{folder}` has no rankings.csv).", ""], []
    rank = pd.read_csv(path)
    index = "total-order index ST" if "sobol" in tag else "μ* (mean absolute elementary effect)"
    lines = [
        f"### {title}",
        "",
        f"Levers by importance ({index}) per regime and output; influential ones in bold.",
        "",
        "| regime | output | levers, most important first |",
        "|---|---|---|",
    ]
    tops = []
    for (sc, out), g in rank.groupby(["scenario", "output"], sort=False):
        g = g.sort_values("rank")
        lines.append(
            f"| {sc} | {out} | "
            + ", ".join(f"**{p}**" if inf else p for p, inf in zip(g.parameter, g.influential))
            + " |"
        )
        infl = [p for p, i in zip(g.parameter, g.influential) if i][:3]
        if out in kpis("drivers") and infl:
            tops.append(f"{kpi(out).text('en')} in `{sc}`: {', '.join(infl)}")
    reg = folder / "regimes.csv"
    if reg.is_file():
        d = pd.read_csv(reg).astype(object).fillna("")
        if len(d):
            lines += [
                "",
                "Where the rankings differ between regimes (Kendall's τ of the importances; *changed*: the "
                "importance differs beyond the combined 95 % half-widths; *suggestive*: within them):",
                "",
            ]
            for r in d.itertuples():
                lines.append(
                    f"- {r.output}, {r.a} vs {r.b}: τ = {fmt.number(r.kendall_tau, 2)}; "
                    + (f"changed: {r.changed}" if r.changed else "no lever changes beyond the intervals")
                    + (f"; suggestive: {r.suggestive}" if r.suggestive else "")
                )
    lines += _figures(folder / "figures", tag, title, figures)
    rt = run_time(folder)
    if rt:
        lines += ["", rt]
    return lines + [""], tops
