"""The discover spec (TOML): the shared spec vocabulary plus what scenario discovery needs.

Keys (besides the shared ones of :class:`~townsim.experiments.core.spec.ExperimentSpec`:
``description``, ``scenarios``, ``evaluate``, ``days``, ``replications``, ``seed``,
``[parameters]``, ``[overrides]``)::

    samples     = 200              # Latin hypercube points (each run `replications` times)
    outcome     = "on_time_rate"   # a summary KPI (township model) or an output of the plug-in
    threshold   = 0.8              # a run is a case of interest when outcome > threshold ...
    below       = true             # ... or, with below = true, when outcome < threshold
    design      = "results/sensitivity-sobol_levers"   # OR reuse a sensitivity run's stored outputs
    min_density = 0.8              # the chosen box: most coverage with at least this density
    max_boxes   = 3                # boxes to find one after the other (covering)
    peel_alpha  = 0.05             # PRIM: share of the box's runs peeled off per step
    paste_alpha = 0.05             # PRIM: share pasted back per step
    mass_min    = 0.05             # PRIM: stop peeling below this share of all runs

With ``design``, the lever values and the runs come from that folder (its
``samples.parquet``, ``outputs.parquet`` and ``spec.toml``): no model runs, and
``samples``, ``scenarios``, ``evaluate``, ``days``, ``replications``, ``seed``,
``[parameters]`` and ``[overrides]`` are not given here. Every error is a
one-line :class:`SpecError` naming the file, the key and what is allowed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator

from townsim.experiments.core.spec import (
    NAME_RE,
    ExperimentSpec,
    KeyProblem,
    SpecError,
    kind_of,
    suggest,
)
from townsim.experiments.errors import shorten
from townsim.model.metrics import SUMMARY_KEYS

__all__ = ["DiscoverSpec", "SpecError", "load_spec", "REUSE_KEYS"]

MAX_SAMPLES = 1_000_000
REUSE_KEYS = ("samples", "scenarios", "evaluate", "days", "replications", "seed", "parameters", "overrides")
"""Keys a spec that reuses a sensitivity design must not give (they come from that run)."""
NUMBERS = {
    "threshold": (None, None, "a number (a run is a case when outcome > threshold, or < with below = true)"),
    "min_density": (0.0, 1.0, "a number in (0, 1]: the share of cases a chosen box must hold"),
    "peel_alpha": (0.0, 0.49, "a number in (0, 0.49]: the share of a box's runs peeled off per step"),
    "paste_alpha": (0.0, 0.49, "a number in (0, 0.49]: the share pasted back per step"),
    "mass_min": (0.0, 0.99, "a number in (0, 0.99]: the smallest share of all runs a box may keep"),
}
"""Number keys of discover: (exclusive low, inclusive high, what is allowed)."""


class DiscoverSpec(ExperimentSpec):
    """A validated discover spec (see the module docstring for the keys)."""

    requires_parameters: ClassVar[bool] = False  # not with `design`; checked below otherwise

    samples: int | None = Field(None, ge=10, le=MAX_SAMPLES)
    outcome: str
    threshold: float
    below: bool = False
    design: str | None = None
    min_density: float = 0.8
    max_boxes: int = Field(3, ge=1, le=20)
    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    mass_min: float = 0.05

    @model_validator(mode="before")
    @classmethod
    def _reuse_keys(cls, data):
        if not isinstance(data, dict):
            return data
        if "outcome" not in data:
            raise KeyProblem("outcome", 'missing; allowed: the output that defines a case, e.g. "on_time_rate"')
        if "threshold" not in data:
            raise KeyProblem("threshold", f"missing; allowed: {NUMBERS['threshold'][2]}")
        for key, (lo, hi, text) in NUMBERS.items():
            if key in data:
                v = data[key]
                ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                if not ok or not (lo is None or v > lo) or not (hi is None or v <= hi):
                    raise KeyProblem(key, f"got {kind_of(v)} {shorten(repr(v))}; allowed: {text}")
                data = {**data, key: float(v)}
        if "samples" in data:
            v = data["samples"]
            if isinstance(v, bool) or not isinstance(v, int) or not 10 <= v <= MAX_SAMPLES:
                raise KeyProblem(
                    "samples",
                    f"got {kind_of(v)} {shorten(repr(v))}; allowed: an integer in "
                    f"[10, {MAX_SAMPLES}] (Latin hypercube points)",
                )
        if data.get("design") is not None:
            for key in REUSE_KEYS:
                if key in data:
                    raise KeyProblem(key, "not used with design = ... (the reused sensitivity run fixes it); remove it")
            data = {**data, "scenarios": ["baseline"]}  # placeholder: the stored run's scenarios are used
        return data

    @model_validator(mode="after")
    def _discover_checks(self) -> DiscoverSpec:
        if self.design is None:
            if self.samples is None:
                raise KeyProblem(
                    "samples",
                    "missing; allowed: an integer in [10, 1000000] (Latin hypercube "
                    "points), or design = a sensitivity run's folder",
                )
            if not self.parameter_table:
                raise KeyProblem("parameters", "missing or empty; write a [parameters] table of name = [low, high]")
            check_outcome(self.outcome, township=self.evaluate is None)
        else:
            folder = Path(self.design).expanduser()
            for need in ("samples.parquet", "outputs.parquet", "spec.toml"):
                if not (folder / need).is_file():
                    raise KeyProblem(
                        "design",
                        f"{self.design}: has no {need}; allowed: the output folder of a "
                        f"finished 'townsim sensitivity' run",
                    )
        return self

    @property
    def reused(self) -> bool:
        """True when the runs come from a sensitivity run's stored outputs."""
        return self.design is not None

    def case_text(self) -> str:
        """``on_time_rate < 0.8``."""
        return f"{self.outcome} {'<' if self.below else '>'} {self.threshold:g}"


def check_outcome(outcome: str, township: bool) -> None:
    """``outcome`` is a summary KPI (township model) or a plain name (plug-in)."""
    if township:
        known = tuple(SUMMARY_KEYS)
        if outcome not in known:
            raise KeyProblem(
                "outcome",
                f"unknown output '{outcome}'{suggest(outcome, known)}; allowed: a summary "
                f"KPI such as {', '.join(known[:6])}, ... (see the model API)",
            )
    elif not NAME_RE.match(outcome):
        raise KeyProblem("outcome", f"'{outcome}' is not a plain name (letters, digits, _)")


def load_spec(path: str | Path) -> DiscoverSpec:
    """Read and validate a discover spec file; :class:`SpecError` (one line) if invalid."""
    return DiscoverSpec.load(path)
