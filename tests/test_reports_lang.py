"""discover's and validate's reports come from their templates in English and Chinese: the same finished
folder reported again with ``--lang zh`` (nothing runs again) carries the same numbers under Chinese
headings, in the Markdown report and its HTML page, and the figures' words change language too."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from townsim.experiments.checks import CHECKS, CheckResult, check
from townsim.experiments.cli import main
from townsim.experiments.core import power
from townsim.experiments.workflows.discover import analysis as A
from townsim.experiments.workflows.discover import words as W

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?%?")
"""A number as the reports print it (``0.93``, ``94%``), not a digit inside a name (``x4``)."""

SPEC = """
description = "known box"
evaluate = "townsim.experiments.workflows.discover.testfunctions:known_box"
samples = 300
seed = 3
outcome = "y"
threshold = 0.5
min_density = 0.9

[parameters]
x1 = [0.0, 1.0]
x2 = [0.0, 1.0]
x3 = [0.0, 1.0]
x4 = [0.0, 1.0]
"""


def _numbers(text: str) -> list[str]:
    return sorted(NUMBER.findall(text))


def _paragraph_after(text: str, heading: str) -> str:
    """The first paragraph under ``heading``."""
    return text.split(heading + "\n\n", 1)[1].split("\n\n", 1)[0]


def test_discover_report_and_figures_in_chinese(tmp_path, capsys):
    spec = tmp_path / "known.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    args = ["discover", str(spec), "--workers", "1", "--out", str(out), "--progress", "never"]
    assert main(args) == 0
    en = (out / "report.md").read_text(encoding="utf-8")
    figure_en = (out / "figures" / "trajectory_plugin.png").read_bytes()
    capsys.readouterr()
    assert main([*args, "--lang", "zh"]) == 0
    assert "runs: 0 made" in capsys.readouterr().out  # only the report was made again
    zh = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("## Findings", "## How to read this"):
        assert heading in en and heading not in zh
    for heading in ("## 发现", "## 如何阅读"):
        assert heading in zh and f"<h2>{heading[3:]}</h2>" in page
    assert '<html lang="zh-CN">' in page and "data:image/png;base64," in page
    assert "**问题：**在哪些杠杆取值下，y 高于 0.5？" in zh
    # the same boxes: the table rows are equal, the sentences carry the same numbers
    rows = [line for line in en.splitlines() if line.startswith("| 1 |")]
    assert rows and all(row in zh.splitlines() for row in rows)
    assert _numbers(_paragraph_after(en, "## Findings")) == _numbers(_paragraph_after(zh, "## 发现")) != []
    for name in ("figures/trajectory_plugin.png", "figures/limits_plugin_box1.png"):
        assert f"]({name})" in en and f"]({name})" in zh
    assert (out / "figures" / "trajectory_plugin.png").read_bytes() != figure_en  # its words are Chinese now


def test_discover_and_validate_take_lang(capsys):
    for command in ("discover", "validate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--lang {en,zh}" in capsys.readouterr().out


def _lhs(n: int, seed: int) -> pd.DataFrame:
    return pd.DataFrame(qmc.LatinHypercube(d=3, seed=seed).random(n), columns=["x1", "x2", "x3"])


LEVERS = [A.Lever(n, 0.0, 1.0) for n in ("x1", "x2", "x3")]


NO_BOX = {
    "no cases": (lambda x: np.zeros(len(x), bool), "no run is a case", "没有任何运行属于关注情形"),
    "everywhere": (lambda x: np.ones(len(x), bool), "cases of interest are everywhere: 100%", "关注情形处处都有"),
    "too thin": (lambda x: np.random.default_rng(0).random(len(x)) < 0.1, "no box reaches a density", "没有框的密度"),
}


@pytest.mark.parametrize("cases,english,chinese", list(NO_BOX.values()), ids=list(NO_BOX))
def test_why_there_is_no_box_in_both_languages(cases, english, chinese):
    """The note PRIM gives (no cases, cases everywhere, no box dense enough) is said in Chinese with the same
    numbers; in English it is PRIM's own note."""
    x = _lhs(300, 5)
    d = A.find_boxes(x, cases(x), LEVERS)
    assert W.note_words(d, "en") == d.note and d.note.startswith(english)
    zh = W.note_words(d, "zh")
    assert zh.startswith(chinese) and _numbers(zh) == _numbers(d.note)
    summary_en = " ".join(W.discovery_summary(d, "y", 0.5, False, False, "en"))
    summary_zh = "".join(W.discovery_summary(d, "y", 0.5, False, False, "zh"))
    assert _numbers(summary_en) == _numbers(summary_zh) != []


@pytest.fixture
def stand_in_pattern(monkeypatch):
    """A validation pattern without a model run, which can also run in a prior world (for its power)."""

    def measure(world, reps, seed):
        vals = [0.97, 0.98, 0.99][:reps]
        return CheckResult(
            "stand_in_pattern",
            "≥ 95 % (F11)",
            0.98,
            (0.955, 1.0),
            True,
            True,
            reps,
            {"values": vals, "target": 0.95, "kind": "min", "label": "on-time share"},
        )

    check(
        "stand_in_pattern",
        part="validation",
        claim="a share above a bound",
        source="F11 (test)",
        quick_reps=3,
        full_reps=3,
    )(lambda reps, seed: measure({}, reps, seed))
    monkeypatch.setitem(power.WORLD_CHECKS, "stand_in_pattern", lambda world, reps, seed: measure(world, 1, seed))
    yield "stand_in_pattern"
    del CHECKS["stand_in_pattern"]


def _row(text: str, name: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
    return line.split(" | ")


def test_validate_report_and_power_in_chinese(tmp_path, capsys, stand_in_pattern):
    out = tmp_path / "v"
    args = ["validate", "--quick", "--only", "conservation", stand_in_pattern, "--out", str(out)]
    args += ["--power-worlds", "2", "--progress", "never"]
    assert main(args) == 0
    en = (out / "validation.md").read_text(encoding="utf-8")
    figure_en = (out / "figures" / f"{stand_in_pattern}.png").read_bytes()
    capsys.readouterr()
    assert main([*args, "--lang", "zh"]) == 0
    assert "checks: 0 made, 2 reused" in capsys.readouterr().out
    zh = (out / "validation.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("## Verification", "## Validation", "## Discriminating power", "## Not run in this report"):
        assert heading in en and heading not in zh
    for heading in ("## 校核：", "## 验证：", "## 验证检验的区分力", "## 本报告未运行的检验"):
        assert heading in zh and f"<h2>{heading[3:]}" in page
    assert '<html lang="zh-CN">' in page and "**2 项检验中 2 项通过**" in zh and "**2 of 2 checks pass**" in en
    # the same results: check, claim, source, expected, measured and replications are the same cells
    for name in ("conservation", stand_in_pattern):
        assert _row(en, name)[:6] == _row(zh, name)[:6]
        assert _row(en, name)[6:] == ["pass", "yes |"] and _row(zh, name)[6:] == ["通过", "是 |"]
    power_en = _row(en.split("## Discriminating power")[1], stand_in_pattern)
    power_zh = _row(zh.split("## 验证检验的区分力")[1], stand_in_pattern)
    assert power_en[:3] == power_zh[:3] and power_en[5] == power_zh[5]  # check, source, measured; power
    assert f"]({'figures'}/{stand_in_pattern}.png)" in zh
    assert (out / "figures" / f"{stand_in_pattern}.png").read_bytes() != figure_en  # its words are Chinese now


def test_validate_docs_copy_stays_english(tmp_path, capsys):
    rc = main(["validate", "--docs", "--lang", "zh", "--only", "conservation", "--out", str(tmp_path / "v")])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "--lang zh" in err and "English" in err
    assert not (tmp_path / "v").exists()


def test_the_templates_hold_the_same_sections_in_both_languages():
    """Every en template of discover and validate has its zh twin, with as many sections."""
    folder = Path(__file__).resolve().parent.parent / "experiments" / "render" / "templates"
    for name in ("discover", "validate", "validate_power"):
        en = (folder / f"{name}.en.md.j2").read_text(encoding="utf-8")
        zh = (folder / f"{name}.zh.md.j2").read_text(encoding="utf-8")
        assert en.count("\n## ") == zh.count("\n## ") > 0, name
        assert re.findall(r"\{\{ ?(\w+)", en) and set(re.findall(r"\{\{ ?(\w+)", en)) <= set(
            re.findall(r"\{\{ ?(\w+)", zh)
        ), name
