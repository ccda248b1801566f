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
from townsim.experiments.core.execute import ExecutionReport, RunSpec, execute, simulate_run
from townsim.experiments.core.executors import Executor
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


def run_robust(
    settings: RobustSettings,
    out: Path | str,
    executor: Executor,
    fn: Callable[[RunSpec], Any] = simulate_run,
    argv: list[str] | None = None,
    show_progress: bool | None = None,
    make_figures: bool = True,
    lang: str = "en",
    planned: Plan | None = None,
) -> RobustResult:
    """Run (or resume) the experiment into ``out`` and write every output (the report in ``lang``)."""
    started = runio.now()
    p = planned or plan(settings)
    out = Path(out)
    store = ResultStore(out)
    man: dict[str, Any] = {"invocations": runio.previous_invocations(out)}
    man.update(_manifest_body(p, out, argv))
    runio.write_manifest(out, man, runio.IN_PROGRESS)  # written first: a killed experiment says what it was
    atomic.write_parquet(out / "worlds.parquet", p.worlds.frame())
    execution = execute(p.specs, store, executor, fn=fn, desc="robust", show_progress=show_progress)
    result = write_outputs(out, p, store, execution, make_figures=make_figures, lang=lang)
    man["invocations"].append(runio.invocation(started, executor, execution.as_dict(), argv))
    man["files"] = runio.output_files(out)
    runio.write_manifest(out, man, runio.COMPLETE if not result.failures else runio.INCOMPLETE)
    return result


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


def write_outputs(
    out: Path,
    p: Plan,
    store: ResultStore,
    execution: ExecutionReport | None = None,
    make_figures: bool = True,
    lang: str = "en",
) -> RobustResult:
    """Every table, figure and the report from the finished runs of ``p``."""
    s = p.settings
    runs = runs_table(store, p)
    atomic.write_parquet(out / "runs.parquet", runs)
    paired = not s.independent_seeds
    present = [n for n in p.reforms if len(runs) and (runs["scenario"] == n).any()]
    effects, robust = (
        analysis.effects_and_robustness(runs, p.baseline, present, paired)
        if len(runs)
        else (
            pd.DataFrame(columns=["world", "reform", "kpi", "effect"]),
            pd.DataFrame(),
        )
    )
    atomic.write_csv(out / "effects.csv", effects, float_format="%.6g")
    atomic.write_csv(out / "robustness.csv", robust, float_format="%.6g")
    options = [o for o in p.options() if len(runs) and (runs["scenario"] == o).any()]
    regret, ranking = (
        analysis.regret(runs, options, s.regret_kpi, paired)
        if options
        else (
            pd.DataFrame(),
            pd.DataFrame(),
        )
    )
    atomic.write_csv(out / "regret.csv", regret, float_format="%.6g")
    atomic.write_csv(out / "regret_ranking.csv", ranking, float_format="%.6g")
    from townsim.experiments.render.plots import HEADLINE

    heads = [k for k in HEADLINE if k in set(effects["kpi"])]
    if s.regret_kpi in set(effects["kpi"]) and s.regret_kpi not in heads:
        heads.insert(0, s.regret_kpi)
    vul = analysis.vulnerabilities(effects, p.worlds, heads, HELD_OUT, s.seed, present)
    atomic.write_csv(out / "vulnerabilities.csv", vul, float_format="%.6g")
    failures = store.failures([sp.key for sp in p.specs])
    fail_path = out / "failures.csv"
    if failures:
        atomic.write_csv(fail_path, pd.DataFrame(failures).drop(columns=["traceback"]))
    elif fail_path.exists():
        fail_path.unlink()

    from . import report

    figures = report.figures(out / "figures", p, effects, regret, ranking, vul, lang) if make_figures else []
    text = report.render(p, runs, robust, ranking, vul, failures, figures, out, execution, lang)
    from townsim.experiments.render.report import write_report

    write_report(out, text, lang)
    return RobustResult(out, execution or ExecutionReport(), runs, robust, regret, ranking, vul, failures, figures)


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
