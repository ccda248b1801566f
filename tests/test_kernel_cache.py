"""numba's cache of the kernel: one folder per version of the kernel's sources (model/kernel/cache.py), so
a caller compiled in one file never keeps an old callee from another."""

from __future__ import annotations

import shutil
import subprocess
import sys

from helpers import cli_env

from townsim.model.kernel import cache


def test_the_folder_follows_every_kernel_source(tmp_path):
    src = tmp_path / "kernel"
    shutil.copytree(cache.KERNEL_DIR, src, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache.sources_hash(src)
    assert before == cache.sources_hash(cache.KERNEL_DIR)
    loop = src / "loop.py"
    loop.write_text(loop.read_text() + "\n# an edit of the event loop alone\n")
    assert cache.sources_hash(src) != before


def _cache_dir(env: dict[str, str]) -> str:
    code = (
        "import numba.core.config as c; import townsim.model; from townsim.model.kernel import core; print(c.CACHE_DIR)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_numba_caches_the_kernel_in_the_folder_of_its_sources(tmp_path):
    env = {k: v for k, v in cli_env(TOWNSIM_CACHE=str(tmp_path)).items() if k != "NUMBA_CACHE_DIR"}
    env.pop("TOWNSIM_NUMBA_CACHE_SET", None)
    assert _cache_dir(env) == str(tmp_path / f"numba-{cache.sources_hash()}")


def test_a_cache_folder_the_user_chose_wins(tmp_path):
    env = cli_env(NUMBA_CACHE_DIR=str(tmp_path / "mine"))
    env.pop("TOWNSIM_NUMBA_CACHE_SET", None)
    assert _cache_dir(env) == str(tmp_path / "mine")
