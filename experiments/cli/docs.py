"""``townsim docs`` — regenerate (or check) every generated document into a docs folder.

    townsim docs --write [--out DIR] [--only NAME ...] [--validation [--workers K]] [--pins] [--results DIR]
    townsim docs --check [--out DIR] [--only NAME ...]

Exit code 0 when done (``--check``: every document current), 1 when ``--check`` finds a stale one,
2 for bad input. The documents and their generators: :mod:`townsim.experiments.docs`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "docs",
        help="regenerate the generated documents (ODD table, teaching numbers, fonts, findings, validation)",
        description="Regenerate every generated document into a docs folder (default: the repository's docs/) "
        "with each document's own generator, or with --check report which are stale without writing "
        "(exit code 1). Validation (a full validation run) and the regression pins only when asked.",
    )
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the documents")
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 if a document is stale")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="the docs folder (default: docs/)")
    p.add_argument("--only", nargs="+", metavar="NAME", default=None, help="only these documents")
    p.add_argument("--validation", action="store_true", help="also validation.md (runs the full validation)")
    p.add_argument("--pins", action="store_true", help="also the regression pins (after a behaviour change)")
    p.add_argument(
        "--results",
        type=Path,
        default=Path("results"),
        metavar="DIR",
        help="folder holding findings/ (the result folders findings.md is made from; default results/)",
    )
    p.add_argument(
        "--workers", type=int, default=1, metavar="K", help="local processes for the validation run (default 1)"
    )
    p.set_defaults(func=cmd_docs)


def cmd_docs(args: argparse.Namespace) -> int:
    from townsim.experiments import docs
    from townsim.experiments.errors import UserError

    folder = args.out if args.out is not None else docs.default_docs()
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder (--out names an existing docs folder)")
    if args.workers < 1:
        raise UserError(f"--workers {args.workers}: allowed: an integer >= 1")
    names = docs.select(args.only, validation=args.validation, pins=args.pins)
    opts = docs.Options(results=args.results, workers=args.workers)
    results = docs.check(names, folder) if args.check else docs.write(names, folder, opts)
    for r in results:
        print(f"{r.name:<11} {r.state:<9} {r.note}")
    return 1 if args.check and any(r.state == "stale" for r in results) else 0
