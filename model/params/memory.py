"""The memory a run of some parameters needs, and this machine's (``Params`` refuses a county that cannot fit)."""

from __future__ import annotations

import os

BASE_MEMORY_BYTES = 160 * 1024**2
"""Interpreter, libraries and a small county (benchmarks: default year 164 MiB peak)."""
BYTES_PER_AGENT = 520
"""Peak memory per agent over a year's run, cases included (benchmarks: Linping at one agent per
resident, 1,175,800 agents, 742 MiB peak vs 164 MiB for the default county)."""


def estimated_memory_bytes(params) -> int:
    """Estimated peak memory of one run of ``params`` in bytes (agents × BYTES_PER_AGENT + base)."""
    agents = params.citizen_agents + params.enterprises + params.townships + params.departments
    return BASE_MEMORY_BYTES + BYTES_PER_AGENT * agents


def memory_limit_bytes() -> int | None:
    """Physical memory of this machine in bytes (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
