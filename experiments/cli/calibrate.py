"""``townsim calibrate SPEC`` — approximate Bayesian computation (ABC-SMC, pyabc) of unpublished parameters.

    townsim calibrate SPEC.toml|NAME [--workers K | --scheduler ADDR | --dask-local] [--yes] [--out DIR]

``SPEC`` is a spec file (see :mod:`experiments.workflows.calibrate.spec`) or the name of a shipped
one in ``experiments/specs/calibrate/`` (``<NAME>.toml``, e.g. ``linping``). Output folder: ``--out`` or
``results/calibrate-<spec name>/``; rerunning the same command resumes it from its last finished
generation. Exit code 0 when done, 2 for bad input.

"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from townsim.experiments.cli import _common, add_lang_argument
from townsim.experiments.cli._common import add_out_argument, add_progress_argument
from townsim.experiments.cli._engine import add_engine_argument, engine_for, with_spec_engine
from townsim.experiments.cli._executors import add_executor_arguments, executor_from_args
from townsim.experiments.core.budget import add_yes_argument, check_work, days_per_run
from townsim.experiments.errors import EXIT_FAILED, UserError

SPEC_DIR = Path(__file__).resolve().parents[1] / "specs" / "calibrate"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calibrate",
        help="ABC-SMC calibration of unpublished parameters to published figures (pyabc)",
        description="Calibrate the parameters of a spec file by approximate Bayesian computation (ABC-SMC, "
        "pyabc) and write posterior.parquet, generations.csv, predictive.parquet, figures/, report.md and "
        "report.html. Rerun the same command to resume a stopped calibration (same posterior).",
    )
    p.add_argument(
        "spec",
        metavar="SPEC.toml|NAME",
        help=f"spec file, or a shipped spec name ({', '.join(shipped_specs()) or 'none'})",
    )
    add_executor_arguments(p)
    add_engine_argument(p)
    add_yes_argument(p)
    add_out_argument(p, "results/calibrate-<spec name>/", resumes=True)
    add_lang_argument(p, "report")
    add_progress_argument(p)
    p.set_defaults(func=_common.guarded(cmd_calibrate))


def shipped_specs() -> list[str]:
    return _common.shipped_specs(SPEC_DIR, "*.toml", exclude="")


def resolve_spec(text: str) -> Path:
    """The spec file of a path or a shipped name; UserError if neither exists."""
    return _common.resolve_spec(text, SPEC_DIR, shipped_specs(), "calibration spec")


def cmd_calibrate(args: argparse.Namespace) -> int:
    from townsim.experiments.core.store import IncompleteRuns
    from townsim.experiments.workflows.calibrate import SpecError, calibrate, load_spec

    # --- check everything before any work or any file ------------------------------------------
    try:
        spec = load_spec(resolve_spec(args.spec))
    except SpecError as exc:
        raise UserError(str(exc)) from None
    # at least one simulation per particle and generation, then the posterior predictive draws
    sims = (spec.population_size * spec.max_generations + spec.predictive_draws) * spec.replications
    check_work(spec.path.name, sims, days_per_run(spec), args.yes)
    out = args.out if args.out is not None else Path("results") / f"calibrate-{spec.name}"
    show = _common.PROGRESS[args.progress]
    show = sys.stderr.isatty() if show is None else show
    try:
        executor = executor_from_args(args)  # before the folder: a cluster that cannot be reached leaves none
    except ValueError as exc:
        raise UserError(str(exc)) from None
    command = "townsim calibrate " + " ".join(sys.argv[2:]) if len(sys.argv) > 2 else f"townsim calibrate {args.spec}"
    days = 0 if spec.plugin else days_per_run(spec)
    with executor, engine_for(args, sims, days, explicit=spec.overrides.get("engine")) as engine:
        with_spec_engine(spec, engine)  # its jobs carry the spec, whose scenario's parameters each run starts from
        try:
            res = calibrate(
                spec,
                out,
                executor=executor,
                show_progress=show,
                command=command,
                log=True if show else None,
                lang=args.lang,
            )
        except IncompleteRuns as exc:
            print(f"townsim: {exc}", file=sys.stderr)
            return EXIT_FAILED
    g, ex = res.generations, res.execution
    print(f"simulations: {ex.ran} made, {ex.skipped} reused, {ex.failed} failed in {ex.seconds:.0f} s")
    print(
        f"{len(g)} generations, {int(g.simulations.sum()):,} simulations, final ε {g.epsilon.iloc[-1]:.4g}; "
        f"report: {res.out / 'report.md'} and {res.out / 'report.html'}"
    )
    return 0
