"""Where the shipped scenario files live; no heavy imports, so that listing them starts quickly."""

from __future__ import annotations

from pathlib import Path

SCENARIO_DIR: Path = Path(__file__).resolve().parent.parent / "scenarios"
"""Folder of the shipped scenarios (``scenarios/`` at the repository root)."""

VALIDATION_DIR: Path = SCENARIO_DIR / "validation"
"""Folder of the validation scenarios (analytic reductions such as M/M/c)."""
