"""The planner's report in a real browser: report.html of a compare made with a relative --out,
moved to another folder and opened by file:// there, shows every figure (each <img> decoded, with a
width), and needs no network."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_helpers import launch, require_browser

from townsim.experiments.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

playwright_api = require_browser()

TINY = ["townships=3", "departments=4", "enterprises=60", "residents=6000", "department_staff=6", "township_staff=6"]


def test_every_figure_shows_in_the_browser(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "baseline", "one_stop_135", "--reps", "2", "--days", "10", "--workers", "1"]
    assert main([*argv, *[x for o in TINY for x in ("--set", o)], "--out", "rel"]) == 0
    n = len(list((tmp_path / "rel" / "figures").glob("*.png")))
    moved = tmp_path / "elsewhere" / "report-folder"
    moved.parent.mkdir()
    shutil.move(str(tmp_path / "rel"), str(moved))
    shutil.rmtree(moved / "figures")  # the page must not need the files beside it
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(Path(moved / "report.html").as_uri())
        widths = page.eval_on_selector_all("img", "els => els.map(e => e.complete ? e.naturalWidth : -1)")
        browser.close()
    assert n >= 3 and len(widths) == n and all(w > 300 for w in widths), widths
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
