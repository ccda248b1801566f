"""``townsim calibrate``: ABC-SMC recovers a known posterior; resumes; refuses bad specs (exit 2)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from townsim.experiments.cli import main
from townsim.experiments.errors import UserError
from townsim.experiments.workflows.calibrate import calibrate, load_spec
from townsim.experiments.workflows.calibrate.abc import weighted_quantile
from townsim.experiments.workflows.calibrate.testproblems import analytic_posterior

PLUGIN = "townsim.experiments.workflows.calibrate.testproblems:normal_mean"


def _spec(tmp_path, name="normal", population=1000, generations=3, y=1.0, extra=""):
    path = tmp_path / f"{name}.toml"
    path.write_text(
        textwrap.dedent(f"""\
        description = "normal mean, known variance, normal prior"
        evaluate = "{PLUGIN}"
        population_size = {population}
        max_generations = {generations}
        seed = 3
        predictive_draws = 20
        {extra}
        [parameters]
        theta = {{dist = "normal", mean = 0.0, sd = 1.0, bounds = [-8, 8]}}
        [targets]
        y = {y}
        """)
    )
    return path


@pytest.mark.slow
def test_posterior_matches_the_analytic_normal_posterior(tmp_path):
    """y = 1 observed once, y ~ N(θ, 1), θ ~ N(0, 1): θ | y ~ N(0.5, 0.5).

    Tolerance (documented in docs/calibration.md): posterior mean within 0.1 posterior sd, the 5 % and
    95 % quantiles within 0.2 posterior sd. Three generations of 1,000 particles reach ε ≈ 0.27, whose
    ABC bias (variance + ε²/3, 2.4 % on the sd) is far inside these, as is the importance-sampling noise."""
    out = tmp_path / "out"
    calibrate(load_spec(_spec(tmp_path)), out)
    post = pd.read_parquet(out / "posterior.parquet")
    assert list(post.columns) == ["theta", "weight"] and post.weight.sum() == pytest.approx(1.0)
    mean, sd = analytic_posterior(1.0, 0.0, 1.0)
    w = post.weight.to_numpy()
    m = np.average(post.theta, weights=w)
    q05, q95 = weighted_quantile(post.theta, w, [0.05, 0.95])
    assert abs(m - mean) < 0.1 * sd, m
    assert abs(q05 - (mean - 1.6449 * sd)) < 0.2 * sd, q05
    assert abs(q95 - (mean + 1.6449 * sd)) < 0.2 * sd, q95
    gens = pd.read_csv(out / "generations.csv")
    assert list(gens.generation) == [0, 1, 2] and gens.epsilon.is_monotonic_decreasing
    for f in ("marginals.png", "epsilon.png", "predictive.png"):
        assert (out / "figures" / f).stat().st_size > 1000
    report = (out / "report.md").read_text()
    assert "## Posterior predictive check" in report and "`theta`" in report
    assert len(pd.read_parquet(out / "predictive.parquet")) == 20


def test_a_stopped_run_resumes_from_its_last_generation(tmp_path):
    out = tmp_path / "out"
    first = calibrate(load_spec(_spec(tmp_path, population=50, generations=2)), out)["generations"]
    # the same spec with a later stopping rule continues the same database
    more = calibrate(load_spec(_spec(tmp_path, population=50, generations=3)), out)
    gens = more["generations"]
    assert more["resumed"] and list(gens.generation) == [0, 1, 2]
    assert (
        np.allclose(gens.epsilon.iloc[:2], first.epsilon)
        and gens.simulations.iloc[:2].tolist() == first.simulations.tolist()
    )
    again = calibrate(load_spec(_spec(tmp_path, population=50, generations=3)), out)["generations"]
    assert again.simulations.tolist() == gens.simulations.tolist()  # nothing left to do
    # a different spec is refused in that folder, as every experiment refuses a folder of other settings
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(UserError, match="made with other settings"):
        calibrate(load_spec(_spec(tmp_path, population=50, generations=3, y=2.0)), out)
    assert sorted(p.name for p in out.iterdir()) == before


@pytest.mark.dask
def test_runs_on_a_dask_cluster_and_resumes_there(tmp_path):
    """--scheduler: the ABC simulations and the posterior predictive run on the cluster's workers (the
    cluster counts their tasks), the posterior is the same shape, and a rerun resumes from the database."""
    from distributed import Client, LocalCluster

    from townsim.experiments.workflows.calibrate import calibrate

    spec = load_spec(_spec(tmp_path, population=40, generations=2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1") as cluster:
        with Client(cluster) as client:
            out = calibrate(spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
            done = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.task_prefixes))
            again = calibrate(spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert done > 0  # tasks really went through the scheduler
    post = pd.read_parquet(tmp_path / "dask" / "posterior.parquet")
    assert list(post.columns) == ["theta", "weight"] and len(post) == 40
    assert list(out["generations"].generation) == [0, 1]
    assert again["resumed"] and again["generations"].simulations.tolist() == out["generations"].simulations.tolist()
    assert len(pd.read_parquet(tmp_path / "dask" / "predictive.parquet")) == 20


def test_cli_runs_a_plugin_spec(tmp_path, capsys):
    out = tmp_path / "cli"
    rc = main(
        [
            "calibrate",
            str(_spec(tmp_path, population=30, generations=1)),
            "--workers",
            "1",
            "--out",
            str(out),
            "--progress",
            "never",
        ]
    )
    assert rc == 0 and (out / "report.md").exists() and "1 generations" in capsys.readouterr().out


def test_the_report_comes_from_the_templates_in_english_and_chinese(tmp_path, capsys):
    """The same finished folder reported in Chinese (a rerun: no simulation runs again) carries the same
    numbers under the Chinese template's headings, in report.md and report.html."""
    spec = tmp_path / "two.toml"
    spec.write_text(
        'evaluate = "townsim.experiments.workflows.calibrate.testproblems:rate_and_count"\n'
        "population_size = 30\nmax_generations = 2\nseed = 2\npredictive_draws = 6\n"
        '[parameters]\nrate = {dist = "logunif", bounds = [1e-6, 1e-2]}\n'
        'count = {dist = "uniform", bounds = [0, 900]}\n'
        "[targets]\nlog_rate = -9.0\n[holdout]\ncount_100 = {min = 0.5}\n"
    )
    args = ["calibrate", str(spec), "--workers", "1", "--out", str(tmp_path / "o"), "--progress", "never"]
    assert main(args) == 0
    en = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    assert main([*args, "--lang", "zh"]) == 0
    assert "simulations: 0 made" in capsys.readouterr().out
    zh = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    for heading in ("## Targets", "## Posterior", "## Generations", "## Posterior predictive check"):
        assert heading in en and heading not in zh
    for heading in ("## 目标", "## 后验分布", "## 各代", "## 后验预测检验"):
        assert heading in zh and heading in html.replace("<h2>", "## ").replace("</h2>", "")
    assert "Held out (not fitted; checked below): `count_100` ≥ 0.5." in en and "`count_100` ≥ 0.5" in zh
    assert "figures/pairwise.png" in en and "figures/pairwise.png" in zh
    rows = [line for line in en.splitlines() if line.startswith(("| `rate`", "| `count`", "| 0 |", "| 1 |"))]
    assert rows and all(row in zh for row in rows)  # the numbers are the same in both languages


@pytest.mark.parametrize(
    "body,needle",
    [
        (
            'scenario = "linping"\npopulation_size = 20\nmax_generations = 1\n[parameters]\n'
            'department_stuff = {dist = "uniform", bounds = [1, 2]}\n[targets]\non_time_rate = 0.9\n',
            "did you mean 'department_staff'",
        ),
        (
            'scenario = "linping"\npopulation_size = 20\nmax_generations = 1\n[parameters]\n'
            'escalation_135 = {dist = "uniform", bounds = [0, 1]}\n[targets]\non_time_rate = 0.9\n',
            "cannot be calibrated",
        ),
        (
            'scenario = "linping"\npopulation_size = 20\nmax_generations = 1\n[parameters]\n'
            'department_staff = {dist = "uniform", bounds = [-5, 2]}\n[targets]\non_time_rate = 0.9\n',
            "low bound -5 is not allowed",
        ),
        (
            'scenario = "linping"\npopulation_size = 20\nmax_generations = 1\n[parameters]\n'
            'department_staff = {dist = "gamma", bounds = [1, 2]}\n[targets]\non_time_rate = 0.9\n',
            "allowed: uniform, logunif, normal",
        ),
        (
            'scenario = "linping"\npopulation_size = 20\nmax_generations = 1\n[parameters]\n'
            'department_staff = {dist = "uniform", bounds = [100, 200]}\n[targets]\non_time_rate = {min = 0.9}\n'
            "[holdout]\non_time_rate = {min = 0.95}\n",
            "also a target",
        ),
        (
            'scenario = "linping"\npopulation_size = 20\nmax_generations = 1\n[parameters]\n'
            'department_staff = {dist = "uniform", bounds = [100, 200]}\n[targets]\non_time = {min = 0.9}\n',
            "unknown statistic",
        ),
    ],
)
def test_bad_spec_is_one_line_exit_2_nothing_written(tmp_path, capsys, body, needle):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    out = tmp_path / "out"
    rc = main(["calibrate", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and needle in err, err
    assert not out.exists()


def test_shipped_linping_spec_is_valid():
    spec = load_spec(__import__("townsim.experiments.cli.calibrate", fromlist=["x"]).resolve_spec("linping"))
    assert spec.scenario == "linping" and {t.name for t in spec.holdout} >= {"on_time_rate"}
    assert not {t.name for t in spec.targets} & {t.name for t in spec.holdout}


def test_shipped_posterior_was_made_on_this_model_and_spec():
    """`compare --posterior` and the held-out checks read scenarios/posteriors/linping.parquet: after a
    model or spec change it must be remade (like the regression pins), not silently go stale."""
    import json

    from townsim.experiments.workflows.validate.patterns import POSTERIOR, posterior_is_current

    meta = json.loads(POSTERIOR.with_suffix(".json").read_text(encoding="utf-8"))
    post = pd.read_parquet(POSTERIOR)
    assert list(post.columns) == [*meta["parameters"], "weight"] and post.weight.sum() == pytest.approx(1.0)
    assert posterior_is_current(), (
        "scenarios/posteriors/linping.parquet is stale: run `townsim calibrate linping` and copy "
        "results/calibrate-linping/posterior.parquet there (docs/calibration.md)"
    )


def test_fingerprint_reads_files_by_content_not_path(tmp_path):
    """A checkout elsewhere (or an installed package) must recognise the shipped posterior: the matter
    catalogue and township table enter the fingerprint by their content, not their absolute path."""
    import shutil

    from townsim.experiments.cli.calibrate import resolve_spec
    from townsim.experiments.workflows.calibrate.abc import fingerprint

    shipped = resolve_spec("linping")
    base = load_spec(shipped)
    source = base.model_params.matter_catalogue
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    same, moved, changed = tmp_path / "a" / "same.csv", tmp_path / "b" / "moved.csv", tmp_path / "changed.csv"
    shutil.copyfile(source, same)
    shutil.copyfile(source, moved)
    changed.write_bytes(Path(source).read_bytes() + b"\n")

    def with_catalogue(csv):
        text = shipped.read_text().replace("[overrides]\n", f'[overrides]\nmatter_catalogue = "{csv}"\n')
        spec_path = tmp_path / f"spec-{csv.stem}.toml"
        spec_path.write_text(text)
        return load_spec(spec_path)

    assert fingerprint(with_catalogue(same)) == fingerprint(with_catalogue(moved))  # same bytes, another folder
    assert fingerprint(with_catalogue(changed)) != fingerprint(with_catalogue(same))  # other bytes


def test_a_new_parameter_at_its_default_leaves_the_fingerprint_and_a_changed_value_changes_it():
    """Issue 21: a parameter added off by default must not make the shipped posteriors stale; its value
    moved away from the default must."""
    from pydantic import Field

    from townsim.experiments.cli.calibrate import resolve_spec
    from townsim.experiments.core import calibration
    from townsim.model import Params

    class WithNewLever(Params):
        new_lever: float = Field(0.0)

    spec = load_spec(resolve_spec("linping"))
    before = calibration.fingerprint(spec)
    extended = WithNewLever(**spec.model_params.model_dump())
    assert calibration._set_params(extended) == calibration._set_params(spec.model_params)
    assert calibration._set_params(extended.model_copy(update={"new_lever": 0.5})) != calibration._set_params(
        spec.model_params
    )
    assert calibration.fingerprint(spec) == before


def test_a_drawn_calibration_is_keyed_by_the_assumptions_it_draws(monkeypatch, tmp_path):
    """With ``other_assumptions = "drawn"`` every simulation drew the other assumptions from their ranges: a
    new assumption (or a changed range) changes what the posterior means, so its fingerprint changes; a
    calibration that keeps them at their defaults is not affected."""
    from townsim.experiments.cli.calibrate import resolve_spec
    from townsim.experiments.core import assumptions, calibration
    from townsim.experiments.core.assumptions import Assumption

    text = resolve_spec("linping").read_text().replace('other_assumptions = "drawn"', 'other_assumptions = "defaults"')
    (tmp_path / "held.toml").write_text(text)
    drawn, held = load_spec(resolve_spec("generic")), load_spec(tmp_path / "held.toml")
    assert drawn.other_assumptions == "drawn" and held.other_assumptions == "defaults"
    before = calibration.fingerprint(drawn), calibration.fingerprint(held)
    real = assumptions.other_assumptions
    monkeypatch.setattr(assumptions, "other_assumptions", lambda *a: [*real(*a), Assumption("x", 0.0, 1.0)])
    assert calibration.fingerprint(drawn) != before[0]
    assert calibration.fingerprint(held) == before[1]
