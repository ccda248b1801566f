"""Where the shipped scenario files live; no heavy imports, so that listing them starts quickly."""

from __future__ import annotations

import os
from pathlib import Path

SCENARIO_DIR: Path = Path(__file__).resolve().parent.parent / "scenarios"
"""Folder of the shipped scenarios (``scenarios/`` at the repository root)."""

VALIDATION_DIR: Path = SCENARIO_DIR / "validation"
"""Folder of the validation scenarios (analytic reductions such as M/M/c)."""


def cache_root() -> Path:
    """townsim's cache folder (behaviour fingerprints, the compiled kernel): ``$TOWNSIM_CACHE``, else
    ``$XDG_CACHE_HOME/townsim``, else ``~/.cache/townsim``."""
    if os.environ.get("TOWNSIM_CACHE"):
        return Path(os.environ["TOWNSIM_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "townsim"
