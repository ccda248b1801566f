"""Speed figures of issue 20, A/B: this tree against a base tree, every repetition a fresh process.

``python -m benchmarks.speed --base DIR [--repeats 3] [--parts ab,empty,events,mmc,linping,cli,kernel]
[--engines python,compiled]``

``DIR`` is a folder holding a ``townsim`` entry (a symlink to the base checkout), used as the
base's ``PYTHONPATH``; without ``--base`` only this tree is measured. Each repetition runs
``benchmarks/speed_child.py`` in a new interpreter; A and B alternate (ABAB…, the order
swapped every round) so that drifts of a shared machine's speed fall on both. Figures are CPU
seconds (user + system) of the timed part, medians over the repetitions; the ratio is
base / this (> 1: this tree is faster). Results go to ``benchmarks/out/speed-<time>.json``
and a Markdown table to standard output.

Parts: ``ab`` the default county-year (``baseline``, ``full_reform``; model API, build + run
+ summary; on each engine of ``--engines``), ``empty`` the fixed cost of a day with no demand
(same), ``events`` heap events per case and µs per event, ``mmc`` M/M/7 at ρ 0.95 (1/μ = 1 h,
``--mmc-days`` days) per customer against SimPy and ciw, ``linping`` Linping at one agent per
resident (CPU, peak memory; on each engine of ``--engines``), ``cli`` ``townsim --version``, ``--help`` and
``scenarios list`` (wall and CPU of the whole
process), ``kernel`` the compiled engine against the Python one on this tree: a county-year of
the default county reduced to the kernel's mechanisms (``kernel.PLAIN``) and of each covered
scenario of ``--kernel-counties`` (default: ``baseline``), the share of its CPU spent inside
the kernel, and the compile cost once per machine (an empty numba cache) against loading the
cached functions. With ``mmc``, this tree's compiled engine is one more peer. ``worlds`` (not in the
default set: ≈ 4 min a tree) the drawn-world runs of issue 22's robustness experiment: the first replication
of every generic arm in each of ``--worlds`` Latin-hypercube worlds, CPU a run (mean, median, 90th
percentile, largest) and the projection of ``townsim robust --worlds 256 --equal-staff`` (3 replications) on
2 cores from the mean.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = HERE / "speed_child.py"
OUT = HERE / "out"
PARTS = ("ab", "empty", "events", "mmc", "linping", "cli", "kernel", "worlds")
DEFAULT_PARTS = PARTS[:-1]


def this_pythonpath() -> str:
    """A PYTHONPATH whose ``townsim`` is this tree (the installed one when it is this tree)."""
    return os.environ.get("PYTHONPATH", "")


def child(pythonpath: str, *args: str, env_extra: dict | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": pythonpath, **(env_extra or {})}
    out = subprocess.run(
        [sys.executable, str(CHILD), *args], capture_output=True, text=True, env=env, cwd="/", timeout=3600
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("@@")), None)
    if out.returncode or line is None:
        raise RuntimeError(f"{args}: exit {out.returncode}\n{out.stderr[-2000:]}")
    return json.loads(line[2:])


def timed_process(pythonpath: str, argv: list[str]) -> dict:
    """Wall and CPU seconds and peak memory of a whole ``python -m townsim.experiments.cli`` process."""
    env = {**os.environ, "PYTHONPATH": pythonpath}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "townsim.experiments.cli", *argv],
        env=env,
        cwd="/",
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mib": after.ru_maxrss / 1024}


def interleaved(trees: dict[str, str], repeats: int, fn) -> dict[str, list[dict]]:
    """``fn(pythonpath)`` ``repeats`` times per tree, alternating the trees, the order swapped each round."""
    names = list(trees)
    got: dict[str, list[dict]] = {n: [] for n in names}
    for r in range(repeats):
        for n in names if r % 2 == 0 else names[::-1]:
            got[n].append(fn(trees[n]))
    return got


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="folder with a 'townsim' symlink to the base checkout (its PYTHONPATH)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--parts", default=None, help=f"comma-separated, of {', '.join(PARTS)} (default: all but worlds)")
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--mmc-days", type=int, default=1000)
    ap.add_argument("--empty-days", type=int, default=2000)
    ap.add_argument("--worlds", type=int, default=16, help="the worlds part's Latin-hypercube worlds")
    ap.add_argument(
        "--engines",
        default="python",
        help="engines of the ab, empty and linping parts, comma-separated: python, compiled (a base without the"
        " compiled engine runs the Python one)",
    )
    ap.add_argument(
        "--kernel-counties",
        default="plain,baseline",
        help="the kernel part's counties: 'plain' (the default county reduced to the kernel's mechanisms) or"
        " scenarios the kernel covers",
    )
    args = ap.parse_args(argv)
    parts = [p for p in (args.parts or ",".join(DEFAULT_PARTS)).split(",") if p]
    bad = [p for p in parts if p not in PARTS]
    if bad:
        ap.error(f"unknown part(s) {bad}; allowed: {', '.join(PARTS)}")
    trees = {"this": this_pythonpath()}
    if args.base:
        if not (Path(args.base) / "townsim").exists():
            ap.error(f"--base {args.base}: no 'townsim' entry in that folder")
        trees["base"] = str(Path(args.base).resolve())
    res: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": {
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": os.getloadavg(),
        },
        "args": vars(args),
        "trees": trees,
    }
    rows: list[tuple[str, str]] = []
    R = args.repeats

    def ab_row(label: str, got: dict, key: str, unit: str, scale: float = 1.0, fmt: str = "{:.3f}") -> None:
        this = med(got["this"], key) * scale
        cell = f"{fmt.format(this)} {unit}"
        if "base" in got:
            base = med(got["base"], key) * scale
            cell = f"{fmt.format(base)} → {fmt.format(this)} {unit} (×{base / this:.2f})"
        rows.append((label, cell))

    engines = [e for e in args.engines.split(",") if e]
    if "ab" in parts:
        for eng in engines:
            for scen in ("baseline", "full_reform"):
                got = interleaved(trees, R, lambda pp, s=scen, e=eng: child(pp, "year", s, str(args.days), e))
                key = f"year_{scen}" if eng == "python" else f"year_{scen}_{eng}"
                res[key] = got
                ab_row(f"county-year `{scen}`, model API, `engine={eng}`, CPU", got, "cpu_s", "s")
    if "empty" in parts:
        for eng in engines:
            got = interleaved(trees, R, lambda pp, e=eng: child(pp, "empty", str(args.empty_days), e))
            res["empty_day" if eng == "python" else f"empty_day_{eng}"] = got
            ab_row(f"a day with no demand, `engine={eng}`, CPU", got, "cpu_ms_per_day", "ms")
    if "events" in parts:
        ev = {
            n: {s: child(pp, "events", s, str(args.days)) for s in ("baseline", "full_reform")}
            for n, pp in trees.items()
        }
        res["events"] = ev
        for s in ("baseline", "full_reform"):
            per = " → ".join(f"{ev[n][s]['events_per_case']:.2f}" for n in reversed(list(trees)))
            rows.append((f"heap events per case `{s}`", per))
            yr = res.get(f"year_{s}")
            if yr:
                us = " → ".join(
                    f"{1e6 * med(yr[n], 'run_cpu_s') / ev[n][s]['events']:.2f}" for n in reversed(list(trees))
                )
                rows.append((f"µs per heap event `{s}` (run CPU / events, warm-up excluded)", us))
    if "mmc" in parts:
        peers = {**{f"townsim[{n}]": (pp, "mmc-townsim") for n, pp in trees.items()}}
        if _has_kernel():
            peers["townsim[this, compiled]"] = (trees["this"], "mmc-townsim-compiled")
        peers["simpy"] = (trees["this"], "mmc-simpy")
        peers["ciw"] = (trees["this"], "mmc-ciw")
        got = {k: [] for k in peers}
        for r in range(R):
            for k in list(peers) if r % 2 == 0 else list(peers)[::-1]:
                pp, task = peers[k]
                if task == "mmc-townsim-compiled":
                    got[k].append(child(pp, "mmc-townsim", str(args.mmc_days), "compiled"))
                else:
                    got[k].append(child(pp, task, str(args.mmc_days)))
        res["mmc"] = got
        for k, g in got.items():
            rows.append(
                (
                    f"M/M/7 ρ 0.95, {args.mmc_days} days, µs per customer: {k}",
                    f"{med(g, 'us_per_customer'):.1f} µs (mean wait {med(g, 'mean_wait_h'):.2f} h;"
                    f" Erlang C {g[0]['erlang_c_wait_h']:.2f} h)",
                )
            )
            if "kernel_us_per_customer" in g[0]:
                rows.append((f"  of which inside the kernel: {k}", f"{med(g, 'kernel_us_per_customer'):.2f} µs"))
    if "linping" in parts:
        for eng in engines:
            got = interleaved(trees, R, lambda pp, e=eng: child(pp, "linping", str(args.days), e))
            res["linping" if eng == "python" else f"linping_{eng}"] = got
            ab_row(f"Linping, one agent per resident, `engine={eng}`, CPU", got, "cpu_s", "s")
            ab_row(f"Linping, `engine={eng}`, peak memory", got, "peak_rss_mib", "MiB", fmt="{:.0f}")
    if "cli" in parts:
        for argv_ in (["--version"], ["--help"], ["scenarios", "list"]):
            got = interleaved(trees, max(R, 5), lambda pp, a=argv_: timed_process(pp, a))
            res["cli_" + "_".join(argv_).strip("-")] = got
            ab_row(f"`townsim {' '.join(argv_)}`, wall", got, "wall_s", "s", fmt="{:.2f}")
            ab_row(f"`townsim {' '.join(argv_)}`, CPU", got, "cpu_s", "s", fmt="{:.2f}")
    if "kernel" in parts and _has_kernel():
        this = trees["this"]
        for county in args.kernel_counties.split(","):
            engines = {"python": this, "compiled": this}
            got = {n: [] for n in engines}
            for r in range(R):
                for n in list(engines) if r % 2 == 0 else list(engines)[::-1]:
                    got[n].append(child(this, "plain-year", n, str(args.days), county))
            key = "" if county == "plain" else f"_{county}"
            res[f"kernel_year{key}"] = got
            py, co = med(got["python"], "cpu_s"), med(got["compiled"], "cpu_s")
            what = "the default county (`kernel.PLAIN`" if county == "plain" else f"`{county}` (scenario"
            rows.append(
                (
                    f"county-year, {what}, {got['python'][0]['cases']} cases), build + run + summary,"
                    " CPU: python → compiled",
                    f"{py:.3f} → {co:.3f} s (×{py / co:.2f})",
                )
            )
            share = [child(this, "kernel-share", str(args.days), county) for _ in range(R)]
            res[f"kernel_share{key}"] = share
            rows.append(
                (f"share of run CPU inside the kernel (`{county}` county-year)", f"{100 * med(share, 'share'):.1f} %")
            )
        comp = []
        for _ in range(R):
            with tempfile.TemporaryDirectory() as cache:
                first = child(this, "kernel-compile", env_extra={"NUMBA_CACHE_DIR": cache})
                again = child(this, "kernel-compile", env_extra={"NUMBA_CACHE_DIR": cache})
            comp.append({"compile_cpu_s": first["cpu_s"], "cached_cpu_s": again["cpu_s"]})
        res["kernel_compile"] = comp
        rows.append(
            (
                "compiled engine's first model + 1 day, CPU: empty numba cache (compile) / filled cache",
                f"{med(comp, 'compile_cpu_s'):.2f} s / {med(comp, 'cached_cpu_s'):.2f} s",
            )
        )
    if "worlds" in parts:
        got = interleaved(trees, R, lambda pp: child(pp, "worlds", str(args.worlds)))
        res["worlds"] = got
        arms = got["this"][0]["arms"]
        ab_row(f"drawn-world run ({args.worlds} worlds × {arms} arms), mean CPU", got, "cpu_s_per_run", "s")
        ab_row("drawn-world runs, CPU a case", got, "us_per_case", "µs", fmt="{:.1f}")
        for n in reversed(list(trees)):
            cpus = sorted(r["cpu_s"] for r in got[n][0]["per_run"])
            q = statistics.quantiles(cpus, n=10)
            rows.append(
                (
                    f"drawn-world runs [{n}], first repetition: median / 90th percentile / largest",
                    f"{statistics.median(cpus):.2f} / {q[-1]:.2f} / {cpus[-1]:.2f} s",
                )
            )
        hours = med(got["this"], "cpu_s_per_run") * 256 * 3 * arms / 2 / 3600
        rows.append(
            ("`townsim robust --worlds 256 --equal-staff` on 2 cores, projected from the mean", f"{hours:.2f} h")
        )
    res["machine"]["load_after"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"speed-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(res, indent=1))
    print(f"| work | {'base → this (×speed-up)' if args.base else 'this tree'} |\n|---|---|")
    for label, cell in rows:
        print(f"| {label} | {cell} |")
    la, lb = res["machine"]["load_before"], res["machine"]["load_after"]
    print(f"\nload average before {la[0]:.2f}, after {lb[0]:.2f}; {res['machine']['cpu']}; written {path}")
    return 0


def _has_kernel() -> bool:
    """This tree has the compiled engine and numba is installed."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None and (HERE.parent / "model" / "kernel").is_dir()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
