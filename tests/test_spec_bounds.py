"""Spec values are input like a scenario file's: a non-finite number, an experiment far beyond the
machine (runs × days over the stated bound, without --yes) or an [overrides] value the model cannot
build (a matter catalogue that is not one) is one line, exit 2, nothing written."""

from __future__ import annotations

import textwrap

import pytest

from townsim.experiments.cli import main
from townsim.experiments.errors import UserError
from townsim.experiments.workflows.calibrate import SpecError, load_spec

PLUGIN = "townsim.experiments.workflows.calibrate.testproblems:normal_mean"


def _write(tmp_path, name: str, text: str):
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(text))
    return path


def _calibration(tmp_path, head: str = "", target: str = "y = 1.0", model: str = ""):
    body = model or f'evaluate = "{PLUGIN}"\n[parameters]\ntheta = [-3.0, 3.0]\n'
    return _write(
        tmp_path,
        "cal",
        f"population_size = 20\nmax_generations = 2\n{head}\n{body}[targets]\n{target}\n",
    )


@pytest.mark.parametrize(
    "head, target, needle",
    [
        ("", "y = {value = 1.0, scale = inf}", "scale"),
        ("", "y = {value = 1.0, weight = nan}", "weight"),
        ("minimum_epsilon = inf", "y = 1.0", "minimum_epsilon"),
        ("minimum_epsilon = nan", "y = 1.0", "minimum_epsilon"),
    ],
)
def test_non_finite_calibration_values_are_refused(tmp_path, head, target, needle):
    with pytest.raises(SpecError) as err:
        load_spec(_calibration(tmp_path, head, target))
    assert needle in str(err.value) and "\n" not in str(err.value)


def _one_line_exit_2(capsys, argv, out, needle):
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err and needle in err, err
    assert not out.exists()


def test_a_calibration_beyond_any_machine_is_refused_even_with_yes(tmp_path, capsys):
    spec = _write(
        tmp_path,
        "huge",
        """\
        scenario = "baseline"
        days = 250
        population_size = 100000
        max_generations = 1000
        [parameters]
        department_staff = [100, 400]
        [targets]
        on_time_rate = 0.9
        """,
    )
    _one_line_exit_2(capsys, ["calibrate", str(spec)], tmp_path / "o", "run-days")
    _one_line_exit_2(capsys, ["calibrate", str(spec), "--yes"], tmp_path / "o", "run-days")


def test_sensitivity_and_discover_beyond_any_machine_are_refused(tmp_path, capsys):
    sobol = _write(
        tmp_path,
        "sobol",
        """\
        method = "sobol"
        N = 1048576
        replications = 10000
        outputs = ["on_time_rate"]
        [parameters]
        delegated_share = [0.0, 1.0]
        staff_transfer = [0.0, 1.0]
        """,
    )
    _one_line_exit_2(capsys, ["sensitivity", str(sobol), "--yes"], tmp_path / "o", "run-days")
    disc = _write(
        tmp_path,
        "disc",
        """\
        samples = 1000000
        replications = 10000
        outcome = "on_time_rate"
        threshold = 0.8
        [parameters]
        delegated_share = [0.0, 1.0]
        """,
    )
    _one_line_exit_2(capsys, ["discover", str(disc), "--yes"], tmp_path / "o", "run-days")


def test_a_large_experiment_needs_yes(tmp_path, capsys):
    morris = _write(
        tmp_path,
        "morris",
        """\
        method = "morris"
        N = 6000
        outputs = ["on_time_rate"]
        [parameters]
        delegated_share = [0.0, 1.0]
        staff_transfer = [0.0, 1.0]
        """,
    )
    _one_line_exit_2(capsys, ["sensitivity", str(morris)], tmp_path / "o", "--yes")
    _one_line_exit_2(capsys, ["compare", "baseline", "--reps", "20000", "--days", "250"], tmp_path / "o", "--yes")
    sweep = ["sweep", "baseline", "--vary", "delegated_share=0:1:100", "--reps", "200", "--days", "250"]
    _one_line_exit_2(capsys, sweep, tmp_path / "o", "--yes")


def test_the_work_bound():
    from townsim.experiments.core import budget

    assert budget.check_work("x", runs=100, days=250) == 25_000
    with pytest.raises(UserError, match="--yes"):
        budget.check_work("x", runs=budget.WORK_BOUND // 250 + 1, days=250)
    assert budget.check_work("x", runs=budget.WORK_BOUND // 250 + 1, days=250, yes=True) > budget.WORK_BOUND
    with pytest.raises(UserError, match="at most"):
        budget.check_work("x", runs=budget.HARD_BOUND // 250 + 1, days=250, yes=True)


CATALOGUE = '[overrides]\nmatter_catalogue = "/etc/passwd"\n'


@pytest.mark.parametrize(
    "command, text",
    [
        (
            "sensitivity",
            'method = "morris"\nN = 4\noutputs = ["on_time_rate"]\n[parameters]\ndelegated_share = [0.0, 1.0]\n',
        ),
        (
            "discover",
            'samples = 20\noutcome = "on_time_rate"\nthreshold = 0.8\n[parameters]\ndelegated_share = [0.0, 1.0]\n',
        ),
        (
            "calibrate",
            'scenario = "baseline"\npopulation_size = 10\nmax_generations = 1\n[parameters]\n'
            "department_staff = [100, 400]\n[targets]\non_time_rate = 0.9\n",
        ),
    ],
)
def test_a_bad_catalogue_in_overrides_is_bad_input(tmp_path, capsys, command, text):
    spec = _write(tmp_path, command, text + CATALOGUE)
    _one_line_exit_2(capsys, [command, str(spec)], tmp_path / "o", "matter_catalogue")


def test_the_quick_specs_ship_and_are_small():
    """`morris_quick` and `discover_quick` (a first try, under a minute on 2 cores): at most 10,000
    run-days of a small county (the full shipped specs are 100 times more)."""
    from townsim.experiments.cli import discover, sensitivity
    from townsim.experiments.core.budget import days_per_run
    from townsim.experiments.workflows.discover.spec import load_spec as load_discover
    from townsim.experiments.workflows.sensitivity.spec import load_spec as load_sensitivity

    assert "morris_quick" in sensitivity.shipped_specs() and "discover_quick" in discover.shipped_specs()
    m = load_sensitivity(sensitivity.resolve_spec("morris_quick"))
    d = load_discover(discover.resolve_spec("discover_quick"))
    assert m.n_runs() * days_per_run(m) <= 10_000
    assert d.samples * d.replications * len(d.run_scenarios) * days_per_run(d) <= 10_000
    assert all(p.residents <= 10_000 for p in [*m.base_params.values(), *d.base_params.values()])
