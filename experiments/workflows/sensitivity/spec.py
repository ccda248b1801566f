"""The sensitivity spec (defined in :mod:`townsim.experiments.core.sensitivity_spec`, which discover reads too)."""

from townsim.experiments.core.sensitivity_spec import (
    DEFAULT_DAYS,
    MAX_POINTS,
    Parameter,
    SensitivitySpec,
    SpecError,
    design_size,
    load_evaluate,
    load_spec,
    parse_spec,
    sampleable_assumptions,
)

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
]
