"""discover, validate and calibrate write report.html beside their Markdown report: one self-contained
page that shows every figure of the folder (parsed without a browser)."""

from __future__ import annotations

import textwrap

from test_report_figures import assert_every_figure_shown, html_images

from townsim.experiments.cli import main


def test_discover_writes_report_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "box.toml"
    spec.write_text(
        textwrap.dedent("""\
        evaluate = "townsim.experiments.workflows.discover.testfunctions:known_box"
        samples = 300
        seed = 3
        outcome = "y"
        threshold = 0.5
        [parameters]
        x2 = [0.0, 1.0]
        x4 = [0.0, 1.0]
        """)
    )
    assert main(["discover", str(spec), "--workers", "1", "--out", "disc"]) == 0
    assert_every_figure_shown(tmp_path / "disc")


def test_calibrate_writes_report_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "cal.toml"
    spec.write_text(
        textwrap.dedent("""\
        evaluate = "townsim.experiments.workflows.calibrate.testproblems:normal_mean"
        population_size = 40
        max_generations = 2
        predictive_draws = 4
        [parameters]
        theta = [-3.0, 3.0]
        [targets]
        y = 1.0
        """)
    )
    assert main(["calibrate", str(spec), "--workers", "1", "--out", "cal"]) == 0
    assert_every_figure_shown(tmp_path / "cal")


def test_validate_writes_report_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--quick", "--only", "conservation", "--out", "val"]) in (0, 1)
    page = (tmp_path / "val" / "report.html").read_text(encoding="utf-8")
    assert "conservation" in page and all(s.startswith("data:") for s in html_images(page))
