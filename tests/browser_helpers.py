"""Helpers of the browser tests: ``townsim viz`` as a subprocess on a free port, and headless Debian Chromium.

Imported only by tests that already skipped without playwright or Chromium.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def townsim_command() -> list[str]:
    """The ``townsim`` script of this interpreter (pip install -e), else the same CLI via ``-m``."""
    script = Path(sys.executable).parent / "townsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "townsim.experiments.cli"]


class Server:
    """``townsim viz`` on a free local port, as a subprocess in its own process group.

    Its output (stdout and stderr) is read by a thread as it comes: ``text()`` is what it printed so far.
    """

    def __init__(self, *args: str, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [*townsim_command(), "viz", "--port", str(self.port), *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def wait(self, timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                self._reader.join(5)
                raise AssertionError(f"townsim viz exited with {self.proc.returncode}:\n{self.text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"townsim viz did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> str:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._reader.join(10)
        if self.proc.stdout and not self._reader.is_alive():
            self.proc.stdout.close()
        return self.text()


def require_browser():
    """Skip the calling test module unless playwright, Solara and Debian's Chromium are installed."""
    api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("solara")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
    return api


@pytest.fixture(scope="module")
def assets_ready():
    from townsim.viz import assets

    fetched, problem = assets.ensure()
    if assets.missing():
        pytest.skip(f"the page's front-end files are not available offline: {problem}")
    return fetched


@pytest.fixture
def shots(tmp_path) -> Path:
    out = Path(os.environ.get("TOWNSIM_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


@contextlib.contextmanager
def cpu_load(processes: int = 3, seconds: float = 120.0):
    """Busy processes (more than the machine's two cores) while the block runs: the app server answers
    late, as on a loaded CI machine, where a lagging page once pushed stale slider positions back."""
    busy = [
        subprocess.Popen(
            [sys.executable, "-c", f"import time\nend = time.time() + {seconds}\nwhile time.time() < end: pass"]
        )
        for _ in range(processes)
    ]
    try:
        yield
    finally:
        for proc in busy:
            proc.kill()
        for proc in busy:
            proc.wait()


def launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def kpi(page, key: str) -> str:
    return page.locator(f".kpi-{key} .kpi-value").inner_text().strip()
