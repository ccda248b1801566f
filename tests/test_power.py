"""Discriminating power: the share of prior worlds (assumption ranges) that fail a check."""

import math

from townsim.experiments.checks import CheckResult
from townsim.experiments.core.assumptions import Assumption, assumptions
from townsim.experiments.core.power import discriminating_power, prior_worlds, world_params


def _result(measured: float, passed: bool, **details) -> CheckResult:
    return CheckResult("toy", "toy", measured, (measured, measured), passed, True, 1, details)


def test_prior_worlds_lie_in_the_ranges_and_are_reproducible():
    avail = assumptions()
    worlds = prior_worlds(16, seed=3)
    assert len(worlds) == 16 and set(worlds[0]) == {a.name for a in avail}
    for a in avail:
        assert all(a.low <= w[a.name] <= a.high for w in worlds), a.name
    assert worlds == prior_worlds(16, seed=3)
    assert worlds != prior_worlds(16, seed=4)


def test_a_check_every_world_passes_has_power_zero_and_is_uninformative():
    worlds = prior_worlds(20, seed=1)
    p = discriminating_power("always", lambda w, reps, seed: _result(1.0, True), worlds, 1, 0)
    assert p.power == 0.0 and p.uninformative and p.verdict() == "uninformative"


def test_a_check_failing_in_half_the_worlds_has_power_near_one_half():
    a = next(x for x in assumptions() if not x.integer and not x.factor)
    worlds = prior_worlds(40, seed=2)

    def fn(world, reps, seed):  # fails in the upper half of a's range (its unit value)
        u = a.unit_value(world[a.name])
        return _result(u, u < 0.5)

    p = discriminating_power("half", fn, worlds, 1, 0)
    assert abs(p.power - 0.5) <= 0.1, p.power  # a Latin hypercube puts 20 of 40 draws in each half
    assert not p.uninformative and p.verdict() == "evidence"
    med, lo, hi = p.interval()
    assert lo < med < hi and abs(med - 0.5) < 0.1


def test_the_power_counts_what_it_measures_not_what_it_could_not():
    a = Assumption("x", 0.0, 1.0)
    worlds = prior_worlds(10, seed=5, available=[a])

    def fn(world, reps, seed):
        if world["x"] < 0.3:
            raise ValueError("no such KPI")
        if world["x"] < 0.5:
            return _result(math.nan, False, measurable=False)
        return _result(world["x"], world["x"] < 0.8)

    p = discriminating_power("partial", fn, worlds, 1, 0)
    assert p.unmeasurable == 5 and p.failed == 2 and p.power == 2 / 5 and len(p.errors) == 3


def test_nothing_measured_is_not_called_uninformative():
    worlds = prior_worlds(4, seed=6)
    p = discriminating_power("none", lambda w, r, s: _result(math.nan, True, measurable=False), worlds, 1, 0)
    assert math.isnan(p.power) and not p.uninformative and p.verdict() == "not measured"


def test_a_world_changes_the_parameters():
    from townsim.model import Params

    w = prior_worlds(1, seed=7)[0]
    p = world_params(Params(), w)
    name = next(a.name for a in assumptions() if not a.factor)
    assert getattr(p, name) == w[name]
    assert world_params(Params(), {}) == Params()


def test_validate_reports_power_per_validation_check(monkeypatch, tmp_path):
    from townsim.experiments.checks import Check
    from townsim.experiments.core import power
    from townsim.experiments.workflows.validate.discriminating import lines, power_rows, write
    from townsim.experiments.workflows.validate.suite import Outcome

    def always(world, reps, seed):
        return _result(0.5, True)

    monkeypatch.setitem(power.WORLD_CHECKS, "toy_always", always)
    toy = Check("toy_always", "validation", "toy", "P8", 1, 1, lambda reps, seed: always({}, reps, seed))
    post = Check("toy_posterior", "validation", "toy", "F11", 1, 1, lambda reps, seed: None)
    verif = Check("toy_verif", "verification", "toy", "ODD", 1, 1, lambda reps, seed: None)
    outcomes = [
        Outcome(toy, _result(0.5, True), None, 0.0, True),
        Outcome(post, _result(0.97, True, values=[0.95, 0.97, 0.99]), None, 0.0, True),
        Outcome(verif, _result(1.0, True), None, 0.0, True),
    ]
    table = power_rows(outcomes, 5, seed=1)
    assert list(table["check"]) == ["toy_always", "toy_posterior"]  # verification is not validation
    a, b = table.to_dict("records")
    assert a["power"] == 0 and a["verdict"] == "uninformative" and a["measured_over"] == "prior worlds"
    assert b["measured_over"] == "posterior" and b["measured_median"] == 0.97 and math.isnan(b["power"])
    assert "power 0" in lines(table)[0]
    (tmp_path / "validation.md").write_text("# report\n", encoding="utf-8")
    write(table, 5, [tmp_path])
    assert "Discriminating power" in (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert (tmp_path / "power.csv").is_file()


def test_linping_f11_checks_can_run_in_a_prior_world():
    """F11's power: its checks have world-aware forms; a world's staffing lies in the spec's prior
    bounds and is fixed by the world and the seed (no model run here: a Linping run is slow)."""
    from townsim.experiments.core.power import WORLD_CHECKS
    from townsim.experiments.workflows.calibrate.spec import load_spec
    from townsim.experiments.workflows.validate import f11_power

    assert {f"linping_f11_{k}" for k in ("on_time_rate", "on_time_rate_tier1")} <= set(WORLD_CHECKS)
    spec = load_spec(f11_power.SPEC)
    w1, w2 = prior_worlds(2, seed=9)
    s1 = f11_power._staffing(spec, w1, 0)
    assert s1 == f11_power._staffing(spec, w1, 0) and s1 != f11_power._staffing(spec, w2, 0)
    for p in spec.priors:
        assert p.low <= s1[p.name] <= p.high
