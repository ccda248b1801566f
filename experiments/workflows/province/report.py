"""A province run's tables (counties, runs, the province's totals and the spread across counties) and report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core.design import RunSpec
from townsim.experiments.core.execute import ExecutionReport
from townsim.experiments.render import fmt
from townsim.model.metrics import SUMMARY_KEYS, kpi, kpis

from .spec import County

RUN_FIELDS = ("cpu_s", "wall_s", "worker_peak_mib")


@dataclass
class ProvinceResult:
    out: Path
    execution: ExecutionReport
    runs: pd.DataFrame
    province: pd.DataFrame
    failures: list[dict[str, Any]]


def counties_frame(counties: list[County]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "county": c.name,
                "residents": c.residents,
                "townships": c.townships,
                "enterprises": c.params.enterprises,
                "department_staff": c.params.department_staff,
                "township_staff": c.params.township_staff,
                "residents_per_agent": c.params.residents_per_agent,
                "citizen_agents": c.agents,
                "memory_estimate_mib": round(c.memory_mib, 1),
            }
            for c in counties
        ]
    )


def province_table(runs: pd.DataFrame, counties: list[County]) -> pd.DataFrame:
    """Per KPI: the province's value (a total for counts, else the resident-weighted mean of the counties),
    averaged over replications, and the spread of the county values (their replication means)."""
    from townsim.experiments.render.report import size_driven  # deferred: it pulls in matplotlib (heavy)

    if not len(runs):
        return pd.DataFrame(columns=["kpi", "how", "province", "min", "p10", "median", "p90", "max", "counties"])
    residents = {c.name: c.residents for c in counties}
    per_county = runs.groupby("county").mean(numeric_only=True)
    w = per_county.index.map(residents).to_numpy(float)
    rows = []
    for k in (k for k in SUMMARY_KEYS if k in runs.columns):
        x = per_county[k].to_numpy(float)
        ok = np.isfinite(x)
        if not ok.any():
            continue
        total = size_driven(k)
        by_rep = runs.groupby("replication")[k]
        value = float(by_rep.sum().mean()) if total else float(np.average(x[ok], weights=w[ok]))
        q = np.percentile(x[ok], [0, 10, 50, 90, 100])
        rows.append(
            {
                "kpi": k,
                "how": "total" if total else "weighted mean",
                "province": value,
                "min": q[0],
                "p10": q[1],
                "median": q[2],
                "p90": q[3],
                "max": q[4],
                "counties": int(ok.sum()),
            }
        )
    return pd.DataFrame(rows)


def runs_table(store: Any, specs: list[RunSpec], counties: list[County]) -> pd.DataFrame:
    """One row per finished county run (``county`` for the run key's scenario), in the counties' order."""
    keys = [s.key for s in specs]
    runs = pd.DataFrame(store.rows([k for k in keys if store.has(k)]))
    if len(runs):
        runs.columns = ["county" if c == "scenario" else c for c in runs.columns]
        order = {c.name: i for i, c in enumerate(counties)}
        runs = runs.sort_values(["county", "replication"], key=lambda c: c.map(order) if c.name == "county" else c)
        runs = runs.reset_index(drop=True)
    return runs


HEADLINE = kpis("province")
"""The province report's headline rows as shipped (the registry's ``province`` view; the report queries it)."""


def report_context(spec, counties, runs, province, failures, execution) -> dict[str, Any]:
    def row(r):
        k = kpi(r["kpi"])
        return {
            "name": r["kpi"],
            "en": k.en,
            "zh": k.zh,
            "unit": k.unit,
            "how": r["how"],
            "province": fmt.value(r["kpi"], r["province"]),
            "min": fmt.value(r["kpi"], r["min"]),
            "p10": fmt.value(r["kpi"], r["p10"]),
            "median": fmt.value(r["kpi"], r["median"]),
            "p90": fmt.value(r["kpi"], r["p90"]),
            "max": fmt.value(r["kpi"], r["max"]),
        }

    table = [row(r) for _, r in province.iterrows()]
    headline = kpis("province")
    head = [t for t in table if t["name"] in headline]
    res = np.array([c.residents for c in counties], float)
    perf = {}
    if len(runs) and "cpu_s" in runs:
        perf = {
            "cpu_total": fmt.number(float(runs["cpu_s"].sum()), 0),
            "cpu_max": fmt.number(float(runs["cpu_s"].max()), 1),
            "cpu_max_county": str(runs.loc[runs["cpu_s"].idxmax(), "county"]),
            "peak_mib": fmt.number(float(runs["worker_peak_mib"].max()), 0),
        }
    syn = spec.synthetic
    return {
        "description": spec.description,
        "spec": str(spec.path),
        "scenario": spec.scenario,
        "days": spec.days,
        "replications": spec.replications,
        "n_counties": len(counties),
        "residents": fmt.number(float(res.sum()), 0),
        "townships": fmt.number(float(sum(c.townships for c in counties)), 0),
        "res_min": fmt.number(float(res.min()), 0) if len(res) else "",
        "res_median": fmt.number(float(np.median(res)), 0) if len(res) else "",
        "res_max": fmt.number(float(res.max()), 0) if len(res) else "",
        "residents_per_agent": sorted({c.params.residents_per_agent for c in counties}),
        "memory_per_worker_mib": fmt.number(spec.memory_per_worker_mib, 0),
        "memory_max_estimate": fmt.number(max((c.memory_mib for c in counties), default=0.0), 0),
        "synthetic": syn,
        "headline": head,
        "table": table,
        "finished": int(len(runs)),
        "total": len(counties) * spec.replications,
        "n_failures": len(failures),
        "failures": failures[:10],
        "perf": perf,
        "execution": execution.as_dict() if execution else None,
        "command": f"townsim province {spec.path}",
    }
