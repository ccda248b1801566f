"""The fingerprints: of a package's code (its files' content) and of the model's behaviour (what it does).

- :func:`code_fingerprint` hashes a package's ``*.py`` files. It keys plug-in evaluators (sensitivity,
  discover) and the disk cache of the behaviour fingerprint.
- :func:`model_fingerprint` is the model's *behaviour* fingerprint: the digest of the behaviour probe
  (:mod:`townsim.experiments.core.probe`, a few short runs of small counties) and the declared
  ``BEHAVIOUR_VERSION``. It enters every run key, calibrate's fingerprint (so the shipped posterior's
  staleness) and the manifests, so a refactor or a new lever that is off by default leaves stored
  runs, the posterior and the findings valid, and a change of behaviour invalidates them.

The probe runs once per process and is cached on disk under the code fingerprint (see
:func:`cache_dir`), so repeated commands on unchanged code do not pay its second or so.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import json
import sys
from importlib.metadata import version
from pathlib import Path

from townsim.experiments.core.atomic import write_json
from townsim.experiments.core.probe import probe_digest
from townsim.model.paths import cache_root
from townsim.model.version import BEHAVIOUR_VERSION


def code_fingerprint(module: str = "townsim.model") -> str:
    """SHA-256 (16 hex digits) of every ``*.py`` file of ``module``'s package (or of the module's file).

    Files are hashed by their path relative to the package folder (``/``-separated) and their
    bytes, so two checkouts of the same code in different folders give the same fingerprint.
    It is part of every run key: resuming after the code changed reruns the runs instead of
    mixing two versions in one table. (Long-lived Dask workers keep the code they imported.)
    """
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(module)
    origin = Path(spec.origin).resolve()
    if spec.submodule_search_locations:  # a package: every file under its folder
        root = origin.parent
        files = sorted(root.rglob("*.py"), key=lambda f: f.relative_to(root).as_posix())
    else:
        root, files = origin.parent, [origin]
    h = hashlib.sha256()
    for f in files:
        if "__pycache__" in f.parts:
            continue
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    """Where behaviour fingerprints are cached (``model.paths.cache_root``)."""
    return cache_root()


def _cache_file(code: str) -> Path:
    """The cache entry of this model code, declared version, Python, numpy and Mesa."""
    env = f"py{sys.version_info[0]}.{sys.version_info[1]}-numpy{version('numpy')}-mesa{version('mesa')}"
    return cache_dir() / f"behaviour-{code}-v{BEHAVIOUR_VERSION}-{env}.json"


def behaviour_fingerprint(use_cache: bool = True) -> str:
    """SHA-256 (16 hex digits) of the behaviour probe's digest and ``BEHAVIOUR_VERSION``.

    With ``use_cache``, a value cached on disk for this code fingerprint of the model and of the probe (and
    Python, numpy and Mesa versions) is used
    and a fresh one is stored there (best effort: an unwritable cache is skipped).
    """
    # the cache is keyed by the model's code *and* the probe's: a probe given other cases measures anew
    code = f"{code_fingerprint('townsim.model')}-{code_fingerprint('townsim.experiments.core.probe')}"
    path = _cache_file(code) if use_cache else None
    if path is not None and path.is_file():
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["fingerprint"])
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache entry is recomputed
    key = {"probe": probe_digest(), "version": BEHAVIOUR_VERSION}
    value = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_json(path, {**key, "fingerprint": value})
        except OSError:
            pass
    return value


@functools.cache
def model_fingerprint() -> str:
    """The township model's behaviour fingerprint (:func:`behaviour_fingerprint`), once per process."""
    return behaviour_fingerprint()
