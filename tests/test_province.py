"""``townsim province``: a small province end to end, resumed, and bad specs (one line, exit 2, nothing written)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from townsim.experiments.cli import main
from townsim.experiments.workflows import province as wf

COUNTIES = "county,residents,townships\nA,30000,3\nB,60000,4\nC,15000,2\n"
SPEC = """description = "three counties"
scenario = "baseline"
days = 12
counties = "counties.csv"
memory_per_worker_mib = 1000
"""


def write(tmp: Path, spec: str = SPEC, counties: str = COUNTIES) -> Path:
    (tmp / "counties.csv").write_text(counties)
    path = tmp / "p.toml"
    path.write_text(spec)
    return path


def run(spec: Path, out: Path, *extra: str) -> int:
    return main(["province", str(spec), "--workers", "1", "--out", str(out), "--progress", "never", "-q", *extra])


def test_three_counties_end_to_end_and_resumed(tmp_path):
    spec, out = write(tmp_path), tmp_path / "out"
    assert run(spec, out) == 0
    for name in ("manifest.json", "counties.csv", "runs.parquet", "province.csv", "report.md", "report.html"):
        assert (out / name).is_file(), name
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["county"]) == ["B", "A", "C"], "largest first"
    prov = pd.read_csv(out / "province.csv").set_index("kpi")
    assert prov.loc["cases_created", "province"] == runs["cases_created"].sum()
    assert prov.loc["cases_created", "how"] == "total"
    w = runs.set_index("county").loc[["A", "B", "C"], "on_time_rate"].to_numpy()
    assert prov.loc["on_time_rate", "province"] == pytest.approx((w * [30, 60, 15]).sum() / 105)
    assert prov.loc["on_time_rate", "min"] == pytest.approx(w.min())
    counties = pd.read_csv(out / "counties.csv").set_index("county")
    assert counties.loc["B", "department_staff"] == pytest.approx(2 * counties.loc["A", "department_staff"])
    text = (out / "report.md").read_text()
    assert "105,000 residents" in text and "## Every KPI" in text
    before = (out / "runs.parquet").read_bytes()

    # resumed: nothing is run again, the same results (and the report in Chinese)
    spec_, counties_ = wf.load_spec(spec), wf.plan(wf.load_spec(spec))
    from townsim.experiments.core.executors import SerialExecutor

    res = wf.run_province(spec_, out, SerialExecutor(), lang="zh")
    assert res.execution.ran == 0 and res.execution.skipped == 3
    assert (out / "runs.parquet").read_bytes() == before
    assert "全省" in (out / "report.md").read_text()
    assert len(counties_) == 3


def test_a_county_run_is_the_model_run(tmp_path):
    """A county's row is exactly the model's summary for its parameters and seed (the county is the unit of work)."""
    from townsim.model import simulate

    spec = wf.load_spec(write(tmp_path))
    counties = wf.plan(spec)
    s = wf.specs_of(spec, counties)[2]
    row = wf.simulate_county(s)
    summary, _ = simulate(s.params, s.seed, s.days)
    assert {k: row[k] for k in summary} == pytest.approx(summary, nan_ok=True)
    assert row["worker_peak_mib"] > 0 and row["cpu_s"] > 0


def test_synthetic_province_keeps_its_totals():
    spec = wf.load_spec(Path(wf.__file__).parents[2] / "specs" / "province" / "synthetic_100.toml")
    table = wf.synthetic_table(spec.synthetic)
    assert len(table) == 100
    assert sum(r["residents"] for r in table) == 50_000_000
    assert sum(r["townships"] for r in table) == round(14.28 * 100)
    assert min(r["residents"] for r in table) >= spec.synthetic["min_residents"]
    assert table == wf.synthetic_table(spec.synthetic), "the same table every time"
    counties = wf.plan(spec)
    assert [c.residents for c in counties] == sorted((c.residents for c in counties), reverse=True)


@pytest.mark.parametrize(
    "spec, counties, message",
    [
        (SPEC + "colour = 1\n", COUNTIES, "colour: unknown key"),
        (SPEC.replace("days = 12", "days = 0"), COUNTIES, "days: got 0"),
        (SPEC + "residents_per_agent = 1\n", COUNTIES + "D,2000000,20\n", "needs about"),
        (SPEC, "county,residents\nA,1000\n", "column 'townships' missing"),
        (SPEC, "county,residents,townships\nA,x,3\n", "residents 'x'"),
        (SPEC, COUNTIES + "A,100,1\n", "county 'A'"),
        (SPEC.replace('counties = "counties.csv"\n', "") + "[synthetic]\ncounties = 3\n", COUNTIES, "missing"),
        (SPEC.replace('"baseline"', '"no_such_scenario"'), COUNTIES, "scenario"),
        (SPEC + "[overrides]\ndays_of_week = 3\n", COUNTIES, "overrides"),
        ("days = [", COUNTIES, "not valid TOML"),
    ],
)
def test_bad_spec_is_one_line_exit_2_nothing_written(tmp_path, capsys, spec, counties, message):
    path, out = write(tmp_path, spec, counties), tmp_path / "out"
    assert run(path, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and err.startswith("townsim: error: "), err
    assert not out.exists()
