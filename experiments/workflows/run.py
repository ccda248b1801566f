"""``townsim run`` on the protocol: one run of a scenario as an experiment of one job.

The runner takes the folder (checked, locked; a folder of another run is refused, the same run's folder
resumes), writes the manifest ("in progress" first, "complete" last) and stores the run (``runs/``). The
results table is the run's daily table (``timeseries.parquet``); the analysis its summary
(``summary.json``, and with ``cases`` its table of cases, ``cases.parquet``); the report the dashboard
(``figures/dashboard.png``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.design import RunSpec
from townsim.experiments.core.execute import ExecutionReport, simulate_run, simulate_run_with_cases
from townsim.experiments.core.protocol import Experiment, Folder, Stage
from townsim.experiments.core.store import ResultStore, RunKey


@dataclass
class RunResult:
    """What ``townsim run`` wrote: the run's summary KPIs, its folder and the runner's counts."""

    summary: dict[str, Any]
    out: Path = Path()
    execution: ExecutionReport = field(default_factory=ExecutionReport)
    failures: list[dict] = field(default_factory=list)


class RunExperiment(Experiment):
    """One run (``spec``) of ``scenario`` (a loaded scenario: name, file, chain, description, title).

    ``overrides``: the ``--set`` items; ``cases``: also store and write the table of cases; ``argv``:
    the command that reproduces the run given its folder (``argv(out)``)."""

    command = "run"
    table_file = "timeseries.parquet"

    def __init__(
        self, scenario: Any, spec: RunSpec, overrides: list[str], cases: bool, argv: Callable[[Path], list[str]]
    ):
        self.scenario, self.spec, self.overrides, self.cases, self.argv = scenario, spec, list(overrides), cases, argv
        self.started = runio.now()

    def settings_hash(self) -> str:
        return runio.settings_hash({"run": self.spec.key.as_dict(), "cases": self.cases})

    def describe(self) -> str:
        return ""  # one run: no banner (the summary table follows it)

    def label(self) -> str:
        return self.scenario.name

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        s, sc = self.spec, self.scenario
        return runio.manifest(
            command="run",
            started=self.started,
            params=s.params.model_dump(mode="json"),
            seed=s.seed,
            scenario=sc.name,
            scenario_file=str(sc.path),
            scenario_chain=[str(p) for p in sc.chain],
            scenario_description=sc.description,
            argv=argv if argv is not None else self.argv(out),
            overrides=self.overrides,
            days=s.days,
            model_fingerprint=s.code,
        )

    def jobs(self, store: ResultStore | None = None) -> list[RunSpec]:
        return [self.spec]

    def stages(self, store: ResultStore) -> list[Stage]:
        return [Stage(self.jobs(), self.scenario.name)]

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        return fn or (simulate_run_with_cases if self.cases else simulate_run)

    def table(self, store: ResultStore) -> pd.DataFrame:
        """The run's daily KPIs (:class:`~townsim.experiments.core.store.IncompleteRuns` if it failed)."""
        store.finished([self.spec.key])
        return store.timeseries(self.spec.key)

    def analyse(self, table: pd.DataFrame, folder: Folder) -> dict[str, Any]:
        """``summary.json`` (and ``cases.parquet``); the summary KPIs."""
        key = self.spec.key
        summary = {k: v for k, v in folder.store.rows([key])[0].items() if k not in RunKey._fields}
        atomic.write_json(folder.out / "summary.json", summary)
        if self.cases:
            atomic.write_parquet(folder.out / "cases.parquet", folder.store.table(key, "cases"))
        return summary

    def report(self, summary: dict[str, Any], folder: Folder, make_figures: bool, lang: str) -> RunResult:
        """The dashboard, ``figures/dashboard.png``, in ``lang``."""
        from townsim.experiments.render.dashboard import dashboard_title, save_dashboard  # deferred: matplotlib

        s = self.spec
        if make_figures:
            save_dashboard(
                folder.store.timeseries(s.key),
                folder.out / "figures" / "dashboard.png",
                lang=lang,
                title=dashboard_title(self.scenario.title(lang), s.seed, s.days, len(self.overrides), lang),
            )
        return RunResult(summary, folder.out, folder.execution, folder.failures)

    def record(self, manifest: dict[str, Any], invocation: dict[str, Any]) -> None:
        """The manifest's ``finished`` and ``elapsed_seconds`` are the invocation's."""
        manifest.update(finished=invocation["finished"], elapsed_seconds=invocation["elapsed_seconds"])
        super().record(manifest, invocation)
