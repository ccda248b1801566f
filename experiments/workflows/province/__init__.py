"""A province: many counties of different sizes, one run of the township model per county (G1's scale).

A province spec (TOML) names the scenario every county runs (its levers), the horizon, the seed
and the counties: a CSV table (``county, residents, townships`` and optionally ``enterprises``,
``department_staff``, ``township_staff``, ``township_table``) or a ``[synthetic]`` province drawn
from declared assumptions (see ``experiments/specs/province_synthetic_100.toml``). A county
without its own staff or enterprises gets the scenario's, scaled by its residents (the same load
per staff hour as the scenario's county).

The county is the unit of work: the largest first (a long run never starts last), each on one
worker of any executor (pool or Dask), through the resumable store (:mod:`core.protocol`'s runner).
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

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.design import RunSpec
from townsim.experiments.core.executors import Executor
from townsim.experiments.core.outdir import default_out_dir
from townsim.experiments.core.protocol import Experiment, Folder, Stage, run_experiment
from townsim.experiments.core.store import ResultStore, hashable
from townsim.model import TownshipModel

from .report import HEADLINE, ProvinceResult, counties_frame, province_table, report_context, runs_table
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
    "ProvinceExperiment",
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
]


def simulate_county(spec: RunSpec) -> dict[str, Any]:
    """One county's run in a worker: its summary, CPU seconds and the worker's peak memory (MiB)."""
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
            "counties": [[c.name, hashable(c.params)] for c in sorted(counties, key=lambda c: c.name)],
            "days": spec.days,
            "seed": spec.seed,
        }
    )


def default_out() -> Path:
    return default_out_dir("province", "")


class ProvinceExperiment(Experiment):
    """``townsim province`` on the protocol: one run per county (the largest first), the province's table."""

    command = "province"

    def __init__(self, spec: ProvinceSpec) -> None:
        """Plans the counties; :class:`ProvinceError` (one line) for a bad spec."""
        self.spec = spec
        self.counties = plan(spec)
        self.specs = specs_of(spec, self.counties)

    def settings_hash(self) -> str:
        return settings_hash(self.spec, self.counties)

    def describe(self) -> str:
        return f"{len(self.counties)} counties × {self.spec.replications} run(s) × {self.spec.days} days"

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        spec, specs = self.spec, self.specs
        seeds: dict[str, list[int]] = {s.scenario: [] for s in specs}
        for s in specs:
            seeds[s.scenario].append(s.seed)
        return {
            "townsim_command": "province",
            "command_line": runio.command_line(argv),
            "spec": str(spec.path),
            "scenario": spec.scenario,
            "days": spec.days,
            "replications": spec.replications,
            "base_seed": spec.seed,
            "memory_per_worker_mib": spec.memory_per_worker_mib,
            "counties": [{"county": c.name, "residents": c.residents, "townships": c.townships} for c in self.counties],
            "seeds": seeds,
            "model_fingerprint": specs[0].code if specs else None,
            "versions": runio.versions(),
            "git_commit": runio.git_commit(),
        }

    def jobs(self, store: ResultStore | None = None) -> list[RunSpec]:
        return self.specs

    def stages(self, store: ResultStore) -> list[Stage]:
        return [Stage(self.specs, "counties")]

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        return fn or simulate_county

    def prepare(self, out: Path) -> None:
        atomic.write_csv(out / "counties.csv", counties_frame(self.counties))

    def table(self, store: ResultStore) -> pd.DataFrame:
        return runs_table(store, self.specs, self.counties)

    def analyse(self, table: pd.DataFrame, folder: Folder) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The runs and ``province.csv`` (per KPI: the province's value and the spread across counties)."""
        province = province_table(table, self.counties)
        atomic.write_csv(folder.out / "province.csv", province)
        return table, province

    def report(self, tables: Any, folder: Folder, make_figures: bool, lang: str) -> ProvinceResult:
        from townsim.experiments.render import report  # deferred: it pulls in matplotlib (heavy)

        runs, province = tables
        ex, failures = folder.execution, folder.failures
        context = report_context(self.spec, self.counties, runs, province, failures, ex)
        report.write_report(folder.out, report.render_report("province", lang, **context), lang)
        return ProvinceResult(folder.out, ex, runs, province, failures)


def run_province(
    spec: ProvinceSpec,
    out: Path | str | None,
    executor: Executor,
    fn: Callable[[RunSpec], Any] | None = None,
    argv: list[str] | None = None,
    show_progress: bool | None = None,
    lang: str = "en",
) -> ProvinceResult:
    """Run (or resume) the province into ``out`` and write its tables and report."""
    return run_experiment(ProvinceExperiment(spec), out, executor, fn, argv, show_progress, True, lang)
