"""Run (or resume) a robustness experiment into one folder, then write its tables, figures and report.

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
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.execute import ExecutionReport, RunSpec
from townsim.experiments.core.executors import Executor
from townsim.experiments.core.protocol import Experiment, Folder, run_experiment
from townsim.experiments.core.store import ResultStore
from townsim.model.params import keyed_dump

from . import analysis
from .plan import Plan, plan
from .settings import HELD_OUT, RobustSettings

COMMAND = "robust"


def settings_hash(p: Plan) -> str:
    """Hash of what defines the runs: scenarios and parameters, worlds, replications, days, seeds.

    The regret KPI is left out: it changes the analysis, not the runs (a folder re-analyses).
    """
    s = p.settings
    body = {
        "scenarios": [[a.name, keyed_dump(a.params)] for a in p.arms],
        "worlds": p.worlds.table.to_dict("list"),
        "source": p.worlds.source,
        "reps": s.reps,
        "days": s.days,
        "seed": s.seed,
        "common_random_numbers": not s.independent_seeds,
        "equal_staff": s.equal_staff,
        "posterior": [str(s.posterior), s.force] if s.posterior else None,
    }
    return runio.settings_hash(body)


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
    """``townsim robust`` on the protocol: the plan's runs, the worlds written first, the tables, the report."""

    command = COMMAND

    def __init__(self, settings: RobustSettings, planned: Plan | None = None) -> None:
        self.plan = planned or plan(settings)

    def settings_hash(self) -> str:
        return settings_hash(self.plan)

    def describe(self) -> str:
        s = self.plan.settings
        return f"{len(self.plan.arms)} scenarios × {s.worlds} worlds × {s.reps} runs × {s.days} days"

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        return _manifest_body(self.plan, out, argv)

    def jobs(self, store: ResultStore | None = None) -> list[RunSpec]:
        return self.plan.specs

    def prepare(self, out: Path) -> None:
        atomic.write_parquet(out / "worlds.parquet", self.plan.worlds.frame())

    def table(self, store: ResultStore) -> pd.DataFrame:
        return runs_table(store, self.plan)

    def analyse(self, table: pd.DataFrame, folder: Folder) -> Tables:
        return analyse(folder.out, self.plan, table)

    def report(self, analysis: Tables, folder: Folder, make_figures: bool, lang: str) -> RobustResult:
        return write_report(analysis, folder, self.plan, make_figures, lang)


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
    return run_experiment(
        RobustExperiment(settings, planned), out, executor, fn, argv, show_progress, make_figures, lang
    )


def runs_table(store: ResultStore, p: Plan) -> pd.DataFrame:
    """One row per finished run: world, scenario (in plan order), replication within the world, seed, KPIs."""
    rows = store.rows([s.key for s in p.specs])
    if not rows:
        return pd.DataFrame(columns=["world", "scenario", "replication", "seed", "param_hash"])
    df = pd.DataFrame(rows)
    reps = p.settings.reps
    df.insert(0, "world", (df["replication"] // reps).astype("int64"))
    df["replication"] = (df["replication"] % reps).astype("int64")
    front = ["world", "scenario", "replication", "seed", "param_hash"]
    df = df[front + [c for c in df.columns if c not in front]]
    rank = {a.name: i for i, a in enumerate(p.arms)}
    df = df.sort_values(
        ["world", "scenario", "replication"],
        key=lambda c: c.map(rank) if c.name == "scenario" else c,
        kind="stable",
    ).reset_index(drop=True)
    return df


def analyse(out: Path, p: Plan, runs: pd.DataFrame) -> Tables:
    """Effects, robustness, regret and vulnerabilities from the runs table (each written as a csv)."""
    s = p.settings
    paired = not s.independent_seeds
    present = [n for n in p.reforms if len(runs) and (runs["scenario"] == n).any()]
    effects, robust = (
        analysis.effects_and_robustness(runs, p.baseline, present, paired)
        if len(runs)
        else (pd.DataFrame(columns=["world", "reform", "kpi", "effect"]), pd.DataFrame())
    )
    atomic.write_csv(out / "effects.csv", effects, float_format="%.6g")
    atomic.write_csv(out / "robustness.csv", robust, float_format="%.6g")
    options = [o for o in p.options() if len(runs) and (runs["scenario"] == o).any()]
    regret, ranking = (
        analysis.regret(runs, options, s.regret_kpi, paired) if options else (pd.DataFrame(), pd.DataFrame())
    )
    atomic.write_csv(out / "regret.csv", regret, float_format="%.6g")
    atomic.write_csv(out / "regret_ranking.csv", ranking, float_format="%.6g")
    from townsim.experiments.render.plots import HEADLINE

    heads = [k for k in HEADLINE if k in set(effects["kpi"])]
    if s.regret_kpi in set(effects["kpi"]) and s.regret_kpi not in heads:
        heads.insert(0, s.regret_kpi)
    vul = analysis.vulnerabilities(effects, p.worlds, heads, HELD_OUT, s.seed, present)
    atomic.write_csv(out / "vulnerabilities.csv", vul, float_format="%.6g")
    return Tables(runs, effects, robust, regret, ranking, vul)


def write_report(t: Tables, folder: Folder, p: Plan, make_figures: bool, lang: str) -> RobustResult:
    """The figures and the report (``report.md``, ``report.html`` in ``lang``)."""
    from townsim.experiments.render.report import write_report as write

    from . import report

    out = folder.out
    figures = (
        report.figures(out / "figures", p, t.effects, t.regret, t.ranking, t.vulnerabilities, lang)
        if make_figures
        else []
    )
    text = report.render(
        p, t.runs, t.robustness, t.ranking, t.vulnerabilities, folder.failures, figures, out, folder.execution, lang
    )
    write(out, text, lang)
    return RobustResult(
        out,
        folder.execution,
        t.runs,
        t.robustness,
        t.regret,
        t.ranking,
        t.vulnerabilities,
        folder.failures,
        figures,
    )


def _manifest_body(p: Plan, out: Path, argv: list[str] | None) -> dict[str, Any]:
    s = p.settings
    return {
        "townsim_command": COMMAND,
        "command_line": runio.command_line(argv),
        "reproduce": s.reproduce_command(out),
        "working_dir": os.getcwd(),
        "settings_hash": settings_hash(p),
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
            {"name": a.name, "low": a.low, "high": a.high, "dist": a.dist, "basis": a.basis} for a in p.worlds.varied
        ],
        "fixed_assumptions": p.worlds.fixed,
        "kept_by_scenario": p.kept,
        "scenarios": [
            {"name": a.name, "file": a.path, "description": a.description, "params": a.params.model_dump(mode="json")}
            for a in p.arms
        ],
        "model_fingerprint": p.specs[0].code if p.specs else None,
        "versions": runio.versions(),
        "git_commit": runio.git_commit(),
    }
