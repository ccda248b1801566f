"""The ``townsim`` command line: one sub-command module per job.

Each module named in ``COMMANDS`` lives in ``experiments/`` as ``cmd_<name>.py``
and exposes ``register(subparsers)``, which adds its parser and sets
``func(args) -> int`` as the handler. Bad input is reported as one line on
stderr with exit code 2 (``UserError``); nothing imports this module.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

COMMANDS = ("scenarios", "run", "compare", "sweep", "sensitivity", "viz", "validate", "calibrate")


class UserError(Exception):
    """Bad input from the user: printed as one line, exit code 2, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="townsim",
        description="Agent-based simulator of township governance reform (Mesa).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        modname = f"townsim.experiments.cmd_{name}"
        if importlib.util.find_spec(modname) is None:
            continue
        importlib.import_module(modname).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"townsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("townsim: interrupted; finished results are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # run as `python -m townsim.experiments` (see __main__.py) so UserError is one class
    from townsim.experiments.cli import main as _main

    sys.exit(_main())
