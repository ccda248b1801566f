"""The check record and registry shared by the test suite and ``townsim validate``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..core.county import SMALL_COUNTY as SMALL_COUNTY  # its home is core; this path stays for users' code


@dataclass(frozen=True)
class CheckResult:
    """What one check measured.

    ``measured`` is the statistic the criterion is stated on (e.g. a paired difference of
    on-time rates), with its 95 % confidence interval ``ci``; ``passed`` applies the check's
    criterion; ``powered`` says the interval is narrow enough that the check could have failed
    (its half-width is below the margin the criterion allows).
    """

    name: str
    expected: str
    measured: float
    ci: tuple[float, float]
    passed: bool
    powered: bool
    replications: int
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A registered check: ``part`` is "verification" (the model does what it was built to do)
    or "validation" (a published pattern it was not built or tuned to produce); ``source`` cites
    the method or the fact (F#/G#/P#)."""

    name: str
    part: str
    claim: str
    source: str
    quick_reps: int
    full_reps: int
    fn: Callable[[int, int], CheckResult]

    def run(self, quick: bool = False, seed: int = 20261129) -> CheckResult:
        """Run with the quick or the full number of replications (same pass criterion)."""
        return self.fn(self.quick_reps if quick else self.full_reps, seed)


CHECKS: dict[str, Check] = {}


def check(name: str, *, part: str, claim: str, source: str, quick_reps: int, full_reps: int):
    """Register ``fn(reps, seed) -> CheckResult`` as the check ``name``."""
    if part not in ("verification", "validation"):
        raise ValueError(f"check {name}: part must be 'verification' or 'validation', not {part!r}")

    def deco(fn):
        if name in CHECKS:
            raise ValueError(f"check {name} registered twice")
        CHECKS[name] = Check(name, part, claim, source, quick_reps, full_reps, fn)
        return fn

    return deco


def paired_difference(a, b, level: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Mean of ``a - b`` over paired replications and its t confidence interval."""
    d = np.asarray(a, float) - np.asarray(b, float)
    d = d[~np.isnan(d)]
    if len(d) < 2:
        return float(np.mean(d)) if len(d) else float("nan"), (float("nan"), float("nan"))
    res = stats.ttest_1samp(d, 0.0)
    ci = res.confidence_interval(confidence_level=level)
    return float(d.mean()), (float(ci.low), float(ci.high))
