"""``townsim validate`` — the verification and validation checks, with a report.

    townsim validate [--quick] [--only NAME ...] [--part verification|validation] [--workers K] [--out DIR] [--docs]
                     [--power-worlds N] [--lang en|zh] [--yes]

Exit code 0 when every check passes, 1 when one fails (or crashes), 2 for bad input, 130 on Ctrl-C. Like
the other experiments it checks its folder before any work, writes its settings first, keeps each finished
check so that the same command resumes, and asks for --yes beyond the work bound.

"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from townsim.experiments.cli import _common, add_lang_argument
from townsim.experiments.cli._engine import add_engine_argument, engine_for
from townsim.experiments.core.budget import add_yes_argument
from townsim.experiments.errors import UserError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="run the verification and validation checks and write validation.md",
        description="Run every registered check (experiments/checks: verification — queueing theory and the "
        "built-in behaviours; validation — published patterns the model was not built or tuned "
        "to produce) and write results/validate-<timestamp>/ with validation.md, checks.csv and "
        "one figure per pattern. Exit code 1 when a check fails. Rerun with the same --out to resume.",
    )
    p.add_argument(
        "--quick", action="store_true", help="fewer replications (a couple of minutes), the same pass criteria"
    )
    p.add_argument("--only", nargs="+", metavar="NAME", default=None, help="run only these checks")
    p.add_argument("--part", choices=("verification", "validation"), default=None, help="run only one part")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.add_argument("--seed", type=int, default=None, metavar="N", help="base seed (default 20261129)")
    p.add_argument(
        "--workers", type=int, default=1, metavar="K", help="checks run in parallel on K local processes (default 1)"
    )
    p.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output folder (default results/validate-<timestamp>/)"
    )
    p.add_argument(
        "--docs",
        action="store_true",
        help="also write the shipped copy docs/validation.md and docs/figures/validation/",
    )
    p.add_argument(
        "--power-worlds",
        type=int,
        default=None,
        metavar="N",
        help="run each validation check in N prior worlds (the assumption ranges) and report its "
        "discriminating power, the share that fail it (default 8; 0 = skip)",
    )
    add_lang_argument(p, "report")
    add_yes_argument(p)
    add_engine_argument(p)
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar: on a terminal only (auto, default), always, or never",
    )
    p.set_defaults(func=_common.guarded(cmd_validate))


def cmd_validate(args: argparse.Namespace) -> int:
    """Over 60 lines: the command's steps in order (select, list, plan, run, report, exit code), each a few lines; its
    imports are lazy for a quick start."""
    from townsim.experiments.core.budget import check_work
    from townsim.experiments.core.executors import default_workers, make_executor
    from townsim.experiments.workflows.validate import DEFAULT_SEED, select, validate
    from townsim.experiments.workflows.validate.discriminating import DEFAULT_POWER_WORLDS, lines
    from townsim.experiments.workflows.validate.jobs import work

    try:
        checks = select(args.only, args.part)
    except ValueError as exc:
        raise UserError(f"--only: {exc}") from None
    if args.list:
        for c in checks:
            print(f"{c.part:12s} {c.name:32s} {c.quick_reps:>3d}/{c.full_reps:<3d} reps  {c.claim}  [{c.source}]")
        return 0
    if not checks:
        raise UserError("no checks selected")
    if args.workers < 1:
        raise UserError(f"--workers {args.workers}: allowed: an integer >= 1")
    if args.docs and args.lang != "en":
        raise UserError(f"--lang {args.lang}: --docs writes the shipped English page; allowed with --docs: en")
    if args.power_worlds is not None and args.power_worlds < 0:
        raise UserError(f"--power-worlds {args.power_worlds}: allowed: an integer >= 0")
    if args.workers > default_workers():
        print(
            f"townsim: warning: --workers {args.workers} is more than the {default_workers()} core(s) of this "
            f"machine; capped to {default_workers()}",
            file=sys.stderr,
        )
        args.workers = default_workers()
    if args.seed is not None:
        _common.seed(args.seed)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    n_worlds = DEFAULT_POWER_WORLDS if args.power_worlds is None else args.power_worlds
    reps, days = work(checks, args.quick, n_worlds)
    check_work("townsim validate", reps, days, args.yes)  # an estimate: replications × their longest horizon
    enabled = {"auto": None, "always": True, "never": False}[args.progress]
    with make_executor(workers=args.workers) as ex, engine_for(args, reps, days):
        done = validate(
            args.out,
            quick=args.quick,
            names=[c.name for c in checks],
            seed=seed,
            executor=ex,
            show_progress=enabled,
            docs=args.docs,
            power_worlds=n_worlds,
            lang=args.lang,
            command=(
                "townsim " + " ".join(sys.argv[sys.argv.index("validate") :])
                if "validate" in sys.argv
                else "townsim validate"
            ),
        )
    out = done.out
    outcomes, ran = done.outcomes, done.checks_run
    if args.docs:
        from townsim.experiments.docs import stamp
        from townsim.experiments.workflows.validate import DOCS_DIR

        stamp(DOCS_DIR, "validation")
    print(f"checks: {ran.ran} made, {ran.skipped} reused, {ran.failed} failed in {ran.seconds:.0f} s")
    if len(done.power):
        print(f"validation checks, discriminating power over {n_worlds} prior worlds:")
        print("\n".join(lines(done.power)))
    failed = [o for o in outcomes if not o.passed]
    print(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} checks pass; report: {out / 'validation.md'} "
        f"and {out / 'report.html'}"
    )
    for o in failed:
        measured = o.result.expected + ", measured " + format(o.result.measured, ".4g") if o.result else ""
        print(f"  FAIL {o.check.name}: {o.error or measured}")
    return 1 if failed else 0
