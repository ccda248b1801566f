"""Discriminating power of a validation check: the share of prior worlds that fail it.

A validation check is evidence only if the model *could* have failed it. The prior worlds are
Latin-hypercube draws from the declared assumption ranges (:mod:`.assumptions`); a check that
can run in a world registers a world-aware function with :func:`in_worlds`
(``fn(world, reps, seed) -> CheckResult``, ``world`` a ``{assumption: value}`` dict that the check
applies to its parameters with :func:`world_params`). :func:`check_power` runs it in each world and
counts failures. A check no world fails is *uninformative* and not counted as evidence.

A world in which the check cannot be measured (its result has ``details["measurable"] = False``,
or it raises) is counted apart, neither as a pass nor as a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import qmc

from .assumptions import Assumption, apply_world, assumptions

WorldFn = Callable[[dict[str, float], int, int], Any]
"""``fn(world, reps, seed) -> CheckResult`` (``world`` empty = the defaults)."""

WORLD_CHECKS: dict[str, WorldFn] = {}
"""Checks that can run in a drawn world: check name → world-aware function."""


def in_worlds(name: str) -> Callable[[WorldFn], WorldFn]:
    """Register ``fn(world, reps, seed)`` as the world-aware form of the check ``name``."""

    def deco(fn: WorldFn) -> WorldFn:
        if name in WORLD_CHECKS:
            raise ValueError(f"check {name}: world-aware form registered twice")
        WORLD_CHECKS[name] = fn
        return fn

    return deco


def prior_worlds(n: int, seed: int, available: Sequence[Assumption] | None = None) -> list[dict[str, float]]:
    """``n`` worlds: a Latin hypercube on [0, 1]^d (seeded from ``SeedSequence(seed)``) mapped onto
    each assumption's plausible range (uniform or log-uniform)."""
    avail = list(assumptions() if available is None else available)
    if n <= 0 or not avail:
        return []
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    u = qmc.LatinHypercube(d=len(avail), seed=rng).random(n)
    return [{a.name: a.value(u[i, j]) for j, a in enumerate(avail)} for i in range(n)]


def world_params(params: Any, world: dict[str, float], available: Iterable[Assumption] | None = None) -> Any:
    """``params`` in ``world`` (a list-valued assumption's value is a factor on its list)."""
    if not world:
        return params
    avail = assumptions() if available is None else available
    return apply_world(params, world, [a.name for a in avail if a.factor])


@dataclass(frozen=True)
class Power:
    """A check run in ``worlds`` prior worlds: how many failed it, and what it measured in each.

    ``power`` is ``failed / measured_worlds`` (NaN when no world could be measured); the check is
    ``uninformative`` when it was measured in some world and failed in none.
    """

    name: str
    worlds: int
    failed: int
    unmeasurable: int
    measured: tuple[float, ...] = field(default_factory=tuple)
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def measured_worlds(self) -> int:
        return self.worlds - self.unmeasurable

    @property
    def power(self) -> float:
        return self.failed / self.measured_worlds if self.measured_worlds else float("nan")

    @property
    def uninformative(self) -> bool:
        return self.measured_worlds > 0 and self.failed == 0

    def interval(self, level: float = 0.9) -> tuple[float, float, float]:
        """Median and central ``level`` interval of the measured statistic over the worlds (NaN if none)."""
        x = np.asarray([v for v in self.measured if np.isfinite(v)], float)
        if not len(x):
            return float("nan"), float("nan"), float("nan")
        lo, hi = np.quantile(x, [(1 - level) / 2, (1 + level) / 2])
        return float(np.median(x)), float(lo), float(hi)

    def verdict(self) -> str:
        """One word for the report: ``evidence``, ``uninformative`` or ``not measured``."""
        if not self.measured_worlds:
            return "not measured"
        return "uninformative" if self.uninformative else "evidence"


def measurable(result: Any) -> bool:
    """Whether a check result measured something (a check says ``details["measurable"] = False`` if not)."""
    details = getattr(result, "details", None) or {}
    return bool(details.get("measurable", True))


def discriminating_power(name: str, fn: WorldFn, worlds: Sequence[dict[str, float]], reps: int, seed: int) -> Power:
    """Run ``fn`` in every world (same ``seed`` in each: common random numbers) and count failures."""
    failed = unmeasurable = 0
    measured: list[float] = []
    errors: list[str] = []
    for world in worlds:
        try:
            res = fn(dict(world), reps, seed)
        except Exception as exc:  # noqa: BLE001 - a world the check cannot run in is counted apart
            unmeasurable += 1
            errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())}")
            continue
        if not measurable(res):
            unmeasurable += 1
            continue
        measured.append(float(res.measured))
        failed += 0 if res.passed else 1
    return Power(name, len(worlds), failed, unmeasurable, tuple(measured), tuple(errors))


def check_power(name: str, n_worlds: int, seed: int, reps: int) -> Power | None:
    """The power of the registered check ``name`` over ``n_worlds`` prior worlds (None: it cannot run in a world)."""
    fn = WORLD_CHECKS.get(name)
    if fn is None:
        return None
    return discriminating_power(name, fn, prior_worlds(n_worlds, seed), reps, seed)
