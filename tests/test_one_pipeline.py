"""One of each (issue 14): atomic writer, manifest writer, output-folder check, execute, fingerprint,
versions/git_commit; and every command found by listing the cli package."""

from __future__ import annotations

import re
from pathlib import Path

import townsim

ROOT = Path(townsim.__file__).resolve().parent
SKIP = {".git", ".dev", "results", "tests", "__pycache__", "node_modules", "build", "dist"}
"""Folders that are not the shipped source (build/ and dist/ hold copies made by a wheel build)."""

ALLOWED_ATOMIC = {
    "experiments/core/atomic.py": "the one atomic writer",
    "viz/assets.py": "moves a downloaded front-end asset folder into place (not a results file)",
}
ATOMIC = re.compile(r"os\.replace\(|os\.rename\(|mkstemp\(|NamedTemporaryFile\(|\btmp\w*\.replace\(|\.rename\(")


def sources() -> dict[str, str]:
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIP & set(rel.parts):
            continue
        out[rel.as_posix()] = path.read_text(encoding="utf-8")
    return out


def code_lines(text: str) -> list[str]:
    """Lines that are code (not comments; docstrings are excluded by the patterns themselves)."""
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]


def test_only_the_atomic_writer_replaces_files():
    offenders = {
        f: [ln.strip() for ln in code_lines(t) if ATOMIC.search(ln) and "``" not in ln]
        for f, t in sources().items()
        if f not in ALLOWED_ATOMIC
    }
    assert not {f: v for f, v in offenders.items() if v}


def test_one_definition_of_each_pipeline_piece():
    pieces = {
        "execute": r"^def execute\(",
        "versions": r"^def versions\(",
        "git_commit": r"^def git_commit\(",
        "check_out_dir": r"^def check_out_dir\(",
        "write_manifest": r"^def write_manifest\(",
        "code_fingerprint": r"^def code_fingerprint\(",
        "atomic_dir": r"^def atomic_dir\(",
        "default_out_dir": r"^def default_out_dir\(",
    }
    srcs = sources()
    where = {name: sorted(f for f, t in srcs.items() if re.search(pat, t, re.M)) for name, pat in pieces.items()}
    assert where["execute"] == ["experiments/core/execute.py"]
    assert where["write_manifest"] == ["experiments/core/manifest.py"]
    assert where["code_fingerprint"] == ["experiments/core/fingerprint.py"]
    assert where["check_out_dir"] == ["experiments/core/outdir.py"]
    assert where["default_out_dir"] == ["experiments/core/outdir.py"]
    assert where["atomic_dir"] == ["experiments/core/atomic.py"]
    assert where["versions"] == where["git_commit"] == ["experiments/core/manifest.py"], where


def test_manifests_are_written_only_by_the_manifest_writer():
    pattern = re.compile(r"[\"']manifest\.json[\"']\s*[,)]|/ *[\"']manifest\.json[\"']")
    writers = {
        f
        for f, t in sources().items()
        if any(pattern.search(ln) and re.search(r"write|dump|atomic", ln) for ln in code_lines(t))
    }
    assert writers <= {"experiments/core/manifest.py"}, writers


FRONT_ENDS = {"experiments/api.py"}
"""Front ends beside the command line: the notebook API (``townsim.compare(...)`` …) parses its keyword
settings with each command's own parser and runs the command's own handler, so a Python call and a CLI
call give identical tables (issue 25). It is a peer of ``cli/``, not a layer below it; when the one
experiment protocol lands (issue 21) both call the protocol and this exception goes."""


def test_nothing_imports_the_cli():
    importers = {
        f
        for f, t in sources().items()
        if not f.startswith("experiments/cli/")
        and not f.endswith("__main__.py")  # entry points
        and re.search(r"^\s*(from|import) townsim\.experiments\.cli\b", t, re.M)
    }
    assert importers <= FRONT_ENDS, importers - FRONT_ENDS
    # the front ends themselves are imported by nothing but the package's lazy names
    users = {f for f, t in sources().items() if re.search(r"^\s*from townsim\.experiments import api\b", t, re.M)}
    assert users <= {"__init__.py"}, users


def test_every_command_module_is_registered():
    from townsim.experiments.cli import build_parser, command_names

    modules = {p.stem for p in (ROOT / "experiments" / "cli").glob("*.py") if not p.stem.startswith("_")}
    assert set(command_names()) == modules
    actions = [a for a in build_parser()._actions if a.dest == "command"]
    assert set(actions[0].choices) == modules


def test_fingerprint_is_path_independent(tmp_path):
    """A copy of the model in another folder, imported as ``townsim`` from there with ``PYTHONPATH`` only,
    fingerprints as this tree's model. The copy is self-contained: the model is copied (the files hashed),
    every other top-level entry of the package is a link to this tree's, so no installed townsim is needed
    and none is used (the script reports where it imported the fingerprint function and the model from)."""
    import shutil
    import subprocess
    import sys

    from townsim.experiments.core.fingerprint import code_fingerprint

    elsewhere = tmp_path / "elsewhere"
    copy = elsewhere / "townsim"
    shutil.copytree(ROOT / "model", copy / "model", ignore=shutil.ignore_patterns("__pycache__"))
    for entry in ROOT.iterdir():
        if entry.name != "model" and entry.name not in SKIP and (entry.is_dir() or entry.suffix == ".py"):
            (copy / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    code = (
        "import importlib.util, townsim.experiments.core.fingerprint as fp; "
        "print(fp.__file__); print(importlib.util.find_spec('townsim.model').origin); "
        "print(fp.code_fingerprint('townsim.model'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env={"PYTHONPATH": str(elsewhere)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    fp_file, model_origin, printed = out.stdout.split()
    assert Path(fp_file).is_relative_to(copy), fp_file  # the copy's function, not an installed one
    assert Path(model_origin).resolve().is_relative_to(copy.resolve()), model_origin  # the copied model
    assert printed == code_fingerprint("townsim.model")
