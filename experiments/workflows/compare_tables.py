"""The comparison's per-run table, its non-stationary scenarios and its manifest body (``compare``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.execute import RunSpec
from townsim.experiments.core.store import ResultStore

if TYPE_CHECKING:
    from .compare import CompareSettings, ScenarioRun


def non_stationary(runs: pd.DataFrame, order: Sequence[str], titles: dict[str, str]) -> list[dict[str, Any]]:
    """Scenarios with saturated handlers (offered load ≥ 1 over the counted days, KPI
    ``saturated_handlers``) in any run: their queues grow without bound, so their means depend on the
    horizon and are no steady-state effect. One entry each: name, title, runs affected, mean count."""
    if not len(runs) or "saturated_handlers" not in runs.columns:
        return []
    out = []
    for name in order:
        x = runs.loc[runs["scenario"] == name, "saturated_handlers"].astype(float)
        hit = int((x > 0).sum())
        if hit:
            out.append(
                {
                    "name": name,
                    "title": titles.get(name, name),
                    "runs": hit,
                    "of": int(x.notna().sum()),
                    "handlers": f"{x.mean():.1f}".rstrip("0").rstrip("."),
                }
            )
    return out


def runs_table(store: ResultStore, keys: Sequence, order: Sequence[str]) -> pd.DataFrame:
    """One row per finished run of ``keys``: scenario (in ``order``), replication, seed, param_hash, KPIs."""
    rows = store.rows(list(keys))
    if not rows:
        return pd.DataFrame(columns=["scenario", "replication", "seed", "param_hash"])
    df = pd.DataFrame(rows)
    front = ["scenario", "replication", "seed", "param_hash"]
    df = df[front + [c for c in df.columns if c not in front]]
    rank = {n: i for i, n in enumerate(order)}
    df = df.sort_values(
        ["scenario", "replication"], key=lambda c: c.map(rank) if c.name == "scenario" else c, kind="stable"
    ).reset_index(drop=True)
    return df


# --- manifest and file helpers -------------------------------------------------------------------
def manifest_body(
    settings: CompareSettings,
    scenarios: Sequence[ScenarioRun],
    specs: Sequence[RunSpec],
    out: Path,
    argv: list[str] | None,
) -> dict[str, Any]:
    seeds: dict[str, list[int]] = {}
    hashes: dict[str, str] = {}
    for s in specs:
        seeds.setdefault(s.scenario, []).append(s.seed)
        hashes[s.scenario] = s.key.param_hash
    return {
        "townsim_command": "compare",
        "command_line": runio.command_line(argv),
        "reproduce": settings.reproduce_command(out),
        "working_dir": os.getcwd(),
        "baseline": settings.baseline,
        "reps": settings.reps,
        "days": settings.days,
        "base_seed": settings.seed,
        "common_random_numbers": not settings.independent_seeds,
        "posterior": settings.posterior,
        "posterior_forced": settings.force,
        "overrides": list(settings.overrides),
        "equal_staff": settings.equal_staff,
        "scenarios": [
            {
                "name": s.name,
                "file": s.path,
                "description": s.description,
                "param_hash": hashes[s.name],
                "params": s.params.model_dump(mode="json"),
            }
            for s in scenarios
        ],
        "seeds": seeds,
        "model_fingerprint": specs[0].code if specs else None,
        "versions": runio.versions(),
        "git_commit": runio.git_commit(),
    }


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic.write_parquet(path, df)


def write_csv(path: Path, df: pd.DataFrame) -> None:
    atomic.write_csv(path, df)
