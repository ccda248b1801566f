"""The teaching app in a real headless Chromium: start ``townsim viz``, change a lever, step, read a KPI.

Needs Debian's chromium (``/usr/bin/chromium``, installed by ``.ci/run``) and
the playwright Python package (it drives that browser; it never downloads
one). The page's front-end files come from Solara's asset cache, which
``townsim viz`` fills once with npm; without them (no npm, no network) the
test is skipped with the reason. The screenshot is written to
``$TOWNSIM_SCREENSHOT_DIR`` (default: pytest's temporary folder);
``docs/img/viz.png`` in the README is one such screenshot, taken with
``TOWNSIM_SCREENSHOT_DIR=docs/img TOWNSIM_SCREENSHOT_STEPS=40``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
ROOT = Path(__file__).resolve().parent.parent

playwright_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("solara")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def townsim_command() -> list[str]:
    """The ``townsim`` script of this interpreter (pip install -e), else the same CLI via ``-m``."""
    script = Path(sys.executable).parent / "townsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "townsim.experiments.cli"]


class Server:
    """``townsim viz`` on a free local port, as a subprocess in its own process group."""

    def __init__(self, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = []
        self.proc = subprocess.Popen([*townsim_command(), "viz", "--port", str(self.port), *args], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)

    def wait(self, timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"townsim viz exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"townsim viz did not answer on {self.url} within {timeout:.0f} s")

    def output(self) -> str:
        if self.proc.poll() is None:
            return ""
        return self.proc.stdout.read() if self.proc.stdout else ""

    def stop(self) -> str:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.stdout.read() if self.proc.stdout else ""


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


def launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def kpi(page, key: str) -> str:
    return page.locator(f".kpi-{key} .kpi-value").inner_text().strip()


@pytest.mark.parametrize("lang", ["zh"])
def test_lever_step_kpi_screenshot(assets_ready, shots, lang):
    expect = playwright_api.expect
    server = Server("--scenario", "baseline", "--lang", lang, "--no-fetch-assets")
    try:
        server.wait()
        with playwright_api.sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            problems = []
            page.on("pageerror", lambda e: problems.append(f"{e} @ {e.stack or ''}"))
            page.goto(server.url)
            step = page.get_by_role("button", name="Step")
            step.wait_for(timeout=120_000)
            day = page.locator(".kpi-day .kpi-value")
            expect(day).to_have_text("0", timeout=60_000)
            page.wait_for_load_state("networkidle")  # every front-end module loaded before we interact
            assert kpi(page, "backlog") == "—"  # nothing happened yet

            # change a lever: the 135 rule (a switch) and the delegated share (slider, by keyboard)
            page.locator(".lever-escalation_135 label").click()
            expect(page.locator(".lever-escalation_135")).to_have_class(re.compile("townsim-lever-changed"),
                                                                          timeout=60_000)
            label = page.locator(".lever-delegated_share-label")
            slider = page.locator(".lever-delegated_share [role=slider]")
            for k in range(1, 7):  # each key press is one lever change: a new county at day 0
                target = f"{0.05 * k:.2f}"
                for _ in range(3):  # a key press can be lost while the page re-renders: press again
                    slider.focus()
                    page.keyboard.press("ArrowRight")
                    try:
                        expect(label).to_contain_text(target, timeout=20_000)
                        break
                    except AssertionError:
                        if f"{0.05 * (k + 1):.2f}" in label.inner_text():
                            break  # the earlier press arrived late; the check below then fails
                expect(label).to_contain_text(target, timeout=20_000)
            assert "0.30" in label.inner_text()  # 6 steps of 0.05
            expect(day).to_have_text("0", timeout=60_000)  # a new county at day 0

            # step several days; the page's KPIs follow the model
            days = max(int(os.environ.get("TOWNSIM_SCREENSHOT_STEPS", "5")), 5)
            for d in range(1, days + 1):
                step.click()
                expect(day).to_have_text(str(d), timeout=60_000)
            backlog = kpi(page, "backlog")
            assert backlog != "—" and int(backlog.replace(",", "")) > 0
            assert kpi(page, "cit_sat") != "—"
            body = page.inner_text("body")
            assert f"Step: {days}" in body or f"Time: {days}.0" in body  # Mesa's counter agrees (3.3 / 3.5)
            page.set_viewport_size({"width": 1600, "height": 1800})  # KPIs, county view and four charts
            page.wait_for_timeout(2500)  # let the charts draw
            path = shots / f"viz-{lang}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 50_000
            # Known upstream race, not ours: solara/widgets/vue/vegalite.vue plots in an async require()
            # callback and reads this.$refs.plotElement.classList after Mesa's chart was re-rendered
            # (each Step redraws the charts), when the element is gone. Every other page error fails.
            ours = [e for e in problems if not ("reading 'classList'" in e and "VUE_TEMPLATE_SCRIPT" in e)]
            assert not ours, ours
            browser.close()
    finally:
        out = server.stop()
    (shots / f"viz-{lang}-server.log").write_text(out)
    assert "Traceback" not in out, out[-3000:]
