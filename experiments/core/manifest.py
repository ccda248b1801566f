"""Writing one output folder of a command: manifest, JSON, and atomic folder creation.

Generic helpers shared by ``townsim run`` and the other commands that write a
folder under ``results/`` (compare, sweep, ...):

- :func:`default_out_dir` — ``results/<command>-<label>-<timestamp>/``;
- :func:`check_out_dir` — refuse an output folder that already holds results;
- :func:`atomic_dir` — build the folder under a hidden temporary name and rename
  it into place only when complete, so an interrupted run never leaves a folder
  that looks finished;
- :func:`manifest` — what produced the folder: parameters, seed, versions of
  townsim and its dependencies, git commit, exact command line, start/end times;
- :func:`write_json` — strict JSON (NaN/inf written as ``null``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.metadata
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

RESULTS_DIR = Path("results")
"""Default parent of output folders (relative to the working folder)."""

REPO_DIR = Path(__file__).resolve().parent.parent.parent
"""The townsim source tree (used to find the git commit)."""

PARTIAL_MARK = ".partial-"
"""Infix of the hidden temporary folder name while a folder is being written."""

DEPENDENCIES = ("mesa", "numpy", "pandas", "pyarrow", "scipy", "pydantic", "matplotlib", "SALib",
                "tqdm", "dask", "distributed", "solara")


def now() -> _dt.datetime:
    """The current local time, timezone-aware (seconds precision is enough for folder names)."""
    return _dt.datetime.now().astimezone()


def default_out_dir(command: str, label: str, when: _dt.datetime | None = None,
                    root: Path | str = RESULTS_DIR) -> Path:
    """``root/<command>-<label>-<YYYYmmdd-HHMMSS>``, with ``-2``, ``-3`` ... if that exists."""
    when = when or now()
    safe = "".join(c if c.isalnum() or c in "_-" else "-" for c in label) or "unnamed"
    base = Path(root) / f"{command}-{safe}-{when:%Y%m%d-%H%M%S}"
    path, n = base, 2
    while path.exists():
        path, n = base.with_name(f"{base.name}-{n}"), n + 1
    return path


def check_out_dir(path: Path | str) -> Path:
    """Return ``path`` if a new folder can be written there; raise ``FileExistsError`` (one line) if not.

    An existing *empty* folder is accepted (it is replaced); anything else is refused,
    so results are never mixed or overwritten.
    """
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise FileExistsError(f"{path}: exists and is not a folder; choose another --out")
        if any(path.iterdir()):
            raise FileExistsError(f"{path}: folder already exists and is not empty; choose another --out")
    return path


@contextlib.contextmanager
def atomic_dir(final: Path | str) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``final``; rename it to ``final`` on success.

    On any exception (including Ctrl-C) the temporary folder is removed and the
    exception propagates; ``final`` is then never created. A process killed
    outright leaves only a hidden ``.<name>.partial-…`` folder, never ``final``.
    """
    final = check_out_dir(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}{PARTIAL_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        if final.exists():  # an empty folder given as --out
            final.rmdir()
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def versions() -> dict[str, str | None]:
    """Versions of Python, townsim and its main dependencies (None when not installed)."""
    out: dict[str, str | None] = {"python": platform.python_version(), "platform": platform.platform()}
    for name in ("townsim", *DEPENDENCIES):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(repo: Path | str = REPO_DIR) -> str | None:
    """The commit of the source tree (with ``+dirty`` if it has uncommitted changes), or None."""
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def command_line(argv: list[str] | None = None) -> str:
    """The exact command as typed (program name and arguments), shell-quoted."""
    import shlex

    argv = list(sys.argv if argv is None else argv)
    if argv:  # python -m townsim.experiments.cli, python -c ..., a console script: all are `townsim`
        argv[0] = "townsim"
    return " ".join(shlex.quote(a) for a in argv)


def manifest(*, command: str, started: _dt.datetime, finished: _dt.datetime | None = None,
             params: dict[str, Any] | None = None, seed: int | None = None,
             argv: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """The manifest of one output folder (JSON-ready).

    ``command`` is the townsim sub-command (``"run"``); ``argv`` the command to
    record (default ``sys.argv``; a command may pass its canonical form, with
    every default spelled out, so that it reproduces the run); ``params`` the resolved
    parameters (``Params.model_dump(mode="json")``); ``extra`` adds any further
    keys (scenario name and file, overrides, days, ...).
    """
    finished = finished or now()
    out: dict[str, Any] = {
        "townsim_command": command,
        "command_line": command_line(argv),
        "process_argv": list(sys.argv),
        "working_dir": os.getcwd(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "elapsed_seconds": round((finished - started).total_seconds(), 3),
    }
    out.update(extra)
    if seed is not None:
        out["seed"] = seed
    if params is not None:
        out["params"] = params
    out["versions"] = versions()
    out["git_commit"] = git_commit()
    return out


def jsonable(obj: Any) -> Any:
    """``obj`` with NaN/inf replaced by None and numpy scalars/arrays made plain Python."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):  # numpy scalar or array
        return jsonable(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_json(path: Path | str, obj: Any) -> None:
    """Write ``obj`` as indented, strict JSON (UTF-8, NaN as null)."""
    Path(path).write_text(json.dumps(jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                          encoding="utf-8")
