"""``townsim scenarios show NAME --assumptions``: every assumption with its value here, range and basis."""

from __future__ import annotations

import pytest

from townsim.experiments.cli import main
from townsim.model.params import fields_of_kind, meta
from townsim.scenarios import load_scenario


def _rows(out: str) -> dict[str, str]:
    lines = [ln for ln in out.splitlines() if ln and not ln.startswith("#")]
    assert lines[0].split()[:2] == ["assumption", "value"]
    return {ln.split()[0]: ln for ln in lines[1:]}


def test_lists_every_assumption_with_value_range_distribution_and_basis(capsys):
    assert main(["scenarios", "show", "baseline", "--assumptions"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert list(rows) == fields_of_kind("assumption")
    assert "delegated_share" not in rows and "townships" not in rows  # a lever, a fact
    lc = rows["learning_cases"]
    assert "50.0" in lc and "[10, 300]" in lc and "loguniform" in lc and meta("learning_cases")["basis"] in lc
    assert "× [0.5, 2] of the list" in rows["difficulty_hours"]
    assert "choice" in rows["service_time_distribution"]
    assert "!" not in rows["learning_cases"] and "!" in rows["reform_half_life_days"]  # ∞ lies outside its range


def test_marks_values_the_scenario_sets_and_values_outside_the_range(capsys):
    assert main(["scenarios", "show", "linping", "--assumptions"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows["enterprises"].split()[1:4] == ["20000", "!", "*"]  # Linping's 20,000 firms: not the generic range
    ref = rows["forward_hours"].split()
    assert ref[1:3] == ["0.25", "*"]  # set by the scenario, inside the range
    assert rows["travel_speed_kmh"].split()[2] == "[10,"  # the default: no mark


def test_without_the_flag_show_is_unchanged_toml(capsys):
    assert main(["scenarios", "show", "baseline"]) == 0
    assert capsys.readouterr().out.startswith("# scenario: baseline\n")


def test_unknown_scenario_is_one_line_error(capsys):
    assert main(["scenarios", "show", "no_such_scenario", "--assumptions"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "no_such_scenario" in err


@pytest.mark.parametrize("name", ["baseline", "full_reform", "linping"])
def test_the_value_column_is_the_scenario_value(capsys, name):
    assert main(["scenarios", "show", name, "--assumptions"]) == 0
    rows = _rows(capsys.readouterr().out)
    params = load_scenario(name).params
    for n in fields_of_kind("assumption"):
        value = getattr(params, n)
        if isinstance(value, float):
            assert float(rows[n].split()[1]) == value, n
