"""What defines a robustness experiment (``townsim robust``): the settings, their checks, their hash."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from townsim.experiments.core.seeds import check_seed
from townsim.experiments.core.spec import DEFAULT_DAYS
from townsim.experiments.errors import shorten
from townsim.model.metrics import KPI

DEFAULT_WORLDS = 64
DEFAULT_REPS = 3
DEFAULT_SEED = 1
DEFAULT_BASELINE = "baseline"
DEFAULT_REGRET_KPI = "on_time_rate"
SAMPLERS = ("lhs", "sobol")
MAX_WORLDS = 100_000
MAX_REPS = 1_000
MAX_DAYS = 100_000
HELD_OUT = 1 / 3
"""Share of the worlds kept out of the PRIM search, on which the failure boxes are scored."""


class RobustError(ValueError):
    """Bad settings for a robustness experiment (one line; the CLI turns it into exit code 2)."""


@dataclass
class RobustSettings:
    """Everything that defines a robustness experiment (the manifest records it; the same settings resume)."""

    scenarios: list[str] = field(default_factory=list)  # [] = every shipped generic-county scenario
    baseline: str = DEFAULT_BASELINE
    worlds: int = DEFAULT_WORLDS
    reps: int = DEFAULT_REPS
    days: int = DEFAULT_DAYS
    seed: int = DEFAULT_SEED
    sampler: str = "lhs"
    vary: list[str] = field(default_factory=list)  # [] = every declared assumption
    fix: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)  # "NAME=LOW:HIGH"
    overrides: list[str] = field(default_factory=list)
    independent_seeds: bool = False
    equal_staff: bool = False
    regret_kpi: str = DEFAULT_REGRET_KPI
    posterior: str | None = None
    force: bool = False

    def check(self) -> None:
        """Raise :class:`RobustError` (one line) on out-of-range numbers or a bad choice."""
        if not 2 <= self.worlds <= MAX_WORLDS:
            raise RobustError(
                f"--worlds {shorten(str(self.worlds))}: allowed: an integer in [2, {MAX_WORLDS:,}] "
                "(shares of worlds need at least 2 worlds)"
            )
        if not 2 <= self.reps <= MAX_REPS:
            raise RobustError(
                f"--reps {shorten(str(self.reps))}: allowed: an integer in [2, {MAX_REPS:,}] "
                "(a world's interval needs at least 2 replications)"
            )
        if not 1 <= self.days <= MAX_DAYS:
            raise RobustError(f"--days {shorten(str(self.days))}: allowed: an integer in [1, {MAX_DAYS:,}]")
        if self.sampler not in SAMPLERS:
            raise RobustError(f"--sampler {shorten(self.sampler)}: allowed: {', '.join(SAMPLERS)}")
        try:
            check_seed(self.seed)
        except ValueError as exc:
            raise RobustError(str(exc)) from None
        if self.posterior and (self.vary or self.ranges or self.sampler != "lhs"):
            raise RobustError(
                "--posterior draws the worlds from the posterior: it cannot be combined with --vary, --range "
                "or --sampler"
            )
        if self.posterior and self.independent_seeds:
            raise RobustError("--posterior pairs the scenarios of a world: drop --independent-seeds")

        k = KPI.get(self.regret_kpi)
        if k is None or k.better == 0 or k.scope == "daily":
            allowed = sorted(n for n, v in KPI.items() if v.better and v.scope != "daily")
            raise RobustError(
                f"--regret-kpi {shorten(self.regret_kpi)}: allowed: a run KPI where higher or lower is better, "
                f"e.g. {', '.join(allowed[:6])}"
            )

    def parsed_ranges(self) -> dict[str, tuple[float, float]]:
        """``--range NAME=LOW:HIGH`` as {name: (low, high)}; :class:`RobustError` for a malformed one."""
        out = {}
        for item in self.ranges:
            name, sep, text = item.partition("=")
            lo, sep2, hi = text.partition(":")
            try:
                if not (sep and sep2 and name.strip()):
                    raise ValueError
                out[name.strip()] = (float(lo), float(hi))
            except ValueError:
                raise RobustError(
                    f"--range {shorten(item)}: expected NAME=LOW:HIGH, e.g. --range courier_interval_days=0.1:2"
                ) from None
        return out

    def reproduce_command(self, out: Path | str | None = None) -> str:
        """The ``townsim robust`` command that makes exactly these runs (executor flags aside)."""
        parts = ["townsim", "robust", *self.scenarios]
        if self.baseline != DEFAULT_BASELINE:
            parts += ["--baseline", self.baseline]
        parts += ["--worlds", str(self.worlds), "--reps", str(self.reps), "--days", str(self.days)]
        parts += ["--seed", str(self.seed)]
        if self.sampler != "lhs":
            parts += ["--sampler", self.sampler]
        for opt, items in (("--vary", self.vary), ("--fix", self.fix), ("--range", self.ranges)):
            for v in items:
                parts += [opt, v]
        for o in self.overrides:
            parts += ["--set", o]
        if self.independent_seeds:
            parts.append("--independent-seeds")
        if self.equal_staff:
            parts.append("--equal-staff")
        if self.regret_kpi != DEFAULT_REGRET_KPI:
            parts += ["--regret-kpi", self.regret_kpi]
        if self.posterior:
            parts += ["--posterior", str(self.posterior)] + (["--force"] if self.force else [])
        if out is not None:
            parts += ["--out", str(out)]
        return " ".join(shlex.quote(p) for p in parts)
