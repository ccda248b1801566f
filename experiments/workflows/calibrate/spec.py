"""The calibration spec file (TOML) of ``townsim calibrate``: it lives in
:mod:`townsim.experiments.core.calibration`, since the experiments that use a posterior read it too."""

from townsim.experiments.core.calibration import (
    CalibrationSpec,
    Prior,
    SpecError,
    Target,
    fingerprint,
    load_spec,
    parse_spec,
)

__all__ = ["SpecError", "Prior", "Target", "CalibrationSpec", "load_spec", "parse_spec", "fingerprint"]
