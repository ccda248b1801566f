"""The run-in of a county: its ``warmup_days``, fixed from pilot seeds by MSER-5 (White 1997).

Pilot runs of the county's status quo (the scenario's ``pre_reform`` levers: the root of its
``extends`` chain) start from empty queues (``warmup_days = 0``). For each
pilot seed and each fast KPI (the registry's ``warmup`` view: open cases, on-time and resolution rates, the
utilisation of departments and townships) the daily series is cut into batches of 5 days and
MSER-5 picks the truncation ``d`` that minimises the marginal standard error of the rest,

    MSER(d) = Σ_{j>d} (Ȳ_j − Ȳ_{>d})² / (n − d)²      (Ȳ_j the batch means, d ≤ n/2),

in days ``5·d``. The county's run-in ``d*`` is the largest of the mean truncations over seeds of
each KPI. The slow stocks are settled in the last ``ROUNDS`` × ``MIN_ROUND_DAYS`` days of the
warm-up (``model/settle.py``), after the run-in, so the warm-up is

    warmup_days = max(d* + R·L, 2·R·L), rounded up to 5 days    (R = ROUNDS, L = MIN_ROUND_DAYS),

the same in every arm (the scenario's ``warmup_days``, inherited through ``extends``).

    python -m townsim.experiments.warmup baseline [--seeds 6] [--days 200]
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

from ..model import TownshipModel
from ..model.metrics import kpis as view_kpis
from ..model.settle import MIN_ROUND_DAYS, ROUNDS
from ..scenarios import load_scenario

FAST_KPIS = view_kpis("warmup")
"""Daily KPIs whose initial transient (empty queues) the run-in must clear (the registry's ``warmup`` view)."""
BATCH = 5


def mser(series, batch: int = BATCH) -> int:
    """MSER-``batch`` truncation of a daily series, in days (a multiple of ``batch``)."""
    y = np.asarray(series, float)
    y = y[~np.isnan(y)]
    k = len(y) // batch
    if k < 4:
        return 0
    means = y[: k * batch].reshape(k, batch).mean(axis=1)
    best, best_d = math.inf, 0
    for d in range(0, k // 2 + 1):
        rest = means[d:]
        stat = float(((rest - rest.mean()) ** 2).sum()) / (len(rest) ** 2)
        if stat < best:
            best, best_d = stat, d
    return best_d * batch


def run_in(params, seeds, days: int, kpis: tuple[str, ...] | None = None) -> dict[str, float]:
    """Mean MSER-5 truncation (days) of each fast KPI (``kpis``, default the ``warmup`` view) over pilot
    runs from empty queues."""
    kpis = view_kpis("warmup") if kpis is None else kpis
    p = params.replace(**params.pre_reform) if params.pre_reform else params  # the county's status quo
    p = p.replace(warmup_days=0, pre_reform={})
    cuts: dict[str, list[int]] = {k: [] for k in kpis}
    for s in seeds:
        ts = TownshipModel(p, rng=s).run(days).timeseries()
        for k in kpis:
            cuts[k].append(mser(ts[k].to_numpy()))
    return {k: float(np.mean(v)) for k, v in cuts.items()}


def recommended_warmup(cut_days: float) -> int:
    """Warm-up days for a run-in of ``cut_days``: run-in, then the settling rounds (see module text)."""
    span = ROUNDS * MIN_ROUND_DAYS
    w = max(cut_days + span, 2 * span)
    return int(math.ceil(w / BATCH) * BATCH)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m townsim.experiments.warmup", description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--days", type=int, default=200)
    ap.add_argument("--base-seed", type=int, default=1)
    a = ap.parse_args(argv)
    try:
        params = load_scenario(a.scenario).params
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cuts = run_in(params, range(a.base_seed, a.base_seed + a.seeds), a.days)
    for k, v in cuts.items():
        print(f"{k}: MSER-5 truncation {v:.1f} days (mean of {a.seeds} seeds)")
    d = max(cuts.values())
    print(f"run-in {d:.1f} days -> warmup_days = {recommended_warmup(d)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
