"""``townsim robust`` — every reform in many plausible worlds: how often it helps, regret, where it fails.

    townsim robust [NAME|PATH ...] [--worlds N] [--reps N] [--days N] [--seed S] [--sampler lhs|sobol]
                   [--vary NAME ...] [--fix NAME ...] [--range NAME=LOW:HIGH ...] [--set key=value ...]
                   [--equal-staff] [--independent-seeds] [--regret-kpi KPI] [--posterior PATH [--force]]
                   [--workers K | --scheduler ADDR | --dask-local] [--out DIR]

Defaults: every shipped scenario of the baseline's county (not Linping), 64 worlds, 3 replications,
250 working days, seed 1, output ``results/robust-<timestamp>/``. Giving an existing output folder of
the same experiment resumes it. Exit code 0 when every run finished, 1 when some failed, 2 for bad input.
"""

from __future__ import annotations

import argparse

from townsim.experiments.cli import add_lang_argument
from townsim.experiments.cli._common import (
    add_out_argument,
    add_progress_argument,
    add_scenario_argument,
    add_seed_argument,
    run_command,
)
from townsim.experiments.cli._engine import add_engine_argument, engine_for, specs_work
from townsim.experiments.cli._executors import add_executor_arguments
from townsim.experiments.errors import UserError
from townsim.experiments.workflows.robust.settings import (
    DEFAULT_BASELINE,
    DEFAULT_DAYS,
    DEFAULT_REGRET_KPI,
    DEFAULT_REPS,
    DEFAULT_SEED,
    DEFAULT_WORLDS,
    SAMPLERS,
    RobustError,
    RobustSettings,
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "robust",
        help="run every reform across plausible worlds of the assumptions: robustness, regret, failure boxes",
        description="Draw N worlds over the declared assumptions' plausible ranges (or from a calibration "
        "posterior), run the baseline and every reform in each (paired replications), then write worlds.parquet, "
        "runs.parquet, robustness.csv, regret.csv, vulnerabilities.csv, figures/, report.md and report.html. "
        "Rerun with the same --out to resume. With --set stop_backlog_days=D (e.g. 30) a run whose backlog grows "
        "without bound stops early and counts as collapsed (worse than a baseline that did not), which also keeps "
        "exploding worlds cheap.",
    )
    add_scenario_argument(p, many=True)
    p.add_argument("--baseline", default=DEFAULT_BASELINE, metavar="NAME", help="the status quo (default baseline)")
    p.add_argument("--worlds", type=int, default=DEFAULT_WORLDS, metavar="N", help="plausible worlds (default 64)")
    p.add_argument("--reps", type=int, default=DEFAULT_REPS, metavar="N", help="replications per world (default 3)")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS, metavar="N", help="working days per run (default 250)")
    add_seed_argument(p, DEFAULT_SEED, "base seed of the worlds and the replication seeds")
    p.add_argument("--sampler", choices=SAMPLERS, default="lhs", help="Latin hypercube (default) or scrambled Sobol'")
    for opt, what in (("--vary", "vary only these assumptions"), ("--fix", "hold these assumptions")):
        p.add_argument(opt, action="append", default=[], metavar="NAME[,NAME]", help=f"{what} (repeatable)")
    p.add_argument(
        "--range",
        dest="ranges",
        action="append",
        default=[],
        metavar="NAME=LOW:HIGH",
        help="replace an assumption's declared plausible range (repeatable)",
    )
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="in every run")
    p.add_argument("--equal-staff", action="store_true", help="also run each reform at the staff-hours of its root")
    p.add_argument("--independent-seeds", action="store_true", help="own seeds per scenario (Welch intervals)")
    p.add_argument(
        "--regret-kpi",
        default=DEFAULT_REGRET_KPI,
        metavar="KPI",
        help=f"KPI of the regret table and the report's sentences (default {DEFAULT_REGRET_KPI})",
    )
    p.add_argument("--posterior", default=None, metavar="PATH", help="draw the worlds from a calibration posterior")
    p.add_argument("--force", action="store_true", help="apply a --posterior made for another county")
    add_executor_arguments(p)
    add_engine_argument(p)
    add_lang_argument(p, "report")
    add_out_argument(p, "results/robust-<timestamp>/", resumes=True)
    add_progress_argument(p)
    p.set_defaults(func=cmd_robust)


def _names(items: list[str]) -> list[str]:
    return [n.strip() for item in items for n in item.split(",") if n.strip()]


def cmd_robust(args: argparse.Namespace) -> int:
    from townsim.experiments.workflows.robust.pipeline import RobustExperiment

    settings = RobustSettings(
        scenarios=list(args.scenarios),
        baseline=args.baseline,
        worlds=args.worlds,
        reps=args.reps,
        days=args.days,
        seed=args.seed,
        sampler=args.sampler,
        vary=_names(args.vary),
        fix=_names(args.fix),
        ranges=list(args.ranges),
        overrides=list(args.overrides),
        independent_seeds=args.independent_seeds,
        equal_staff=args.equal_staff,
        regret_kpi=args.regret_kpi,
        posterior=args.posterior,
        force=args.force,
    )
    try:  # check everything before any work or any file
        experiment = RobustExperiment(settings)
    except RobustError as exc:
        raise UserError(str(exc)) from None
    with engine_for(args, *specs_work(experiment.plan.specs)):
        result = run_command(args, experiment)
    print(f"report: {result.out / 'report.md'} and {result.out / 'report.html'}")
    return 1 if result.failures else 0
