"""Output-folder helpers: atomic folder, manifest, strict JSON, summary table, dashboard."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from townsim.experiments.cli.run import format_summary
from townsim.experiments.core.atomic import atomic_dir, jsonable, write_json
from townsim.experiments.core.manifest import manifest
from townsim.experiments.core.outdir import check_out_dir, default_out_dir
from townsim.experiments.errors import UserError
from townsim.experiments.render.dashboard import PANELS, save_dashboard


def test_atomic_dir_renames_when_complete(tmp_path):
    final = tmp_path / "results" / "run-x"
    with atomic_dir(final) as tmp:
        assert tmp.parent == final.parent and tmp.name.startswith(".") and not final.exists()
        (tmp / "a.txt").write_text("done")
    assert (final / "a.txt").read_text() == "done"
    assert [p.name for p in final.parent.iterdir()] == ["run-x"]


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_atomic_dir_leaves_nothing_when_interrupted(tmp_path, exc):
    final = tmp_path / "run-x"
    with pytest.raises(exc):
        with atomic_dir(final) as tmp:
            (tmp / "half.txt").write_text("half")
            raise exc()
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_accepts_empty_and_refuses_full_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_dir(empty) as tmp:
        (tmp / "f").write_text("1")
    assert (empty / "f").exists()
    with pytest.raises(UserError, match="not empty"):
        check_out_dir(empty, "run", resumable=False)
    with pytest.raises(FileExistsError):
        with atomic_dir(empty):
            pass


def test_default_out_dir_is_unique_and_safe(tmp_path):
    when = dt.datetime(2021, 10, 8, 9, 30, 0)
    first = default_out_dir("run", "linping", when, root=tmp_path)
    assert first.name == "run-linping-20211008-093000" and first.is_dir()  # reserved on creation
    assert default_out_dir("run", "linping", when, root=tmp_path).name == "run-linping-20211008-093000-2"
    weird = default_out_dir("run", "../../x", when, root=tmp_path)
    assert weird.parent == tmp_path and "/" not in weird.name and ".." not in weird.name


def test_manifest_has_versions_commit_command_and_times():
    start = dt.datetime(2024, 1, 1, 12, 0, 0).astimezone()
    end = start + dt.timedelta(seconds=3)
    m = manifest(
        command="run",
        started=start,
        finished=end,
        params={"a": 1},
        seed=7,
        argv=["townsim", "run", "baseline", "--set", "x=a b"],
        scenario="baseline",
    )
    assert m["command_line"] == "townsim run baseline --set 'x=a b'"
    assert m["seed"] == 7 and m["params"] == {"a": 1} and m["scenario"] == "baseline"
    assert m["elapsed_seconds"] == 3.0 and m["started"].startswith("2024-01-01T12:00:00")
    for pkg in ("python", "mesa", "numpy", "pandas", "pydantic"):
        assert m["versions"][pkg]
    assert m["git_commit"] is None or len(m["git_commit"].split("+")[0]) == 40
    json.dumps(jsonable(m), allow_nan=False)


def test_write_json_is_strict(tmp_path):
    write_json(tmp_path / "s.json", {"nan": float("nan"), "np": np.float64(0.5), "arr": np.arange(2)})
    assert json.loads((tmp_path / "s.json").read_text()) == {"nan": None, "np": 0.5, "arr": [0, 1]}


def test_format_summary_is_a_small_table():
    text = format_summary(
        {"cases_created": 12345.0, "on_time_rate": 0.9612, "on_time_rate_tier5": math.nan, "trips_per_case": 0.25},
        title="t",
    )
    assert "12,345" in text and "96.1%" in text and "—" in text and "0.25" in text
    assert len(text.splitlines()) == 4 + 3  # title, rule, 4 rows, rule


def test_format_summary_in_chinese_keeps_its_columns():
    text = format_summary({"cases_created": 12345.0, "on_time_rate": 0.9612, "trips_per_case": 0.25}, lang="zh")
    rows = text.splitlines()[1:-1]
    assert "新增诉求" in text and "按期办结率" in text and "每件跑动次数" in text and "cases" not in text
    # Chinese characters take two terminal columns: every value ends in the same column
    width = {sum(2 if "\u4e00" <= ch <= "\u9fff" or ch in "（）" else 1 for ch in r) for r in rows}
    assert len(width) == 1, rows


def test_dashboard_png_with_all_and_missing_columns(tmp_path):
    days = np.arange(1, 41)
    cols = {c for *_, series, _ in PANELS for c, _ in series}
    rng = np.random.default_rng(0)
    ts = pd.DataFrame({c: rng.random(40) for c in cols})
    ts.insert(0, "day", days)
    ts.loc[:5, "on_time_rate_tier5"] = np.nan
    path = save_dashboard(ts, tmp_path / "figures" / "d.png", title="test")
    assert path.stat().st_size > 20_000
    few = pd.DataFrame({"day": days, "cases_created": rng.poisson(5, 40)})
    assert save_dashboard(few, tmp_path / "few.png").stat().st_size > 10_000
