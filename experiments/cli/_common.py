"""Argument helpers shared by the command modules (not a command: its name starts with ``_``)."""

from __future__ import annotations

import argparse
import errno
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from townsim.experiments.core.seeds import check_seed
from townsim.experiments.errors import RunFailed, UserError, shorten

PROGRESS = {"auto": None, "always": True, "never": False}


def add_scenario_argument(parser: argparse.ArgumentParser, many: bool = False) -> None:
    """The scenario, given the same way in every command: positional NAME|PATH (or several)."""
    if many:
        parser.add_argument(
            "scenarios",
            nargs="*",
            metavar="NAME|PATH",
            help="shipped scenario names (see 'townsim scenarios list') or paths to .toml files",
        )
    else:
        parser.add_argument(
            "scenario",
            metavar="NAME|PATH",
            help="shipped scenario name (see 'townsim scenarios list') or path to a .toml file",
        )


def add_seed_argument(parser: argparse.ArgumentParser, default: int, what: str = "random seed") -> None:
    parser.add_argument(
        "--seed",
        type=int,
        default=default,
        metavar="S",
        help=f"{what} (an integer in [0, 2**63 - 1]; default {default})",
    )


def add_progress_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        choices=tuple(PROGRESS),
        default="auto",
        help="progress bar: on a terminal only (auto, default), always, or never",
    )


def add_out_argument(parser: argparse.ArgumentParser, default: str, resumes: bool) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"output folder (default {default})"
        + ("; an earlier folder of the same experiment resumes" if resumes else "; must not exist or be empty"),
    )


def shipped_specs(spec_dir: Path, pattern: str = "*.toml", exclude: str = "") -> list[str]:
    """Names of the shipped spec files in ``spec_dir`` matching ``pattern`` (minus those starting with ``exclude``)."""
    return sorted(p.stem for p in spec_dir.glob(pattern) if not (exclude and p.stem.startswith(exclude)))


def resolve_spec(text: str, spec_dir: Path, shipped: list[str], what: str = "spec") -> Path:
    """The spec file of ``text``: a path, or the name of a shipped spec; a one-line UserError otherwise."""
    path = Path(text).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        raise UserError(f"{text}: is a folder; allowed: a {what} file (.toml) or the name of a shipped {what}")
    if text.endswith(".toml") or "/" in text:
        raise UserError(f"{text}: no such {what} file")
    if text in shipped:
        return spec_dir / f"{text}.toml"
    raise UserError(f"{text}: no such {what} file or shipped {what}; shipped: {', '.join(shipped) or 'none'}")


def seed(value: int) -> int:
    """``--seed``: in [0, 2**63 - 1] in every command."""
    try:
        return check_seed(value, "--seed")
    except ValueError as exc:
        raise UserError(str(exc)) from None


def int_in(option: str, value: int, lo: int, hi: int, unit: str = "") -> int:
    """``value`` if ``lo <= value <= hi``; otherwise a one-line :class:`UserError` (value shortened)."""
    if not lo <= value <= hi:
        raise UserError(
            f"{option} {shorten(str(value))}: allowed: an integer in [{lo}, {hi:,}]" + (f" {unit}" if unit else "")
        )
    return value


def run_command(args: argparse.Namespace, experiment: Any, out: Path | None = None) -> Any:
    """The one way a command runs an experiment of :mod:`townsim.experiments.core.protocol`: on the executor
    of ``args``, into ``out`` or ``args.out`` (checked, locked, resumed; None: a new folder), with the
    progress bar and report language of ``args``; prints how many runs were made, reused and failed.
    Returns the experiment's result (``out``, ``execution``, ``failures`` ...)."""
    import sys

    from townsim.experiments.cli._executors import executor_from_args
    from townsim.experiments.core.protocol import run_experiment

    try:
        executor = executor_from_args(args)  # before the folder: a cluster that cannot be reached leaves none
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with executor:
        result = run_experiment(
            experiment,
            out if out is not None else args.out,
            executor,
            show_progress=PROGRESS[args.progress],
            lang=getattr(args, "lang", "en"),
        )
    ex = result.execution
    print(f"runs: {ex.ran} made, {ex.skipped} reused, {ex.failed} failed in {ex.seconds:.0f} s")
    if result.failures:
        print(f"townsim: {len(result.failures)} run(s) failed; see {result.out / 'failures.csv'}", file=sys.stderr)
    return result


FULL_DISK = (errno.ENOSPC, errno.EDQUOT)


def guarded(cmd: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``cmd`` with a full disk (ENOSPC, a quota, SQLite's "database or disk is full") turned into one
    line (:class:`RunFailed`, exit 1): every result is written atomically, so what finished is kept
    and rerunning the command resumes once space is freed."""

    @functools.wraps(cmd)
    def run(args: argparse.Namespace) -> int:
        try:
            return cmd(args)
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in FULL_DISK:
                target = Path(exc.filename) if exc.filename else None
            elif "database or disk is full" in str(exc):
                target = None
            else:
                raise
            raise RunFailed(_no_space(args, target)) from None

    return run


def _no_space(args: argparse.Namespace, target: Path | None) -> str:
    out = getattr(args, "out", None)
    where = target if target is not None else Path(out) if out is not None else Path.cwd()
    if target is not None and target.name.startswith("."):  # the atomic writer's temporary file
        where = target.parent
    try:
        device = next(p for p in [where, *where.parents] if p.exists())
    except StopIteration:
        device = where
    mount = device.resolve()
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    return (
        f"no space left on {shorten(str(mount), 60)} while writing {shorten(str(where), 100)}; finished runs are "
        "kept: free some space (or choose another --out) and rerun the same command to resume"
    )
