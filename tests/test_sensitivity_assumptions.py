"""Sensitivity specs read assumption ranges from the parameters' metadata (``assumptions = "all"``)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from townsim.experiments.cli import main
from townsim.experiments.core.sensitivity_spec import screened_levers
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
    # a choice among four orders (not a number), and a lever added off by default (not screened by "all")
    assert unsampled == ["delegation_order", "callback_desk_posts"]
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


# --- levers = "all": every lever screened by construction, ranges from the fields -----------------------
SHIPPED = ROOT / "experiments" / "specs" / "morris_assumptions.toml"


def shipped_table() -> dict:
    import tomllib

    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))


def test_every_lever_is_screened_by_construction():
    s = load_spec(SHIPPED)
    assert set(screened_levers()) <= set(s.names)
    # a lever the spec does not write is still screened, over its allowed range, after the written ones
    data = shipped_table()
    del data["parameters"]["meeting_document_cut"]
    t = parse_spec(data, "spec.toml")
    written = list(data["parameters"])
    assert t.names[: len(written)] == written and t.names[len(written)] == "meeting_document_cut"
    p = t.parameters[len(written)]
    assert (p.low, p.high, p.dist) == (0.0, 1.0, "unif")
    assert set(t.names) == set(s.names)
    # without the key, the same spec leaves it out: the key is what screens it
    data.pop("levers")
    assert "meeting_document_cut" not in parse_spec(data, "spec.toml").names


OPEN = {"dispatch_staff": [0.5, 5.0], "level_time_share": [0.1, 0.6], "reform_renewal_days": [60.0, 750.0]}
"""Levers whose allowed range is open (``gt=0``, no upper bound): a spec screening every lever writes them."""


def test_a_lever_range_comes_from_its_screen_then_its_bounds_and_a_switch_is_a_switch(monkeypatch):
    by = {p.name: p for p in spec(levers="all", parameters=dict(OPEN)).parameters}
    assert set(screened_levers()) <= set(by) and "delegation_order" not in by
    assert by["escalation_135"].kind == "bool" and (by["two_way_weight"].low, by["two_way_weight"].high) == (0, 1)
    assert by["joint_conference_interval"].kind == "int" and by["joint_conference_interval"].high == 20  # screen
    assert (by["chief_rep_hours"].low, by["chief_rep_hours"].high) == (0, 8)  # no screen: its allowed bounds
    assert (by["inspection_hours_per_week"].low, by["inspection_hours_per_week"].high) == (0, 80)  # not 10,000
    monkeypatch.setitem(Params.model_fields["inspection_hours_per_week"].json_schema_extra, "screen", [5.0, 40.0])
    by = {p.name: p for p in spec(levers="all", parameters=dict(OPEN)).parameters}
    assert (by["inspection_hours_per_week"].low, by["inspection_hours_per_week"].high) == (5.0, 40.0)


def test_a_written_entry_or_an_override_wins_over_the_metadata():
    written = {**OPEN, "two_way_weight": [0.2, 0.4]}
    del written["reform_renewal_days"]
    s = spec(levers="all", parameters=written, overrides={"reform_renewal_days": 250.0})
    by = {p.name: p for p in s.parameters}
    assert (by["two_way_weight"].low, by["two_way_weight"].high) == (0.2, 0.4) and "reform_renewal_days" not in by
    assert s.names[: len(written)] == list(written)  # written entries first, in their order


def test_the_shipped_design_is_the_same_with_the_levers_key():
    """Every lever of the shipped spec is written, in its order: the key adds none, so the design (and every
    stored run of it) is the one made before the key existed."""
    from townsim.experiments.workflows.sensitivity.sampling import design

    data = shipped_table()
    assert data["levers"] == "all"
    without = {k: v for k, v in data.items() if k != "levers"}
    a, b = parse_spec(data, "a.toml"), parse_spec(without, "b.toml")
    assert a.names == b.names and a.problem() == b.problem()
    assert (design(a) == design(b)).all()  # the same parameters, ranges, order and seed: the same matrix


@pytest.mark.parametrize(
    "extra, words",
    [
        (dict(levers="some"), "levers: got 'some'; allowed: \"all\""),
        (dict(levers="all"), "'dispatch_staff' has no closed allowed range"),
        (dict(levers=["two_way_weight"]), 'allowed: "all"'),
    ],
)
def test_a_bad_levers_key_is_one_line(extra, words, monkeypatch):
    monkeypatch.delitem(Params.model_fields["dispatch_staff"].json_schema_extra, "screen")  # its bound is open
    with pytest.raises(SpecError) as err:
        spec(**extra)
    msg = str(err.value)
    assert msg.startswith("spec.toml: levers: ") and words in msg and "\n" not in msg


def test_levers_all_alone_screens_every_lever_over_a_finite_range_within_its_bounds():
    """A spec with ``levers = "all"`` and no written ranges loads: every numeric lever is sampled over its
    ``screen`` range or its closed bounds, finite and allowed, never the absurd ends (staff up to 10⁷)."""
    s = spec(levers="all")
    by = {p.name: p for p in s.parameters}
    assert set(by) == set(screened_levers())
    for name, p in by.items():
        if p.kind == "bool":
            continue
        closed = {k: getattr(m, k) for m in Params.model_fields[name].metadata for k in ("ge", "le", "gt", "lt")
                  if hasattr(m, k)}  # fmt: skip
        assert math.isfinite(p.low) and math.isfinite(p.high) and p.low < p.high, name
        assert p.low >= closed.get("ge", -math.inf) and p.low > closed.get("gt", -math.inf), name
        assert p.high <= closed.get("le", math.inf) and p.high < closed.get("lt", math.inf), name
        assert p.high <= 1000, name  # no lever screened over a range no reform could take
        assert Params(**{name: p.low}) and Params(**{name: p.high})  # both ends are valid parameters


def test_a_plugin_has_no_levers():
    data = {
        "evaluate": "townsim.experiments.workflows.sensitivity.testfunctions:ishigami",
        "method": "morris",
        "N": 2,
        "outputs": ["y"],
        "levers": "all",
        "parameters": {"x1": [0, 1]},
    }
    with pytest.raises(SpecError, match="levers: only for the township model"):
        parse_spec(data, "spec.toml")
