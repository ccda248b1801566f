"""Sensitivity specs read assumption ranges from the parameters' metadata (``assumptions = "all"``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from townsim.experiments.cli import main
from townsim.experiments.workflows.sensitivity.spec import (
    SpecError,
    load_spec,
    parse_spec,
    sampleable_assumptions,
)
from townsim.model.params import Params, fields_of_kind, meta

ROOT = Path(__file__).resolve().parent.parent
BASE = {"scenarios": ["baseline"], "method": "morris", "N": 2, "days": 5, "outputs": ["on_time_rate"]}


def spec(**extra):
    return parse_spec({**BASE, **extra}, "spec.toml")


def test_all_assumptions_take_their_plausible_range_and_distribution():
    s = spec(assumptions="all", parameters={"delegated_share": [0.0, 1.0]})
    by = {p.name: p for p in s.parameters}
    assert set(by) == {"delegated_share", *sampleable_assumptions()}
    for name in sampleable_assumptions():
        lo, hi = meta(name)["plausible"]
        assert (by[name].low, by[name].high) == (lo, hi), name
        assert by[name].dist == {"uniform": "unif", "loguniform": "logunif"}[meta(name)["dist"]], name
    assert by["enterprises"].kind == "int" and by["learning_cases"].dist == "logunif"
    # the list- and choice-valued assumptions are not single numbers: left at the scenario's value
    assert {"difficulty_hours", "coordination_hours", "service_time_distribution"} == set(
        fields_of_kind("assumption")
    ) - set(sampleable_assumptions())


def test_ranges_follow_the_metadata_not_a_second_copy(monkeypatch):
    extra = dict(Params.model_fields["learning_cases"].json_schema_extra)
    monkeypatch.setitem(Params.model_fields["learning_cases"].json_schema_extra, "plausible", [20.0, 40.0])
    monkeypatch.setitem(Params.model_fields["learning_cases"].json_schema_extra, "dist", "uniform")
    p = next(p for p in spec(assumptions=["learning_cases"]).parameters if p.name == "learning_cases")
    assert (p.low, p.high, p.dist) == (20.0, 40.0, "unif") != (*extra["plausible"], "logunif")


def test_an_explicit_entry_or_an_override_wins():
    s = spec(assumptions="all", parameters={"learning_cases": [20, 40]}, overrides={"enterprises": 800})
    by = {p.name: p for p in s.parameters}
    assert (by["learning_cases"].low, by["learning_cases"].high, by["learning_cases"].dist) == (20, 40, "unif")
    assert "enterprises" not in by and s.base_params["baseline"].enterprises == 800


def test_a_list_of_names_samples_only_those():
    s = spec(assumptions=["learning_cases", "initial_competence"])
    assert s.names == ["learning_cases", "initial_competence"]


@pytest.mark.parametrize(
    "value, words",
    [
        (["delegated_share"], "'delegated_share' is lever"),
        (["no_such"], "'no_such' is not a parameter"),
        (["difficulty_hours"], "not a single number"),
        (["learning_cases", "learning_cases"], "twice"),
        ("some", 'allowed: "all"'),
        ([], 'allowed: "all"'),
    ],
)
def test_bad_assumptions_key_is_one_line(value, words):
    with pytest.raises(SpecError) as err:
        spec(assumptions=value)
    msg = str(err.value)
    assert msg.startswith("spec.toml: assumptions: ") and words in msg and "\n" not in msg


def test_a_plugin_has_no_assumptions():
    data = {
        "evaluate": "townsim.experiments.workflows.sensitivity.testfunctions:ishigami",
        "method": "morris",
        "N": 2,
        "outputs": ["y"],
        "assumptions": "all",
        "parameters": {"x1": [0, 1]},
    }
    with pytest.raises(SpecError, match="assumptions: only for the township model"):
        parse_spec(data, "spec.toml")


def test_the_shipped_spec_covers_every_assumption_and_lever():
    s = load_spec(ROOT / "experiments" / "specs" / "morris_assumptions.toml")
    names = set(s.names)
    assert set(sampleable_assumptions()) <= names
    unsampled = [n for n in fields_of_kind("lever") if n not in names]
    assert unsampled == ["delegation_order"]  # a choice among four orders: not a number
    assert s.method == "morris" and s.n_points() == s.N * (len(names) + 1)


def test_bad_key_from_the_command_line_exits_2_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(
        'scenarios = ["baseline"]\nmethod = "morris"\nN = 2\noutputs = ["on_time_rate"]\n'
        'assumptions = ["delegated_share"]\n[parameters]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "assumptions" in err and not out.exists()
