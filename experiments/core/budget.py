"""The work of an experiment before it starts: runs × days (warm-up included), checked against two bounds.

- :data:`WORK_BOUND` — beyond it a command asks for ``--yes`` (a typo in N or in ``--reps`` is
  more likely than a wish for hours of simulation);
- :data:`HARD_BOUND` — beyond it nothing runs, ``--yes`` or not: the design alone would not fit
  in memory, and the runs would take years on any cluster.
"""

from __future__ import annotations

from townsim.experiments.errors import UserError

WORK_BOUND = 2_000_000
"""Run-days (runs × simulated days) a command runs without ``--yes``: about four CPU-hours of the
shipped county at ≈ 0.007 CPU-seconds per simulated day (the shipped Sobol' spec is 1.2 million)."""

HARD_BOUND = 1_000_000_000
"""Run-days no command runs, ``--yes`` or not (≈ 80 CPU-days; plan such work as several experiments)."""

MAX_RUNS = 10_000_000
"""Runs no command plans, ``--yes`` or not (their specs alone would not fit in memory)."""


def check_work(what: str, runs: int, days: int, yes: bool = False) -> int:
    """Return the run-days of ``runs`` runs of ``days`` simulated days each; :class:`UserError` (one line)
    beyond :data:`HARD_BOUND` or :data:`MAX_RUNS`, or beyond :data:`WORK_BOUND` without ``yes``."""
    runs, days = int(runs), max(int(days), 1)
    work = runs * days
    size = f"{what}: {runs:,} runs × {days:,} days = {work:,} run-days"
    if work > HARD_BOUND or runs > MAX_RUNS:
        raise UserError(
            f"{size}; allowed: at most {HARD_BOUND:,} run-days and {MAX_RUNS:,} runs (plan it as several experiments)"
        )
    if work > WORK_BOUND and not yes:
        raise UserError(
            f"{size}, more than {WORK_BOUND:,} (≈ {work / WORK_BOUND * 4:,.0f} CPU-hours); give --yes to run it"
        )
    return work


def add_yes_argument(parser) -> None:
    """``--yes``: run an experiment beyond :data:`WORK_BOUND` run-days."""
    parser.add_argument(
        "--yes",
        action="store_true",
        help=f"run an experiment of more than {WORK_BOUND:,} run-days (runs × simulated days) without asking",
    )


def days_per_run(spec) -> int:
    """Simulated days of one run of an experiment spec: its days plus the longest warm-up of its
    scenarios (1 for an ``evaluate`` plug-in, one call per run)."""
    if getattr(spec, "plugin", False):
        return 1
    warm = max((int(getattr(p, "warmup_days", 0)) for p in spec.base_params.values()), default=0)
    return int(spec.days) + warm


def check_specs(what: str, specs, yes: bool = False) -> int:
    """:func:`check_work` of a list of run specs (each with ``days`` and ``params.warmup_days``)."""
    days = max((s.days + int(getattr(s.params, "warmup_days", 0)) for s in specs), default=1)
    return check_work(what, len(specs), days, yes)
