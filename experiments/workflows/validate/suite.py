"""Run the registered checks (verification and validation) and collect their results."""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

from townsim.experiments.checks import CHECKS, Check, CheckResult
from townsim.experiments.core.executors import Failure, SerialExecutor

CHECK_MODULES = (
    "townsim.experiments.checks.queueing",
    "townsim.experiments.checks.mechanisms",
    "townsim.experiments.checks.incentives",
    "townsim.experiments.checks.outcomes",
    "townsim.experiments.checks.capacity",
    "townsim.experiments.checks.patterns",  # P7–P9: published outcome patterns of other places
    "townsim.experiments.workflows.validate.patterns",  # runs the calibrate workflow's posterior
    "townsim.experiments.workflows.validate.generic",  # P8, P9 held out at the generic county's posterior
)
"""Modules that register checks (a module not written yet is skipped)."""
PARTS = ("verification", "validation")
DEFAULT_SEED = 20261129


def load_checks() -> dict[str, Check]:
    """Import every check module and return the registry (name → Check) in ``CHECK_MODULES`` order.

    The order is fixed by the modules, not by which of them a long-lived process happened to import
    first (a test that imported ``generic`` early reordered the report's lists otherwise).
    """
    for full in CHECK_MODULES:
        try:
            importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name != full:
                raise
    rank = {m: i for i, m in enumerate(CHECK_MODULES)}
    order = sorted(CHECKS.values(), key=lambda c: rank.get(getattr(c.fn, "__module__", ""), len(rank)))
    return {c.name: c for c in order}


@dataclass(frozen=True)
class Outcome:
    """One check's run: its result, or the one-line error that stopped it, and its wall time."""

    check: Check
    result: CheckResult | None
    error: str | None
    seconds: float
    quick: bool

    @property
    def passed(self) -> bool:
        return self.error is None and self.result is not None and bool(self.result.passed)


def select(names: Sequence[str] | None = None, part: str | None = None) -> list[Check]:
    """The checks to run, in registry order; ValueError (one line) for an unknown name."""
    checks = load_checks()
    if names:
        unknown = [n for n in names if n not in checks]
        if unknown:
            raise ValueError(f"unknown check '{unknown[0]}'; allowed: {', '.join(checks)}")
        chosen = [checks[n] for n in names]
    else:
        chosen = list(checks.values())
    if part:
        chosen = [c for c in chosen if c.part == part]
    return sorted(chosen, key=lambda c: PARTS.index(c.part))


def run_one(item: tuple[str, bool, int]) -> tuple[CheckResult | None, str | None, float]:
    """Run one check by name (in this or a worker process)."""
    name, quick, seed = item
    check = load_checks()[name]
    t0 = time.perf_counter()
    try:
        result = check.run(quick=quick, seed=seed)
    except Exception as exc:  # noqa: BLE001 - a crashing check is reported as failed, the suite goes on
        return None, f"{type(exc).__name__}: {' '.join(str(exc).split())}", time.perf_counter() - t0
    return result, None, time.perf_counter() - t0


def run_checks(
    checks: Sequence[Check], quick: bool, seed: int = DEFAULT_SEED, executor=None, progress=None
) -> list[Outcome]:
    """Run ``checks`` (serially, or on ``executor``: a process pool or Dask) and return their outcomes."""
    executor = executor or SerialExecutor()
    out: list[Outcome | None] = [None] * len(checks)
    # validation patterns share their runs (posterior draws): they run together in this process
    pooled = [i for i, c in enumerate(checks) if c.part != "validation"]
    here = [i for i, c in enumerate(checks) if c.part == "validation"]
    for ex, idx in ((executor, pooled), (SerialExecutor(), here)):
        for j, res in ex.map(run_one, [(checks[i].name, quick, seed) for i in idx]):
            i = idx[j]
            if isinstance(res, Failure):
                out[i] = Outcome(checks[i], None, res.error, 0.0, quick)
            else:
                result, error, secs = res
                out[i] = Outcome(checks[i], result, error, secs, quick)
            if progress is not None:
                progress.update(1)
    return [o for o in out if o is not None]
