"""Parameter sweeps: one scenario on a one- or two-parameter grid, replicated, resumable.

Every grid point is the scenario with the varied parameters set (validated as
``--set`` would be); replication ``r`` uses the same seed at every point (common
random numbers), so curves and heat maps are not blurred by different demand.
Outputs (``out``): ``manifest.json``, ``runs.parquet`` (one row per run with the
varied parameters as columns), ``summary.csv`` (per point and KPI: mean, sd,
95% CI, n), ``figures/`` (line plot with a confidence band for one parameter,
heat map for two) and ``report.md``; ``runs/`` holds the resumable store.
"""

from __future__ import annotations

import difflib
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.design import Design, check_model_inputs
from townsim.experiments.core.execute import ExecutionReport, RunSpec
from townsim.experiments.core.executors import Executor
from townsim.experiments.core.protocol import Experiment, Folder, run_experiment
from townsim.experiments.core.seeds import check_seed
from townsim.experiments.core.spec import DEFAULT_DAYS
from townsim.experiments.core.stats import summarize
from townsim.experiments.core.store import ResultStore, hashable
from townsim.experiments.errors import shorten
from townsim.experiments.render.fmt import plain as _num
from townsim.model import metrics
from townsim.model.metrics import SUMMARY_KEYS
from townsim.model.params import Params, allowed_range
from townsim.scenarios import ScenarioError, apply_overrides, load_scenario

DEFAULT_REPS = 10
DEFAULT_SEED = 1
DEFAULT_KPIS = metrics.kpis("sweep")
"""KPIs a sweep reports unless ``--kpi`` is given (the registry's ``sweep`` view)."""
MAX_STEPS = 101
MAX_POINTS = 2_500


class SweepError(ValueError):
    """Bad sweep settings (one line; the CLI turns it into exit code 2)."""


@dataclass(frozen=True)
class Vary:
    """One varied parameter: ``key`` from ``low`` to ``high`` in ``steps`` evenly spaced values."""

    key: str
    low: float
    high: float
    steps: int
    values: tuple = ()

    @property
    def text(self) -> str:
        return f"{self.key}={_num(self.low)}:{_num(self.high)}:{self.steps}"


def parse_vary(text: str) -> Vary:
    """``key=LOW:HIGH:STEPS`` → :class:`Vary` with its grid values (ints rounded and deduplicated).

    Only numeric parameters (integer or real) of :class:`model.params.Params` can be varied.
    """
    where = f"--vary {shorten(text, 60)}"
    key, sep, rng = text.partition("=")
    key = key.strip()
    parts = rng.split(":")
    if not sep or not key or len(parts) != 3:
        raise SweepError(f"{where}: expected key=LOW:HIGH:STEPS, e.g. --vary delegated_share=0:1:6")
    if key not in Params.model_fields:
        close = difflib.get_close_matches(key, list(Params.model_fields), n=1)
        raise SweepError(f"{where}: unknown parameter '{key}'" + (f"; did you mean '{close[0]}'?" if close else ""))
    ann = Params.model_fields[key].annotation
    if ann not in (int, float):
        raise SweepError(
            f"{where}: '{key}' is not a number ({allowed_range(key)}); only numeric parameters "
            "can be swept — use --set for switches and lists"
        )
    try:
        low, high = float(parts[0]), float(parts[1])
        steps = int(parts[2])
    except ValueError:
        raise SweepError(
            f"{where}: LOW and HIGH must be numbers and STEPS an integer, e.g. --vary delegated_share=0:1:6"
        ) from None
    if not np.isfinite([low, high]).all():
        raise SweepError(f"{where}: LOW and HIGH must be finite numbers")
    if not 2 <= steps <= MAX_STEPS:
        raise SweepError(f"{where}: STEPS {shorten(str(steps))}: allowed: an integer in [2, {MAX_STEPS}]")
    grid = np.linspace(low, high, steps)
    values: tuple[float, ...]
    if ann is int:
        values = tuple(dict.fromkeys(int(round(v)) for v in grid))
    else:
        values = tuple(float(f"{v:.10g}") for v in grid)
    return Vary(key, low, high, steps, values)


@dataclass
class SweepSettings:
    """Everything that defines a sweep."""

    scenario: str
    varies: list[Vary]
    reps: int = DEFAULT_REPS
    days: int = DEFAULT_DAYS
    seed: int = DEFAULT_SEED
    overrides: list[str] = field(default_factory=list)
    kpis: list[str] = field(default_factory=lambda: list(metrics.kpis("sweep")))

    def check(self) -> None:
        if not 1 <= len(self.varies) <= 2:
            raise SweepError(
                f"--vary given {len(self.varies)} times: allowed: once or twice "
                "(one parameter: line plot; two: heat map)"
            )
        if len(self.varies) == 2 and self.varies[0].key == self.varies[1].key:
            raise SweepError(f"--vary {self.varies[1].text}: '{self.varies[0].key}' is already varied")
        clash = [v.key for v in self.varies if any(o.partition("=")[0].strip() == v.key for o in self.overrides)]
        if clash:
            raise SweepError(f"--set {clash[0]}: this parameter is varied by --vary; remove one of them")
        if not 2 <= self.reps <= 100_000:
            raise SweepError(f"--reps {shorten(str(self.reps))}: allowed: an integer in [2, 100,000]")
        if not 1 <= self.days <= 100_000:
            raise SweepError(f"--days {shorten(str(self.days))}: allowed: an integer in [1, 100,000] working days")
        try:
            check_seed(self.seed)
        except ValueError as exc:
            raise SweepError(str(exc)) from None
        bad = [k for k in self.kpis if k not in SUMMARY_KEYS]
        if bad:
            raise SweepError(f"--kpi {bad[0]}: unknown KPI; allowed: {', '.join(SUMMARY_KEYS)}")
        if not self.kpis:
            raise SweepError("--kpi: give at least one KPI")
        n = int(np.prod([len(v.values) for v in self.varies]))
        if n > MAX_POINTS:
            raise SweepError(f"--vary: {n} grid points; allowed: at most {MAX_POINTS:,}")

    def reproduce_command(self, out: Path | str | None = None) -> str:
        parts = ["townsim", "sweep", self.scenario]
        for v in self.varies:
            parts += ["--vary", v.text]
        parts += ["--reps", str(self.reps), "--days", str(self.days), "--seed", str(self.seed)]
        for o in self.overrides:
            parts += ["--set", o]
        for k in self.kpis:
            parts += ["--kpi", k]
        if out is not None:
            parts += ["--out", str(out)]
        return " ".join(shlex.quote(p) for p in parts)


@dataclass(frozen=True)
class Point:
    """One grid point: its index, the varied values and the resolved parameters."""

    index: int
    values: dict[str, Any]
    params: Any


def plan(settings: SweepSettings) -> tuple[Any, list[Point], list[RunSpec]]:
    """(scenario, grid points, run specs); raises :class:`SweepError` for any bad input."""
    settings.check()
    try:
        scenario = load_scenario(settings.scenario)
        base = apply_overrides(scenario.params, settings.overrides)
        check_model_inputs(base)
        points = []
        grids = [v.values for v in settings.varies]
        combos = [(a,) for a in grids[0]] if len(grids) == 1 else [(a, b) for b in grids[1] for a in grids[0]]
        for i, combo in enumerate(combos):
            values = {v.key: x for v, x in zip(settings.varies, combo)}
            params = apply_overrides(base, [f"{k}={_num(x)}" for k, x in values.items()])
            points.append(Point(i, values, params))
    except ScenarioError as exc:
        raise SweepError(str(exc).replace("--set ", "--vary ")) from None
    except ValueError as exc:  # a bad matter catalogue
        raise SweepError(" ".join(str(exc).split())) from None
    # one scenario at every point: common random numbers, the same seeds at every point
    design = Design([(scenario.name, p.index, p.params) for p in points], settings.reps, settings.days, settings.seed)
    return scenario, points, design.specs()


def settings_hash(settings: SweepSettings, points: Sequence[Point]) -> str:
    """Hash of what defines the sweep (grid points' parameters, days, seed); more replications extend it."""
    return runio.settings_hash(
        {"points": [hashable(p.params) for p in points], "days": settings.days, "seed": settings.seed}
    )


@dataclass
class SweepResult:
    out: Path
    execution: ExecutionReport
    runs: pd.DataFrame
    summary: pd.DataFrame
    failures: list[dict[str, Any]]
    figures: list[Path]


@dataclass
class Tables:
    """The analysis of a sweep: its runs (with the grid point and the varied values) and the summary."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    keys: list[str]  # the varied parameters
    kpis: list[str]  # the KPIs reported (those the runs have)


class SweepExperiment(Experiment):
    """``townsim sweep`` on the protocol: one scenario at every grid point, replicated; summary and figures."""

    command = "sweep"

    def __init__(self, settings: SweepSettings) -> None:
        self.settings = settings
        self.scenario, self.points, self.specs = plan(settings)

    def settings_hash(self) -> str:
        return settings_hash(self.settings, self.points)

    def label(self) -> str:
        return self.scenario.name

    def describe(self) -> str:
        return f"{len(self.points)} grid points × {self.settings.reps} runs × {self.settings.days} days"

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        settings, scenario, points, specs = self.settings, self.scenario, self.points, self.specs
        return {
            "townsim_command": "sweep",
            "command_line": runio.command_line(argv),
            "reproduce": settings.reproduce_command(out),
            "working_dir": os.getcwd(),
            "scenario": {"name": scenario.name, "file": str(scenario.path), "description": scenario.description},
            "vary": [
                {"key": v.key, "low": v.low, "high": v.high, "steps": v.steps, "values": list(v.values)}
                for v in settings.varies
            ],
            "reps": settings.reps,
            "days": settings.days,
            "base_seed": settings.seed,
            "common_random_numbers": True,
            "overrides": list(settings.overrides),
            "kpis": list(settings.kpis),
            "seeds": [s.seed for s in specs[: settings.reps]],
            "points": [
                {"point": p.index, **p.values, "param_hash": specs[p.index * settings.reps].key.param_hash}
                for p in points
            ],
            "base_params": points[0].params.model_dump(mode="json"),
            "model_fingerprint": specs[0].code,
            "settings_hash": self.settings_hash(),
            "versions": runio.versions(),
            "git_commit": runio.git_commit(),
        }

    def jobs(self, store: ResultStore | None = None) -> list[RunSpec]:
        return self.specs

    def record(self, manifest: dict[str, Any], invocation: dict[str, Any]) -> None:
        """Appended to ``invocations``; ``invocation`` keeps the latest one's times, executor and runs."""
        super().record(manifest, invocation)
        manifest["invocation"] = {k: invocation[k] for k in ("started", "finished", "elapsed_seconds", "executor")}
        manifest["invocation"]["runs"] = invocation["runs"]

    def table(self, store: ResultStore) -> pd.DataFrame:
        """One row per finished run: its grid point and varied values after the scenario, by point and replication."""
        reps, points = self.settings.reps, self.points
        point_of = {s.key.param_hash: points[i // reps] for i, s in enumerate(self.specs)}
        runs = pd.DataFrame(store.rows([s.key for s in self.specs]))
        if len(runs):
            runs.insert(1, "point", runs["param_hash"].map(lambda h: point_of[h].index))
            for j, k in enumerate(v.key for v in self.settings.varies):
                runs.insert(2 + j, k, runs["param_hash"].map(lambda h, k=k: point_of[h].values[k]))
            runs = runs.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
        return runs

    def analyse(self, table: pd.DataFrame, folder: Folder) -> Tables:
        keys = [v.key for v in self.settings.varies]
        kpis = [k for k in self.settings.kpis if k in table.columns]
        if len(table):
            summary = summarize(table, kpis, by="point", order=sorted(set(table["point"])))
            for k in keys:
                summary.insert(1 + keys.index(k), k, summary["point"].map(lambda i, k=k: self.points[i].values[k]))
        else:
            summary = pd.DataFrame()
        atomic.write_csv(folder.out / "summary.csv", summary)
        return Tables(table, summary, keys, kpis)

    def report(self, analysis: Tables, folder: Folder, make_figures: bool, lang: str) -> SweepResult:
        from townsim.experiments.render import report  # deferred: it pulls in matplotlib (heavy)

        t, out, reps = analysis, folder.out, self.settings.reps
        figures: list[Path] = []
        if len(t.summary) and make_figures:
            from townsim.experiments.render import plots  # deferred: it pulls in matplotlib (heavy)

            title = plots.TEXT[lang]["sweep"].format(report.title(self.scenario, lang))
            for kpi in t.kpis:
                path = out / "figures" / f"sweep_{kpi}.png"
                if len(t.keys) == 1:
                    figures.append(plots.sweep_line_figure(path, t.summary, t.keys[0], kpi, title, reps, lang=lang))
                else:
                    figures.append(
                        plots.sweep_heatmap_figure(path, t.summary, t.keys[0], t.keys[1], kpi, title, reps, lang=lang)
                    )
        text = report.sweep_report(
            settings=self.settings,
            scenario=self.scenario,
            summary=t.summary,
            keys=t.keys,
            figures=figures,
            failures=folder.failures,
            out=out,
            execution=folder.execution,
            lang=lang,
        )
        report.write_report(out, text, lang)
        return SweepResult(out, folder.execution, t.runs, t.summary, folder.failures, figures)


def run_sweep(
    settings: SweepSettings,
    out: Path | str | None,
    executor: Executor,
    fn: Callable[[RunSpec], Any] | None = None,
    argv: list[str] | None = None,
    show_progress: bool | None = None,
    lang: str = "en",
) -> SweepResult:
    """Run (or resume) the sweep into ``out`` and write tables, figures and report."""
    return run_experiment(SweepExperiment(settings), out, executor, fn, argv, show_progress, True, lang)
