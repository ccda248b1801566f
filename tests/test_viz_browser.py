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

import pytest
from browser_helpers import Server, assets_ready, cpu_load, kpi, launch, require_browser, shots  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300), pytest.mark.xdist_group("browser")]
# under xdist one worker runs the browser tests one after the other: two browsers and app servers at once
# would compete for the 2 cores (the test loads the CPU on purpose while it presses keys)

playwright_api = require_browser()


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
            step = page.locator(".townsim-step")  # the page's own Step: one working day
            step.wait_for(timeout=120_000)
            day = page.locator(".kpi-day .kpi-value")
            expect(day).to_have_text("0", timeout=60_000)
            page.wait_for_load_state("networkidle")  # every front-end module loaded before we interact
            assert kpi(page, "backlog") == "—"  # nothing happened yet

            # change a lever: the 135 rule (a switch) and the delegated share (slider, by keyboard), while
            # busy processes slow the server (the county rebuilt for the switch overlaps the key presses):
            # a page that set the slider's position at every render lost presses this way (3 of 4 runs)
            with cpu_load():
                page.locator(".lever-escalation_135 label").click()
                expect(page.locator(".lever-escalation_135")).to_have_class(
                    re.compile("townsim-lever-changed"), timeout=60_000
                )
                label = page.locator(".lever-delegated_share-label")
                slider = page.locator(".lever-delegated_share [role=slider]")
                slider.focus()
                for _ in range(6):  # six key presses, each once, as fast as a student types
                    page.keyboard.press("ArrowRight")
                # every press counts, none is lost: on CI (the suite's other worker, these busy processes and
                # the county built for the switch) the server answered a press in 4-11 s, so up to 90 s
                expect(label).to_contain_text("0.30", timeout=90_000)
                page.wait_for_timeout(1500)  # and nothing arrives late to change it again
                assert "0.30" in label.inner_text()
            expect(page.locator(".townsim-pending")).to_have_count(0, timeout=60_000)  # the county is rebuilt
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
            assert built_model_day(page) == days  # one step is one day
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


def built_model_day(page) -> int:
    return int(page.locator(".kpi-day .kpi-value").inner_text().strip())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exercise_walk_with_the_compared_run(assets_ready, shots, lang):
    """Exercise 2 end to end as a class does it: run the status quo to the exercise's day, switch the 135
    rule on, run to the same day; the page shows the numbers docs/teaching.md states (generated by
    ``viz.teaching`` the page's way) and the compared run (the status quo) beside them."""
    from townsim.viz import help, teaching

    expect = playwright_api.expect
    ex = next(e for e in teaching.EXERCISES if e.key == "ex2")
    before, after = ex.steps[0], ex.steps[1]
    assert before.day == after.day and after.levers == {"escalation_135": True}
    want_before, want_after = teaching.readout(before), teaching.readout(after)
    server = Server("--scenario", "baseline", "--lang", lang, "--no-fetch-assets")
    try:
        server.wait()
        with playwright_api.sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            problems = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server.url)
            page.locator(".townsim-step").wait_for(timeout=120_000)
            day = page.locator(".kpi-day .kpi-value")
            expect(day).to_have_text("0", timeout=60_000)
            page.wait_for_load_state("networkidle")
            drawer = page.locator(".v-navigation-drawer").first.bounding_box()
            for part in (".townsim-kpis", ".townsim-county"):  # the sidebar covers none of the main area
                assert page.locator(part).bounding_box()["x"] >= drawer["x"] + drawer["width"] - 0.5, part
            page.locator(".townsim-run-to input").fill(str(before.day))
            page.locator(".townsim-run").click()
            expect(day).to_have_text(str(before.day), timeout=240_000)
            for key in ex.tiles:  # the page settles to the stated numbers (tiles re-render after the day's)
                expect(page.locator(f".kpi-{key} .kpi-value")).to_have_text(want_before[key], timeout=30_000)
            page.locator(".lever-escalation_135 label").click()
            expect(day).to_have_text("0", timeout=60_000)  # a new county; the status quo is the compared run
            page.locator(".townsim-run-to input").fill(str(after.day))
            page.locator(".townsim-run").click()
            expect(day).to_have_text(str(after.day), timeout=240_000)
            expect(page.locator(".townsim-step")).to_be_enabled(timeout=60_000)
            for key in ex.tiles:
                expect(page.locator(f".kpi-{key} .kpi-value")).to_have_text(want_after[key], timeout=30_000)
            table = page.locator(".townsim-compare-table")
            for key in ("on_time", "esc_total"):
                row = table.locator(f".compare-{key}")
                expect(row.locator(".compare-now")).to_have_text(want_after[key], timeout=30_000)
                expect(row.locator(".compare-then")).to_have_text(want_before[key], timeout=30_000)
            # hover help: the tiles' and levers' definitions are on the page, in its language
            assert page.locator(".kpi-on_time").get_attribute("title") == help.tile_help("on_time", lang)
            lever = page.locator(".lever-escalation_135-help")
            assert lever.get_attribute("title") == help.lever_help("escalation_135", lang)
            page.wait_for_timeout(2500)  # let the charts draw
            page.screenshot(path=str(shots / f"exercise2-{lang}.png"))
            # the panels that explain why: the townships' hours and utilisation with the compared run in
            # grey, and the running total of trips
            for part, name in (
                (".townsim-hours", "hours"),
                (".townsim-util", "util"),
                (".chart-chart_trips_total", "trips"),
            ):
                panel = page.locator(part)
                panel.scroll_into_view_if_needed()
                expect(panel.locator("canvas, svg").first).to_be_visible(timeout=60_000)
                page.wait_for_timeout(1000)
                panel.screenshot(path=str(shots / f"exercise2-{lang}-{name}.png"))
            page.set_viewport_size({"width": 1600, "height": 3200})
            page.wait_for_timeout(3000)
            page.screenshot(path=str(shots / f"exercise2-{lang}-full.png"))
            # Known upstream races of Solara's Vega-Lite widget when a chart is redrawn while it is still
            # being embedded ("classList" of a removed element, "view" before initialization); not ours.
            ours = [e for e in problems if "classList" not in e and "before initialization" not in e]
            assert not ours, ours
            browser.close()
    finally:
        out = server.stop()
    assert "Traceback" not in out, out[-3000:]
