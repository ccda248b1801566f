"""The comparison's scenarios: the baseline first, then the others, after ``--set``; their equal-staff
variants (``--equal-staff``); and the scenarios that change the county itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from townsim.experiments.core.county import COUNTY_SIZE_FIELDS, EQUAL_STAFF_SUFFIX, county_fields
from townsim.experiments.core.design import check_model_inputs
from townsim.model.staffing import StaffingError, equalise_staff
from townsim.scenarios import ScenarioError, apply_overrides, list_scenarios, load_scenario

if TYPE_CHECKING:
    from .compare import CompareSettings


class CompareError(ValueError):
    """Bad settings for a comparison (one line; the CLI turns it into exit code 2)."""


@dataclass(frozen=True)
class ScenarioRun:
    """A resolved scenario of the experiment: name, file, description, parameters after ``--set``, labels."""

    name: str
    path: str
    description: str
    params: Any
    label: str = ""
    label_zh: str = ""


def resolve_scenarios(settings: CompareSettings) -> list[ScenarioRun]:
    """Baseline first, then the other scenarios in the given (or shipped, alphabetical) order.

    Raises :class:`CompareError` for unknown scenarios, bad ``--set`` values or duplicate names.
    """
    try:
        if settings.scenarios:
            loaded = [load_scenario(s) for s in settings.scenarios]
        else:
            loaded = list_scenarios(include_validation=False)
        names = [s.name for s in loaded]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise CompareError(f"scenario '{dup[0]}' is given twice (scenario names must be unique)")
        base = next((s for s in loaded if s.name == settings.baseline), None)
        if base is None:
            base = load_scenario(settings.baseline)
            if base.name in names:  # a path whose stem equals another scenario's name
                raise CompareError(f"--baseline {settings.baseline}: its name '{base.name}' is taken")
        ordered = [base] + [s for s in loaded if s.name != base.name]
        out = []
        for s in ordered:
            params = apply_overrides(s.params, settings.overrides)
            check_model_inputs(params)  # a bad matter catalogue is bad input, found before any run
            out.append(ScenarioRun(s.name, str(s.path), s.description, params, s.label, s.label_zh))
        if settings.equal_staff:
            out += [v for s, run in zip(ordered[1:], out[1:]) if (v := equal_staff_variant(s, run, settings))]
        return out
    except (ScenarioError, ValueError) as exc:
        raise CompareError(" ".join(str(exc).split())) from None


def equal_staff_variant(scenario: Any, run: ScenarioRun, settings: CompareSettings) -> ScenarioRun | None:
    """``run`` with department posts changed so its total staff-hours equal the root of its extends chain.

    None when the scenario extends nothing, already has the root's staff-hours (e.g. its file says
    ``equal_staff = true``), or is a different county from its root (another size: equal staff-hours
    would compare counties, not reforms; the report lists such scenarios). Raises :class:`CompareError`
    when the departments cannot fund the reform.
    """
    if len(scenario.chain) < 2:
        return None
    root = load_scenario(scenario.chain[-1])
    reference = apply_overrides(root.params, settings.overrides)
    if any(getattr(run.params, f) != getattr(reference, f) for f in COUNTY_SIZE_FIELDS):
        return None
    try:
        equal = equalise_staff(run.params, reference)
    except StaffingError as exc:
        raise CompareError(f"--equal-staff: scenario '{run.name}': {exc}") from None
    before, after = run.params.department_staff, equal.department_staff
    if abs(after - before) < 1e-9:
        return None
    equal = equal.replace(pre_reform={**run.params.pre_reform, "department_staff": before})
    note = (
        f"equal staff: department posts {before:.1f} → {after:.1f} (full-time equivalents), so that the total "
        f"budgeted staff-hours equal those of '{root.name}' (the root of its extends chain)"
    )
    label = run.label or run.description or run.name
    return ScenarioRun(
        run.name + EQUAL_STAFF_SUFFIX,
        run.path,
        f"{run.description} [{note}]".strip(),
        equal,
        f"{label} (equal staff)",
        f"{run.label_zh or label}（等编制）",
    )


def different_county(scenarios: Sequence[ScenarioRun]) -> dict[str, list[str]]:
    """Scenarios (after the first, the baseline) that change the county itself → the fields they change."""
    if not scenarios:
        return {}
    base = scenarios[0].params
    out = {}
    for s in scenarios[1:]:
        diff = [f for f in county_fields(s.name) if getattr(s.params, f, None) != getattr(base, f, None)]
        if diff:
            out[s.name] = diff
    return out
