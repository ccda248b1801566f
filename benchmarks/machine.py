"""Where and with what a benchmark ran: machine, load, versions, git commit."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from townsim.experiments.core.manifest import git_commit, versions  # noqa: F401 - the one pair, re-exported

REPO = Path(__file__).resolve().parent.parent

PACKAGES = ("mesa", "numpy", "pandas", "scipy", "pydantic", "pyarrow", "dask", "distributed", "SALib", "psutil")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        import psutil

        return round(psutil.virtual_memory().total / 2**30, 1)
    except Exception:  # psutil is optional
        return None


def machine() -> dict:
    """Static description of the machine plus the load average right now."""
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cpus_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": _mem_total_gib(),
        "loadavg": list(os.getloadavg()),
    }
