"""Scenarios: the shipped TOML files in this folder and their loader (a scenario file → validated ``Params``).

Loading is not the model: ``townsim.model`` runs a county from ``Params``; this package reads the files
(``extends`` chains, overrides, one-line errors) — see :mod:`townsim.scenarios.loader`.
"""

from __future__ import annotations

from townsim.model.paths import SCENARIO_DIR, VALIDATION_DIR

from .loader import (
    DEFAULT_SOURCE,
    LEVER_GROUPS,
    Scenario,
    ScenarioError,
    apply_overrides,
    lever_fields,
    list_scenarios,
    load_scenario,
    resolve_name,
    scenario_names,
)

__all__ = [
    "DEFAULT_SOURCE",
    "LEVER_GROUPS",
    "SCENARIO_DIR",
    "VALIDATION_DIR",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "lever_fields",
    "list_scenarios",
    "load_scenario",
    "resolve_name",
    "scenario_names",
]
