"""``report.md`` / ``report.html`` of a sensitivity analysis: levers ranked per output and scenario, regime
differences, seed noise, sample-size advice and the figures — readable without Python.

The text is in the templates ``sensitivity.<lang>.md.j2`` of :mod:`townsim.experiments.render`; this module
gathers what they show from the result tables.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from townsim.experiments.render import fmt, templates
from townsim.model.metrics import kpi

from .analysis import INFLUENTIAL_MU_REL, INFLUENTIAL_ST, NOISE_TARGET, importance_index
from .spec import SensitivitySpec

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Result

MAX_RANKED = 10
"""Levers listed per output in the ranking tables (the full list is in rankings.csv)."""


def render(spec: SensitivitySpec, result: Result, lang: str = "en") -> str:
    """The whole report as Markdown in ``lang`` (``en`` or ``zh``)."""
    key = importance_index(spec.method)
    scen = list(spec.run_scenarios)
    st = result.stats
    ctx: dict[str, Any] = {
        "spec": spec,
        "scenarios": [_label(s) for s in scen],
        "scenario_codes": [f"`{s}`" for s in scen],
        "key": key,
        "max_ranked": MAX_RANKED,
        "overrides": [f"`{k} = {v}`" for k, v in spec.overrides.items()],
        "design": {
            "points": spec.n_points(),
            "runs": spec.n_runs(),
            "total": st.total,
            "reused": st.already_done,
            "ran": st.ran,
            "seconds": fmt.number(st.seconds, 0),
        },
        "mu_rel": fmt.share(INFLUENTIAL_MU_REL),
        "st_min": INFLUENTIAL_ST,
        "noise_target": fmt.share(NOISE_TARGET),
        "parameters": [[f"`{p.name}`", _minus(p.describe())] for p in spec.parameters],
        "outputs": [_output(spec, result, out, scen, lang) for out in spec.outputs],
        "regimes": _regimes(result) if len(scen) >= 2 else None,
        "noise": [
            [
                _label(x["scenario"]),
                f"`{x['output']}`",
                str(x["replications"]),
                fmt.share(x["share_single"]),
                fmt.share(x["share_mean"]),
                x["advice"] or "ok",
            ]
            for _, x in result.noise.iterrows()
        ],
        "size": [
            [
                _label(x["scenario"]),
                f"`{x['output']}`",
                fmt.number(x["widest_conf"], 3),
                fmt.number(x["last_doubling_change"], 3),
                x["advice"] or "ok",
            ]
            for _, x in result.size_advice.iterrows()
        ],
        "figures": [p.relative_to(result.out_dir).as_posix() for p in result.figures],
    }
    return templates.render(f"sensitivity.{lang}.md.j2", **ctx)


def _minus(text: str) -> str:
    """Negative numbers in ``text`` with the one minus sign."""
    return re.sub(r"(?<![\w.])-(?=\d)", fmt.MINUS, text)


def _label(s: str) -> str:
    return s or "plug-in"


def _output(spec: SensitivitySpec, result: Result, out: str, scen: list[str], lang: str) -> dict[str, Any]:
    """One output's ranking table (a column per scenario), what was not analysed, interaction notes."""
    rank = result.rankings
    r = rank[rank["output"] == out] if not rank.empty else rank
    item: dict[str, Any] = {
        "name": out,
        "label": kpi(out).text(lang),
        "cols": [],
        "rows": [],
        "notes": [],
        "skipped": [f"{_label(s)}: {result.skipped[(s, out)]}" for s in scen if (s, out) in result.skipped],
    }
    if r.empty:
        return item
    per = {s: g for s in scen if not (g := r[r["scenario"] == s].sort_values("rank")).empty}
    item["cols"] = [_label(s) for s in per]
    for i in range(min(MAX_RANKED, max(len(g) for g in per.values()))):
        row = [str(i + 1)]
        for g in per.values():
            x = g.iloc[i] if i < len(g) else None
            cell = "" if x is None else f"{x['parameter']} ({fmt.estimate(x['value'], x['conf'])})"
            row.append(f"**{cell}**" if x is not None and x["influential"] else cell)
        item["rows"].append(row)
    if spec.method in ("sobol", "fast"):
        item["notes"] = _interactions(result, out, per)
    return item


def _interactions(result: Result, out: str, per: dict) -> list[dict[str, str]]:
    """Scenarios where more than 20 % of the variance comes from interactions (1 − ΣS1), and via which levers."""
    inter = result.indices[result.indices["output"] == out]
    notes = []
    for s in per:
        w = inter[inter["scenario"] == s].pivot(index="parameter", columns="index", values="value")
        gap = (w["ST"] - w["S1"]).clip(lower=0)
        share = float(1 - w["S1"].clip(lower=0).sum())
        if share > 0.2:
            notes.append(
                {
                    "scenario": _label(s),
                    "share": fmt.share(share),
                    "via": ", ".join(gap.sort_values(ascending=False).index[:2]),
                }
            )
    return notes


def _regimes(result: Result) -> dict[str, Any]:
    """Rows of the regime table and the outputs whose rankings differ, may differ or agree."""
    d = result.differences
    if d.empty:
        return {"rows": [], "real": [], "maybe": [], "same": []}
    rows = [
        [
            f"`{x['output']}`",
            f"{x['a']} vs {x['b']}",
            fmt.number(x["kendall_tau"], 2),
            x["top_a"],
            x["top_b"],
            x["changed"] or fmt.MISSING,
            x["suggestive"] or fmt.MISSING,
        ]
        for _, x in d.iterrows()
    ]

    def outs(mask) -> list[str]:
        return [f"`{o}`" for o in d[mask]["output"].unique()]

    return {
        "rows": rows,
        "real": outs(d["changed"] != ""),
        "maybe": outs((d["changed"] == "") & (d["suggestive"] != "")),
        "same": outs((d["changed"] == "") & (d["suggestive"] == "")),
    }
