"""``townsim discover SPEC`` — scenario discovery (PRIM): where does a reform fail?

    townsim discover SPEC.toml|NAME [--workers K | --scheduler ADDR | --dask-local] [--out DIR] [--lang en|zh]

``SPEC`` is a spec file (see :mod:`townsim.experiments.workflows.discover.spec`) or
the name of a shipped one in ``experiments/specs/`` (e.g. ``discover_delegation``).
Output folder: ``--out`` or ``results/discover-<spec name>/``; rerunning the same
command resumes it (finished runs are reused). Exit code 0 when every run
finished and the boxes were written, 1 when some runs failed (rerun to retry
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
from townsim.experiments.errors import EXIT_FAILED, UserError

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"
"""Shipped specs (discover specs are named ``discover_*.toml``)."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "discover",
        help="scenario discovery (PRIM): the lever ranges where a case of interest happens",
        description="Sample the levers of a spec file (Latin hypercube, or reuse a sensitivity run's stored "
        "outputs with design = FOLDER), run the township model (or an evaluate plug-in) at every "
        "point with replications, and find with PRIM (the EMA Workbench's) the boxes of lever values "
        "where outcome > threshold (or < with below = true). Writes boxes.csv, trajectory.csv, "
        "samples.parquet, outputs.parquet, figures/ (peeling trajectories, box limits) and "
        "report.md. Rerun the same command to resume an interrupted run.",
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
    add_out_argument(p, "results/discover-<spec name>/", resumes=True)
    add_progress_argument(p)
    add_lang_argument(p, "report")
    p.set_defaults(func=_common.guarded(cmd_discover))


def shipped_specs() -> list[str]:
    return _common.shipped_specs(SPEC_DIR, "discover_*.toml", exclude="")


def resolve_spec(text: str) -> Path:
    """The spec file of a path or a shipped name; UserError if neither exists."""
    return _common.resolve_spec(text, SPEC_DIR, shipped_specs(), "spec")


def cmd_discover(args: argparse.Namespace) -> int:
    from townsim.experiments.workflows.discover.pipeline import DesignError, DiscoverExperiment, IncompleteRuns
    from townsim.experiments.workflows.discover.spec import SpecError, load_spec

    # --- check everything before any work or any file ------------------------------------------
    try:
        spec = load_spec(resolve_spec(args.spec))
    except SpecError as exc:
        raise UserError(str(exc)) from None
    runs = 0 if spec.reused else spec.samples * spec.replications * len(spec.run_scenarios)
    days = 0 if spec.plugin else days_per_run(spec)
    if not spec.reused:
        check_work(spec.path.name, runs, days_per_run(spec), args.yes)
    out = args.out if args.out is not None else Path("results") / f"discover-{spec.name}"
    try:
        experiment = DiscoverExperiment(spec)
    except DesignError as exc:
        raise UserError(str(exc)) from None
    try:
        with engine_for(args, runs, days):
            result = _common.run_command(args, experiment, out=out)
    except IncompleteRuns as exc:
        print(f"townsim: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for d in result.discoveries:
        label = f"{d.scenario}: " if d.scenario else ""
        if not d.boxes or not d.boxes[0].restrictions:
            print(f"{label}{d.cases} of {d.runs} runs are cases; {d.note or 'no box'}")
        for b in d.boxes:
            if b.restrictions:
                from townsim.experiments.workflows.discover.words import condition_words

                print(
                    f"{label}box {b.number}: {condition_words(b.restrictions)} — coverage {b.coverage:.0%}, "
                    f"density {b.density:.0%}, mass {b.mass:.0%}"
                )
    print(f"report: {out / 'report.md'} and {out / 'report.html'} (figures included; opens in a browser)")
    return 0
