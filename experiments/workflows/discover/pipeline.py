"""Run a discover spec: Latin hypercube design → runs (the one pipeline, resumable) → PRIM → files.

Every (scenario, sample point, replication) is one run, keyed in the results
store under the output folder by (scenario, hash of the resolved parameters,
the horizon and the model-code fingerprint, replication, seed), so rerunning the
same command after a stop (Ctrl-C, a killed process) reuses every finished run.
Replication ``r`` uses the same seed at every point (common random numbers).
With ``design = FOLDER`` the lever values and outputs of an earlier
``townsim sensitivity`` run are read instead and nothing is run.

Files written into the output folder: ``samples.parquet`` (lever values per
point), ``outputs.parquet`` (one row per run), ``boxes.csv``, ``trajectory.csv``,
``figures/*.png``, ``report.md``, ``spec.toml`` and ``manifest.json``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core import atomic, prim
from townsim.experiments.core.execute import ExecutionReport
from townsim.experiments.core.executors import Executor
from townsim.experiments.core.manifest import manifest, now, settings_hash
from townsim.experiments.core.protocol import Experiment, Folder, run_experiment
from townsim.experiments.core.sensitivity_spec import SensitivitySpec
from townsim.experiments.core.spec import Parameter
from townsim.experiments.core.store import ResultStore, RunKey

from . import analysis
from . import report as reporting
from .runs import (
    PLUGIN_BATCH,
    IncompleteRuns,
    Plan,
    PluginBatch,
    PluginRun,
    collect,
    lhs,
    make_plan,
    plugin_batches,
    plugin_fingerprint,
    run_job,
    run_one,
)
from .spec import DiscoverSpec, check_outcome
from .words import case_words

__all__ = [
    "COMMAND",
    "PLUGIN_BATCH",
    "DesignError",
    "DiscoverExperiment",
    "IncompleteRuns",
    "Plan",
    "PluginBatch",
    "PluginRun",
    "Result",
    "Reused",
    "cases_of",
    "collect",
    "experiment_settings",
    "lhs",
    "load_reused",
    "make_plan",
    "plugin_batches",
    "plugin_fingerprint",
    "run_discover",
    "run_job",
    "run_one",
]

COMMAND = "discover"


class DesignError(ValueError):
    """A reused sensitivity folder cannot be used; ``str()`` is one line."""


# ------------------------------------------------------------------------------------------
# reusing a sensitivity run
# ------------------------------------------------------------------------------------------
@dataclass
class Reused:
    """What a reused sensitivity folder supplies."""

    parameters: tuple[Parameter, ...]
    runs: pd.DataFrame
    township: bool
    description: str


def load_reused(spec: DiscoverSpec) -> Reused:
    """Lever values and outputs of the sensitivity run in ``spec.design`` (no model runs)."""
    assert spec.design is not None
    folder = Path(spec.design).expanduser()
    try:
        data = tomllib.loads((folder / "spec.toml").read_text(encoding="utf-8"))
        sens = SensitivitySpec.parse(data, folder / "spec.toml")
        samples = pd.read_parquet(folder / "samples.parquet")
        outputs = pd.read_parquet(folder / "outputs.parquet")
    except Exception as exc:  # noqa: BLE001 - any unreadable folder is the user's input
        raise DesignError(
            f"{spec.path.name}: design: {folder}: cannot be read "
            f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
        ) from None
    if spec.outcome not in outputs.columns:
        raise DesignError(
            f"{spec.path.name}: design: {folder}: has no output '{spec.outcome}'; it has: "
            f"{', '.join(c for c in outputs.columns if c not in ('scenario', 'point'))[:300]}"
        )
    if sens.evaluate is None:
        check_outcome(spec.outcome, township=True)
    names = [p.name for p in sens.parameters]
    runs = outputs.merge(samples[["point", *names]], on="point", how="left")
    return Reused(sens.parameters, runs, sens.evaluate is None, sens.description)


# ------------------------------------------------------------------------------------------
# the whole job
# ------------------------------------------------------------------------------------------
@dataclass
class Result:
    out_dir: Path
    discoveries: list[analysis.Discovery]
    boxes: pd.DataFrame
    runs: pd.DataFrame
    figures: list[Path]
    ran: int = 0
    reused: int = 0
    failed: int = 0
    seconds: float = 0.0
    execution: ExecutionReport = field(default_factory=ExecutionReport)
    failures: list[dict] = field(default_factory=list)

    @property
    def out(self) -> Path:
        return self.out_dir


def cases_of(spec: DiscoverSpec, values: pd.Series) -> np.ndarray:
    """True where a run is a case of interest (``outcome > threshold``, or ``<`` with ``below``).

    A run whose outcome is undefined (NaN, e.g. no case decided) is never a case.
    """
    v = pd.to_numeric(values, errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore"):
        return (v < spec.threshold) if spec.below else (v > spec.threshold)


class DiscoverExperiment(Experiment):
    """``townsim discover`` on the protocol: the design's runs (model runs, or plug-in calls in batches) or a
    reused sensitivity folder's (no runs), ``outputs.parquet`` as the results table, PRIM, the report."""

    command = COMMAND
    table_file = "outputs.parquet"

    def __init__(self, spec: DiscoverSpec) -> None:
        """:class:`DesignError` when a reused sensitivity folder cannot be used."""
        self.spec = spec
        self.reused = load_reused(spec) if spec.reused else None
        self.plan = make_plan(spec) if not spec.reused else None
        self.started = now()

    def settings_hash(self) -> str:
        return settings_hash(experiment_settings(self.spec))

    def describe(self) -> str:
        return self.spec.case_text()

    def notes(self, out: Path) -> list[str]:
        spec = self.spec
        if self.reused is not None:
            return [f"townsim discover: reusing {len(self.reused.runs)} runs of {spec.design}: no model runs"]
        return [
            f"townsim discover: {len(spec.run_scenarios)} scenario(s) × {spec.samples} points × "
            f"{spec.replications} replication(s): {len(self.keys())} distinct runs; writing {out}"
        ]

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        return _manifest(self.spec, self.started, {})

    def prepare(self, out: Path) -> None:
        path = Path(self.spec.path)
        atomic.write_text(out / "spec.toml", path.read_text(encoding="utf-8") if path.is_file() else "")

    def jobs(self, store: ResultStore | None = None) -> list[Any]:
        """Model runs one a job; plug-in calls the store lacks in batches of :data:`PLUGIN_BATCH`."""
        if self.plan is None:
            return []
        unique = self.plan.unique()
        if not self.spec.plugin:
            return unique
        todo = [r for r in unique if isinstance(r, PluginRun)]
        return plugin_batches(todo, store) if store is not None else [PluginBatch(tuple(todo))]

    def keys(self) -> list[RunKey]:
        return [r.key for r in self.plan.unique()] if self.plan is not None else []

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        return fn or run_job

    def record(self, manifest: dict[str, Any], invocation: dict[str, Any]) -> None:
        """The counts of this invocation (runs made, reused, failed, seconds) also head the manifest."""
        runs = invocation["runs"]
        counts = {
            "ran": runs["ran"],
            "reused": len(self.keys()) - runs["ran"] - runs["failed"],
            "failed": runs["failed"],
            "run_seconds": round(runs["seconds"], 2),
        }
        manifest.update(
            {k: v for k, v in _manifest(self.spec, self.started, counts).items() if k in manifest or k in counts}
        )
        super().record(manifest, invocation)

    def table(self, store: ResultStore) -> pd.DataFrame:
        if self.reused is not None:
            runs = self.reused.runs
            return runs.assign(scenario=runs["scenario"].fillna("").astype(str))
        assert self.plan is not None
        return collect(self.spec, self.plan, store)

    def analyse(
        self, table: pd.DataFrame, folder: Folder
    ) -> tuple[list[analysis.Discovery], pd.DataFrame, pd.DataFrame]:
        """PRIM's discoveries, ``boxes.csv`` and the runs (``samples.parquet`` too for a design of its own)."""
        if self.plan is not None:
            atomic.write_parquet(folder.out / "samples.parquet", self.plan.points)
        discoveries, boxes = _find_boxes(self.spec, folder.out, table, self._parameters())
        return discoveries, boxes, table

    def report(self, analysis: Any, folder: Folder, make_figures: bool, lang: str) -> Result:
        discoveries, boxes, runs = analysis
        township = self.reused.township if self.reused is not None else not self.spec.plugin
        figures = _write_report(
            self.spec, folder.out, discoveries, runs, self._parameters(), township, make_figures, lang
        )
        ex = folder.execution
        reused = len(self.keys()) - ex.ran - ex.failed
        return Result(folder.out, discoveries, boxes, runs, figures, ex.ran, reused, ex.failed, ex.seconds, ex)

    def _parameters(self) -> tuple[Parameter, ...]:
        return self.reused.parameters if self.reused is not None else self.spec.parameters


def run_discover(
    spec: DiscoverSpec,
    out_dir: str | Path,
    executor: Executor,
    *,
    progress: bool | None = None,
    plots: bool = True,
    lang: str = "en",
) -> Result:
    """Run (or resume) ``spec`` into ``out_dir``; write every result file and return the tables (the report
    in ``lang``). :class:`IncompleteRuns` when some runs have no result (the manifest then says "incomplete")."""
    experiment = DiscoverExperiment(spec)
    return run_experiment(experiment, Path(out_dir), executor, show_progress=progress, make_figures=plots, lang=lang)


def _find_boxes(
    spec: DiscoverSpec, out: Path, runs: pd.DataFrame, parameters
) -> tuple[list[analysis.Discovery], pd.DataFrame]:
    """PRIM per scenario; write ``boxes.csv`` and ``trajectory.csv``."""
    levers = [prim.Lever(p.name, p.low, p.high, p.kind) for p in parameters]
    discoveries = []
    for scenario in runs["scenario"].drop_duplicates().tolist():
        sub = runs[runs["scenario"] == scenario].reset_index(drop=True)
        discoveries.append(
            prim.find_boxes(
                sub[[lv.name for lv in levers]],
                cases_of(spec, sub[spec.outcome]),
                levers,
                scenario=scenario,
                min_density=spec.min_density,
                max_boxes=spec.max_boxes,
                peel_alpha=spec.peel_alpha,
                paste_alpha=spec.paste_alpha,
                mass_min=spec.mass_min,
            )
        )
    boxes = analysis.boxes_table(discoveries)
    atomic.write_csv(out / "boxes.csv", boxes, float_format="%.6g")
    atomic.write_csv(out / "trajectory.csv", analysis.trajectory_table(discoveries), float_format="%.6g")
    return discoveries, boxes


def _write_report(
    spec: DiscoverSpec, out: Path, discoveries, runs: pd.DataFrame, parameters, township: bool, plots: bool, lang="en"
) -> list[Path]:
    """The figures and ``report.md``/``report.html`` in ``lang``; the figures' paths."""
    from . import plots as plotting  # deferred: it pulls in matplotlib (heavy)

    case = case_words(spec.outcome, spec.threshold, spec.below, township, lang)
    figures = plotting.all_figures(out / "figures", discoveries, case, lang) if plots else []
    inp = reporting.ReportInput(
        title=spec.description or spec.name,
        outcome=spec.outcome,
        threshold=spec.threshold,
        below=spec.below,
        township=township,
        min_density=spec.min_density,
        design=_design(spec, runs, parameters, township),
        levers=[f"{p.name}: {p.describe()}" for p in parameters],
        settings=reporting.Settings(
            _version("ema_workbench"), spec.peel_alpha, spec.paste_alpha, spec.mass_min, spec.max_boxes
        ),
        figures=figures,
    )
    from townsim.experiments.render.report import write_report  # deferred: it pulls in matplotlib (heavy)

    write_report(out, reporting.render(discoveries, inp, out, lang), lang)  # report.md and report.html
    return figures


def experiment_settings(spec: DiscoverSpec) -> dict[str, Any]:
    """What defines the runs of a discover folder (its settings hash): the design, not the analysis.

    Changing ``outcome``, ``threshold``, ``below`` or the PRIM settings and rerunning into the same
    folder reuses every run and redoes only the analysis.
    """
    if spec.design is not None:
        return {"design": str(Path(spec.design).expanduser().resolve())}
    return {
        "scenarios": list(spec.run_scenarios),
        "evaluate": spec.evaluate,
        "days": spec.days,
        "samples": spec.samples,
        "replications": spec.replications,
        "seed": spec.seed,
        "parameters": {p.name: [p.low, p.high, p.kind, p.dist, list(p.shape)] for p in spec.parameters},
        "overrides": spec.overrides,
    }


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def _design(spec: DiscoverSpec, runs: pd.DataFrame, parameters, township: bool) -> reporting.Design:
    """The report's design line: the reused folder, or the Latin hypercube and what it ran."""
    n, k = len(runs), len(parameters)
    if spec.reused:
        return reporting.Design(n, k, reused=str(spec.design))
    return reporting.Design(
        n,
        k,
        samples=int(spec.samples or 0),
        replications=spec.replications,
        seed=spec.seed,
        scenarios=list(spec.scenarios) if township else [],
        days=spec.days if township else 0,
        plugin="" if township else str(spec.evaluate),
    )


def _manifest(spec: DiscoverSpec, started, counts: dict[str, Any]) -> dict[str, Any]:
    return manifest(
        command=COMMAND,
        started=started,
        settings_hash=settings_hash(experiment_settings(spec)),
        spec=str(spec.path),
        description=spec.description,
        design=spec.design or "latin hypercube",
        samples=spec.samples,
        seed=spec.seed,
        replications=spec.replications,
        scenarios=list(spec.run_scenarios),
        evaluate=spec.evaluate,
        days=None if spec.plugin else spec.days,
        outcome=spec.outcome,
        threshold=spec.threshold,
        below=spec.below,
        min_density=spec.min_density,
        max_boxes=spec.max_boxes,
        peel_alpha=spec.peel_alpha,
        paste_alpha=spec.paste_alpha,
        mass_min=spec.mass_min,
        parameters={p.name: p.describe() for p in spec.parameters},
        ema_workbench=_version("ema_workbench"),
        **counts,
    )


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
