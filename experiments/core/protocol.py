"""One experiment protocol and one runner: what an experiment declares, and the one way it is run.

An experiment type (``compare``, ``sweep``, ``robust`` ...) is a subclass of :class:`Experiment` that
declares

- its **settings**: :meth:`~Experiment.settings_hash` keys the results folder (a folder holding the
  same command with another hash is refused), :meth:`~Experiment.manifest` the manifest's body,
  :meth:`~Experiment.describe` the banner's words;
- its **jobs**: :meth:`~Experiment.jobs`, runs of the model as :class:`~townsim.experiments.core.design.RunSpec`
  (or plug-in batches with ``keys``), and :meth:`~Experiment.job_fn`, what a worker does with one; an
  experiment whose jobs come in rounds (a round's jobs known only from the previous round's results, e.g.
  a generation of ABC-SMC) overrides :meth:`~Experiment.drive` and submits one :class:`Stage` per round;
- its **analysis**: :meth:`~Experiment.table` assembles the one results table from the store,
  :meth:`~Experiment.analyse` turns it into the experiment's tables;
- its **report**: :meth:`~Experiment.report` draws the figures and writes the report (templates en/zh
  and HTML through :mod:`townsim.experiments.render`), and returns the experiment's result.

:func:`run_experiment` owns everything else, in this order: the folder check and its lock
(:func:`~townsim.experiments.core.outdir.experiment_folder`), the banner, the manifest (written first
"in progress", last "complete" or "incomplete", one entry per invocation), execution through
:func:`~townsim.experiments.core.execute.execute` and the resumable store (a SIGKILLed experiment
resumes from its finished runs), ``runs.parquet``, ``failures.csv``, the analysis and the report.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from townsim.experiments.core import atomic, engine_choice
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.execute import ExecutionReport, execute, keys_of, simulate_run
from townsim.experiments.core.executors import Executor, SerialExecutor
from townsim.experiments.core.outdir import banner, default_out_dir, experiment_folder
from townsim.experiments.core.store import IncompleteRuns, ResultStore, RunKey

RUNS_FILE = "runs.parquet"
FAILURES_FILE = "failures.csv"


@dataclass
class Stage:
    """A part of an experiment's jobs run in one go: on the runner's executor, or ``here`` (in this process,
    one at a time: jobs that share what the process holds, e.g. posterior draws kept in memory)."""

    jobs: Sequence[Any]
    desc: str
    here: bool = False


@dataclass
class Folder:
    """What the runner hands to an experiment's analysis and report: the folder, its store and the
    invocation's execution, the jobs' keys and the failed runs' records (without tracebacks)."""

    out: Path
    store: ResultStore
    keys: list[RunKey]
    execution: ExecutionReport = field(default_factory=ExecutionReport)
    failures: list[dict[str, Any]] = field(default_factory=list)
    stages: dict[str, ExecutionReport] = field(default_factory=dict)  # each stage's part of ``execution``
    executor: Executor | None = None  # the runs' executor, for an analysis with work to spread (None: here)


class Experiment(ABC):
    """One experiment type: settings, jobs, analysis of one results table, report (see the module)."""

    command: ClassVar[str]
    """The ``townsim`` command; the folder's manifest records it and only that command resumes the folder."""
    table_file: ClassVar[str] = RUNS_FILE
    """Where the runner writes the results table (``.parquet``, or ``.csv``)."""
    durable: bool = True
    """Whether each stored run is flushed to disk before it counts (False: runs cheaper than the flush,
    e.g. a plug-in calibration's microsecond simulations; a SIGKILL still loses nothing finished)."""

    # --- settings --------------------------------------------------------------------------------------
    @abstractmethod
    def settings_hash(self) -> str:
        """Hash of what defines the runs (:func:`townsim.experiments.core.manifest.settings_hash`)."""

    @abstractmethod
    def describe(self) -> str:
        """The banner's words: what runs (e.g. ``3 scenarios × 2 runs × 5 days``); empty: no banner."""

    @abstractmethod
    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        """The manifest's body (``townsim_command``, settings, versions ...); the runner adds the rest."""

    def label(self) -> str:
        """The default folder's label: ``results/<command>-<label>-<timestamp>``."""
        return ""

    def notes(self, out: Path) -> list[str]:
        """Lines printed on standard error once the folder ``out`` is held, before the banner."""
        return []

    # --- jobs -----------------------------------------------------------------------------------------
    @abstractmethod
    def jobs(self, store: ResultStore | None = None) -> Sequence[Any]:
        """The runs (``RunSpec``) or batches (with ``keys``) to execute, in their order. ``store``: the
        folder's store, for an experiment that batches only the runs it lacks (None: every run)."""

    def stages(self, store: ResultStore) -> list[Stage]:
        """The jobs in the order they run (default: every job on the runner's executor)."""
        return [Stage(self.jobs(store), self.command)]

    def keys(self) -> list[RunKey]:
        """The store keys of every run (their results make the results table)."""
        return [k for job in self.jobs() for k in keys_of(job)]

    def drive(self, run: Callable[[Stage], ExecutionReport], store: ResultStore) -> None:
        """Submit the jobs: ``run(stage)`` executes the stage's jobs that ``store`` lacks on the runner's
        executor, stores each result as it lands and returns the stage's report. Default: every stage of
        :meth:`stages` in turn. An experiment whose jobs come in rounds overrides it, calls ``run`` once per
        round and reads the round's results back from ``store`` before it makes the next."""
        for stage in self.stages(store):
            run(stage)

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        """What a worker does with one job (``fn`` when the caller gives one, else a model run)."""
        return fn or simulate_run

    def prepare(self, out: Path) -> None:
        """Files written before the runs (e.g. the worlds of a robustness experiment); none by default."""
        return None

    # --- analysis and report -----------------------------------------------------------------------------
    @abstractmethod
    def table(self, store: ResultStore) -> pd.DataFrame:
        """The one results table (``runs.parquet``): one row per finished run, in the experiment's order."""

    @abstractmethod
    def analyse(self, table: pd.DataFrame, folder: Folder) -> Any:
        """The experiment's tables from the results table (written into ``folder.out``)."""

    @abstractmethod
    def report(self, analysis: Any, folder: Folder, make_figures: bool, lang: str) -> Any:
        """Figures and the report in ``lang``; returns the experiment's result."""

    def record(self, manifest: dict[str, Any], invocation: dict[str, Any]) -> None:
        """Add this invocation to the manifest (appended to ``invocations``)."""
        manifest["invocations"].append(invocation)


def run_experiment(
    experiment: Experiment,
    out: Path | str | None,
    executor: Executor,
    fn: Callable[[Any], Any] | None = None,
    argv: list[str] | None = None,
    show_progress: bool | None = None,
    make_figures: bool = True,
    lang: str = "en",
) -> Any:
    """Run (or resume) ``experiment`` into ``out`` (None: a new ``results/<command>-...`` folder).

    The folder is checked and locked first (other settings, another command's folder, a folder in use:
    one-line :class:`~townsim.experiments.errors.UserError`); then the banner, the manifest "in progress",
    every job not yet in the store, the results table, the analysis, the report, and the manifest last.
    Returns what the experiment's :meth:`Experiment.report` returns.
    """
    command = experiment.command
    digest = experiment.settings_hash()
    with experiment_folder(command, out, digest, lambda: default_out_dir(command, experiment.label())) as (
        folder,
        resuming,
    ):
        for line in experiment.notes(folder):
            print(line, file=sys.stderr)
        if text := experiment.describe():  # an experiment with nothing to announce (one run) prints no banner
            banner(command, text, folder, resuming, executor)
        return _run(experiment, folder, executor, fn, argv, show_progress, make_figures, lang)


def _run(
    experiment: Experiment,
    out: Path,
    executor: Executor,
    fn: Callable[[Any], Any] | None,
    argv: list[str] | None,
    show_progress: bool | None,
    make_figures: bool,
    lang: str,
) -> Any:
    """The held folder's pipeline: manifest, execute, table, analysis, report, manifest."""
    started = runio.now()
    # an experiment without runs (yet) has no store folders
    store = ResultStore(out, create=bool(experiment.keys()), durable=experiment.durable)
    man: dict[str, Any] = {"invocations": runio.previous_invocations(out)}
    man.update(experiment.manifest(out, argv))
    man["settings_hash"] = experiment.settings_hash()
    engine, engine_about = engine_choice.current(), engine_choice.about()
    if engine_about is not None:  # not in the settings hash: a folder resumes across engines
        man["engine"] = engine_about
    runio.write_manifest(out, man, runio.IN_PROGRESS)  # written first: a killed experiment says what it was
    experiment.prepare(out)
    stages: dict[str, ExecutionReport] = {}

    def run_stage(stage: Stage) -> ExecutionReport:
        """Execute one stage's jobs (a driven experiment's rounds of one name add up to one report)."""
        on = SerialExecutor() if stage.here else executor
        jobs = stage.jobs
        if stage.jobs:
            store.make_folders()
            if engine is not None:
                jobs = [engine_choice.with_engine(job, engine) for job in stage.jobs]
                if engine == "compiled" and on.workers > 1:
                    _warm_once(store, jobs)
        done = execute(jobs, store, on, fn=experiment.job_fn(fn), desc=stage.desc, show_progress=show_progress)
        stages[stage.desc] = sum_reports([stages[stage.desc], done]) if stage.desc in stages else done
        return done

    try:
        experiment.drive(run_stage, store)
        execution = sum_reports(stages.values())
        result = write_outputs(experiment, out, store, execution, make_figures, lang, stages, executor)
    except IncompleteRuns:  # runs without a result that the analysis cannot do without: rerun to retry them
        execution = sum_reports(stages.values())
        write_failures(out, store, experiment.keys())  # also when a round of a driven experiment stopped it
        experiment.record(man, _invocation(started, executor, execution, stages, argv, engine_about))
        runio.write_manifest(out, {**man, "files": runio.output_files(out)}, runio.INCOMPLETE)
        raise
    experiment.record(man, _invocation(started, executor, execution, stages, argv, engine_about))
    failed = bool(store.failures(experiment.keys()))
    man["files"] = runio.output_files(out)
    runio.write_manifest(out, man, runio.INCOMPLETE if failed else runio.COMPLETE)  # written last
    return result


def write_outputs(
    experiment: Experiment,
    out: Path,
    store: ResultStore,
    execution: ExecutionReport | None = None,
    make_figures: bool = True,
    lang: str = "en",
    stages: dict[str, ExecutionReport] | None = None,
    executor: Executor | None = None,
) -> Any:
    """Everything after the runs, from the store alone (so a finished folder can be analysed again):
    ``failures.csv``, the results table ``runs.parquet``, the analysis and the report."""
    keys = experiment.keys()
    execution = execution or ExecutionReport()
    folder = Folder(out, store, keys, execution, write_failures(out, store, keys), stages or {}, executor)
    table = experiment.table(store)
    if experiment.table_file.endswith(".csv"):
        atomic.write_csv(out / experiment.table_file, table)
    else:
        atomic.write_parquet(out / experiment.table_file, table)
    return experiment.report(experiment.analyse(table, folder), folder, make_figures, lang)


def sum_reports(reports: Iterable[ExecutionReport]) -> ExecutionReport:
    """The stages' reports added up (one stage: its own)."""
    total = ExecutionReport()
    for r in reports:
        total.total, total.skipped, total.ran = total.total + r.total, total.skipped + r.skipped, total.ran + r.ran
        total.failed, total.seconds = total.failed + r.failed, total.seconds + r.seconds
        total.failures += r.failures
    return total


def _warm_once(store: ResultStore, jobs: Sequence[Any]) -> None:
    """Load (or compile, once per machine) the compiled kernel here before local workers start on
    ``jobs``, unless the store already holds all of them: workers then load it from numba's cache."""
    if _WARMED or all(store.has(k) for job in jobs for k in keys_of(job)):
        return
    _WARMED.append(engine_choice.warm())


_WARMED: list[float] = []
"""Seconds :func:`engine_choice.warm` took in this process (once per process)."""


def _invocation(
    started: Any,
    executor: Executor,
    execution: ExecutionReport,
    stages: dict[str, ExecutionReport],
    argv: Any,
    engine: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """This invocation's manifest entry (with the engine its runs used); with several stages, each
    stage's counts too."""
    entry = runio.invocation(started, executor, execution.as_dict(), argv)
    if engine is not None:
        entry["engine"] = engine["used"] or "the runs' own"
    if len(stages) > 1:
        entry["stages"] = {name: r.as_dict() for name, r in stages.items()}
    return entry


def write_failures(out: Path, store: ResultStore, keys: Sequence[RunKey]) -> list[dict[str, Any]]:
    """``failures.csv`` of the failed runs among ``keys`` (removed when none failed); their records."""
    failures = store.failures(list(keys))
    path = out / FAILURES_FILE
    if failures:
        atomic.write_csv(path, pd.DataFrame(failures).drop(columns=["traceback"]))
    elif path.exists():
        path.unlink()
    return failures
