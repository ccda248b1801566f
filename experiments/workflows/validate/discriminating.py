"""The discriminating power of each validation check, for ``townsim validate --power-worlds N``.

Per validation check: what it expects, what it measured (median and 90 % interval over the
posterior draws when the check runs at a posterior, else over the prior worlds), pass/fail at
its own set-up, and its power — the share of N prior worlds (``experiments/core/power.py``) that
fail it. A check no world fails is *uninformative* and not counted as evidence. Written as
``power.csv`` and a section appended to ``validation.md``; printed by the command.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core.power import Power, check_power
from townsim.experiments.render import fmt

from . import f11_power  # noqa: F401 - registers the F11 checks' world-aware forms
from .suite import Outcome

DEFAULT_POWER_WORLDS = 8
"""Prior worlds per check by default (a quick estimate: ± about 0.17 on a power of 0.5)."""


def _interval(x: Sequence[float]) -> tuple[float, float, float]:
    v = np.asarray([a for a in x if math.isfinite(a)], float)
    if not len(v):
        return math.nan, math.nan, math.nan
    lo, hi = np.quantile(v, [0.05, 0.95])
    return float(np.median(v)), float(lo), float(hi)


def power_rows(
    outcomes: Sequence[Outcome], n_worlds: int, seed: int, powers: Mapping[str, Power | None] | None = None
) -> pd.DataFrame:
    """One row per validation check; runs each world-aware check in ``n_worlds`` prior worlds
    (its quick replications in each world), or takes its power from ``powers`` (name → power, as the
    resumable jobs stored it)."""
    out = []
    for o in outcomes:
        if o.check.part != "validation":
            continue
        res = o.result
        if powers is not None:
            p = powers.get(o.check.name)
        else:
            p = check_power(o.check.name, n_worlds, seed, o.check.quick_reps) if n_worlds > 0 else None
        details = res.details if res is not None else {}
        if details.get("values"):  # measured at posterior draws
            over, (med, lo, hi) = "posterior", _interval(details["values"])
        elif p is not None:
            over, (med, lo, hi) = "prior worlds", p.interval()
        else:
            over, med, lo, hi = "this run", (res.measured if res else math.nan), math.nan, math.nan
        out.append(
            {
                "check": o.check.name,
                "source": o.check.source,
                "expected": res.expected if res is not None else "",
                "measured_median": med,
                "measured_p05": lo,
                "measured_p95": hi,
                "measured_over": over,
                "passed": o.passed,
                "worlds": p.worlds if p else 0,
                "worlds_failed": p.failed if p else 0,
                "worlds_unmeasurable": p.unmeasurable if p else 0,
                "power": p.power if p else math.nan,
                "verdict": p.verdict() if p else "no prior worlds (runs at a posterior or not world-aware)",
            }
        )
    return pd.DataFrame(out)


def _spread(r: Mapping) -> str:
    """The measured median and its 5–95 % range across the worlds: ``0.812 [0.771, 0.845]``."""
    lo, hi = fmt.significant(r["measured_p05"]), fmt.significant(r["measured_p95"])
    return f"{fmt.significant(r['measured_median'])} [{lo}, {hi}]"


def lines(table: pd.DataFrame) -> list[str]:
    """The printed table: check, expected, measured (median [5–95 %]), pass/fail, power."""
    out = []
    for r in table.to_dict("records"):
        meas = _spread(r)
        meas += f" ({r['measured_over']})"
        pw = (
            f"{fmt.significant(r['power'])} ({r['worlds_failed']}/{r['worlds'] - r['worlds_unmeasurable']} worlds fail)"
        )
        out.append(
            f"  {r['check']}: expected {r['expected']}; measured {meas}; "
            f"{'pass' if r['passed'] else 'FAIL'}; power {pw}; {r['verdict']}"
        )
    return out


def markdown(table: pd.DataFrame, n_worlds: int, lang: str = "en") -> str:
    """The section appended to ``validation.md``, in ``lang`` (the template ``validate_power.<lang>.md.j2``)."""
    from townsim.experiments.render.reportkit import render_report  # deferred: it pulls in matplotlib (heavy)

    rows = [
        {
            "check": r["check"],
            "source": r["source"],
            "spread": _spread(r),
            "over": r["measured_over"],
            "passed": r["passed"],
            "power": fmt.significant(r["power"]),
            "verdict": r["verdict"],
        }
        for r in table.to_dict("records")
    ]
    return "\n" + render_report("validate_power", lang, n_worlds=n_worlds, rows=rows)  # a blank line before


def write(table: pd.DataFrame, n_worlds: int, folders: Sequence[Path]) -> None:
    """``power.csv`` in the report folder and the section appended to each ``validation.md`` given."""
    if table.empty:
        return
    for i, folder in enumerate(folders):
        if i == 0:
            atomic.write_csv(folder / "power.csv", table)
        md = folder / "validation.md"
        if md.is_file():
            atomic.write_text(md, md.read_text(encoding="utf-8") + markdown(table, n_worlds))
