"""``townsim province`` — every county of a province, the county as the unit of work, with one report.

    townsim province SPEC [--workers K | --scheduler ADDR | --dask-local] [--out DIR] [--lang en|zh]

``SPEC`` is a province spec file (TOML) or the name of a shipped one (``experiments/specs/province/``,
e.g. ``synthetic_100``). Output ``results/province-<timestamp>/``; giving an existing output folder of the
same province resumes it. Exit code 0 when every county finished, 1 when some failed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from townsim.experiments.cli import _common, add_lang_argument
from townsim.experiments.cli._common import PROGRESS, add_out_argument, add_progress_argument
from townsim.experiments.cli._engine import add_engine_argument, engine_for
from townsim.experiments.cli._executors import add_executor_arguments, executor_from_args
from townsim.experiments.core.engine_choice import ENGINES
from townsim.experiments.errors import UserError

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs" / "province"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "province",
        help="every county of a province (a table of counties or a synthetic one), largest first, one report",
        description="Run the township model once per county of a province spec (counties of different sizes and "
        "township tables), the largest first, within a memory budget per worker, and write counties.csv, "
        "runs.parquet, province.csv (the province's totals and the spread across counties), report.md and "
        "report.html. Rerun with the same --out to resume.",
    )
    p.add_argument("spec", metavar="SPEC", help="province spec file (TOML) or a shipped one's name")
    p.add_argument(
        "--residents-per-agent",
        type=int,
        default=None,
        metavar="N",
        help="residents one citizen agent stands for in every county (default: the spec's, else the scenario's)",
    )
    add_executor_arguments(p)
    add_engine_argument(p)
    add_lang_argument(p, "report")
    add_out_argument(p, "results/province-<timestamp>/", resumes=True)
    add_progress_argument(p)
    p.set_defaults(func=cmd_province)


def cmd_province(args: argparse.Namespace) -> int:
    from townsim.experiments.core.executors import make_executor
    from townsim.experiments.workflows import province as wf

    shipped = _common.shipped_specs(SPEC_DIR)
    path = _common.resolve_spec(args.spec, SPEC_DIR, shipped, "province spec")
    try:
        spec = wf.load_spec(path)
        if args.residents_per_agent is not None:
            spec.residents_per_agent = _common.int_in("--residents-per-agent", args.residents_per_agent, 1, 10**6)
        given = _spec_engine(spec, wf.ProvinceError)
        counties = wf.plan(spec)  # every county checked before any work
    except wf.ProvinceError as exc:
        raise UserError(str(exc)) from None
    days = spec.days + max((int(c.params.warmup_days) for c in counties), default=0)
    executor = executor_from_args(args)
    if executor.name == "processes":
        fit = wf.workers_for(spec.memory_per_worker_mib, executor.workers)
        if fit < executor.workers:
            print(
                f"townsim: warning: {executor.workers} workers × {spec.memory_per_worker_mib:,.0f} MiB do not fit in "
                f"this machine's memory; using {fit}",
                file=sys.stderr,
            )
            executor.close()
            executor = make_executor(workers=fit)
    with executor, engine_for(args, len(counties) * spec.replications, days, explicit=given):
        result = wf.run_province(spec, args.out, executor, show_progress=PROGRESS[args.progress], lang=args.lang)
    out = result.out
    ex = result.execution
    print(f"counties: {ex.ran} run, {ex.skipped} reused, {ex.failed} failed in {ex.seconds:.0f} s")
    if result.failures:
        print(f"townsim: {len(result.failures)} county run(s) failed; see {out / 'failures.csv'}", file=sys.stderr)
    print(f"report: {out / 'report.md'} and {out / 'report.html'}")
    return 1 if result.failures else 0


def _spec_engine(spec, error: type[Exception]) -> str | None:
    """The engine a province spec's ``[overrides]`` names: ``python`` or ``compiled`` win over ``--engine``;
    ``auto`` is taken out of the overrides and decided like ``--engine auto``. None when it names none."""
    value = spec.overrides.get("engine")
    if value is None:
        return None
    if value not in ENGINES:
        raise error(f"{spec.path}: overrides.engine: got {value!r}; allowed: {', '.join(ENGINES)}")
    if value == "auto":
        del spec.overrides["engine"]
        return None
    return value
