"""The ``townsim`` command line: one module per command in this package.

Every module of this package (except ``__main__``) is a command: it exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``
as the handler. Modules are found by listing the package, so a new command
(``discover``, ``validate``, ``calibrate``) is one new file here. ``ORDER``
fixes where the known commands appear in ``--help``; others follow by name.
Bad input is a :class:`~townsim.experiments.errors.UserError`: one line on
stderr, exit code 2. Nothing imports this package.

Quick start: :func:`main` imports only the module of the command given (``townsim
scenarios list`` never imports the workflows, pandas or Mesa); the other commands appear
in ``--help`` and in error messages under their one-line help, read from their module's
source (``register``'s ``add_parser(name, help=...)``) without importing it.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

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


def static_help(name: str) -> str | None:
    """The one-line help of command ``name`` read from its module's source (the literal ``help=`` of
    ``add_parser(name, ...)`` in ``register``), or None when it is not a literal there."""
    try:
        tree = ast.parse((Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    for fn in tree.body:
        if not (isinstance(fn, ast.FunctionDef) and fn.name == "register"):
            continue
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_parser"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == name
            ):
                for kw in node.keywords:
                    if kw.arg == "help" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        return kw.value.value
    return None


def chosen_command(argv: list[str]) -> str | None:
    """The command named in ``argv`` (the first word that is not an option of ``townsim`` itself), or None."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``townsim`` parser; with ``only``, just that command's module is imported and the others
    are listed by their static help (:func:`static_help`; a module whose help is not a literal is
    imported)."""
    parser = argparse.ArgumentParser(
        prog="townsim",
        description="Agent-based simulator of township governance reform (Mesa).",
        epilog="exit codes:\n" + exit_code_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"townsim {version()}")
    quiet: dict[str, Any] = {
        "action": "store_true",
        "help": (
            "no progress bar and nothing on standard output (notes, warnings and errors still go to standard error)"
        ),
    }
    parser.add_argument("-q", "--quiet", **quiet)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in command_names():
        text = static_help(name) if only is not None and name != only else None
        if text is None:
            importlib.import_module(f"{__name__}.{name}").register(sub)
        else:
            sub.add_parser(name, help=text)  # listed only: never chosen in this parse
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
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(only=chosen_command(words) or "").parse_args(words)
    if not hasattr(args, "func"):  # a listed-only command was chosen after all: parse again with every module
        args = build_parser().parse_args(words)
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
