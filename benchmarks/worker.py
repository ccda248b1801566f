"""One measured repetition of one case, in a fresh child process.

Run as ``python -m benchmarks.worker '<json spec>'``; prints one JSON line
with the case's own phase timings plus what the child measured about itself:
wall seconds of the timed call, CPU seconds (user + system, this process and
its reaped children), peak resident memory (``ru_maxrss``, MiB, of this
process: interpreter + imports + building + running), the resident memory
before the timed call, and the load average around it.

Before the timed call the worker imports everything and runs the case's
small warm-up once (first-call costs of numpy, pydantic, Mesa), so the timed
call measures steady-state work.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback


def _rss_mib() -> float:
    """Current resident set size of this process (MiB), from /proc."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def _cpu_s() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(spec: dict) -> dict:
    from benchmarks import cases

    fn = cases.KINDS[spec["kind"]]
    warm = spec.get("warmup")
    if warm:
        fn(**warm)
    base_rss = _rss_mib()
    load_before = os.getloadavg()[0]
    cpu0 = _cpu_s()
    t0 = time.perf_counter()
    out = fn(**spec["args"])
    wall = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "ok": True,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mib": peak_self,
        "peak_rss_children_mib": peak_kids,
        "base_rss_mib": base_rss,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        **out,
    }


def main() -> int:
    spec = json.loads(sys.argv[1])
    try:
        result = measure(spec)
    except cases_skip() as exc:
        result = {"ok": False, "skipped": str(exc)}
    except Exception as exc:  # reported to the parent, which records it
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    sys.stdout.write("\n@@RESULT@@" + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


def cases_skip():
    from benchmarks.cases import Skip

    return Skip


if __name__ == "__main__":
    sys.exit(main())
