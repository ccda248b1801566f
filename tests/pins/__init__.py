"""Regression pins as data: the exact results of a few fixed (Params, seed, days) runs, one JSON file per case.

Each ``tests/pins/<case>.json`` holds the case (parameters, seed, days), its provenance — the commit
of a clean tree it was made from and the versions of Python and numpy — the run's summary and its
daily KPI table (the contract's columns, every value). :func:`compare` accepts a difference of at
most ``REL_TOL`` relative (and ``ABS_TOL`` absolute near zero): the results must be the same up to
floating-point rounding (a numpy upgrade may reorder a sum), and any change of a count or of the
model's behaviour fails. The files are values the model produced, not expected values from theory.

Regenerate them ONLY after a deliberate change of the model's behaviour, from a committed tree
(never to make an optimisation pass)::

    python3 -m tests.pins            # from the repository root; rewrites tests/pins/*.json

and commit the new files with the model change, saying so.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

from townsim.experiments.core.probe import CASES as PROBE_CASES
from townsim.experiments.core.probe import DAILY as PROBE_DAILY

DIR = Path(__file__).resolve().parent
REL_TOL = 1e-9
ABS_TOL = 1e-12

# Small counties that between them reach every mechanism: demand, intake, serial and joint
# handling, delegation (learning, rework, staff transfer), the 135 rule with all escalation
# levels and the joint conference, dumping and responsibility lists, two-way assessment,
# inspections, grid disputes and petitions, enterprise life cycle, one agent per resident.
CASES: dict[str, tuple[dict, int, int]] = {k: PROBE_CASES[k] for k in ("default", "reform", "stressed")}

DAILY = PROBE_DAILY


def run_case(name: str):
    """(summary dict, daily KPI DataFrame) of one pinned case."""
    from townsim.model import Params, TownshipModel

    values, seed, days = CASES[name]
    m = TownshipModel(Params(**values), rng=seed)
    m.run(days)
    return dict(m.summary()), m.timeseries()


def _plain(v: Any) -> Any:
    v = v.item() if hasattr(v, "item") else v
    return None if isinstance(v, float) and math.isnan(v) else v


def record(name: str, commit: str) -> dict[str, Any]:
    """The pin of ``name`` as JSON-ready data."""
    import platform

    import numpy as np

    summary, daily = run_case(name)
    values, seed, days = CASES[name]
    return {
        "case": name,
        "params": values,
        "seed": seed,
        "days": days,
        "provenance": {"commit": commit, "python": platform.python_version(), "numpy": np.__version__},
        "tolerance": {"relative": REL_TOL, "absolute": ABS_TOL},
        "summary": {k: _plain(v) for k, v in summary.items()},
        "daily": {c: [_plain(v) for v in daily[c].to_numpy()] for c in DAILY},
    }


def load(name: str) -> dict[str, Any]:
    return json.loads((DIR / f"{name}.json").read_text(encoding="utf-8"))


def close(a: Any, b: Any) -> bool:
    """Equal within the tolerance (None = NaN equals None)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)


def compare(pin: dict[str, Any], summary: dict[str, Any], daily) -> list[str]:
    """What differs between a pin and a fresh run (empty when they agree within the tolerance)."""
    diffs = [
        f"summary.{k}: pinned {v!r}, now {_plain(summary.get(k))!r}"
        for k, v in pin["summary"].items()
        if k not in summary or not close(v, _plain(summary[k]))
    ]
    for col, values in pin["daily"].items():
        now = [_plain(v) for v in daily[col].to_numpy()] if col in daily else None
        if now is None or len(now) != len(values):
            diffs.append(f"daily.{col}: pinned {len(values)} days, now {None if now is None else len(now)}")
            continue
        bad = [d for d, (a, b) in enumerate(zip(values, now)) if not close(a, b)]
        if bad:
            d = bad[0]
            diffs.append(f"daily.{col}: {len(bad)} day(s) differ, first row {d}: pinned {values[d]!r}, now {now[d]!r}")
    return diffs


def clean_commit(root: Path) -> str:
    """The commit of ``root``; refuse when model/ or tests/pins has uncommitted changes (no provenance then)."""
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        raise SystemExit("pins: not a git checkout; pins are made from a commit")
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", "model", "scenarios"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if dirty:
        raise SystemExit(
            "pins: model/ or scenarios/ has uncommitted changes; commit them first, so that the "
            "pins name the commit that made them"
        )
    return head.stdout.strip()


def write_all(root: Path) -> list[Path]:
    commit = clean_commit(root)
    paths = []
    for name in CASES:
        path = DIR / f"{name}.json"
        path.write_text(json.dumps(record(name, commit), indent=1, allow_nan=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
