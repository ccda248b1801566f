"""``townsim sweep`` — a scenario on a one- or two-parameter grid: line plot or heat map per KPI.

    townsim sweep NAME|PATH --vary key=LOW:HIGH:STEPS [--vary key=...] [--reps N] [--kpi NAME ...]
                  [--days N] [--seed S] [--set key=value ...]
                  [--workers K | --scheduler ADDR | --dask-local] [--out DIR]

Example — where does delegation without staff break the townships?

    townsim sweep baseline --vary delegated_share=0:1:6 --vary staff_transfer=0:1:5 --kpi township_backlog_end

Output ``results/sweep-<scenario>-<timestamp>/`` (an earlier sweep folder given as
``--out`` resumes). Exit code 0, 1 when some runs failed, 2 for bad input.
"""

from __future__ import annotations

import argparse

from townsim.experiments.cli import _common, add_lang_argument
from townsim.experiments.cli._common import (
    add_out_argument,
    add_progress_argument,
    add_scenario_argument,
    add_seed_argument,
)
from townsim.experiments.cli._engine import add_engine_argument, engine_for, specs_work
from townsim.experiments.cli._executors import add_executor_arguments
from townsim.experiments.core.budget import add_yes_argument, check_specs
from townsim.experiments.errors import UserError
from townsim.experiments.workflows.sweep import (
    DEFAULT_DAYS,
    DEFAULT_KPIS,
    DEFAULT_REPS,
    DEFAULT_SEED,
    SweepError,
    SweepExperiment,
    SweepSettings,
    parse_vary,
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="vary one or two parameters of a scenario on a grid (line plot or heat map)",
        description="Run a scenario at every point of a one- or two-parameter grid, REPS times each (same seeds at "
        "every point), and write runs.parquet, summary.csv, figures/, report.md and report.html.",
    )
    add_scenario_argument(p)
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="KEY=LOW:HIGH:STEPS",
        required=True,
        help="a numeric parameter and its grid, e.g. delegated_share=0:1:6 (once or twice)",
    )
    p.add_argument(
        "--reps",
        type=int,
        default=DEFAULT_REPS,
        metavar="N",
        help=f"replications per grid point (default {DEFAULT_REPS})",
    )
    p.add_argument(
        "--kpi",
        action="append",
        default=None,
        metavar="NAME",
        help=f"KPI to plot (repeatable; default: {', '.join(DEFAULT_KPIS)})",
    )
    p.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, metavar="N", help=f"working days per run (default {DEFAULT_DAYS})"
    )
    add_seed_argument(p, DEFAULT_SEED, "base seed of the replication seeds")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter at every grid point (repeatable)",
    )
    add_executor_arguments(p)
    add_engine_argument(p)
    add_yes_argument(p)
    add_lang_argument(p, "report")
    add_out_argument(p, "results/sweep-<scenario>-<timestamp>/", resumes=True)
    add_progress_argument(p)
    p.set_defaults(func=_common.guarded(cmd_sweep))


def cmd_sweep(args: argparse.Namespace) -> int:
    try:
        varies = [parse_vary(v) for v in args.vary]
        settings = SweepSettings(
            scenario=args.scenario,
            varies=varies,
            reps=args.reps,
            days=args.days,
            seed=args.seed,
            overrides=list(args.overrides),
            kpis=list(args.kpi) if args.kpi else list(DEFAULT_KPIS),
        )
        experiment = SweepExperiment(settings)
    except SweepError as exc:
        raise UserError(str(exc)) from None
    check_specs("townsim sweep", experiment.specs, args.yes)
    with engine_for(args, *specs_work(experiment.specs)):
        result = _common.run_command(args, experiment)
    shown = f"{len(result.figures)} figures included" if result.figures else "no figures: no run finished"
    print(f"report: {result.out / 'report.md'} and {result.out / 'report.html'} ({shown}; opens in a browser)")
    return 1 if result.failures else 0
