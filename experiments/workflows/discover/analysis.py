"""Discover's tables of PRIM results (``boxes.csv``, ``trajectory.csv``). PRIM itself is shared with
``robust`` and lives in :mod:`townsim.experiments.core.prim`; its names are re-exported here."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from townsim.experiments.core.prim import *  # noqa: F403
from townsim.experiments.core.prim import Discovery

BOX_COLUMNS = [
    "scenario",
    "box",
    "step",
    "lever",
    "kind",
    "lower",
    "upper",
    "values",
    "full_low",
    "full_high",
    "qp_lower",
    "qp_upper",
    "coverage",
    "density",
    "mass",
    "runs",
    "cases",
]


def boxes_table(discoveries: Sequence[Discovery]) -> pd.DataFrame:
    """``boxes.csv``: one row per restricted lever of every chosen box (a box without restrictions: one row)."""
    rows = []
    for d in discoveries:
        for b in d.boxes:
            common = {
                "scenario": d.scenario,
                "box": b.number,
                "step": b.step,
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
                "runs": b.runs,
                "cases": b.cases,
            }
            if not b.restrictions:
                rows.append({**common, "lever": "", "kind": ""})
            for r in b.restrictions:
                rows.append(
                    {
                        **common,
                        "lever": r.lever.name,
                        "kind": r.lever.kind,
                        "lower": r.lower,
                        "upper": r.upper,
                        "values": "|".join(r.values) if r.values else None,
                        "full_low": r.lever.low,
                        "full_high": r.lever.high,
                        "qp_lower": r.qp_lower,
                        "qp_upper": r.qp_upper,
                    }
                )
    return pd.DataFrame(rows, columns=BOX_COLUMNS)


def trajectory_table(discoveries: Sequence[Discovery]) -> pd.DataFrame:
    """``trajectory.csv``: every step of every box's peeling trajectory, the chosen one marked."""
    frames = []
    for d in discoveries:
        for b in d.boxes:
            t = b.trajectory.copy()
            t.insert(0, "box", b.number)
            t.insert(0, "scenario", d.scenario)
            t["chosen"] = t["step"] == b.step
            t["restricted"] = [" ".join(r.lever.name for r in s) for s in b.steps]
            frames.append(t)
    cols = ["scenario", "box", "step", "coverage", "density", "mass", "res_dim", "n", "k", "chosen", "restricted"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
