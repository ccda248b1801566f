"""The one output-folder check: a folder every command can write, resume only its own experiment, one writer.

- :func:`default_out_dir` — ``results/<command>-<label>-<timestamp>``, reserved on creation so two
  commands started in the same second never share it;
- :func:`check_out_dir` — before any simulation: refuse a path that cannot be written (under a file,
  a system folder, read-only), a non-empty folder of something else, or an earlier experiment of
  the same command made with other settings (its ``settings_hash`` differs);
- :func:`locked` — hold the folder's lock (:mod:`filelock`, a hidden ``.townsim.lock`` inside it) while
  writing, so a second command into the same folder stops with a clear message instead of running
  everything twice.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from townsim.experiments.core.atomic import LOCK_NAME
from townsim.experiments.core.manifest import now
from townsim.experiments.errors import UserError, shorten

RESULTS_DIR = Path("results")
"""Default parent of output folders (relative to the working folder)."""

MANIFEST = "manifest.json"


def default_out_dir(
    command: str, label: str = "", when: _dt.datetime | None = None, root: Path | str = RESULTS_DIR
) -> Path:
    """Create and return ``root/<command>-<label>-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3`` ... if taken).

    The folder is created here (empty), exclusively, so the name is this command's alone.
    """
    when = when or now()
    safe = "".join(c if c.isalnum() or c in "_-" else "-" for c in label)
    stem = f"{command}-{safe}-" if safe else f"{command}-"
    base = Path(root) / f"{stem}{when:%Y%m%d-%H%M%S}"
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{base.parent}: cannot create the results folder ({exc.strerror}); give --out") from None
    path, n = base, 2
    while True:
        try:
            path.mkdir()
            return path
        except FileExistsError:
            path, n = base.with_name(f"{base.name}-{n}"), n + 1


def read_manifest(out: Path) -> dict | None:
    """The folder's manifest, or None when it has none (or it cannot be read)."""
    try:
        data = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check_out_dir(
    out: Path | str, command: str, settings_hash: str | None = None, resumable: bool = True, option: str = "--out"
) -> bool:
    """Check ``out`` before any work; return True when it holds an earlier run of this experiment (resume).

    Raises :class:`UserError` (one line) when ``out`` cannot be written, holds something else, or
    holds an earlier ``command`` experiment made with other settings. A new folder is created
    (empty) so that nothing can take its place while the command runs.
    """
    out = Path(out)
    where = f"{option} {shorten(str(out), 120)}"
    if out.exists() and not out.is_dir():
        raise UserError(f"{where}: exists and is not a folder; choose another {option}")
    if out.is_dir() and any(p.name != LOCK_NAME for p in out.iterdir()):
        man = read_manifest(out)
        if not resumable or man is None or man.get("townsim_command") != command:
            what = f" and is not an earlier 'townsim {command}' output" if resumable else ""
            raise UserError(f"{where}: folder is not empty{what}; choose another {option}")
        if settings_hash is not None and man.get("settings_hash") != settings_hash:
            raise UserError(
                f"{where}: holds a '{command}' experiment made with other settings "
                f"(settings hash {man.get('settings_hash')} ≠ {settings_hash}); give the same "
                f"settings to resume it, or choose another {option}"
            )
        _probe(out, where)
        return True
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in out.parents if p.exists()), None)
        why = f"{blocker} is a file" if blocker is not None and not blocker.is_dir() else exc.strerror
        raise UserError(f"{where}: cannot create this folder ({why}); choose another {option}") from None
    _probe(out, where)
    return False


def _probe(out: Path, where: str) -> None:
    """Create and remove a hidden file in ``out``: the folder must take new files."""
    probe = out / f".probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise UserError(f"{where}: cannot write in this folder ({exc.strerror}); choose another --out") from None


def lock_path(out: Path | str) -> Path:
    """The lock file of a results folder."""
    return Path(out) / LOCK_NAME


@contextlib.contextmanager
def locked(out: Path | str, option: str = "--out") -> Iterator[None]:
    """Hold the folder's lock for the block (``out`` must exist); :class:`UserError` if another command holds it."""
    path = lock_path(out)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(
            f"{option} {shorten(str(out), 120)}: in use by another townsim command; wait for it to "
            "finish or choose another folder"
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def experiment_folder(
    command: str, out: Path | str | None, settings_hash: str, default: Callable[[], Path]
) -> Iterator[tuple[Path, bool]]:
    """The one way an experiment command takes its results folder: ``(folder, resuming)`` for the block.

    ``out`` (the user's ``--out``, or None for ``default()``) is checked before any work, then locked for
    this command and checked again now that the command holds it (another command may have written it
    meanwhile). ``resuming`` is True when it holds an earlier run of the same experiment with the same
    settings; other settings, another command's folder or a folder in use are one-line :class:`UserError`.
    """
    resuming = check_out_dir(out, command, settings_hash) if out is not None else False
    folder = Path(out) if out is not None else default()
    with locked(folder):
        check_out_dir(folder, command, settings_hash)
        yield folder, resuming


def banner(command: str, text: str, out: Path, resuming: bool, executor=None, writing: bool = False) -> None:
    """The line an experiment prints on standard error before it works: what runs, on which executor,
    where, and whether it resumes."""
    on = ""
    if executor is not None:
        on = f" on {executor.name} ({executor.workers} worker{'s' if executor.workers != 1 else ''})"
    tail = f"; resuming {out}" if resuming else (f"; writing {out}" if writing else "")
    print(f"townsim {command}: {text}{on}{tail}", file=sys.stderr)
