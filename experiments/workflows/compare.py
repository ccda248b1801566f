"""Scenario comparison: replicated runs of several scenarios against a baseline, written to one folder.

:func:`plan` resolves the scenarios (``--set`` overrides apply to every one of
them, the baseline included) and the run specs (common random numbers by
default); :func:`run_compare` executes them through the resumable store and
writes the tables, figures and report (:func:`write_outputs`).

Output folder (``out``)::

    manifest.json        command, resolved scenarios and parameters, seeds, versions, git commit,
                         executor and timings (one entry per invocation: a resumed experiment appends)
    runs.parquet         one row per finished run: scenario, replication, seed, param_hash, every summary KPI
    timeseries.parquet   daily KPIs of every finished run (all days, no down-sampling)
    summary.csv          per scenario and KPI: mean, sd, 95% CI, n
    comparison.csv       per scenario and KPI: difference from the baseline, 95% CI, p, Holm p, effect size
    failures.csv         runs that raised (only when some did)
    figures/*.png        time series, forest plot, trade-offs
    report.md            the planner's report
    runs/, failures/     the per-run store (what makes the experiment resumable)
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.core import manifest as runio
from townsim.experiments.core import protocol
from townsim.experiments.core.design import Design
from townsim.experiments.core.execute import ExecutionReport, RunSpec, simulate_run, simulate_run_with_cases
from townsim.experiments.core.executors import Executor
from townsim.experiments.core.posterior import check_county, load_posterior
from townsim.experiments.core.protocol import Experiment, Folder, run_experiment
from townsim.experiments.core.seeds import check_seed
from townsim.experiments.core.spec import DEFAULT_DAYS
from townsim.experiments.core.stats import compare_to_baseline, kpi_columns, summarize
from townsim.experiments.core.store import ResultStore, RunKey, content_id, hashable
from townsim.experiments.core.warmgroups import WarmUpGroup, by_warm_up, in_groups
from townsim.experiments.errors import shorten

from . import compare_posterior as post_mod
from .compare_scenarios import (
    CompareError,
    ScenarioRun,
    different_county,
    equal_staff_variant,
    resolve_scenarios,
)
from .compare_tables import manifest_body, non_stationary, runs_table, write_csv, write_parquet

__all__ = [
    "DEFAULT_BASELINE",
    "DEFAULT_REPS",
    "DEFAULT_SEED",
    "MAX_DAYS",
    "MAX_REPS",
    "CompareError",
    "CompareExperiment",
    "CompareResult",
    "CompareSettings",
    "ScenarioRun",
    "different_county",
    "equal_staff_variant",
    "plan",
    "resolve_scenarios",
    "run_compare",
    "settings_hash",
    "write_outputs",
]

DEFAULT_REPS = 20
DEFAULT_SEED = 1
DEFAULT_BASELINE = "baseline"
MAX_DAYS = 100_000
MAX_REPS = 100_000


@dataclass
class CompareSettings:
    """Everything that defines a comparison (the manifest records it; the same settings resume)."""

    scenarios: list[str] = field(default_factory=list)  # names or paths; [] = all shipped, not validation
    baseline: str = DEFAULT_BASELINE
    reps: int = DEFAULT_REPS
    days: int = DEFAULT_DAYS
    seed: int = DEFAULT_SEED
    overrides: list[str] = field(default_factory=list)
    independent_seeds: bool = False
    equal_staff: bool = False  # also run each reform at the staff-hours of the root of its extends chain
    cases: bool = False  # also keep every run's table of cases (cases.parquet)
    posterior: str | None = None  # a `townsim calibrate` folder: replication k runs at posterior draw k
    force: bool = False  # apply a posterior made for another county
    posterior_note: str = field(default="", compare=False)  # set by plan(): the report's paragraph
    posterior_note_zh: str = field(default="", compare=False)  # the same in Chinese
    non_stationary: list = field(default_factory=list, compare=False)  # set by write_outputs(): see non_stationary()

    def check(self) -> None:
        """Raise :class:`CompareError` (one line) on out-of-range numbers."""
        if not 2 <= self.reps <= MAX_REPS:
            raise CompareError(
                f"--reps {shorten(str(self.reps))}: allowed: an integer in [2, {MAX_REPS:,}] "
                "(confidence intervals need at least 2 replications)"
            )
        if not 1 <= self.days <= MAX_DAYS:
            raise CompareError(
                f"--days {shorten(str(self.days))}: allowed: an integer in [1, {MAX_DAYS:,}] working days"
            )
        try:
            check_seed(self.seed)
        except ValueError as exc:
            raise CompareError(str(exc)) from None

    def reproduce_command(self, out: Path | str | None = None) -> str:
        """The ``townsim compare`` command that makes exactly these runs (executor flags aside)."""
        parts = ["townsim", "compare", *self.scenarios]
        if self.baseline != DEFAULT_BASELINE:
            parts += ["--baseline", self.baseline]
        parts += ["--reps", str(self.reps), "--days", str(self.days), "--seed", str(self.seed)]
        for o in self.overrides:
            parts += ["--set", o]
        if self.independent_seeds:
            parts.append("--independent-seeds")
        if self.equal_staff:
            parts.append("--equal-staff")
        if self.cases:
            parts.append("--cases")
        if self.posterior:
            parts += ["--posterior", str(self.posterior)] + (["--force"] if self.force else [])
        if out is not None:
            parts += ["--out", str(out)]
        return " ".join(shlex.quote(p) for p in parts)


def plan(settings: CompareSettings) -> tuple[list[ScenarioRun], list[RunSpec]]:
    """Resolved scenarios and every run spec (scenario-major, replication-minor)."""
    settings.check()
    scenarios = resolve_scenarios(settings)
    design = Design(
        [(s.name, 0, s.params) for s in scenarios],
        settings.reps,
        settings.days,
        settings.seed,
        common_random_numbers=not settings.independent_seeds,
    )
    specs = design.specs()
    if settings.posterior:  # replication k of every scenario at posterior draw k (same seed: paired)
        specs = _with_posterior(settings, scenarios, specs)
    return scenarios, specs


def _with_posterior(settings: CompareSettings, scenarios: Sequence[ScenarioRun], specs: list[RunSpec]) -> list[RunSpec]:
    """Replication k of every scenario at posterior draw k (paired); the scenario's own levers win."""
    if settings.independent_seeds:
        raise CompareError(
            "--posterior pairs draw k across scenarios: it needs common seeds (drop --independent-seeds)"
        )
    try:
        post = load_posterior(settings.posterior)
        diff = check_county(post, scenarios[0].params, settings.force)
    except ValueError as exc:
        raise CompareError(str(exc)) from None
    calibrated = post_mod.calibrated_scenario(post, settings.overrides)
    own = post_mod.own_values(post, scenarios, calibrated, settings.overrides)
    settings.posterior_note = post_mod.note(post, settings.reps, own, diff, settings.overrides)
    settings.posterior_note_zh = post_mod.note(post, settings.reps, own, diff, settings.overrides, "zh")
    return post_mod.apply(post, specs, settings.reps, settings.seed, own, settings.overrides)


def settings_hash(settings: CompareSettings, scenarios: Sequence[ScenarioRun]) -> str:
    """Hash of what defines the experiment: scenarios and their parameters, days, seed, seeding, baseline.

    The number of replications is left out: more replications extend the same experiment. Files the
    parameters or the posterior name enter by their content (``store.hashable``), so a checkout moved
    elsewhere resumes its comparison folders.
    """
    body = {
        "scenarios": [[s.name, hashable(s.params)] for s in scenarios],
        "baseline": settings.baseline,
        "days": settings.days,
        "seed": settings.seed,
        "common_random_numbers": not settings.independent_seeds,
        "equal_staff": settings.equal_staff,
        **({"cases": True} if settings.cases else {}),
    }
    if settings.posterior:  # the draws change every run's parameters
        body["posterior"] = [content_id(str(settings.posterior)), settings.force]  # by content, not by path
    return runio.settings_hash(body)


@dataclass
class CompareResult:
    """Where the outputs went and what happened."""

    out: Path
    execution: ExecutionReport
    runs: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    failures: list[dict[str, Any]]
    figures: list[Path]


@dataclass
class Tables:
    """The analysis of a comparison: the runs, their daily KPIs and the summary and comparison tables."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    present: list[str]  # the scenarios that have runs, in order


class CompareExperiment(Experiment):
    """``townsim compare`` on the protocol: every scenario's replications, summary, differences, report."""

    command = "compare"

    def __init__(self, settings: CompareSettings, planned: tuple[list[ScenarioRun], list[RunSpec]] | None = None):
        self.settings = settings
        self.scenarios, self.specs = planned or plan(settings)

    def settings_hash(self) -> str:
        return settings_hash(self.settings, self.scenarios)

    def describe(self) -> str:
        return f"{len(self.scenarios)} scenarios × {self.settings.reps} runs × {self.settings.days} days"

    def notes(self, out: Path) -> list[str]:
        if len(self.scenarios) < 2:
            return [f"townsim: note: only the baseline '{self.settings.baseline}' is given; no differences to compute"]
        return []

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        return manifest_body(self.settings, self.scenarios, self.specs, out, argv)

    def jobs(self, store: ResultStore | None = None) -> list[RunSpec | WarmUpGroup]:
        """Replication k of every scenario with the same warm-up: one job (``core.warmgroups``)."""
        return by_warm_up(self.specs, store)

    def keys(self) -> list[RunKey]:
        return [s.key for s in self.specs]

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        if self.settings.cases and fn in (None, simulate_run):
            return in_groups(simulate_run_with_cases)
        return in_groups(fn or simulate_run)

    def table(self, store: ResultStore) -> pd.DataFrame:
        return runs_table(store, [s.key for s in self.specs], [s.name for s in self.scenarios])

    def analyse(self, table: pd.DataFrame, folder: Folder) -> Tables:
        out, store = folder.out, folder.store
        done = [k for k in folder.keys if store.has(k)]
        ts = store.timeseries_frame(done)
        if "param_hash" in ts.columns:
            ts = ts.drop(columns="param_hash")
        write_parquet(out / "timeseries.parquet", ts)
        if self.settings.cases:
            write_parquet(out / "cases.parquet", store.table_frame("cases", done))
        summary, comparison, present = _summary_tables(out, self.settings, table, [s.name for s in self.scenarios])
        return Tables(table, ts, summary, comparison, present)

    def report(self, analysis: Tables, folder: Folder, make_figures: bool, lang: str) -> CompareResult:
        from townsim.experiments.render import report  # deferred: it pulls in matplotlib (heavy)

        settings, scenarios, t, out = self.settings, self.scenarios, analysis, folder.out
        titles = {s.name: report.title(s, lang) for s in scenarios}
        settings.non_stationary = non_stationary(t.runs, t.present, titles)
        figures = _figures(
            out, settings, scenarios, t.runs, t.timeseries, t.summary, t.comparison, t.present, make_figures, lang
        )
        text = report.compare_report(
            settings=settings,
            scenarios=scenarios,
            runs=t.runs,
            summary=t.summary,
            comparison=t.comparison,
            failures=folder.failures,
            figures=figures,
            out=out,
            execution=folder.execution,
            lang=lang,
            different_county=different_county(scenarios),
        )
        note = settings.posterior_note_zh if lang == "zh" and settings.posterior_note_zh else settings.posterior_note
        if note:
            text = text.rstrip("\n") + "\n\n" + note
        report.write_report(out, text, lang)
        return CompareResult(out, folder.execution, t.runs, t.summary, t.comparison, folder.failures, figures)


def run_compare(
    settings: CompareSettings,
    out: Path | str | None,
    executor: Executor,
    fn: Callable[[RunSpec], Any] | None = None,
    argv: list[str] | None = None,
    show_progress: bool | None = None,
    make_figures: bool = True,
    lang: str = "en",
) -> CompareResult:
    """Run (or resume) the comparison into ``out`` and write every output file (the report in ``lang``)."""
    return run_experiment(CompareExperiment(settings), out, executor, fn, argv, show_progress, make_figures, lang)


def write_outputs(
    out: Path,
    settings: CompareSettings,
    scenarios: Sequence[ScenarioRun],
    specs: Sequence[RunSpec],
    store: ResultStore,
    make_figures: bool = True,
    execution: ExecutionReport | None = None,
    lang: str = "en",
) -> CompareResult:
    """Tables, figures and report (``report.md``, ``report.html`` in ``lang``) from the finished runs."""
    experiment = CompareExperiment(settings, (list(scenarios), list(specs)))
    return protocol.write_outputs(experiment, Path(out), store, execution, make_figures, lang)


def _summary_tables(
    out: Path, settings: CompareSettings, runs: pd.DataFrame, order: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """``summary.csv`` and ``comparison.csv``; both tables and the scenarios that have runs, in order."""
    kpis = kpi_columns(runs) if len(runs) else []
    present = [n for n in order if len(runs) and (runs["scenario"] == n).any()]
    summary = summarize(runs, kpis, order=present) if len(runs) else pd.DataFrame()
    write_csv(out / "summary.csv", summary)
    if settings.baseline in present and len(present) > 1:
        comparison = compare_to_baseline(
            runs, settings.baseline, kpis, paired=not settings.independent_seeds, order=present
        )
    else:
        comparison = pd.DataFrame()
    write_csv(out / "comparison.csv", comparison)
    return summary, comparison, present


def _figures(
    out: Path,
    settings: CompareSettings,
    scenarios: Sequence[ScenarioRun],
    runs: pd.DataFrame,
    ts: pd.DataFrame,
    summary: pd.DataFrame,
    comparison: pd.DataFrame,
    present: list[str],
    make_figures: bool,
    lang: str,
) -> list[Path]:
    """The report's figures under ``figures/`` (none without runs or with ``make_figures`` off)."""
    from townsim.experiments.render import report  # deferred: it pulls in matplotlib (heavy)

    figures: list[Path] = []
    if make_figures and len(runs):
        from townsim.experiments.render import plots  # deferred: it pulls in matplotlib (heavy)

        figures = plots.compare_figures(
            out / "figures",
            runs,
            ts,
            summary,
            comparison,
            baseline=settings.baseline,
            order=present,
            size_outliers=different_county(scenarios),
            lang=lang,
            titles={s.name: report.title(s, lang) for s in scenarios},
        )
    return figures
