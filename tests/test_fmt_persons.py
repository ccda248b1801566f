"""Staff in posts are full-time equivalents (a chief representative's coordination hours, grid workers per
resident): reports show them with one decimal and say so, never as "96.75 persons"."""

from __future__ import annotations

import re

import townsim
from townsim.experiments.core.county import SMALL_COUNTY
from townsim.experiments.render import fmt


def test_posts_are_shown_with_one_decimal_as_full_time_equivalents():
    assert fmt.value("staff_posts", 96.75) == "96.8"
    assert fmt.value("posts_grid_workers", 3.0) == "3.0"
    assert fmt.diff("staff_posts", 6.25) == "+6.2"  # round half to even, as every number of the report
    assert fmt.interval("staff_posts", 96.75, 120.0) == "[96.8, 120.0]"
    assert fmt.axis_label("staff_posts") == "staff in posts (persons, full-time equivalent)"
    assert "折合全时" in fmt.axis_label("staff_posts", "zh")
    assert fmt.value("backlog_end", 12.0) == "12", "other counts keep their own format"


def test_the_compare_report_shows_posts_as_full_time_equivalents(tmp_path):
    res = townsim.compare(
        ["baseline", "one_stop_135"], reps=2, days=3, set=SMALL_COUNTY, workers=1, progress="never", out=tmp_path
    )
    for lang in ("en", "zh"):
        text = res.report(lang=lang)
        label = fmt.axis_label("staff_posts", lang)
        header = next(line for line in text.splitlines() if line.startswith("|") and label in line)
        column = [c.strip() for c in header.split("|")].index(label)
        table = text[text.index(header) :].split("\n\n")[0].splitlines()[2:]
        cells = [[c.strip() for c in row.split("|")][column] for row in table]
        assert len(cells) == 2 and all(re.match(r"^\d[\d,]*\.\d\b", c) for c in cells), cells
    assert not re.search(r"\d\.\d\d (persons|人)", text)
