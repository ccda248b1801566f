"""The ``townsim`` command line: one module per command in this package.

Every module of this package (except ``__main__``) is a command: it exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``
as the handler. Modules are found by listing the package, so a new command
(``discover``, ``validate``, ``calibrate``) is one new file here. ``ORDER``
fixes where the known commands appear in ``--help``; others follow by name.
Bad input is a :class:`~townsim.experiments.errors.UserError`: one line on
stderr, exit code 2. Nothing imports this package.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from townsim.experiments.errors import (EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, RunFailed, UserError,
                                       exit_code_table)

ORDER = ("scenarios", "run", "compare", "sweep", "sensitivity", "discover", "validate", "calibrate", "viz")
"""Order of the commands in ``--help`` (present modules only; unknown ones are appended by name)."""


def command_names() -> list[str]:
    """Names of the command modules of this package, in help order."""
    found = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="townsim",
        description="Agent-based simulator of township governance reform (Mesa).",
        epilog="exit codes:\n" + exit_code_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in command_names():
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"townsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RunFailed as exc:
        print(f"townsim: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("townsim: interrupted; finished results are kept", file=sys.stderr)
        return EXIT_INTERRUPTED
