"""A province: many counties of different sizes, one run of the township model per county (G1's scale).

A province spec (TOML) names the scenario every county runs (its levers), the horizon, the seed
and the counties: a CSV table (``county, residents, townships`` and optionally ``enterprises``,
``department_staff``, ``township_staff``, ``township_table``) or a ``[synthetic]`` province drawn
from declared assumptions (see ``experiments/specs/province_synthetic_100.toml``). A county
without its own staff or enterprises gets the scenario's, scaled by its residents (the same load
per staff hour as the scenario's county).

The county is the unit of work: the largest first (a long run never starts last), each on one
worker of any executor (pool or Dask), through the resumable store (:func:`core.execute.execute`).
A county whose estimated memory exceeds the budget per worker is bad input, and workers are
capped so that the budgets fit in this machine's memory.

Output folder (the spec in ``spec``, the tables and report in ``report``)::

    manifest.json     command, spec, counties, seeds, versions (one entry per invocation)
    counties.csv      the counties as run: residents, townships, agents, estimated memory
    runs.parquet      one row per county run: every summary KPI, CPU seconds, peak memory of its worker
    province.csv      per KPI: the province's total (counts) or resident-weighted mean, and the spread
                      across counties (min, p10, median, p90, max)
    report.md/.html   the report (``--lang``)
    runs/, failures/  the per-run store (what makes the province resumable)
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.design import RunSpec
from townsim.experiments.core.execute import execute
from townsim.experiments.core.executors import Executor
from townsim.experiments.core.outdir import default_out_dir
from townsim.model.params import keyed_dump

from .report import HEADLINE, ProvinceResult, counties_frame, province_table, report_context, write_outputs
from .spec import (
    County,
    ProvinceError,
    ProvinceSpec,
    county_params,
    load_spec,
    memory_estimate,
    plan,
    read_counties,
    specs_of,
    synthetic_table,
    workers_for,
)

__all__ = [
    "HEADLINE",
    "County",
    "ProvinceError",
    "ProvinceResult",
    "ProvinceSpec",
    "counties_frame",
    "county_params",
    "default_out",
    "load_spec",
    "memory_estimate",
    "plan",
    "province_table",
    "read_counties",
    "report_context",
    "run_province",
    "settings_hash",
    "simulate_county",
    "specs_of",
    "synthetic_table",
    "workers_for",
    "write_outputs",
]


def simulate_county(spec: RunSpec) -> dict[str, Any]:
    """One county's run in a worker: its summary, CPU seconds and the worker's peak memory (MiB)."""
    from townsim.model import TownshipModel

    usage = resource.getrusage(resource.RUSAGE_SELF)
    c0, t0 = usage.ru_utime + usage.ru_stime, time.perf_counter()
    m = TownshipModel(spec.params, rng=spec.seed)
    m.run(spec.days)
    row = dict(m.summary())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    row["cpu_s"] = usage.ru_utime + usage.ru_stime - c0
    row["wall_s"] = time.perf_counter() - t0
    row["worker_peak_mib"] = usage.ru_maxrss / 1024
    return row


def settings_hash(spec: ProvinceSpec, counties: list[County]) -> str:
    """What defines the province run (replications left out: more extend the same run)."""
    return runio.settings_hash(
        {
            "counties": [[c.name, keyed_dump(c.params)] for c in sorted(counties, key=lambda c: c.name)],
            "days": spec.days,
            "seed": spec.seed,
        }
    )


def default_out() -> Path:
    return default_out_dir("province", "")


def run_province(
    spec: ProvinceSpec,
    out: Path | str,
    executor: Executor,
    fn: Callable[[RunSpec], Any] = simulate_county,
    argv: list[str] | None = None,
    show_progress: bool | None = None,
    lang: str = "en",
) -> ProvinceResult:
    """Run (or resume) the province into ``out`` and write its tables and report."""
    from townsim.experiments.core.store import ResultStore

    started = runio.now()
    counties = plan(spec)
    specs = specs_of(spec, counties)
    out = Path(out)
    store = ResultStore(out)
    manifest: dict[str, Any] = {"invocations": runio.previous_invocations(out)}
    manifest.update(
        {
            "townsim_command": "province",
            "command_line": runio.command_line(argv),
            "spec": str(spec.path),
            "scenario": spec.scenario,
            "days": spec.days,
            "replications": spec.replications,
            "base_seed": spec.seed,
            "memory_per_worker_mib": spec.memory_per_worker_mib,
            "counties": [{"county": c.name, "residents": c.residents, "townships": c.townships} for c in counties],
            "seeds": {s.scenario: [] for s in specs},
            "model_fingerprint": specs[0].code if specs else None,
            "versions": runio.versions(),
            "git_commit": runio.git_commit(),
            "settings_hash": settings_hash(spec, counties),
        }
    )
    for s in specs:
        manifest["seeds"][s.scenario].append(s.seed)
    runio.write_manifest(out, manifest, runio.IN_PROGRESS)
    atomic.write_csv(out / "counties.csv", counties_frame(counties))
    execution = execute(specs, store, executor, fn=fn, desc="counties", show_progress=show_progress)
    result = write_outputs(out, spec, counties, specs, store, execution, lang)
    manifest["invocations"].append(runio.invocation(started, executor, execution.as_dict(), argv))
    manifest["files"] = sorted(
        {"manifest.json", "counties.csv", "runs.parquet", "province.csv", "report.md", "report.html"}
        | ({"failures.csv"} if result.failures else set())
    )
    runio.write_manifest(out, manifest, runio.COMPLETE)
    return result
