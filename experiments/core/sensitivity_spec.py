"""The sensitivity spec: the shared vocabulary (:mod:`townsim.experiments.core.spec`) plus the method.

It lives in core because two experiments read it: ``townsim sensitivity`` runs it, and ``townsim
discover`` reads the spec a sensitivity folder keeps (``design = FOLDER``) to reuse its design.

Keys beyond the shared ones::

    method       = "morris" | "sobol" | "fast"
    N            = 512       # sobol: base samples (a power of 2); morris: trajectories; fast: samples per parameter
    outputs      = ["on_time_rate", ...]        # summary KPIs (or plug-in outputs) to analyse
    second_order = false     # sobol only: also S2 (needs N·(2D+2) instead of N·(D+2) points)
    num_levels   = 4         # morris only: grid levels (even)
    M            = 4         # fast only: interference parameter
    assumptions  = "all"     # township model: also sample these assumptions over their plausible
                             # ranges, read from the parameters' metadata ("all" or a list of names)
    levers       = "all"     # township model: also sample every reform lever (kind "lever") not in
                             # [parameters] over its range read from the parameters' metadata

``assumptions`` adds one ``[parameters]`` entry per named assumption: its plausible range and
distribution (uniform, or log-uniform) as declared in ``model/params/``, so the ranges are
never typed twice. An entry written in ``[parameters]`` or fixed in ``[overrides]`` wins. With
``"all"``, assumptions that are not single numbers (a list such as ``difficulty_hours``, a choice
such as ``service_time_distribution``) are left at their scenario values; named in a list, they
are an error.

``levers = "all"`` adds one ``[parameters]`` entry per field of kind ``lever`` that ``[parameters]`` and
``[overrides]`` do not name, after the written entries and before the assumptions, in declaration order:
a switch as a switch (``[false, true]``), a number over its ``screen`` range when the field declares one
(``P(screen=(low, high))``: the range a screening samples when the allowed range is wider than any county
would choose), else over its allowed bounds (``ge``/``le``). A choice among named options (e.g.
``delegation_order``) or a list is left at the scenario's value; a number without finite closed bounds
and without ``screen`` is an error naming it. So every lever is screened by construction, and a new one
needs no edit of the spec.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from townsim.experiments.core.spec import (
    DEFAULT_DAYS,
    ExperimentSpec,
    KeyProblem,
    Parameter,
    SpecError,
    check_outputs,
    load_evaluate,
)
from townsim.model.params import Params, fields_of_kind, meta

__all__ = [
    "DEFAULT_DAYS",
    "MAX_POINTS",
    "Parameter",
    "SensitivitySpec",
    "SpecError",
    "design_size",
    "load_evaluate",
    "load_spec",
    "parse_spec",
    "sampleable_assumptions",
    "screened_levers",
]

MAX_POINTS = 5_000_000
"""Refuse designs larger than this many sample points (a typo in N, not an experiment)."""


class SensitivitySpec(ExperimentSpec):
    """A validated sensitivity spec (shared keys + method, N, outputs and the method's options)."""

    method: Literal["morris", "sobol", "fast"]
    N: int = Field(ge=2)
    outputs: list[str]
    second_order: bool = False
    num_levels: int = Field(4, ge=2, le=100)
    M: int = Field(4, ge=1, le=100)
    assumptions: str | list[str] | None = None
    levers: Literal["all"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _assumption_ranges(cls, data: Any) -> Any:
        """Expand ``levers`` and ``assumptions`` into ``[parameters]`` entries from the fields' metadata
        (written entries first, then the levers, then the assumptions)."""
        if not isinstance(data, dict) or (data.get("assumptions") is None and data.get("levers") is None):
            return data
        for key in ("levers", "assumptions"):
            if data.get(key) is not None and data.get("evaluate") is not None:
                raise KeyProblem(key, f"only for the township model; a plug-in has no {key} to read")
        table = data.get("parameters", {})
        if not isinstance(table, dict):
            return data  # the shared validation reports it
        overrides = data.get("overrides") or {}
        if data.get("levers") is not None:
            table = {**table, **lever_entries(data["levers"], table, overrides)}
        if data.get("assumptions") is not None:
            table = {**table, **assumption_entries(data["assumptions"], table, overrides)}
        return {**data, "parameters": table}

    @model_validator(mode="after")
    def _check_method(self) -> SensitivitySpec:
        if self.second_order and self.method != "sobol":
            raise KeyProblem("second_order", "only the sobol method estimates second-order indices")
        if "num_levels" in self.model_fields_set and self.method != "morris":
            raise KeyProblem("num_levels", "only used by the morris method")
        if self.num_levels % 2:
            raise KeyProblem("num_levels", f"got {self.num_levels}; allowed: an even integer (e.g. 4)")
        if "M" in self.model_fields_set and self.method != "fast":
            raise KeyProblem("M", "only used by the fast method")
        N = self.N
        if self.method == "sobol" and N & (N - 1):
            lower, upper = 1 << (N.bit_length() - 1), 1 << N.bit_length()
            raise KeyProblem(
                "N",
                f"got {N}; allowed for sobol: a power of 2 (Sobol' sequences balance only at "
                f"powers of 2), e.g. {lower} or {upper}",
            )
        if self.method == "fast" and N <= 4 * self.M**2:
            raise KeyProblem("N", f"got {N}; allowed for fast: more than 4·M² = {4 * self.M**2} samples per parameter")
        check_outputs(self.outputs, township=not self.plugin)
        if self.n_points() > MAX_POINTS:
            raise KeyProblem(
                "N", f"got {N}: the design would have {self.n_points():,} points; allowed: at most {MAX_POINTS:,}"
            )
        return self

    def problem(self) -> dict[str, Any]:
        """The SALib problem dict (names, bounds, dists) of the continuous draw space."""
        return {
            "num_vars": len(self.parameters),
            "names": self.names,
            "bounds": [p.salib_bounds() for p in self.parameters],
            "dists": [p.dist for p in self.parameters],
        }

    def n_points(self) -> int:
        """Sample points of the design (before replications and scenarios)."""
        return design_size(self.method, self.N, len(self.parameters), self.second_order)

    def n_runs(self) -> int:
        """Model runs of the whole experiment (points × replications × scenarios)."""
        return self.n_points() * self.replications * len(self.run_scenarios)


SALIB_DIST = {"uniform": "uniform", "loguniform": "logunif"}
"""Field metadata distribution → spec distribution name."""


def sampleable_assumptions() -> list[str]:
    """Assumptions that are single numbers (int or float): the ones a design can sample."""
    out = []
    for name in fields_of_kind("assumption"):
        ann = Params.model_fields[name].annotation
        if ann in (int, float) and "plausible" in meta(name):
            out.append(name)
    return out


def assumption_entries(value: Any, table: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``[parameters]`` entries for the ``assumptions`` key (``"all"`` or a list of names);
    :class:`KeyProblem` on a bad value. Names already in ``table`` or ``overrides`` are skipped."""
    sampleable = sampleable_assumptions()
    if value == "all":
        names = sampleable
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        names = list(value)
        if len(set(names)) != len(names):
            raise KeyProblem("assumptions", "lists an assumption twice")
        known = fields_of_kind("assumption")
        for n in names:
            if n not in known:
                kind = meta(n).get("kind", "not a parameter") if n in Params.model_fields else "not a parameter"
                raise KeyProblem(
                    "assumptions", f'{n!r} is {kind}; allowed: "all" or names of assumptions (see docs/ODD.md §8)'
                )
            if n not in sampleable:
                raise KeyProblem(
                    "assumptions",
                    f"{n!r} is not a single number (a list or a choice); sample it in [parameters] or fix it in "
                    "[overrides]",
                )
    else:
        raise KeyProblem("assumptions", f'got {value!r}; allowed: "all" or a non-empty list of assumption names')
    out: dict[str, Any] = {}
    for n in names:
        if n in table or n in overrides:
            continue
        m = meta(n)
        lo, hi = m["plausible"]
        if Params.model_fields[n].annotation is int:
            lo, hi = int(lo), int(hi)
        out[n] = {"bounds": [lo, hi], "dist": SALIB_DIST[m["dist"]]}
    return out


def screened_levers() -> list[str]:
    """Levers a design can sample (``levers = "all"``): switches and single numbers, in declaration order;
    not those ``off_by_default`` (a mechanism added later: screened, it would change the shipped designs and
    their stored runs; name it in ``[parameters]``)."""
    return [
        n
        for n in fields_of_kind("lever")
        if Params.model_fields[n].annotation in (bool, int, float) and not meta(n).get("off_by_default")
    ]


def lever_range(name: str) -> list[Any]:
    """The range ``levers = "all"`` samples lever ``name`` over: ``[false, true]`` for a switch, else its
    ``screen`` range, else its closed allowed bounds; :class:`KeyProblem` when it has none."""
    info = Params.model_fields[name]
    if info.annotation is bool:
        return [False, True]
    closed = {k: getattr(m, k) for m in info.metadata for k in ("ge", "le", "gt", "lt") if hasattr(m, k)}
    lo, hi = meta(name).get("screen") or (closed.get("ge"), closed.get("le"))
    if lo is None or hi is None:
        raise KeyProblem(
            "levers",
            f"{name!r} has no closed allowed range to screen; give its range in [parameters] or declare it with "
            "P(screen=(low, high))",
        )
    if info.annotation is int:
        return [int(lo), int(hi)]
    return [float(lo), float(hi)]


def lever_entries(value: Any, table: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``[parameters]`` entries for the ``levers`` key (``"all"``): every :func:`screened_levers` not named in
    ``table`` or ``overrides``, over :func:`lever_range`; :class:`KeyProblem` on a bad value."""
    if value != "all":
        raise KeyProblem("levers", f'got {value!r}; allowed: "all" (every lever, ranges from the parameters)')
    return {n: lever_range(n) for n in screened_levers() if n not in table and n not in overrides}


def design_size(method: str, N: int, D: int, second_order: bool = False) -> int:
    """Rows of the SALib design: sobol N(D+2) or N(2D+2), morris N(D+1), fast N·D."""
    if method == "sobol":
        return N * (2 * D + 2 if second_order else D + 2)
    if method == "morris":
        return N * (D + 1)
    return N * D


def load_spec(path: str | Path) -> SensitivitySpec:
    """Read and validate a sensitivity spec file; :class:`SpecError` (one line) if invalid."""
    return SensitivitySpec.load(path)


def parse_spec(data: dict[str, Any], path: str | Path = "<spec>") -> SensitivitySpec:
    """Validate an already-parsed sensitivity spec table."""
    return SensitivitySpec.parse(data, path)
