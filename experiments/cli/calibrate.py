"""``townsim calibrate SPEC`` — approximate Bayesian computation (ABC-SMC, pyabc) of unpublished parameters.

    townsim calibrate SPEC.toml|NAME [--workers K | --scheduler ADDR] [--out DIR]

``SPEC`` is a spec file (see :mod:`experiments.workflows.calibrate.spec`) or the name of a shipped
one in ``experiments/specs/calibrate/`` (``<NAME>.toml``, e.g. ``linping``). Output folder: ``--out`` or
``results/calibrate-<spec name>/``; rerunning the same command resumes it from its last finished
generation. Exit code 0 when done, 2 for bad input.

"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from townsim.experiments.cli import _common
from townsim.experiments.cli._common import add_out_argument, add_progress_argument
from townsim.experiments.core.budget import add_yes_argument, check_work, days_per_run
from townsim.experiments.errors import UserError

SPEC_DIR = Path(__file__).resolve().parents[1] / "specs" / "calibrate"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calibrate",
        help="ABC-SMC calibration of unpublished parameters to published figures (pyabc)",
        description="Calibrate the parameters of a spec file by approximate Bayesian computation (ABC-SMC, "
        "pyabc) and write posterior.parquet, generations.csv, predictive.parquet, figures/ and "
        "report.md. Rerun the same command to resume a stopped calibration.",
    )
    p.add_argument(
        "spec",
        metavar="SPEC.toml|NAME",
        help=f"spec file, or a shipped spec name ({', '.join(shipped_specs()) or 'none'})",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="K",
        help="local worker processes (default: the number of cores; 1 = this process)",
    )
    group.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDR",
        help="run the simulations on a running Dask cluster, e.g. tcp://10.0.0.5:8786",
    )
    add_yes_argument(p)
    add_out_argument(p, "results/calibrate-<spec name>/", resumes=True)
    add_progress_argument(p)
    p.set_defaults(func=cmd_calibrate)


def shipped_specs() -> list[str]:
    return _common.shipped_specs(SPEC_DIR, "*.toml", exclude="")


def resolve_spec(text: str) -> Path:
    """The spec file of a path or a shipped name; UserError if neither exists."""
    return _common.resolve_spec(text, SPEC_DIR, shipped_specs(), "calibration spec")


def cmd_calibrate(args: argparse.Namespace) -> int:
    from townsim.experiments.core.executors import default_workers
    from townsim.experiments.workflows.calibrate import SpecError, calibrate, check_resume, load_spec

    try:
        spec = load_spec(resolve_spec(args.spec))
    except SpecError as exc:
        raise UserError(str(exc)) from None
    # at least one simulation per particle and generation, then the posterior predictive draws
    sims = (spec.population_size * spec.max_generations + spec.predictive_draws) * spec.replications
    check_work(spec.path.name, sims, days_per_run(spec), args.yes)
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers {args.workers}: allowed: an integer >= 1")
    out = args.out if args.out is not None else Path("results") / f"calibrate-{spec.name}"
    try:
        resuming = check_resume(spec, out)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    show = {"auto": sys.stderr.isatty(), "always": True, "never": False}[args.progress]
    workers = args.workers or default_workers()
    print(
        ("resuming" if resuming else "starting") + f" calibration '{spec.name}' in {out} "
        f"({spec.population_size} particles, at most {spec.max_generations} generations)",
        file=sys.stderr,
    )
    res = calibrate(
        spec,
        out,
        workers=workers,
        scheduler=args.scheduler,
        show_progress=show,
        command="townsim calibrate " + " ".join(sys.argv[2:])
        if len(sys.argv) > 2
        else f"townsim calibrate {args.spec}",
        log=True if show else None,
    )
    g = res["generations"]
    print(
        f"{len(g)} generations, {int(g.simulations.sum()):,} simulations, final ε {g.epsilon.iloc[-1]:.4g}; "
        f"report: {out / 'report.md'}"
    )
    return 0
