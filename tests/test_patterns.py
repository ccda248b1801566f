"""Published outcome patterns (P7–P9) as validation checks: registered, world-aware, able to fail,
and "not measurable" (not a crash) when the model lacks a KPI."""

import math

import pytest

from townsim.experiments.checks import patterns
from townsim.experiments.core.power import WORLD_CHECKS
from townsim.experiments.workflows.validate.suite import load_checks

NAMES = (
    "p7_135_rankings_raise_resolution",
    "p7_135_rankings_raise_satisfaction",
    "p8_grid_share_of_sources",
    "p9_mediation_cuts_petitions",
)


def test_pattern_checks_are_registered_validation_checks_that_can_run_in_a_world():
    checks = load_checks()
    for n in NAMES:
        assert checks[n].part == "validation" and checks[n].source.startswith("P"), n
        assert n in WORLD_CHECKS, n


def _fake(rows_by_scenario):
    def runs(scenario, world, reps, seed):
        return [dict(r) for r in rows_by_scenario[scenario]][:reps]

    return runs


@pytest.mark.parametrize(
    "share, on_time, passed",
    [(0.30, 0.95, True), (0.03, 0.95, False), (0.70, 0.95, False), (0.30, 0.80, False)],
)
def test_p8_passes_only_inside_its_tolerance(monkeypatch, share, on_time, passed):
    rows = [{"grid_report_share": share + e, "on_time_rate": on_time} for e in (-0.01, 0.0, 0.01)]
    monkeypatch.setattr(patterns, "_runs", _fake({"full_reform": rows}))
    res = WORLD_CHECKS["p8_grid_share_of_sources"]({}, 3, 0)
    assert res.passed is passed and res.details.get("measurable", True)


def test_a_missing_kpi_is_reported_not_measurable(monkeypatch):
    rows = [{"on_time_rate": 0.95}] * 3
    monkeypatch.setattr(patterns, "_runs", _fake({"full_reform": rows}))
    res = WORLD_CHECKS["p8_grid_share_of_sources"]({}, 3, 0)
    assert not res.passed and res.details["measurable"] is False
    assert "not measurable on this model" in res.expected and math.isnan(res.measured)


@pytest.mark.parametrize("fall, passed", [(0.6, True), (0.1, False), (-0.2, False)])
def test_p9_reads_a_fall_of_tens_of_percent(monkeypatch, fall, passed):
    base = [{"petitions": v} for v in (18.0, 20.0, 22.0)]
    reform = [{"petitions": v * (1 - fall)} for v in (18.0, 20.0, 22.0)]
    monkeypatch.setattr(patterns, "_runs", _fake({"baseline": base, "grid_governance": reform}))
    res = WORLD_CHECKS["p9_mediation_cuts_petitions"]({}, 3, 0)
    assert res.passed is passed and res.measured == pytest.approx(fall)


def test_p9_fails_when_the_cause_is_removed(monkeypatch):
    """Counterfactual: with the status quo in place of grid governance (no grid, no app reporting,
    the status quo's mediation) the petitions do not fall and the check fails."""
    real = patterns._params
    monkeypatch.setattr(patterns, "_params", lambda scenario, world: real("baseline", world))
    res = WORLD_CHECKS["p9_mediation_cuts_petitions"]({}, 3, 11)
    assert not res.passed and res.measured == pytest.approx(0.0)


def test_a_world_reaches_the_pattern_runs():
    from townsim.experiments.core.county import SMALL_COUNTY

    p = patterns._params("grid_governance", {"dispute_rate": 1.5e-4, "enterprises": 4000})
    assert p.dispute_rate == 1.5e-4 and p.enterprises == SMALL_COUNTY["enterprises"] and p.grid_coverage > 0


def test_generic_calibration_spec_is_fixed_and_its_priors_are_the_assumption_ranges():
    """The generic county's targets and held-out figures are committed before it runs; its priors are
    the declared plausible ranges (not re-chosen), and targets and held-out figures are apart."""
    from pathlib import Path

    from townsim.experiments.core.assumptions import assumptions
    from townsim.experiments.workflows.calibrate.spec import load_spec

    spec = load_spec(Path(patterns.__file__).resolve().parents[1] / "specs" / "calibrate" / "generic.toml")
    declared = {a.name: a for a in assumptions()}
    assert 0 < len(spec.priors) <= 10
    for p in spec.priors:
        a = declared[p.name]
        assert (p.low, p.high) == (a.low, a.high) and (p.param.dist == "logunif") == (a.dist == "loguniform"), p.name
    targets, held = {t.name for t in spec.targets}, {t.name for t in spec.holdout}
    assert targets == {"resolution_rate", "citizen_satisfaction"} and not targets & held
    assert spec.scenario == "one_stop_135" and spec.other_assumptions == "drawn"
