"""Every experiment from Python: the same settings through ``townsim.<command>(...)`` and through the command
line give identical tables; bad settings raise the command's one-line error; ``mesa.batch_run`` runs the model
from keyword parameters."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import townsim
from townsim.experiments.cli import main
from townsim.experiments.core.county import SMALL_COUNTY
from townsim.experiments.errors import UserError

SMALL_SET = [f"{k}={v}" for k, v in SMALL_COUNTY.items()]
QUIET = ["--workers", "1", "--progress", "never"]
TF = "townsim.experiments.workflows.sensitivity.testfunctions"
DISCOVER = (
    'description = "known box"\nevaluate = "townsim.experiments.workflows.discover.testfunctions:known_box"\n'
    'samples = 120\nseed = 3\noutcome = "y"\nthreshold = 0.5\nmin_density = 0.9\n[parameters]\n'
    + "".join(f"x{i} = [0.0, 1.0]\n" for i in range(1, 6))
)
SENSITIVITY = (
    f'evaluate = "{TF}:ishigami"\nmethod = "morris"\nN = 4\nseed = 1\nreplications = 1\noutputs = ["y"]\n'
    "[parameters]\n" + "".join(f"x{i} = [-3.14, 3.14]\n" for i in (1, 2, 3))
)
CALIBRATE = (
    'description = "normal mean"\nevaluate = "townsim.experiments.workflows.calibrate.testproblems:normal_mean"\n'
    "population_size = 30\nmax_generations = 1\nseed = 3\npredictive_draws = 5\n[parameters]\n"
    'theta = {dist = "normal", mean = 0.0, sd = 1.0, bounds = [-8, 8]}\n[targets]\ny = 1.0\n'
)
VOLATILE = (
    "seconds",
    "elapsed",
    "wall",
    "start",
    "end_time",
    "finished",
    "duration",
    "host",
    "pid",
    "created_at",
    "time_s",
)
"""Columns that record when or how long, not what: left out of the comparison."""


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in df.columns if not any(v in str(c).lower() for v in VOLATILE)]
    return df[keep].reset_index(drop=True)


def _same_tables(res: townsim.Results, cli_out: Path, names: list[str]) -> None:
    for name in names:
        assert name in res.tables, f"{name} missing from {list(res.tables)}"
        path = next(p for p in (cli_out / f"{name}.csv", cli_out / f"{name}.parquet") if p.exists())
        cli = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        pd.testing.assert_frame_equal(_clean(res.tables[name]), _clean(cli), check_exact=True)


def _spec(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_compare_python_equals_cli(tmp_path):
    args = ["baseline", "delegation_with_staff", "--reps", "2", "--days", "8", "--seed", "4"]
    assert (
        main(["compare", *args, *[x for s in SMALL_SET for x in ("--set", s)], *QUIET, "--out", str(tmp_path / "c")])
        == 0
    )
    res = townsim.compare(
        ["baseline", "delegation_with_staff"],
        reps=2,
        days=8,
        seed=4,
        set=SMALL_COUNTY,
        workers=1,
        progress="never",
        out=tmp_path / "p",
    )
    assert res.out == tmp_path / "p"
    _same_tables(res, tmp_path / "c", ["runs", "summary", "comparison"])
    assert {"delegation_with_staff", "baseline"} <= set(res.runs["scenario"])
    assert "forest_differences" in res.figures and res.figures["forest_differences"].axes
    assert res.report().startswith("#")
    # the same call again resumes: every run is reused, the tables are unchanged
    again = townsim.compare(
        ["baseline", "delegation_with_staff"], reps=2, days=8, seed=4, set=SMALL_COUNTY, workers=1,
        progress="never", out=tmp_path / "p",
    )  # fmt: skip
    pd.testing.assert_frame_equal(again.runs, res.runs)


def test_compare_without_out_keeps_a_temporary_store():
    res = townsim.compare(["baseline"], reps=2, days=3, set=SMALL_COUNTY, workers=1, progress="never")
    try:
        assert res.out.is_dir() and len(res.runs) == 2
    finally:
        import shutil

        shutil.rmtree(res.out)


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: townsim.compare(["no_such_reform"], days=3), "no such scenario"),
        (lambda: townsim.compare(["baseline"], reps="x"), "--reps: invalid int value"),
        (lambda: townsim.compare(["baseline"], set={"townships": -1}), "townships: got -1"),
        (lambda: townsim.sweep("baseline", vary={"no_such_lever": "0:1:2"}), "no_such_lever"),
        (lambda: townsim.robust(["baseline"], worlds=0), "--worlds"),
        (lambda: townsim.sensitivity("no_such_spec"), "no_such_spec"),
        (lambda: townsim.discover("no_such_spec"), "no_such_spec"),
        (lambda: townsim.calibrate("no_such_spec"), "no_such_spec"),
        (lambda: townsim.validate(only=["no_such_check"]), "no_such_check"),
    ],
)
def test_bad_settings_raise_the_commands_one_line_error(call, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and needle in message, message
    assert not list(tmp_path.iterdir()), "nothing is written on bad settings"


def test_sweep_python_equals_cli(tmp_path, capsys):
    cli = ["sweep", "baseline", "--vary", "two_way_weight=0:1:2", "--reps", "2", "--days", "6"]
    assert main([*cli, *[x for s in SMALL_SET for x in ("--set", s)], *QUIET, "--out", str(tmp_path / "c")]) == 0
    res = townsim.sweep(
        "baseline",
        vary={"two_way_weight": "0:1:2"},
        reps=2,
        days=6,
        set=SMALL_COUNTY,
        workers=1,
        progress="never",
        out=tmp_path / "p",
    )
    _same_tables(res, tmp_path / "c", ["runs", "summary"])
    # the report in the other language is rewritten from the stored runs (nothing is simulated again)
    capsys.readouterr()
    zh = res.report(lang="zh")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert f"runs: 0 made, {len(res.runs)} reused" in capsys.readouterr().out


def test_robust_python_equals_cli(tmp_path):
    cli = ["robust", "delegation_with_staff", "--worlds", "3", "--reps", "2", "--days", "6", "--seed", "2"]
    assert main([*cli, *[x for s in SMALL_SET for x in ("--set", s)], *QUIET, "--out", str(tmp_path / "c")]) == 0
    res = townsim.robust(
        ["delegation_with_staff"],
        worlds=3,
        reps=2,
        days=6,
        seed=2,
        set=SMALL_COUNTY,
        workers=1,
        progress="never",
        out=tmp_path / "p",
    )
    names = [n for n in res.tables if not n.startswith("failures")]
    assert "worlds" in names
    _same_tables(res, tmp_path / "c", names)


@pytest.mark.parametrize(
    ("command", "text", "tables"),
    [
        ("sensitivity", SENSITIVITY, ["indices"]),
        ("discover", DISCOVER, []),
        ("calibrate", CALIBRATE, ["posterior", "generations"]),
    ],
    ids=["sensitivity", "discover", "calibrate"],
)
def test_spec_commands_python_equal_cli(command, text, tables, tmp_path):
    spec = _spec(tmp_path, text, command)
    assert main([command, str(spec), *QUIET, "--out", str(tmp_path / "c")]) == 0
    res = getattr(townsim, command)(spec, workers=1, progress="never", out=tmp_path / "p")
    cli_tables = sorted(p.stem for ext in ("*.csv", "*.parquet") for p in (tmp_path / "c").glob(ext))
    assert sorted(res.tables) == cli_tables and set(tables) <= set(res.tables)
    _same_tables(res, tmp_path / "c", cli_tables)


def test_validate_python_equals_cli(tmp_path):
    name = "fork_join_serial_n2"  # one replication in the quick version
    assert main(["validate", "--quick", "--only", name, *QUIET, "--out", str(tmp_path / "c")]) in (0, 1)
    res = townsim.validate(quick=True, only=[name], workers=1, progress="never", out=tmp_path / "p")
    assert res.tables
    _same_tables(res, tmp_path / "c", list(res.tables))


def test_import_townsim_stays_lazy():
    import subprocess
    import sys

    code = "import sys, townsim; print('townsim.experiments.api' in sys.modules, callable(townsim.robust))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


# --- Mesa's conventions --------------------------------------------------------------------------------
def test_mesa_batch_run_two_levers_two_iterations():
    """One run per grid point and iteration; Mesa ≥ 3.4 adds one row per township and department of a run
    (their agent-type variables, the run's KPIs repeated), Mesa 3.3 gives the run's row alone."""
    import mesa

    from townsim.model import TownshipModel, metrics

    grid = {"two_way_weight": [0.0, 1.0], "responsibility_list": [False, True]}
    seeds, iterations = _two_iterations(mesa.batch_run, seed=7)
    rows = mesa.batch_run(
        TownshipModel,
        parameters={**SMALL_COUNTY, **grid, **seeds},
        max_steps=5,
        display_progress=False,
        **iterations,
    )
    df = pd.DataFrame(rows)
    runs = df.drop_duplicates("RunId")
    assert len(runs) == 2 * 2 * 2
    assert set(metrics.DAILY_KPIS) <= set(df.columns)
    assert runs.groupby(["two_way_weight", "responsibility_list"]).size().tolist() == [2, 2, 2, 2]
    if "AgentID" in df.columns:
        per_run = SMALL_COUNTY["townships"] + SMALL_COUNTY["departments"]
        assert df.groupby("RunId").size().tolist() == [per_run] * 8
        for reporters in TownshipModel(**SMALL_COUNTY).datacollector.agenttype_reporters.values():
            assert set(reporters) <= set(df.columns), reporters
        assert (df.groupby("RunId")[list(metrics.DAILY_KPIS)].nunique(dropna=False) <= 1).all().all()
    # Mesa ≥ 3.4 merges an agent's variables over the run's KPIs in its rows: no name may be both
    for reporters in TownshipModel(**SMALL_COUNTY).datacollector.agenttype_reporters.values():
        assert not set(reporters) & set(metrics.DAILY_KPIS), "an agent-type variable hides a KPI"
    # the row of a run is the model's own last collected day (Mesa 3.3 steps while steps <= max_steps:
    # one day more than Mesa 3.4 and later, which stop at max_steps)
    days = 5 if "rng" in iterations else 6
    direct = TownshipModel(**SMALL_COUNTY, two_way_weight=1.0, responsibility_list=True, rng=7)
    for _ in range(days):
        direct.step()
    last = direct.datacollector.get_model_vars_dataframe().iloc[-1]
    row = runs[(runs.two_way_weight == 1.0) & runs.responsibility_list].iloc[0]
    for kpi in metrics.DAILY_KPIS:
        assert row[kpi] == pytest.approx(last[kpi], nan_ok=True), kpi


def _two_iterations(batch_run, seed: int) -> tuple[dict, dict]:
    """(parameters, keywords) of two iterations of seed ``seed`` in this Mesa's convention: from 3.4 the
    seeds are ``batch_run(rng=[...])`` (which overrides a ``rng`` parameter), before ``iterations=2``."""
    import inspect

    if "rng" in inspect.signature(batch_run).parameters:
        return {}, {"rng": [seed, seed]}
    return {"rng": seed}, {"iterations": 2}


@pytest.mark.parametrize(
    ("changes", "needle"),
    [({"townships": -1}, "townships: got -1; allowed"), ({"no_such_lever": 1}, "no_such_lever: unknown parameter")],
)
def test_mesa_batch_run_bad_parameter_is_the_params_error(changes, needle):
    import mesa

    from townsim.model import ParamsError, TownshipModel

    with pytest.raises(ParamsError) as info:
        mesa.batch_run(TownshipModel, parameters=changes, max_steps=1, display_progress=False)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_teaching_app_page_builds_in_a_notebook_cell_without_a_browser(monkeypatch):
    import solara

    for var in ("TOWNSIM_VIZ_SCENARIO", "TOWNSIM_VIZ_LANG", "TOWNSIM_VIZ_SEED"):
        monkeypatch.delenv(var, raising=False)
    page = townsim.app("baseline", lang="zh", seed=3)
    box, rc = solara.render(page, handle_error=False)
    try:
        assert box is not None
        text = " ".join(str(getattr(w, "v_model", "")) + str(getattr(w, "children", "")) for w in _widgets(box))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), "the page speaks the language asked for"
    finally:
        rc.close()
    with pytest.raises(Exception, match="no_such_scenario"):
        townsim.app("no_such_scenario")


def _widgets(root):
    from ipywidgets import Widget

    seen, stack, out = set(), [root], []
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        out.append(w)
        for value in getattr(w, "_trait_values", {}).values():
            items = value if isinstance(value, list | tuple) else [value]
            stack.extend(v for v in items if isinstance(v, Widget))
    return out
