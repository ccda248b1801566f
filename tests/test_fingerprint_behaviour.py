"""The behaviour fingerprint keys stored results by what the model does, not by its text.

Each test copies the package, edits the copy's model, and asks the copy for its fingerprint in a
fresh process (its own cache folder), so the edit is really imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import townsim
from townsim.experiments.core import fingerprint, probe

ROOT = Path(townsim.__file__).resolve().parent
PRINT = "from townsim.experiments.core.fingerprint import model_fingerprint as f; print(f())"


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "pkg" / "townsim"
    ignore = shutil.ignore_patterns("__pycache__", ".git", "results", "tests", "docs", "benchmarks", "*.png")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def _fingerprint(pkg: Path, cache: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(pkg.parent), "TOWNSIM_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def here(tmp_path_factory) -> str:
    """This tree's fingerprint, computed without the disk cache."""
    return fingerprint.behaviour_fingerprint(use_cache=False)


def test_a_comment_and_whitespace_edit_keeps_the_fingerprint(tmp_path, here):
    pkg = _copy(tmp_path)
    before = fingerprint.code_fingerprint("townsim.model")
    path = pkg / "model" / "demand.py"
    path.write_text("# a comment added by a refactor\n\n" + path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert _fingerprint(pkg, tmp_path / "cache") == here
    # ... while the code fingerprint of the copy did change
    code = subprocess.run(
        [sys.executable, "-c", "from townsim.experiments.core.fingerprint import code_fingerprint as c; print(c())"],
        env={**os.environ, "PYTHONPATH": str(pkg.parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert code.returncode == 0 and code.stdout.strip() != before


def test_a_behaviour_change_changes_the_fingerprint(tmp_path, here):
    pkg = _copy(tmp_path)
    # every handler works 1 % slower: a real change of behaviour the probe must see
    _edit(pkg / "model" / "params" / "kinds.py", "HOURS_PER_DAY = 8.0", "HOURS_PER_DAY = 7.92")
    assert _fingerprint(pkg, tmp_path / "cache") != here


def test_a_new_parameter_off_by_default_keeps_the_fingerprint(tmp_path, here):
    """A Params field that grows the parameter dump but does nothing at its default."""
    pkg = _copy(tmp_path)
    params = pkg / "model" / "params" / "assessment.py"
    text = params.read_text(encoding="utf-8")
    anchor = "    two_way_weight: float = P("
    assert text.count(anchor) == 1
    field = (
        "    probe_test_lever: float = P(0.0, unit='share', group='assessment', kind='lever', ge=0, le=1,\n"
        "        desc='A lever that does nothing at 0.')\n"
    )
    params.write_text(text.replace(anchor, field + anchor), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(pkg.parent)}
    dump = "from townsim.model import Params; print('probe_test_lever' in Params().model_dump())"
    out = subprocess.run([sys.executable, "-c", dump], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr  # the field exists in the copy
    assert _fingerprint(pkg, tmp_path / "cache") == here


def test_the_declared_version_enters_the_fingerprint(tmp_path, here):
    pkg = _copy(tmp_path)
    _edit(pkg / "model" / "version.py", "BEHAVIOUR_VERSION = 1", "BEHAVIOUR_VERSION = 2")
    assert _fingerprint(pkg, tmp_path / "cache") != here


def test_the_disk_cache_is_keyed_by_the_code_and_read_back(tmp_path, monkeypatch, here):
    monkeypatch.setenv("TOWNSIM_CACHE", str(tmp_path))
    assert fingerprint.behaviour_fingerprint() == here
    (entry,) = tmp_path.glob("behaviour-*.json")
    assert fingerprint.code_fingerprint("townsim.model") in entry.name
    assert json.loads(entry.read_text())["fingerprint"] == here
    # a second call reads the entry instead of running the probe (shown by a planted value)
    entry.write_text(json.dumps({"fingerprint": "planted"}))
    assert fingerprint.behaviour_fingerprint() == "planted"
    assert fingerprint.behaviour_fingerprint(use_cache=False) == here


def test_a_probe_with_other_cases_is_measured_anew_not_read_from_the_cache(tmp_path, here):
    """The cache is keyed by the probe's code too: the same model code probed with other cases (a shared
    cache folder) gives that probe's fingerprint, not the one cached for the old probe."""
    cache = tmp_path / "cache"
    pkg = _copy(tmp_path)
    assert _fingerprint(pkg, cache) == here  # fills the cache for this model code
    _edit(pkg / "experiments" / "core" / "probe.py", '"default": ({}, 1, 40),', '"default": ({}, 1, 41),')
    assert _fingerprint(pkg, cache) != here


def test_tokens_round_away_floating_point_noise_only():
    assert probe.token(0.1 + 0.2) == probe.token(0.3)
    assert probe.token(0.3) != probe.token(0.3 + 1e-7)
    assert probe.token(float("nan")) == probe.token(None) == "nan"
    assert probe.token(-0.0) == probe.token(0.0) and probe.token(True) == "1"
