"""The one manifest writer: what produced a results folder, and whether it is complete.

- :func:`manifest` — command, exact command line, start/end times, parameters, seed, versions of
  townsim and its dependencies (:func:`versions`), git commit (:func:`git_commit`);
- :func:`settings_hash` — hash of the settings that define an experiment (a folder resumes only
  the same settings);
- :func:`write_manifest` — writes ``manifest.json`` atomically with ``status`` "in progress" or
  "complete" (commands write it "in progress" first and "complete" last, after every table).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from townsim.experiments.core import atomic
from townsim.experiments.core.atomic import jsonable, write_json  # noqa: F401 - re-exported helpers

REPO_DIR = Path(__file__).resolve().parent.parent.parent
"""The townsim source tree (used to find the git commit)."""

MANIFEST = "manifest.json"
IN_PROGRESS = "in progress"
COMPLETE = "complete"
INCOMPLETE = "incomplete"
"""Statuses of a manifest: written "in progress" first, then "complete" (or "incomplete": some runs failed)."""

DEPENDENCIES = (
    "mesa",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "pydantic",
    "matplotlib",
    "SALib",
    "tqdm",
    "dask",
    "distributed",
    "solara",
)


def now() -> _dt.datetime:
    """The current local time, timezone-aware (seconds precision is enough for folder names)."""
    return _dt.datetime.now().astimezone()


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
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def command_line(argv: list[str] | None = None) -> str:
    """The exact command as typed (program name and arguments), shell-quoted."""
    argv = list(sys.argv if argv is None else argv)
    if argv:  # python -m townsim.experiments.cli, python -c ..., a console script: all are `townsim`
        argv[0] = "townsim"
    return " ".join(shlex.quote(a) for a in argv)


def manifest(
    *,
    command: str,
    started: _dt.datetime,
    finished: _dt.datetime | None = None,
    params: dict[str, Any] | None = None,
    seed: int | None = None,
    argv: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
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


def invocation(
    started: _dt.datetime, executor: Any, runs: dict[str, Any], argv: list[str] | None = None
) -> dict[str, Any]:
    """One invocation of an experiment, ended now: its command line, when and how long, on which
    executor, how many runs it made, reused or lost, and the commit (an entry of ``invocations``)."""
    finished = now()
    return {
        "command_line": command_line(argv),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "elapsed_seconds": round((finished - started).total_seconds(), 3),
        "executor": executor.describe(),
        "runs": runs,
        "git_commit": git_commit(),
    }


def settings_hash(settings: Any) -> str:
    """SHA-256 (16 hex digits) of canonical JSON of ``settings`` (what defines an experiment)."""
    text = json.dumps(jsonable(settings), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def previous_invocations(out: Path | str) -> list[dict[str, Any]]:
    """The ``invocations`` recorded in ``out/manifest.json`` so far (none for a new or unreadable folder):
    a resumed experiment appends its own, so the manifest keeps the run time of every invocation."""
    path = Path(out) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("invocations") if isinstance(data, dict) else None
    return list(found) if isinstance(found, list) else []


def output_files(out: Path | str) -> list[str]:
    """The files a results folder holds for its manifest: every file except the run store (``runs/``,
    ``failures/``) and hidden ones (the lock), relative to ``out``, with ``manifest.json`` itself."""
    out = Path(out)
    return sorted(
        {
            "manifest.json",
            *(
                str(p.relative_to(out))
                for p in out.rglob("*")
                if p.is_file() and p.parts[len(out.parts)] not in ("runs", "failures") and not p.name.startswith(".")
            ),
        }
    )


def write_manifest(out: Path | str, data: dict[str, Any], status: str = COMPLETE) -> None:
    """Write ``out/manifest.json`` atomically with ``status`` (IN_PROGRESS, COMPLETE or INCOMPLETE)."""
    atomic.write_json(Path(out) / MANIFEST, {**data, "status": status})
