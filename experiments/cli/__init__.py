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
import contextlib
import importlib
import os
import pkgutil
import sys

from townsim.experiments.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    RunFailed,
    UserError,
    exit_code_table,
)

ORDER = ("scenarios", "run", "compare", "sweep", "sensitivity", "discover", "robust", "validate", "calibrate", "viz")
"""Order of the commands in ``--help`` (present modules only; unknown ones are appended by name)."""


def command_names() -> list[str]:
    """Names of the command modules of this package, in help order."""
    found = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


LANGS = ("en", "zh")
"""Report languages (``--lang``)."""


def version() -> str:
    """The installed townsim version (the project's version when run from a source tree)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("townsim")
    except PackageNotFoundError:  # pragma: no cover - a source tree without an install
        return "unknown"


def add_lang_argument(parser: argparse.ArgumentParser, what: str = "report") -> None:
    """``--lang zh|en`` for a command that writes a report (Markdown and HTML) or figures."""
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help=f"language of the {what} and its figures: en (default) or zh (Chinese)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="townsim",
        description="Agent-based simulator of township governance reform (Mesa).",
        epilog="exit codes:\n" + exit_code_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"townsim {version()}")
    quiet = {
        "action": "store_true",
        "help": (
            "no progress bar and nothing on standard output (notes, warnings and errors still go to standard error)"
        ),
    }
    parser.add_argument("-q", "--quiet", **quiet)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in command_names():
        importlib.import_module(f"{__name__}.{name}").register(sub)
    for command in _commands(parser):  # `townsim compare --quiet` as well as `townsim --quiet compare`
        command.add_argument("-q", "--quiet", **quiet, default=argparse.SUPPRESS)
        command.epilog = command.epilog or "exit codes:\n" + exit_code_table()
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def _commands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every (sub)command parser below ``parser``, nested ones included (``scenarios validate``)."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                out += [child, *_commands(child)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not args.quiet:
            return int(args.func(args) or 0)
        os.environ["TQDM_DISABLE"] = "1"  # progress bars off, also in worker processes
        if hasattr(args, "progress"):
            args.progress = "never"
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
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
