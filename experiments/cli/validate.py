"""``townsim validate`` — the verification and validation checks, with a report.

    townsim validate [--quick] [--only NAME ...] [--part verification|validation] [--workers K] [--out DIR] [--docs]
                     [--power-worlds N]

Exit code 0 when every check passes, 1 when one fails (or crashes), 2 for bad input.

"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from townsim.experiments.cli import _common
from townsim.experiments.errors import UserError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="run the verification and validation checks and write validation.md",
        description="Run every registered check (experiments/checks: verification — queueing theory and the "
        "built-in behaviours; validation — published patterns the model was not built or tuned "
        "to produce) and write results/validate-<timestamp>/ with validation.md, checks.csv and "
        "one figure per pattern. Exit code 1 when a check fails.",
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
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar: on a terminal only (auto, default), always, or never",
    )
    p.set_defaults(func=_common.guarded(cmd_validate))


def cmd_validate(args: argparse.Namespace) -> int:
    from townsim.experiments.core.executors import make_executor
    from townsim.experiments.core.outdir import check_out_dir
    from townsim.experiments.core.progress import progress_bar
    from townsim.experiments.workflows.validate import DEFAULT_SEED, default_out, select, validate

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
    if args.power_worlds is not None and args.power_worlds < 0:
        raise UserError(f"--power-worlds {args.power_worlds}: allowed: an integer >= 0")
    from townsim.experiments.core.executors import default_workers

    if args.workers > default_workers():
        print(
            f"townsim: warning: --workers {args.workers} is more than the {default_workers()} core(s) of this "
            f"machine; capped to {default_workers()}",
            file=sys.stderr,
        )
        args.workers = default_workers()
    if args.seed is not None:
        _common.seed(args.seed)
    if args.out is not None:
        check_out_dir(args.out, "validate", resumable=False)  # UserError (one line) if unusable
    out = args.out if args.out is not None else default_out()
    seed = DEFAULT_SEED if args.seed is None else args.seed
    enabled = {"auto": None, "always": True, "never": False}[args.progress]
    bar = progress_bar(len(checks), desc="checks", unit="check", enabled=enabled)
    with make_executor(workers=args.workers) as ex, bar:
        outcomes = validate(
            out,
            quick=args.quick,
            names=[c.name for c in checks],
            seed=seed,
            executor=ex,
            progress=bar,
            docs=args.docs,
            command=(
                "townsim " + " ".join(sys.argv[sys.argv.index("validate") :])
                if "validate" in sys.argv
                else "townsim validate"
            ),
        )
    _power(args, outcomes, out, seed)
    failed = [o for o in outcomes if not o.passed]
    print(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} checks pass; report: {out / 'validation.md'} "
        f"and {out / 'report.html'}"
    )
    for o in failed:
        print(
            f"  FAIL {o.check.name}: {o.error or o.result.expected + ', measured ' + format(o.result.measured, '.4g')}"
        )
    return 1 if failed else 0


def _power(args: argparse.Namespace, outcomes, out: Path, seed: int) -> None:
    """Discriminating power of the validation checks run: power.csv, a section of validation.md, printed."""
    from townsim.experiments.workflows.validate import DOCS_DIR
    from townsim.experiments.workflows.validate.discriminating import DEFAULT_POWER_WORLDS, lines, power_rows, write

    n = DEFAULT_POWER_WORLDS if args.power_worlds is None else args.power_worlds
    if n == 0 or not any(o.check.part == "validation" for o in outcomes):
        return
    table = power_rows(outcomes, n, seed)
    write(table, n, [out, DOCS_DIR] if args.docs else [out])
    print(f"validation checks, discriminating power over {n} prior worlds:")
    print("\n".join(lines(table)))
