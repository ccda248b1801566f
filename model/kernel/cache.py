"""Where numba keeps the kernel's compiled code: one folder per version of the kernel's sources.

numba's cache (``cache=True``) keys a compiled function by its own file only, so a caller cached in one file
keeps a callee from another file as it was when the caller was compiled: after ``loop.py`` changed,
``day.work_day`` still ran the old ``run_until`` from the cache (the compiled engine then differed from the
Python one until the cache was deleted). A folder named by a hash of every kernel source makes any edit of
the kernel start from an empty cache. A ``NUMBA_CACHE_DIR`` the user set wins.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from ..paths import cache_root

KERNEL_DIR = Path(__file__).resolve().parent


def sources_hash(folder: Path = KERNEL_DIR) -> str:
    """SHA-256 (16 hex digits) of the kernel's ``*.py`` files, names and bytes, in name order."""
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def configure(folder: Path = KERNEL_DIR) -> Path | None:
    """Point numba's cache at ``<cache root>/numba-<sources hash>`` (before the kernel's functions are
    defined: numba reads the folder when a ``cache=True`` function is decorated). Returns the folder, or
    None when the user set ``NUMBA_CACHE_DIR``."""
    if os.environ.get("NUMBA_CACHE_DIR") and not os.environ.get("TOWNSIM_NUMBA_CACHE_SET"):
        return None
    target = cache_root() / f"numba-{sources_hash(folder)}"
    os.environ["NUMBA_CACHE_DIR"] = str(target)
    os.environ["TOWNSIM_NUMBA_CACHE_SET"] = "1"  # set by us: a later call may move it (another kernel version)
    if "numba" in sys.modules:  # numba read its configuration when it was imported
        from numba.core import config  # deferred: numba is an optional dependency (the kernel extra)

        config.CACHE_DIR = str(target)  # type: ignore[attr-defined]  # set from the environment at import
    return target
