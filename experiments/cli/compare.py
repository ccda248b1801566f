"""``townsim compare`` — replicated runs of reform scenarios against a baseline, with a planner's report.

    townsim compare [NAME|PATH ...] [--baseline NAME] [--reps N] [--days N] [--seed S]
                    [--set key=value ...] [--independent-seeds]
                    [--workers K | --scheduler ADDR | --dask-local] [--out DIR]

Defaults: every shipped scenario except the validation ones, 20 replications,
250 working days, seed 1, output ``results/compare-<timestamp>/``. Giving an
existing output folder of an earlier ``townsim compare`` resumes it. Exit code
0 when every run finished, 1 when some runs failed (they are listed in the
report and in ``failures.csv``), 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys

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
from townsim.experiments.workflows.compare import (
    DEFAULT_BASELINE,
    DEFAULT_DAYS,
    DEFAULT_REPS,
    DEFAULT_SEED,
    CompareError,
    CompareExperiment,
    CompareSettings,
)


def register(subparsers) -> None:
    """Over 60 lines: one argparse registration, one option after another, read like the command's help."""
    p = subparsers.add_parser(
        "compare",
        help="compare reform scenarios against a baseline (replications, statistics, report)",
        description="Run every scenario REPS times (same random demand per replication by default), then write "
        "runs.parquet, timeseries.parquet, summary.csv, comparison.csv, figures/, report.md and report.html. "
        "Rerun with the same --out to resume an interrupted experiment.",
    )
    add_scenario_argument(p, many=True)
    p.add_argument(
        "--baseline",
        default=DEFAULT_BASELINE,
        metavar="NAME",
        help=f"scenario the others are compared with (default {DEFAULT_BASELINE}; added if not listed)",
    )
    p.add_argument(
        "--reps",
        type=int,
        default=DEFAULT_REPS,
        metavar="N",
        help=f"replications per scenario (default {DEFAULT_REPS})",
    )
    p.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"working days per run (default {DEFAULT_DAYS} ≈ one year)",
    )
    add_seed_argument(p, DEFAULT_SEED, "base seed of the replication seeds")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter in every scenario (repeatable), e.g. --set townships=8",
    )
    p.add_argument(
        "--equal-staff",
        action="store_true",
        help="also run every reform at equal staff: department posts changed so that its total budgeted "
        "staff-hours equal those of the root of its extends chain (named NAME+equal_staff)",
    )
    p.add_argument(
        "--cases",
        action="store_true",
        help="also write cases.parquet: every case of every run (scenario, replication, seed in front)",
    )
    p.add_argument(
        "--independent-seeds",
        action="store_true",
        help="give each scenario its own seeds (Welch tests) instead of common random numbers",
    )
    p.add_argument(
        "--posterior",
        default=None,
        metavar="PATH",
        help="a `townsim calibrate` folder (or its posterior.parquet): replication k of every scenario "
        "runs at posterior draw k, so intervals include parameter uncertainty; a scenario's own "
        "lever values win",
    )
    p.add_argument("--force", action="store_true", help="apply a --posterior made for another county")
    add_executor_arguments(p)
    add_engine_argument(p)
    add_yes_argument(p)
    add_lang_argument(p, "report")
    add_out_argument(p, "results/compare-<timestamp>/", resumes=True)
    add_progress_argument(p)
    p.set_defaults(func=_common.guarded(cmd_compare))


def cmd_compare(args: argparse.Namespace) -> int:
    settings = CompareSettings(
        scenarios=list(args.scenarios),
        baseline=args.baseline,
        reps=args.reps,
        days=args.days,
        seed=args.seed,
        overrides=list(args.overrides),
        independent_seeds=args.independent_seeds,
        equal_staff=args.equal_staff,
        cases=args.cases,
        posterior=args.posterior,
        force=args.force,
    )
    try:  # check everything before any work or any file
        experiment = CompareExperiment(settings)
    except CompareError as exc:
        raise UserError(str(exc)) from None
    check_specs("townsim compare", experiment.specs, args.yes)
    with engine_for(args, *specs_work(experiment.specs)):
        result = _common.run_command(args, experiment)
    for f in result.failures[:5]:
        print(f"  {f['scenario']} replication {f['replication']}: {f['error']}", file=sys.stderr)
    shown = f"{len(result.figures)} figures included" if result.figures else "no figures: no run finished"
    print(f"report: {result.out / 'report.md'} and {result.out / 'report.html'} ({shown}; opens in a browser)")
    return 1 if result.failures else 0
