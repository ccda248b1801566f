"""Sensitivity spec validation: every bad spec is one line naming the file, the key and what is allowed;
the command exits with code 2, prints no traceback and writes nothing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from townsim.experiments.cli import main
from townsim.experiments.workflows.sensitivity import sampling
from townsim.experiments.workflows.sensitivity.spec import SpecError, load_spec, parse_spec

ISHI = 'evaluate = "townsim.experiments.workflows.sensitivity.testfunctions:ishigami"\n'
TOWN_OK = """
# top
scenarios = ["baseline"]
method = "morris"
N = 4
outputs = ["on_time_rate"]
[parameters]
delegated_share = [0.0, 1.0]
"""


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BAD = [
    # (spec text, substrings the one-line message must contain)
    (TOWN_OK.replace('method = "morris"', 'method = "sobolx"'), ["method", "morris, sobol, fast"]),
    (TOWN_OK.replace('method = "morris"\n', ""), ["method", "missing"]),
    (TOWN_OK.replace("N = 4", "N = 4.5"), ["N", "integer"]),
    (
        TOWN_OK.replace('method = "morris"', 'method = "sobol"').replace("N = 4", "N = 500"),
        ["N", "power of 2", "256", "512"],
    ),
    (TOWN_OK.replace('method = "morris"', 'method = "fast"').replace("N = 4", "N = 64"), ["N", "4·M² = 64"]),
    (TOWN_OK.replace("# top", "replications = 0"), ["replications", "[1, 10000]"]),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "delegated_shar = [0.0, 1.0]"),
        ["parameters.delegated_shar", "unknown parameter", "did you mean 'delegated_share'"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "delegated_share = [0.0, 2.0]"),
        ["parameters.delegated_share", "high bound 2", "[0, 1]"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "delegated_share = [0.8, 0.2]"),
        ["parameters.delegated_share", "low < high"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "delegated_share = 0.5"),
        ["parameters.delegated_share", "[low, high]"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "initial_competence = [0.0, 1.0]"),
        ["parameters.initial_competence", "low bound 0", "(0, 1]"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "escalation_135 = [0.2, 0.9]"),
        ["parameters.escalation_135", "switch", "[false, true]"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "chief_representatives = [0, 12.5]"),
        ["parameters.chief_representatives", "integer parameter", "whole numbers"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "chief_representatives = [-3, 12]"),
        ["parameters.chief_representatives", "low bound -3"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "delegation_order = [0, 1]"),
        ["parameters.delegation_order", "cannot be sampled", "frequent_first"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", "tier_deadlines = [1, 5]"),
        ["parameters.tier_deadlines", "cannot be sampled"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", 'delegated_share = {bounds = [0, 1], dist = "norm"}'),
        ["parameters.delegated_share", "uniform, logunif, normal, triang"],
    ),
    (
        TOWN_OK.replace("delegated_share = [0.0, 1.0]", 'delegated_share = {bounds = [0, 1], dist = "triang"}'),
        ["parameters.delegated_share", "mode"],
    ),
    (
        TOWN_OK.replace(
            "delegated_share = [0.0, 1.0]", 'learning_cases = {bounds = [0.5, 10], dist = "logunif", sd = 1}'
        ),
        ["parameters.learning_cases", "'sd' does not apply"],
    ),
    (
        TOWN_OK.replace('["on_time_rate"]', '["on_time_rat"]'),
        ["outputs", "unknown output", "did you mean 'on_time_rate'"],
    ),
    (TOWN_OK.replace('["baseline"]', '["baseline", "no_such_scenario"]'), ["scenarios", "no_such_scenario"]),
    (TOWN_OK + "[overrides]\ntownships = 0\n", ["overrides.townships", "townships"]),
    (TOWN_OK + "[overrides]\ndelegated_share = 0.5\n", ["parameters.delegated_share", "also set in [overrides]"]),
    (TOWN_OK.replace("# top", "second_order = true"), ["second_order", "only the sobol method"]),
    (TOWN_OK.replace("# top", "num_levels = 3"), ["num_levels", "even"]),
    (TOWN_OK.replace("# top", "replicas = 3"), ["replicas", "unknown key", "did you mean 'replications'"]),
    (TOWN_OK + "replications = 3\n", ["parameters.replications", "above the [parameters] table"]),
    (ISHI + TOWN_OK, ["scenarios", "not used with an evaluate plug-in"]),
    (
        'evaluate = "no_such_module_xyz:f"\nmethod = "morris"\nN = 4\noutputs = ["y"]\n[parameters]\nx1 = [0, 1]\n',
        ["evaluate", "cannot import module 'no_such_module_xyz'"],
    ),
    (
        'evaluate = "townsim.experiments.workflows.sensitivity.testfunctions:nope"\n'
        'method = "morris"\nN = 4\noutputs = ["y"]\n'
        "[parameters]\nx1 = [0, 1]\n",
        ["evaluate", "has no function 'nope'"],
    ),
    ('method = "morris"\nN = 4\noutputs = ["on_time_rate"\n', ["TOML syntax error"]),
]


@pytest.mark.parametrize("text, needles", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_spec_is_one_line_naming_file_and_key(tmp_path, text, needles):
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert "spec.toml" in msg
    for n in needles:
        assert n in msg, (n, msg)


def test_cli_bad_spec_exit_2_no_traceback_nothing_written(tmp_path, capsys):
    path = write(tmp_path, TOWN_OK.replace("delegated_share = [0.0, 1.0]", "delegated_share = [0.0, 2.0]"))
    out = tmp_path / "out"
    rc = main(["sensitivity", str(path), "--workers", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0 and "parameters.delegated_share" in err
    assert not out.exists()


def test_cli_missing_spec_and_foreign_out_folder(tmp_path, capsys):
    assert main(["sensitivity", str(tmp_path / "nope.toml")]) == 2
    assert "no such spec file" in capsys.readouterr().err
    path = write(
        tmp_path,
        ISHI + 'method = "morris"\nN = 4\noutputs = ["y"]\n[parameters]\nx1 = [-3, 3]\nx2 = [-3, 3]\nx3 = [-3, 3]\n',
    )
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    assert main(["sensitivity", str(path), "--workers", "1", "--out", str(foreign)]) == 2
    assert "not an earlier 'townsim sensitivity' output" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["precious.txt"]


def test_shipped_specs_validate():
    root = Path(__file__).resolve().parent.parent / "experiments" / "specs"
    specs = sorted(p for p in root.glob("*.toml") if not p.stem.startswith("discover_"))  # discover's own specs
    assert {p.stem for p in specs} >= {"morris_screening", "sobol_levers"}
    for p in specs:
        spec = load_spec(p)
        assert spec.n_runs() > 0


def test_integers_and_switches_are_sampled_uniformly_over_their_values(tmp_path):
    spec = parse_spec(
        {
            "scenarios": ["baseline"],
            "method": "sobol",
            "N": 1024,
            "seed": 5,
            "outputs": ["on_time_rate"],
            "parameters": {
                "chief_representatives": [0, 3],
                "escalation_135": [False, True],
                "delegated_share": [0.2, 0.4],
            },
        },
        tmp_path / "s.toml",
    )
    X = sampling.design(spec)
    vals = sampling.point_values(spec, X)
    chiefs = np.array([v["chief_representatives"] for v in vals])
    flags = np.array([v["escalation_135"] for v in vals])
    shares = np.array([v["delegated_share"] for v in vals])
    assert set(chiefs.tolist()) == {0, 1, 2, 3}
    assert all(isinstance(v["chief_representatives"], int) and isinstance(v["escalation_135"], bool) for v in vals)
    # Each whole number 0..3 should get a quarter of the draws (Sobol' points: nearly exact).
    freq = np.bincount(chiefs, minlength=4) / len(chiefs)
    assert np.allclose(freq, 0.25, atol=0.02), freq
    assert abs(flags.mean() - 0.5) < 0.02
    assert shares.min() >= 0.2 and shares.max() <= 0.4
    # Every point must be a valid Params after applying it to the scenario.
    base = spec.base_params["baseline"]
    for v in vals[:50]:
        p = base.replace(**v)
        assert p.chief_representatives == v["chief_representatives"]


def test_morris_steps_flip_switches(tmp_path):
    """With 4 levels a Morris step of 2/3 always crosses the ½ threshold of a switch."""
    spec = parse_spec(
        {
            "scenarios": ["baseline"],
            "method": "morris",
            "N": 6,
            "seed": 1,
            "outputs": ["on_time_rate"],
            "parameters": {"one_stop_centre": [False, True], "online_share": [0, 1]},
        },
        tmp_path / "s.toml",
    )
    X = sampling.design(spec)
    vals = sampling.point_values(spec, X)
    D = 2
    for t in range(spec.N):
        traj = vals[t * (D + 1) : (t + 1) * (D + 1)]
        flips = sum(a["one_stop_centre"] != b["one_stop_centre"] for a, b in zip(traj, traj[1:]))
        assert flips == 1
    assert math.isclose(spec.problem()["bounds"][0][1], 1.0)
