"""The cheap day of issue 20, A/B: this tree against a base tree, every repetition a fresh process.

``python -m benchmarks.day --base DIR [--repeats 3] [--days 250] [--empty-days 1000]``

Measures, per tree (``DIR`` holds a ``townsim`` symlink to the base checkout, used as its
``PYTHONPATH``): the fixed CPU cost of a day with no demand (the default county, every request
rate 0, CPU ms per day) and a county-year (build + ``--days`` days + summary, CPU s) of
``Params()`` and of the ``baseline`` scenario, each with ``engine="python"`` and
``engine="compiled"``. Every figure is a fresh process (``speed_child.py`` for the empty day;
this file's ``--child`` mode for the years), A and B interleaved with the order swapped every
round; medians of the repetitions; the ratio is base / this (> 1: this tree is faster). A
Markdown table goes to standard output, the repetitions to ``benchmarks/out/day-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.speed import OUT, child, interleaved, med

WORKS = ("default:python", "default:compiled", "baseline:python", "baseline:compiled")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_child(work: str, days: int) -> dict:
    """In a fresh process: one county-year of ``work`` (``scenario:engine``), CPU seconds of build + run + summary."""
    from townsim.model import Params, TownshipModel
    from townsim.scenarios import load_scenario

    TownshipModel(Params(residents=10_000, enterprises=100), rng=0).run(5)  # first-call costs
    name, engine = work.split(":")
    p = Params() if name == "default" else load_scenario(name).params
    p = p.replace(engine=engine)
    m = TownshipModel(p, rng=1)
    m.run(1)  # loads (or compiles) the kernel's functions outside the timed part
    m = TownshipModel(p, rng=1)
    c0 = _cpu()
    m.run(days)
    m.summary()
    return {"cpu_s": _cpu() - c0, "compiled": bool(getattr(m, "compiled", False)), "cases": int(m.cases.n)}


def year(pythonpath: str, work: str, days: int) -> dict:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    argv = [sys.executable, "-m", "benchmarks.day", "--child", work, "--days", str(days)]
    cwd = Path(__file__).resolve().parent.parent
    out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=3600)
    line = next((x for x in out.stdout.splitlines() if x.startswith("@@")), None)
    if out.returncode or line is None:
        raise RuntimeError(f"{work}: exit {out.returncode}\n{out.stderr[-2000:]}")
    return json.loads(line[2:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.day", description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="folder with a 'townsim' symlink to the base checkout (its PYTHONPATH)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--empty-days", type=int, default=1000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print("@@" + json.dumps(run_child(args.child, args.days)))
        return 0
    trees = {"this": os.environ.get("PYTHONPATH", "")}
    if args.base:
        trees["base"] = str(Path(args.base).resolve())
    res: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "load_before": os.getloadavg()}
    res["empty"] = interleaved(trees, args.repeats, lambda pp: child(pp, "empty", str(args.empty_days)))
    for w in WORKS:
        res[w] = interleaved(trees, args.repeats, lambda pp, w=w: year(pp, w, args.days))
    res["load_after"] = os.getloadavg()
    rows = [("a day with no demand, CPU ms per day", res["empty"], "cpu_ms_per_day")]
    rows += [(f"county-year `{w}`, CPU s", res[w], "cpu_s") for w in WORKS]
    print("| work | base | this | ×base/this |\n|---|---|---|---|")
    for label, got, key in rows:
        this = med(got["this"], key)
        base = med(got["base"], key) if "base" in got else float("nan")
        print(f"| {label} | {base:.3f} | {this:.3f} | ×{base / this:.2f} |")
    print(f"load average before {res['load_before']}, after {res['load_after']}")
    OUT.mkdir(exist_ok=True)
    path = OUT / f"day-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(res, indent=1))
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
