"""Where a day's time goes, by mechanism.

``python -m benchmarks.phases {empty,SCENARIO} [--days N] [--residents-per-agent R]``

Times each step of ``TownshipModel._day`` (demand, intake, the grid, dumping, workload, the kernel's day, gaming,
feedback, the KPI row, the collector, ...) inclusively with ``time.perf_counter`` around the call, and the time
inside the compiled kernel's calls (``kernel.calls.Direct``, outermost calls only) within each, so that a step's
Python glue is its total less its kernel time. ``empty`` is the default county with every request and dispute
rate 0 (issue 20's day with no demand); a scenario name runs that scenario (``--residents-per-agent 1``: Linping at
full scale). The compiled engine; three days first (first calls). The wrappers add ~0.3 µs a timed call: read
differences between steps, not the last microsecond. Prints µs a day per step, largest Python part first.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

STEPS = (
    ("demand", "draw_day"),
    ("resolution", "return_repeats"),
    ("grid", "new_disputes"),
    ("grid", "surface"),
    ("dumping", "decide_all"),
    ("inspection", "apply"),
    ("workload", "decide_all"),
    ("escalation", "hold_conference"),
    ("gaming", "decide"),
    ("feedback", "judge"),
    ("grid", "petitions"),
    ("feedback", "enterprise_life_cycle"),
    ("assessment", "apply"),
    ("metrics", "collect_day"),
    ("stoprule", "exceeded"),
)
"""The day's steps as ``model.model`` calls them: (module as imported there, function)."""


def model_for(case: str, residents_per_agent: int | None):
    from townsim.model import Params, TownshipModel

    if case == "empty":
        p = Params(citizen_request_rate=0.0, enterprise_request_rate=0.0, dispute_rate=0.0)
    else:
        from townsim.scenarios import load_scenario

        p = load_scenario(case).params
    if residents_per_agent:
        p = p.replace(residents_per_agent=residents_per_agent)
    m = TownshipModel(p.replace(engine="compiled"), rng=1)
    m.run(3)
    return m


def timed(case: str, days: int, residents_per_agent: int | None = None) -> tuple[dict, dict, float]:
    """(µs a day per step, of it in the kernel, total µs a day) over ``days`` days of ``case``."""
    import townsim.model.model as mm
    from townsim.model.kernel import calls

    m = model_for(case, residents_per_agent)
    total, kernel = defaultdict(float), defaultdict(float)
    stack: list[str] = []
    depth = [0]
    direct = calls.Direct.__call__

    def kernel_call(self, *args):
        depth[0] += 1
        t = time.perf_counter()
        try:
            return direct(self, *args)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                for step in set(stack):
                    kernel[step] += time.perf_counter() - t

    def wrap(owner, name: str, label: str) -> None:
        fn = getattr(owner, name)

        def step(*args, **kw):
            stack.append(label)
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                total[label] += time.perf_counter() - t
                stack.pop()

        setattr(owner, name, step)

    for module, name in STEPS:
        wrap(getattr(mm, module), name, f"{module}.{name}")
    wrap(m, "admit", "intake (admit)")
    wrap(m, "_refresh_open", "open set")
    wrap(m.engine, "run_until", "engine.run_until")
    wrap(m.datacollector, "collect", "collector")
    town = type(m.townships[0])
    wrap(town, "split_day", "Township.split_day")
    wrap(town, "account_day", "Township.account_day")
    wrap(mm.inspection, "townships_day", "inspection.townships_day")  # the compiled engine's townships in one pass
    wrap(mm.inspection, "account_all", "inspection.account_all")
    calls.Direct.__call__ = kernel_call  # type: ignore[method-assign]
    try:
        t = time.perf_counter()
        m.run(days)
        elapsed = time.perf_counter() - t
    finally:
        calls.Direct.__call__ = direct  # type: ignore[method-assign]
    scale = 1e6 / days
    return {k: v * scale for k, v in total.items()}, {k: v * scale for k, v in kernel.items()}, elapsed * scale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.phases", description=__doc__.split("\n\n")[0])
    ap.add_argument("case", help="'empty' or a scenario name")
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--residents-per-agent", type=int, default=None)
    a = ap.parse_args(argv)
    total, kernel, day = timed(a.case, a.days, a.residents_per_agent)
    print(f"{'step (nested steps counted in both)':36s} {'total':>8s} {'kernel':>8s} {'python':>8s}   µs a day")
    for k in sorted(total, key=lambda k: kernel.get(k, 0.0) - total[k]):
        print(f"{k:36s} {total[k]:8.1f} {kernel.get(k, 0.0):8.1f} {total[k] - kernel.get(k, 0.0):8.1f}")
    print(f"a day: {day:.1f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
