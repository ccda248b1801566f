"""The robustness experiment on the protocol (:mod:`townsim.experiments.core.protocol`): its settings hash and
manifest, its runs (the plan's), its results table, its analysis and its report. The runner does the rest:
folder check and lock, banner, manifest's life, execution and resume, ``runs.parquet``, ``failures.csv``.

Output folder (``out``)::

    manifest.json         command, settings, scenarios, worlds, seeds, versions, invocations
    worlds.parquet        one row per world: each varied assumption's value and its [0, 1] position
    runs.parquet          one row per finished run: world, scenario, replication, seed, param_hash, KPIs
    effects.csv           per world, reform and KPI: effect (reform − baseline), 95 % interval, verdict
    robustness.csv        per reform and KPI: shares of worlds better / worse / not distinguishable
    regret.csv            per world and option: regret on the chosen KPI; regret_ranking.csv: minimax ranking
    vulnerabilities.csv   PRIM boxes of the assumptions where a reform's usual effect fails
    figures/*.png, report.md, report.html
    runs/, failures/      the per-run store (what makes the experiment resumable)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.execute import ExecutionReport, RunSpec, simulate_run
from townsim.experiments.core.executors import Executor, collect
from townsim.experiments.core.protocol import Experiment, Folder, run_experiment
from townsim.experiments.core.store import ResultStore, RunKey, content_id, hashable
from townsim.experiments.core.warmgroups import WarmUpGroup, by_warm_up, in_groups

from . import analysis
from .plan import Plan, plan
from .settings import HELD_OUT, RobustSettings

COMMAND = "robust"


SPREAD_WORLDS = 64
"""Worlds from which the vulnerability searches (PRIM, ~N^1.4 in the worlds: ≈ 6 CPU-s in all over 16 worlds,
≈ 44 over 64) go to the experiment's workers instead of running one after another here."""


@dataclass
class RobustResult:
    out: Path
    execution: ExecutionReport
    runs: pd.DataFrame
    robustness: pd.DataFrame
    regret: pd.DataFrame
    ranking: pd.DataFrame
    vulnerabilities: pd.DataFrame
    failures: list[dict[str, Any]]
    figures: list[Path]


@dataclass
class Tables:
    """The analysis of a robustness experiment: every table it writes."""

    runs: pd.DataFrame
    effects: pd.DataFrame
    robustness: pd.DataFrame
    regret: pd.DataFrame
    ranking: pd.DataFrame
    vulnerabilities: pd.DataFrame


class RobustExperiment(Experiment):
    """``townsim robust``: every reform in every world, replicated; effects, robustness, regret, failure boxes."""

    command = COMMAND

    def __init__(self, settings: RobustSettings, planned: Plan | None = None) -> None:
        """Draws the worlds and plans the runs; :class:`RobustError` (one line) for bad settings."""
        self.plan = planned or plan(settings)
        self.settings = self.plan.settings

    def settings_hash(self) -> str:
        """What defines the runs: scenarios and parameters, worlds, replications, days, seeds. The regret KPI
        is left out: it changes the analysis, not the runs (a folder re-analyses)."""
        p, s = self.plan, self.settings
        body = {
            "scenarios": [[a.name, hashable(a.params)] for a in p.arms],
            "worlds": p.worlds.table.to_dict("list"),
            "source": p.worlds.source,
            "reps": s.reps,
            "days": s.days,
            "seed": s.seed,
            "common_random_numbers": not s.independent_seeds,
            "equal_staff": s.equal_staff,
            "posterior": [content_id(str(s.posterior)), s.force] if s.posterior else None,  # by content
        }
        return runio.settings_hash(body)

    def describe(self) -> str:
        s = self.settings
        return f"{len(self.plan.arms)} scenarios × {s.worlds} worlds × {s.reps} runs × {s.days} days"

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        p, s = self.plan, self.settings
        return {
            "townsim_command": COMMAND,
            "command_line": runio.command_line(argv),
            "reproduce": s.reproduce_command(out),
            "working_dir": os.getcwd(),
            "settings_hash": self.settings_hash(),
            "baseline": p.baseline,
            "worlds": s.worlds,
            "reps": s.reps,
            "days": s.days,
            "base_seed": s.seed,
            "sampler": p.worlds.source,
            "common_random_numbers": not s.independent_seeds,
            "equal_staff": s.equal_staff,
            "regret_kpi": s.regret_kpi,
            "overrides": list(s.overrides),
            "posterior": s.posterior,
            "posterior_forced": s.force,
            "assumptions": [
                {"name": a.name, "low": a.low, "high": a.high, "dist": a.dist, "basis": a.basis}
                for a in p.worlds.varied
            ],
            "fixed_assumptions": p.worlds.fixed,
            "kept_by_scenario": p.kept,
            "scenarios": [
                {
                    "name": a.name,
                    "file": a.path,
                    "description": a.description,
                    "params": a.params.model_dump(mode="json"),
                }
                for a in p.arms
            ],
            "model_fingerprint": p.specs[0].code if p.specs else None,
            "versions": runio.versions(),
            "git_commit": runio.git_commit(),
        }

    def jobs(self, store: ResultStore | None = None) -> list[RunSpec | WarmUpGroup]:
        """A world's arms at one replication share a warm-up: one job each (``core.warmgroups``)."""
        return by_warm_up(self.plan.specs, store)

    def keys(self) -> list[RunKey]:
        return [s.key for s in self.plan.specs]

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        return in_groups(fn or simulate_run)

    def prepare(self, out: Path) -> None:
        atomic.write_parquet(out / "worlds.parquet", self.plan.worlds.frame())

    def table(self, store: ResultStore) -> pd.DataFrame:
        """One row per finished run: world, scenario (in plan order), replication within the world, seed, KPIs."""
        rows = store.rows([s.key for s in self.plan.specs])
        if not rows:
            return pd.DataFrame(columns=["world", "scenario", "replication", "seed", "param_hash"])
        df = pd.DataFrame(rows)
        reps = self.settings.reps
        df.insert(0, "world", (df["replication"] // reps).astype("int64"))
        df["replication"] = (df["replication"] % reps).astype("int64")
        front = ["world", "scenario", "replication", "seed", "param_hash"]
        df = df[front + [c for c in df.columns if c not in front]]
        rank = {a.name: i for i, a in enumerate(self.plan.arms)}
        return df.sort_values(
            ["world", "scenario", "replication"],
            key=lambda c: c.map(rank) if c.name == "scenario" else c,
            kind="stable",
        ).reset_index(drop=True)

    def analyse(self, table: pd.DataFrame, folder: Folder) -> Tables:
        """Effects, robustness, regret and vulnerabilities (each written as a csv)."""
        p, s, out, runs = self.plan, self.settings, folder.out, table
        paired = not s.independent_seeds
        present = [n for n in p.reforms if len(runs) and (runs["scenario"] == n).any()]
        effects, robust = (
            analysis.effects_and_robustness(runs, p.baseline, present, paired)
            if len(runs)
            else (pd.DataFrame(columns=["world", "reform", "kpi", "effect"]), pd.DataFrame())
        )
        options = [o for o in p.options() if len(runs) and (runs["scenario"] == o).any()]
        regret, ranking = (
            analysis.regret(runs, options, s.regret_kpi, paired) if options else (pd.DataFrame(), pd.DataFrame())
        )
        from townsim.experiments.render.plots import HEADLINE  # deferred: it pulls in matplotlib (heavy)

        heads = [k for k in HEADLINE if k in set(effects["kpi"])]
        if s.regret_kpi in set(effects["kpi"]) and s.regret_kpi not in heads:
            heads.insert(0, s.regret_kpi)
        ex = folder.executor
        spread = ex is not None and ex.workers > 1 and len(p.worlds.unit) >= SPREAD_WORLDS
        mapper = partial(collect, ex) if spread else None
        vul = analysis.vulnerabilities(effects, p.worlds, heads, HELD_OUT, s.seed, present, mapper)
        tables = {"effects": effects, "robustness": robust, "regret": regret, "regret_ranking": ranking}
        for name, df in {**tables, "vulnerabilities": vul}.items():
            atomic.write_csv(out / f"{name}.csv", df, float_format="%.6g")
        return Tables(runs, effects, robust, regret, ranking, vul)

    def report(self, t: Tables, folder: Folder, make_figures: bool, lang: str) -> RobustResult:
        """The figures and the report (``report.md``, ``report.html`` in ``lang``)."""
        from townsim.experiments.render.report import write_report  # deferred: it pulls in matplotlib (heavy)

        from . import report  # deferred: it pulls in matplotlib (heavy)

        p, out, ex, failures = self.plan, folder.out, folder.execution, folder.failures
        figures = (
            report.figures(out / "figures", p, t.effects, t.regret, t.ranking, t.vulnerabilities, lang)
            if make_figures
            else []
        )
        text = report.render(p, t.runs, t.robustness, t.ranking, t.vulnerabilities, failures, figures, out, ex, lang)
        write_report(out, text, lang)
        return RobustResult(out, ex, t.runs, t.robustness, t.regret, t.ranking, t.vulnerabilities, failures, figures)


def run_robust(
    settings: RobustSettings,
    out: Path | str | None,
    executor: Executor,
    fn: Callable[[RunSpec], Any] | None = None,
    argv: list[str] | None = None,
    show_progress: bool | None = None,
    make_figures: bool = True,
    lang: str = "en",
    planned: Plan | None = None,
) -> RobustResult:
    """Run (or resume) the experiment into ``out`` and write every output (the report in ``lang``)."""
    experiment = RobustExperiment(settings, planned)
    return run_experiment(experiment, out, executor, fn, argv, show_progress, make_figures, lang)
