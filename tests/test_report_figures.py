"""A report opened from any folder shows every figure: embedded as data URIs in the HTML page, linked
relative to the report in Markdown, whatever the output folder (relative, default or absolute) and
wherever the folder is moved afterwards. Parsed without a browser."""

from __future__ import annotations

import base64
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from townsim.experiments.cli import main

TINY = ["townships=3", "departments=4", "enterprises=60", "residents=6000", "department_staff=6", "township_staff=6"]
SETS = [x for o in TINY for x in ("--set", o)]


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.srcs.append(dict(attrs).get("src") or "")


def html_images(page: str) -> list[str]:
    parser = _Images()
    parser.feed(page)
    return parser.srcs


def assert_every_figure_shown(folder: Path) -> int:
    """Every PNG under ``folder/figures`` is embedded in report.html and linked from report.md."""
    pngs = {p.name: p.read_bytes() for p in (folder / "figures").glob("*.png")}
    assert pngs, "no figures were made"
    srcs = html_images((folder / "report.html").read_text(encoding="utf-8"))
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs), [s[:60] for s in srcs]
    embedded = sorted(base64.b64decode(s.split(",", 1)[1]) for s in srcs)
    assert embedded == sorted(pngs.values())
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (folder / "report.md").read_text(encoding="utf-8"))
    assert sorted(Path(link).name for link in links) == sorted(pngs)
    assert all((folder / link).is_file() for link in links), links
    return len(pngs)


def _moved(folder: Path, where: Path) -> Path:
    shutil.move(str(folder), str(where))
    return where


def test_compare_report_shows_every_figure_with_a_relative_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "baseline", "one_stop_135", "--reps", "2", "--days", "10", "--workers", "1", *SETS]
    assert main([*argv, "--out", "rel/cmp"]) == 0
    assert "figures included" in capsys.readouterr().out
    n = assert_every_figure_shown(tmp_path / "rel" / "cmp")
    assert n >= 3
    # opened from elsewhere: the folder moved, the working folder changed
    moved = _moved(tmp_path / "rel" / "cmp", tmp_path / "elsewhere")
    monkeypatch.chdir("/")
    assert assert_every_figure_shown(moved) == n


def test_compare_report_shows_every_figure_in_the_default_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "baseline", "one_stop_135", "--reps", "2", "--days", "10", "--workers", "1", *SETS]
    assert main(argv) == 0
    (folder,) = (tmp_path / "results").glob("compare-*")
    assert_every_figure_shown(folder)


@pytest.mark.parametrize("relative", [True, False])
def test_sweep_report_shows_every_figure(tmp_path, monkeypatch, relative):
    monkeypatch.chdir(tmp_path)
    out = "sw" if relative else str(tmp_path / "sw")
    argv = ["sweep", "baseline", "--vary", "delegated_share=0:1:2", "--reps", "2", "--days", "10", "--workers", "1"]
    assert main([*argv, *SETS, "--out", out]) == 0
    assert_every_figure_shown(tmp_path / "sw")
