"""``townsim run NAME|PATH`` — one simulation run of a scenario, written to one results folder.

The folder (default ``results/run-<scenario>-<timestamp>/``) holds
``manifest.json`` (resolved parameters, seed, versions, git commit, command,
times; "in progress" until the run and its files are written, then "complete"),
``timeseries.parquet`` (daily KPIs), ``summary.json`` (per-run KPIs),
``figures/dashboard.png`` and the stored run (``runs/``). The run is an experiment of
one job on the one runner (:mod:`townsim.experiments.workflows.run`): its folder is
locked while it runs, a folder of another run is refused, and an interrupted run's
folder resumes with the same command and ``--out``. All input is checked before the
run starts: a bad scenario, ``--set`` or option is one line on stderr, exit code 2,
nothing written.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from townsim.experiments.cli import _common, add_lang_argument
from townsim.experiments.cli._common import (
    PROGRESS,
    add_out_argument,
    add_progress_argument,
    add_scenario_argument,
    add_seed_argument,
    int_in,
    seed,
)
from townsim.experiments.cli._engine import add_engine_argument, engine_for
from townsim.experiments.core.design import RunSpec, check_model_inputs
from townsim.experiments.core.executors import SerialExecutor
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.spec import DEFAULT_DAYS
from townsim.experiments.errors import RunFailed, UserError
from townsim.experiments.render import fmt
from townsim.model.metrics import kpi, kpis
from townsim.scenarios import ScenarioError, apply_overrides, load_scenario

DEFAULT_SEED = 1
MAX_DAYS = 100_000

TABLE = kpis("run")
"""Summary KPIs printed after a run, in this order (the registry's ``run`` view, read again at each
:func:`format_summary`); labels, units and formats from the KPI registry."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run",
        help="one simulation run of a scenario, written to a results folder",
        description="Run one scenario once and write manifest.json, timeseries.parquet, summary.json and "
        "figures/dashboard.png to a new folder (default results/run-<scenario>-<timestamp>/).",
    )
    add_scenario_argument(p)
    p.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"working days to simulate (1 day = 8 working hours; default {DEFAULT_DAYS} ≈ one year)",
    )
    add_seed_argument(p, DEFAULT_SEED)
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, validated like a file (repeatable), e.g. --set delegated_share=0.6",
    )
    add_lang_argument(p, "printed summary, the dashboard")
    p.add_argument(
        "--cases",
        action="store_true",
        help="also write cases.parquet: one row per case (requester, township, matter, channel, tier, "
        "times, trips, resolved ...)",
    )
    add_engine_argument(p)
    add_out_argument(p, "results/run-<scenario>-<timestamp>/", resumes=True)
    add_progress_argument(p)
    p.set_defaults(func=_common.guarded(cmd_run))


def cmd_run(args: argparse.Namespace) -> int:
    from townsim.experiments.core.protocol import run_experiment
    from townsim.experiments.core.store import IncompleteRuns
    from townsim.experiments.workflows.run import RunExperiment

    scenario, params = _checked_inputs(args)  # everything checked before any work or any file
    spec = RunSpec(scenario.name, params, 0, args.seed, args.days, model_fingerprint())
    experiment = RunExperiment(scenario, spec, args.overrides, args.cases, lambda out: canonical_argv(args, out))
    try:
        with SerialExecutor() as executor, engine_for(args, 1, args.days + int(params.warmup_days)):
            result = run_experiment(
                experiment, args.out, executor, show_progress=PROGRESS[args.progress], lang=args.lang
            )
    except IncompleteRuns as exc:
        raise RunFailed(str(exc)) from None
    title = (
        f"{scenario.name} · 种子 {args.seed} · {args.days} 个工作日"
        if args.lang == "zh"
        else f"{scenario.name} · seed {args.seed} · {args.days} working days"
    )
    print(format_summary(result.summary, title=title, lang=args.lang))
    print(f"results: {result.out}")
    return 0


def _checked_inputs(args: argparse.Namespace):
    """The scenario and its parameters with ``--set`` applied; a bad option, scenario or override is a
    :class:`UserError` (one line, exit code 2)."""
    int_in("--days", args.days, 1, MAX_DAYS, "working days")
    seed(args.seed)
    try:
        scenario = load_scenario(args.scenario)
        params = apply_overrides(scenario.params, args.overrides)
        check_model_inputs(params)
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:  # a bad matter catalogue named by the scenario
        raise UserError(" ".join(str(exc).split())) from None
    return scenario, params


def canonical_argv(args: argparse.Namespace, out: Path) -> list[str]:
    """The command that reproduces this run, every default spelled out."""
    argv = ["townsim", "run", str(args.scenario), "--days", str(args.days), "--seed", str(args.seed)]
    for item in args.overrides:
        argv += ["--set", item]
    if args.cases:
        argv.append("--cases")
    return argv + ["--out", str(out)]


def format_summary(summary: dict[str, float], title: str = "", lang: str = "en") -> str:
    """The main summary KPIs as a small aligned two-column text table, labels and units in ``lang``."""
    rows = []
    for key in kpis("run"):
        if key in summary:
            k = kpi(key)
            unit = (f"（{k.unit_text(lang)}）" if lang == "zh" else f" ({k.unit})") if k.fmt == "num" and k.unit else ""
            label = k.text(lang) + unit
            rows.append((label, fmt.value(k, summary[key])))
    width = max(_cells(r[0]) for r in rows) if rows else 10
    vwidth = max(_cells(r[1]) for r in rows) if rows else 5
    rule = "─" * (width + vwidth + 3)
    lines = [title, rule] if title else [rule]
    lines += [label + " " * (width - _cells(label)) + "   " + value.rjust(vwidth) for label, value in rows]
    lines.append(rule)
    return "\n".join(lines)


def _cells(text: str) -> int:
    """Terminal columns of ``text``: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: townsim run ...")
