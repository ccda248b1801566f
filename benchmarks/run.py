"""The benchmark harness: ``python -m benchmarks [--quick] [--cases a,b] [--repeats N]``.

Each case runs ``repeats`` times, every repetition in a fresh child process
(``benchmarks.worker``: imports and a small warm-up first, then the timed
call), one after the other so that they never compete for the cores. The
harness prints a table and writes a JSON file (default
``benchmarks/out/bench-<time>.json``) with every repetition, the median and
spread (min, max, interquartile range) of wall time and peak memory, derived
figures (speed-up against the naive model, scaling slopes, parallel
efficiency, Dask overhead), the machine, its load and the package versions.
Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks import cases as cases_mod
from benchmarks.machine import REPO, git_commit, machine, versions

OUT_DIR = REPO / "benchmarks" / "out"


def run_child(spec: dict, timeout: float) -> dict:
    """One repetition in a fresh interpreter; returns the worker's JSON result."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONHASHSEED", "0")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timeout after {timeout:.0f} s"}
    marker = "@@RESULT@@"
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(marker):
            return json.loads(line[len(marker) :])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"ok": False, "error": f"worker exit {proc.returncode}: " + " | ".join(tail)}


def spread(values: list[float]) -> dict:
    """Median, min, max, interquartile range and relative spread ((max−min)/median)."""
    a = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if a.size == 0:
        return {}
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return {
        "median": float(med),
        "min": float(a.min()),
        "max": float(a.max()),
        "iqr": float(q3 - q1),
        "rel_spread": float((a.max() - a.min()) / med) if med else 0.0,
        "n": int(a.size),
    }


STAT_FIELDS = (
    "wall_s",
    "build_s",
    "run_s",
    "per_day_s",
    "cpu_s",
    "peak_rss_mib",
    "peak_rss_children_mib",
    "runs_per_s",
    "map_s",
    "year_estimate_s",
    "cases_created",
    "requests",
    "dask_overhead",
    "runs_per_s_pool",
    "runs_per_s_dask",
)


def run_case(case: dict, timeout: float, log) -> dict:
    runs = []
    for i in range(case["repeats"]):
        res = run_child(case, timeout)
        runs.append(res)
        if not res.get("ok"):
            log(f"  {case['name']}: {res.get('skipped') or res.get('error')}")
            break
        log(
            f"  {case['name']} [{i + 1}/{case['repeats']}] wall {res['wall_s']:.2f} s  "
            f"peak {res['peak_rss_mib']:.0f} MiB  cpu/wall {res['cpu_s'] / res['wall_s']:.2f}  "
            f"load {res['load_before']:.2f}"
        )
    ok = [r for r in runs if r.get("ok")]
    stats = {f: spread([r[f] for r in ok if f in r]) for f in STAT_FIELDS}
    return {**case, "runs": runs, "stats": {k: v for k, v in stats.items() if v}}


def _med(results: dict, name: str, field: str):
    r = results.get(name)
    return r["stats"].get(field, {}).get("median") if r and r.get("stats") else None


def derived(results: dict) -> dict:
    """Figures computed from several cases (each from medians)."""
    d: dict = {}
    real_l, naive_l = _med(results, "linping_year", "wall_s"), _med(results, "naive_linping", "year_estimate_s")
    if real_l and naive_l:
        d["speedup_linping_vs_naive"] = naive_l / real_l
    real_q, naive_q = _med(results, "real_100k_agents_30d", "wall_s"), _med(results, "naive_100k_agents_30d", "wall_s")
    if real_q and naive_q:
        d["speedup_100k_vs_naive"] = naive_q / real_q
    for mode in ("rate", "volume"):
        pts = sorted(
            (
                r["runs"][0]["residents"],
                r["stats"]["wall_s"]["median"],
                r["stats"]["run_s"]["median"],
                r["stats"].get("cases_created", {}).get("median"),
            )
            for r in results.values()
            if r["group"] == f"scaling_{mode}" and r.get("stats")
        )
        if len(pts) >= 2:
            x = np.log([p[0] for p in pts])
            entry = {
                "points": [dict(zip(("residents", "wall_s", "run_s", "cases_created"), p)) for p in pts],
                "slope_wall_vs_residents": float(np.polyfit(x, np.log([p[1] for p in pts]), 1)[0]),
                "slope_run_vs_residents": float(np.polyfit(x, np.log([p[2] for p in pts]), 1)[0]),
            }
            if all(p[3] for p in pts):
                entry["slope_cases_vs_residents"] = float(np.polyfit(x, np.log([p[3] for p in pts]), 1)[0])
            d[f"scaling_{mode}"] = entry
    t1, t2 = _med(results, "throughput_pool_1w", "runs_per_s"), _med(results, "throughput_pool_2w", "runs_per_s")
    if t1 and t2:
        d["parallel_efficiency_2w"] = t2 / (2 * t1)
    ov = _med(results, "dask_vs_pool", "dask_overhead")
    if ov is not None:
        d["dask_overhead_vs_pool"] = ov
    return d


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller and fewer cases (a minute or two)")
    ap.add_argument("--cases", default="", help="comma-separated case names or groups to run (default: all)")
    ap.add_argument("--repeats", type=int, default=None, help="override every case's repetitions")
    ap.add_argument("--naive-days", type=int, default=None, help="days the naive model runs (default 25, extrapolated)")
    ap.add_argument("--out", type=Path, default=None, help="JSON output path")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one repetition is abandoned")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--no-plot", action="store_true", help="do not redraw the scaling plots")
    args = ap.parse_args(argv)

    catalogue = cases_mod.catalogue(quick=args.quick)
    if args.cases:
        wanted = {w.strip() for w in args.cases.split(",") if w.strip()}
        unknown = wanted - {c["name"] for c in catalogue} - {c["group"] for c in catalogue}
        if unknown:
            print(
                f"python -m benchmarks: error: unknown case(s) {', '.join(sorted(unknown))}; see --list",
                file=sys.stderr,
            )
            return 2
        catalogue = [c for c in catalogue if c["name"] in wanted or c["group"] in wanted]
    if args.list:
        for c in catalogue:
            print(f"{c['name']:28s} {c['group']:16s} x{c['repeats']}  {json.dumps(c['args'])}")
        return 0
    for c in catalogue:
        if args.repeats:
            c["repeats"] = args.repeats
        if args.naive_days and c["kind"] == "naive":
            c["args"]["days"] = args.naive_days

    def log(msg: str) -> None:
        print(msg, flush=True)

    started = datetime.now(UTC)
    report = {
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": started.isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": machine(),
        "versions": versions(),
        "cases": {},
    }
    log(
        f"machine: {report['machine']['cpu']} x{report['machine']['cpus_available']}, "
        f"load {report['machine']['loadavg']}"
    )
    t0 = time.perf_counter()
    for c in catalogue:
        report["cases"][c["name"]] = run_case(c, args.timeout, log)
    report["total_s"] = time.perf_counter() - t0
    report["load_end"] = list(os.getloadavg())
    report["derived"] = derived(report["cases"])

    out = args.out or OUT_DIR / f"bench-{started.strftime('%Y%m%dT%H%M%S')}{'-quick' if args.quick else ''}.json"
    from townsim.experiments.core.atomic import write_text

    write_text(out, json.dumps(report, indent=1))
    print_table(report)
    if not args.no_plot and any(k.startswith("scaling_") for k in report["derived"]):
        from benchmarks.plots import plot_scaling

        for path in plot_scaling(report, REPO / "benchmarks"):
            log(f"plot: {path.relative_to(REPO)}")
    log(f"results: {out}")
    return 0


def print_table(report: dict) -> None:
    print(
        f"\n{'case':28s} {'wall median':>11s} {'spread':>15s} {'build':>7s} {'run':>7s} "
        f"{'cpu':>7s} {'peak MiB':>9s} {'n':>2s}"
    )
    for name, r in report["cases"].items():
        s = r.get("stats", {})
        if "wall_s" not in s:
            first = r["runs"][0] if r["runs"] else {}
            print(f"{name:28s} {'-':>11s}  {first.get('skipped') or first.get('error', '')}")
            continue
        w = s["wall_s"]
        b = s.get("build_s", {}).get("median")
        ru = s.get("run_s", {}).get("median")
        print(
            f"{name:28s} {w['median']:10.3f}s {w['min']:6.2f}–{w['max']:<7.2f} "
            f"{b if b is not None else float('nan'):7.2f} {ru if ru is not None else float('nan'):7.2f} "
            f"{s['cpu_s']['median']:7.2f} {s['peak_rss_mib']['median']:9.0f} {w['n']:2d}"
        )
    if report["derived"]:
        print("\nderived:")
        for k, v in report["derived"].items():
            if isinstance(v, dict):
                print(f"  {k}: " + ", ".join(f"{kk}={vv:.3f}" for kk, vv in v.items() if isinstance(vv, float)))
            else:
                print(f"  {k}: {v:.3f}")


if __name__ == "__main__":
    sys.exit(main())
