"""The teaching app's server does not trust the browser (issue 13), driven through a real server and browser.

A page's developer tools can send any value for a control. The server accepts only the shipped scenarios
and the one given on the command line; every error in a callback reaches the page as one readable line
(and the terminal as one log line), never a traceback. The page hides Mesa's controls the app does not use,
and Solara's developer warnings stay out of the teacher's terminal.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import Server, assets_ready, launch, require_browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300), pytest.mark.slow]  # a server and a browser each: ~10 s

playwright_api = require_browser()
expect = playwright_api.expect

SEND = """([selector, event, value]) => {
    const el = document.querySelector(selector);
    el.__vue__.$emit(event, value);   // what a student could type into the developer tools
}"""


def open_page(p, server):
    browser = launch(p)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url)
    page.locator(".townsim-step").wait_for(timeout=120_000)
    expect(page.locator(".kpi-day .kpi-value")).to_have_text("0", timeout=60_000)
    page.wait_for_load_state("networkidle")
    return browser, page


def no_traceback(page, server):
    body = page.inner_text("body")
    assert "Traceback" not in body and 'File "' not in body, body[-2000:]
    assert "Traceback" not in server.text(), server.text()[-3000:]


def scenario_file(tmp_path, name="classroom", body='extends = "baseline"\ndescription = "a class file"\n'):
    path = tmp_path / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_scenario_not_offered_is_refused_as_one_line(assets_ready, tmp_path):
    outside = scenario_file(tmp_path, "outside")  # a valid file, but not one the app offers
    server = Server("--scenario", "baseline", "--lang", "en", "--no-fetch-assets")
    try:
        server.wait()
        with playwright_api.sync_playwright() as p:
            browser, page = open_page(p, server)
            page.evaluate(SEND, [".townsim-scenario", "input", str(outside)])
            error = page.locator(".townsim-error")
            expect(error).to_be_visible(timeout=30_000)
            text = error.inner_text().strip()
            assert "\n" not in text and "not offered" in text, text
            expect(page.locator(".townsim-scenario")).to_contain_text("baseline")
            assert "outside" not in page.locator(".townsim-scenario").inner_text()
            no_traceback(page, server)
            browser.close()
        log = [ln for ln in server.text().splitlines() if "not offered" in ln]
        assert len(log) == 1 and log[0].startswith("townsim viz:"), server.text()[-2000:]
    finally:
        server.stop()


CATALOGUE = (
    "name,category,requester,weight,difficulty,hours,departments,district\n"
    "licence,approval,enterprise,2,simple,0.5,0,false\n"
)


def test_callback_error_is_one_line_on_the_page_and_in_the_log(assets_ready, tmp_path):
    """The teacher's own scenario names a catalogue that is edited (and broken) while the app runs: choosing
    the scenario again fails in the page's callback; the page shows one line and keeps working."""
    (tmp_path / "cat.csv").write_text(CATALOGUE, encoding="utf-8")
    own = scenario_file(tmp_path, "classroom", 'extends = "baseline"\nmatter_catalogue = "cat.csv"\n')
    server = Server("--scenario", str(own), "--lang", "en", "--no-fetch-assets")
    try:
        server.wait()
        with playwright_api.sync_playwright() as p:
            browser, page = open_page(p, server)
            select = page.locator(".townsim-scenario")
            page.evaluate(SEND, [".townsim-scenario", "input", "baseline"])
            expect(select).to_contain_text("baseline", timeout=30_000)
            expect(page.locator(".townsim-built")).to_have_text("baseline", timeout=60_000)  # baseline's county
            (tmp_path / "cat.csv").write_text(CATALOGUE.replace(",0,false", ",0;999,false"), encoding="utf-8")
            page.evaluate(SEND, [".townsim-scenario", "input", str(own)])
            error = page.locator(".townsim-error")
            expect(error).to_be_visible(timeout=30_000)
            text = error.inner_text().strip()
            assert "\n" not in text and "cat.csv" in text and "departments" in text, text
            no_traceback(page, server)
            # the page still works: another scenario clears the error and its county is built
            page.evaluate(SEND, [".townsim-scenario", "input", "full_reform"])
            expect(select).to_contain_text("full_reform", timeout=30_000)
            expect(error).to_have_count(0, timeout=30_000)
            expect(page.locator(".townsim-built")).to_have_text("full_reform", timeout=60_000)
            page.locator(".townsim-step").click()
            expect(page.locator(".kpi-day .kpi-value")).to_have_text("1", timeout=60_000)
            no_traceback(page, server)
            browser.close()
        log = [ln for ln in server.text().splitlines() if "cat.csv" in ln]
        assert len(log) == 1 and log[0].startswith("townsim viz:"), server.text()[-2000:]
    finally:
        server.stop()


def test_command_line_scenario_is_offered_beside_the_shipped_ones(assets_ready, tmp_path):
    own = scenario_file(tmp_path, "classroom")
    server = Server("--scenario", str(own), "--lang", "en", "--no-fetch-assets")
    try:
        server.wait()
        with playwright_api.sync_playwright() as p:
            browser, page = open_page(p, server)
            select = page.locator(".townsim-scenario")
            expect(select).to_contain_text("classroom")
            page.evaluate(SEND, [".townsim-scenario", "input", "baseline"])
            expect(select).to_contain_text("baseline", timeout=30_000)
            expect(page.locator(".townsim-built")).to_have_text("baseline", timeout=60_000)
            page.evaluate(SEND, [".townsim-scenario", "input", str(own)])
            expect(select).to_contain_text("classroom", timeout=30_000)
            expect(page.locator(".townsim-built")).to_have_text(str(own), timeout=60_000)
            assert page.locator(".townsim-error").count() == 0
            no_traceback(page, server)
            browser.close()
    finally:
        server.stop()


def test_page_hides_unused_mesa_controls_and_terminal_is_quiet(assets_ready):
    server = Server("--scenario", "baseline", "--lang", "en", "--no-fetch-assets")
    try:
        server.wait()
        with playwright_api.sync_playwright() as p:
            browser, page = open_page(p, server)
            page.locator(".townsim-step").click()
            expect(page.locator(".kpi-day .kpi-value")).to_have_text("1", timeout=60_000)
            body = page.inner_text("body")  # text of visible elements only
            for hidden in ("Model Parameters", "Use Threads"):
                assert hidden not in body, hidden
            assert not re.search(r"\bpage 0\b", body, re.IGNORECASE), body
            assert "Render Interval" not in body and "Play Interval" not in body  # Mesa's controls: hidden
            assert "RESET" in body.upper()  # the page's own time controls
            browser.close()
        out = server.stop()
        for noise in ("rules of hooks", "samesite", "UserWarning"):
            assert noise not in out, out[-3000:]
    finally:
        server.stop()
