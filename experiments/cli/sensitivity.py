"""``townsim sensitivity SPEC`` — global sensitivity analysis (SALib) of reform levers, resumable.

    townsim sensitivity SPEC.toml|NAME [--workers K | --scheduler ADDR | --dask-local] [--out DIR]

``SPEC`` is a spec file (see :mod:`experiments.sensitivity.spec`) or the name of
a shipped one in ``experiments/specs/`` (e.g. ``morris_screening``). Output
folder: ``--out`` or ``results/sensitivity-<spec name>/``; rerunning the same
command resumes it (finished runs are reused). Exit code 0 when every run
finished and the analysis was written, 1 when some runs failed (rerun to retry
them), 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from townsim.experiments.cli import _common, add_lang_argument
from townsim.experiments.cli._common import add_out_argument, add_progress_argument
from townsim.experiments.cli._engine import add_engine_argument, engine_for
from townsim.experiments.cli._executors import add_executor_arguments
from townsim.experiments.core.budget import add_yes_argument, check_work, days_per_run
from townsim.experiments.core.outdir import RESULTS_DIR
from townsim.experiments.errors import UserError

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"
"""Shipped sensitivity specs."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sensitivity",
        help="global sensitivity analysis of reform levers (SALib: morris, sobol, fast)",
        description="Sample the levers of a spec file with SALib, run the township model (or an evaluate "
        "plug-in) at every point with replications, and write indices.csv, rankings.csv, "
        "convergence.csv, noise.csv, samples.parquet, outputs.parquet, figures/, report.md and report.html. "
        "Rerun the same command to resume an interrupted analysis.",
    )
    shipped = ", ".join(shipped_specs()) or "none"
    p.add_argument(
        "spec",
        metavar="SPEC.toml|NAME",
        help=f"spec file, or the name of a shipped spec in experiments/specs/ ({shipped})",
    )
    add_executor_arguments(p)
    add_engine_argument(p)
    add_yes_argument(p)
    add_lang_argument(p, "report")
    add_out_argument(p, "results/sensitivity-<spec name>/", resumes=True)
    add_progress_argument(p)
    p.set_defaults(func=_common.guarded(cmd_sensitivity))


def shipped_specs() -> list[str]:
    return _common.shipped_specs(SPEC_DIR, "*.toml", exclude="discover_")


def resolve_spec(text: str) -> Path:
    """The spec file of a path or a shipped name; UserError if neither exists."""
    return _common.resolve_spec(text, SPEC_DIR, shipped_specs(), "spec")


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from townsim.experiments.workflows.sensitivity.pipeline import IncompleteRuns, SensitivityExperiment
    from townsim.experiments.workflows.sensitivity.spec import SpecError, load_spec

    # --- check everything before any work or any file ------------------------------------------
    try:
        spec = load_spec(resolve_spec(args.spec))
    except SpecError as exc:
        raise UserError(str(exc)) from None
    runs, days = spec.n_runs(), days_per_run(spec)
    check_work(spec.path.name, runs, days, args.yes)
    out = args.out if args.out is not None else RESULTS_DIR / f"sensitivity-{spec.name}"
    try:
        with engine_for(args, runs, 0 if spec.plugin else days):
            result = _common.run_command(args, SensitivityExperiment(spec), out=out)
    except IncompleteRuns as exc:
        print(f"townsim: {exc}", file=sys.stderr)
        return 1
    for (scenario, output), why in result.skipped.items():
        print(f"townsim: note: {output}{' in ' + scenario if scenario else ''} not analysed: {why}", file=sys.stderr)
    print(f"report: {out / 'report.md'} and {out / 'report.html'} (figures included; opens in a browser)")
    return 0
