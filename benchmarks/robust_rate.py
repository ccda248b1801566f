"""Issue 22's 60-minute figure, measured on the real experiment: ``townsim robust --worlds 256 --equal-staff``.

``python -m benchmarks.robust_rate runs [--minutes 20] [--workers 2] [--worlds 256]`` starts the experiment
(3 replications, every shipped generic-county scenario and its equal-staff variants) in a fresh folder,
stops it (SIGKILL) after ``--minutes`` and counts the runs it stored: the experiment's own rate, its pool,
warm-ups, writing and all, on this machine. The plan's worlds come in Latin-hypercube order, so the first
worlds are a fair sample of the 256.

``python -m benchmarks.robust_rate analysis [--worlds 256] [--workers 2]`` times what follows the runs (the
results table, effects, robustness, regret, the vulnerability searches, the report) at that many worlds: the
runs are synthetic (one real 20-day run per arm, its summary shifted by seeded noise, made serially), then the
finished folder is analysed again with ``--workers`` workers, as the real experiment's end is.

The total: runs / rate + analysis. Figures go to standard output and ``benchmarks/out/robust-rate-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _stored(folder: Path) -> int:
    """Runs the store holds (one row file each)."""
    runs = folder / "runs"
    return sum(1 for p in runs.glob("*.json") if not p.name.startswith(".")) if runs.is_dir() else 0


def measure_runs(minutes: float, workers: int, worlds: int) -> dict:
    """Run the experiment for ``minutes``, then kill it; its rate and the projection of all its runs."""
    out = Path(tempfile.mkdtemp(prefix="robust-rate-")) / "run"
    argv = [sys.executable, "-m", "townsim.experiments.cli", "robust", "--worlds", str(worlds), "--equal-staff"]
    argv += ["--workers", str(workers), "--progress", "never", "--out", str(out)]
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    first = None  # the first stored run: start-up (imports, the plan, workers loading the kernel) ends there
    while time.monotonic() - t0 < 60 * minutes and proc.poll() is None:
        time.sleep(2)
        if first is None and _stored(out):
            first = (time.monotonic() - t0, _stored(out))
    wall = time.monotonic() - t0
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = _stored(out)
    total = worlds * 3 * _arms()
    start, at_start = first or (wall, 0)
    rate = (done - at_start) / max(wall - start, 1e-9) * 60  # runs a minute once running
    return {
        "minutes": round(wall / 60, 2),
        "workers": workers,
        "worlds": worlds,
        "runs_stored": done,
        "runs_in_all": total,
        "start_up_s": round(start, 1),
        "runs_per_minute": round(rate, 2),
        "projected_runs_minutes": round(start / 60 + total / rate, 1) if rate else None,
        "load_after": os.getloadavg(),
    }


def _arms() -> int:
    from townsim.experiments.workflows.robust.plan import plan  # deferred: the model is heavy
    from townsim.experiments.workflows.robust.settings import RobustSettings

    return len(plan(RobustSettings(worlds=2, reps=2, equal_staff=True)).arms)


class _Synthetic:
    """A run replaced by a real short run of its arm (made once a process) with its summary shifted by noise
    seeded from the run's seed and arm: what the analysis reads, at no model cost."""

    def __init__(self, params, seed: int):
        self.params, self.seed, self.made = params, seed, {}

    def __call__(self, spec):
        from townsim.model import simulate  # deferred: the model is heavy

        if spec.scenario not in self.made:
            staff = {"department_staff": spec.params.department_staff}
            self.made[spec.scenario] = simulate(self.params.replace(**staff), self.seed, 20)
        summary, daily = self.made[spec.scenario]
        rng = random.Random(spec.seed ^ zlib.crc32(spec.scenario.encode()))
        return {k: v * (1 + 0.05 * rng.gauss(0, 1)) if isinstance(v, float) else v for k, v in summary.items()}, daily


def measure_analysis(worlds: int, workers: int) -> dict:
    """CPU and wall time of the analysis and report of a finished ``worlds``-world experiment."""
    from townsim.experiments.core.executors import ProcessExecutor, SerialExecutor  # deferred: heavy imports
    from townsim.experiments.workflows.robust.pipeline import run_robust
    from townsim.experiments.workflows.robust.plan import plan
    from townsim.experiments.workflows.robust.settings import RobustSettings

    settings = RobustSettings(worlds=worlds, reps=3, equal_staff=True)
    first = plan(settings).specs[0]
    out = Path(tempfile.mkdtemp(prefix="robust-analysis-")) / "run"
    t0 = time.perf_counter()
    run_robust(settings, out, SerialExecutor(), fn=_Synthetic(first.params, first.seed), show_progress=False)
    runs_s = time.perf_counter() - t0
    c0, t0 = time.process_time(), time.perf_counter()
    with ProcessExecutor(workers) as ex:
        run_robust(settings, out, ex, show_progress=False)
    return {
        "worlds": worlds,
        "workers": workers,
        "synthetic_runs_and_first_analysis_s": round(runs_s, 1),
        "analysis_wall_s": round(time.perf_counter() - t0, 1),
        "analysis_cpu_s_main_process": round(time.process_time() - c0, 1),
        "load_after": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("runs", "analysis"))
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worlds", type=int, default=256)
    args = ap.parse_args(argv)
    if args.worlds < 2 or args.workers < 1 or args.minutes <= 0:
        ap.error("--worlds must be at least 2, --workers at least 1, --minutes above 0")
    got = (
        measure_runs(args.minutes, args.workers, args.worlds)
        if args.what == "runs"
        else measure_analysis(args.worlds, args.workers)
    )
    OUT.mkdir(exist_ok=True)
    path = OUT / f"robust-{args.what}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(got, indent=1))
    print(json.dumps(got, indent=1))
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
