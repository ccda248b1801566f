"""The runs of a robustness experiment: every scenario in every world, replications paired within a world.

- **Scenarios**: the baseline first, then the reforms (the given ones, or every shipped scenario of the
  baseline's county: the same ``townships``, ``departments``, ``enterprises``, ``residents``; Linping,
  another county, is left out). ``--set`` applies to all. With ``--equal-staff`` each reform that changes
  the staff budget also runs as ``NAME+equal_staff``: department posts changed
  (:func:`townsim.model.staffing.equalise_staff`) so that its total budgeted staff-hours equal those of
  the root of its ``extends`` chain *in the same world*.
- **Worlds**: world ``w``'s values are given to every scenario, except where a scenario sets a key to
  another value than the baseline does (a reform's own choice keeps its value; listed in the report).
- **Seeds**: run ``r`` of world ``w`` has replication index ``w × reps + r``; with common random numbers
  (default) every scenario of a world shares that replication's seed; ``--independent-seeds`` gives each
  scenario its own seed stream (:func:`townsim.experiments.core.seeds.scenario_seeds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from townsim.experiments.core.assumptions import apply_world
from townsim.experiments.core.county import COUNTY_SIZE_FIELDS, EQUAL_STAFF_SUFFIX
from townsim.experiments.core.design import RunSpec, check_model_inputs
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.seeds import scenario_seeds
from townsim.model.staffing import StaffingError, equalise_staff
from townsim.scenarios import ScenarioError, apply_overrides, list_scenarios, load_scenario

from .settings import RobustError, RobustSettings
from .worlds import Worlds, draw


@dataclass(frozen=True)
class Arm:
    """A scenario of the experiment: name, file, title, parameters (default world), root's parameters."""

    name: str
    path: str
    description: str
    params: Any
    root: Any  # the root of its extends chain (after --set): equal staff is measured against it
    label: str = ""
    label_zh: str = ""
    equal_staff_of: str = ""  # for an equal-staff variant: the reform it is the variant of

    def title(self, lang: str = "en") -> str:
        own = self.label_zh if lang == "zh" else ""
        return own or self.label or self.description or self.name


@dataclass
class Plan:
    settings: RobustSettings
    arms: list[Arm]
    worlds: Worlds
    specs: list[RunSpec]
    kept: dict[str, list[str]]  # scenario → world keys it sets itself (keeps its own value)

    @property
    def baseline(self) -> str:
        return self.arms[0].name

    @property
    def reforms(self) -> list[str]:
        return [a.name for a in self.arms[1:]]

    def options(self) -> list[str]:
        """The options of the regret table: the baseline and each reform, at equal staff where that arm exists."""
        variants = {a.equal_staff_of: a.name for a in self.arms if a.equal_staff_of}
        return [self.baseline] + [variants.get(a.name, a.name) for a in self.arms[1:] if not a.equal_staff_of]


def resolve_arms(settings: RobustSettings) -> list[Arm]:
    """Baseline first, then the reforms; equal-staff variants last. :class:`RobustError` for bad input."""
    try:
        base = load_scenario(settings.baseline)
        if settings.scenarios:
            loaded = [load_scenario(s) for s in settings.scenarios]
        else:
            loaded = [s for s in list_scenarios(include_validation=False) if _same_county(s.params, base.params)]
        names = [s.name for s in loaded]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise RobustError(f"scenario '{dup[0]}' is given twice (scenario names must be unique)")
        ordered = [base] + [s for s in loaded if s.name != base.name]
        arms = []
        for s in ordered:
            params = apply_overrides(s.params, settings.overrides)
            check_model_inputs(params)
            root_params = apply_overrides(load_scenario(s.chain[-1]).params, settings.overrides) if s.chain else params
            arms.append(Arm(s.name, str(s.path), s.description, params, root_params, s.label, s.label_zh))
    except (ScenarioError, ValueError) as exc:
        if isinstance(exc, RobustError):
            raise
        raise RobustError(" ".join(str(exc).split())) from None
    for a in arms[1:]:
        if not _same_county(a.params, arms[0].params):
            diff = [f for f in COUNTY_SIZE_FIELDS if getattr(a.params, f) != getattr(arms[0].params, f)]
            raise RobustError(
                f"scenario '{a.name}' is another county than the baseline '{arms[0].name}' (differs in "
                f"{', '.join(diff)}): robust compares reforms of one county"
            )
    if settings.equal_staff:
        arms += [v for a in arms[1:] if (v := _equal_staff_arm(a)) is not None]
    return arms


def _same_county(a: Any, b: Any) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in COUNTY_SIZE_FIELDS)


def _equal_staff_arm(arm: Arm) -> Arm | None:
    """The equal-staff variant of ``arm`` when its staff budget differs from its root's (else None; also None
    when the root is a county of another size: equal staff-hours would then compare counties, not reforms)."""
    if not _same_county(arm.params, arm.root):
        return None
    try:
        equal = equalise_staff(arm.params, arm.root)
    except StaffingError as exc:
        raise RobustError(f"--equal-staff: scenario '{arm.name}': {exc}") from None
    if abs(equal.department_staff - arm.params.department_staff) < 1e-9:
        return None
    return Arm(
        arm.name + EQUAL_STAFF_SUFFIX,
        arm.path,
        f"{arm.description} [equal staff: department posts changed so that the total budgeted staff-hours "
        "equal those of the root of its extends chain]",
        arm.params,
        arm.root,
        f"{arm.label or arm.name} (equal staff)",
        f"{arm.label_zh or arm.label or arm.name}（等编制）",
        equal_staff_of=arm.name,
    )


def world_params(arm: Arm, values: dict[str, Any], kept: Sequence[str], factors: Sequence[str] = ()) -> Any:
    """``arm``'s parameters in a world with ``values`` (keys in ``kept`` keep the scenario's own value; keys in
    ``factors`` are list-valued assumptions whose value multiplies the scenario's list)."""
    world = {k: v for k, v in values.items() if k not in kept}
    params = apply_world(arm.params, world, factors)
    if not arm.equal_staff_of:
        return params

    root = apply_world(arm.root, values, factors)
    try:
        equal = equalise_staff(params, root)
    except StaffingError as exc:
        raise RobustError(f"--equal-staff: scenario '{arm.equal_staff_of}' in world {values}: {exc}") from None
    return equal.replace(pre_reform={**params.pre_reform, "department_staff": params.department_staff})


def kept_keys(arms: Sequence[Arm], names: Sequence[str]) -> dict[str, list[str]]:
    """Scenario → world keys it sets to another value than the baseline (it keeps its own value there)."""
    base = arms[0].params
    out = {}
    for a in arms[1:]:
        keys = [n for n in names if getattr(a.params, n) != getattr(base, n)]
        if keys:
            out[a.name] = keys
    return out


def plan(settings: RobustSettings) -> Plan:
    """Check the settings, resolve the scenarios, draw the worlds and build every run spec (world-major)."""
    settings.check()
    arms = resolve_arms(settings)
    worlds = draw(settings, arms[0].params)
    kept = kept_keys(arms, worlds.names)
    code = model_fingerprint()
    n = settings.worlds * settings.reps
    seeds = {
        a.name: scenario_seeds(settings.seed, n, k, common=not settings.independent_seeds) for k, a in enumerate(arms)
    }
    specs = []
    records = worlds.table.to_dict("records")
    factors = [a.name for a in worlds.varied if a.factor]
    for w, values in enumerate(records):
        values = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
        for a in arms:
            try:
                params = world_params(a, values, kept.get(a.equal_staff_of or a.name, []), factors)
            except ValueError as exc:
                if isinstance(exc, RobustError):
                    raise
                raise RobustError(f"world {w}: scenario '{a.name}': {' '.join(str(exc).split())}") from None
            for r in range(settings.reps):
                i = w * settings.reps + r
                specs.append(RunSpec(a.name, params, i, seeds[a.name][i], int(settings.days), code))
    return Plan(settings, arms, worlds, specs, kept)
