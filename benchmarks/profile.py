"""Profile one run: ``python -m benchmarks.profile {default,linping,baseline} [--days N] [--profiler P] [--engine E]``.

``default`` is the default county; ``linping`` the Linping scenario at one
agent per resident (1,175,800 Citizens); ``baseline`` the shipped scenario
(its warm-up in the build). ``--engine compiled`` asks for the compiled
kernel (where it covers the case). The build and the run are profiled
separately. ``--profiler cprofile`` (default; standard library) prints the
top functions by own time; ``pyinstrument`` (a sampling profiler, lower
overhead, attributes garbage-collection pauses to the allocating line; install
with ``pip install pyinstrument``) prints its call tree. ``--gc`` also reports
the time spent in each garbage-collector generation. Output also goes to
``benchmarks/out/profile-<case>-<profiler>.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time
from contextlib import contextmanager
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def params_for(case: str):
    from benchmarks.cases import LINPING_1, resolve_params

    if case == "default":
        return resolve_params({})
    if case == "linping":
        return resolve_params(LINPING_1)
    if case == "baseline":
        from townsim.scenarios import load_scenario

        return load_scenario("baseline").params
    raise SystemExit(f"python -m benchmarks.profile: error: unknown case {case!r}; allowed: default, linping, baseline")


@contextmanager
def gc_timer(report: dict):
    """Count and time collections per generation while the block runs."""
    stats = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}
    t0 = [0.0]

    def cb(phase, info):
        if phase == "start":
            t0[0] = time.perf_counter()
        else:
            s = stats[info["generation"]]
            s[0] += 1
            s[1] += time.perf_counter() - t0[0]

    gc.callbacks.append(cb)
    try:
        yield
    finally:
        gc.callbacks.remove(cb)
        report.update({f"gen{g}": {"collections": n, "seconds": round(s, 3)} for g, (n, s) in stats.items()})


def profile(fn, profiler: str) -> str:
    if profiler == "pyinstrument":
        from pyinstrument import Profiler

        prof = Profiler(interval=0.001)
        prof.start()
        fn()
        prof.stop()
        return prof.output_text(unicode=True, color=False, show_all=False)
    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(30)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.splitlines()[0])
    ap.add_argument("case", choices=("default", "linping", "baseline"))
    ap.add_argument("--engine", choices=("python", "compiled"), default="python")
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profiler", choices=("cprofile", "pyinstrument"), default="cprofile")
    ap.add_argument("--gc", action="store_true", help="time garbage collections (separate, unprofiled run)")
    args = ap.parse_args(argv)

    from townsim.model import TownshipModel

    p = params_for(args.case).replace(engine=args.engine)
    if args.engine == "compiled":
        TownshipModel(p.replace(warmup_days=0), rng=0).run(1)  # the compiled functions loaded, unprofiled
    holder: dict = {}
    parts = []
    build = profile(lambda: holder.setdefault("m", TownshipModel(p, rng=args.seed)), args.profiler)
    parts.append(f"== build: {args.case} ({p.citizen_agents:,} citizen agents) ==\n{build}")
    m = holder["m"]
    run = profile(lambda: m.run(args.days), args.profiler)
    parts.append(f"== run: {args.days} days, {m.cases.n:,} cases ==\n{run}")
    if args.gc:
        del m, holder["m"]
        gc.collect()
        rep_b: dict = {}
        rep_r: dict = {}
        t0 = time.perf_counter()
        with gc_timer(rep_b):
            m = TownshipModel(p, rng=args.seed)
        t1 = time.perf_counter()
        with gc_timer(rep_r):
            m.run(args.days)
        t2 = time.perf_counter()
        parts.append(
            f"== garbage collection (unprofiled run) ==\nbuild {t1 - t0:.2f} s: {rep_b}\nrun {t2 - t1:.2f} s: {rep_r}\n"
        )
    text = "\n".join(parts)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"profile-{args.case}-{args.engine}-{args.profiler}.txt").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
