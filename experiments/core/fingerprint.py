"""The one code fingerprint: a content hash of a package's Python files, the same wherever it is installed."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from pathlib import Path


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


def model_fingerprint() -> str:
    """Fingerprint of the township model's code (``townsim.model``)."""
    return code_fingerprint("townsim.model")
