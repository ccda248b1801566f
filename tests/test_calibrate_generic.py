"""The generic county's calibration (P7 targets) and its held-out checks (P8, P9) at the posterior."""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pandas as pd
import pytest

from townsim.experiments.core.assumptions import assumptions
from townsim.experiments.core.power import WORLD_CHECKS
from townsim.experiments.workflows.calibrate.abc import (
    COUNTY_SIZES,
    fingerprint,
    other_assumptions,
    with_other_assumptions,
)
from townsim.experiments.workflows.calibrate.spec import load_spec, parse_spec
from townsim.experiments.workflows.validate import generic
from townsim.experiments.workflows.validate.suite import load_checks


def _spec(other: str = "drawn"):
    return parse_spec(
        {
            "scenario": "one_stop_135",
            "population_size": 20,
            "max_generations": 1,
            "days": 5,
            "other_assumptions": other,
            "overrides": {"residents_per_agent": 500, "dispute_rate": 1e-4},
            "parameters": {"resolution_base": {"dist": "uniform", "bounds": [0.8, 1.0]}},
            "targets": {"resolution_rate": {"min": 0.9}},
        }
    )


def test_drawn_other_assumptions_are_a_seeded_world_inside_the_ranges():
    """Each simulation draws the uncalibrated assumptions from their ranges by its seed: the same seed
    gives the same world, another seed another; calibrated, fixed and county-size values are never drawn."""
    spec = _spec()
    names = {a.name for a in other_assumptions(spec)}
    assert names and not names & {"resolution_base", "residents_per_agent", "dispute_rate", *COUNTY_SIZES}
    base = spec.model_params.replace(resolution_base=0.93)
    a, b, c = (with_other_assumptions(spec, base, s) for s in (1, 1, 2))
    assert a == b and a != c
    assert a.resolution_base == 0.93 and a.dispute_rate == 1e-4 and a.enterprises == base.enterprises
    for x in other_assumptions(spec):
        v = getattr(a, x.name)
        if x.factor:
            ratio = np.asarray(v, float) / np.asarray(getattr(base, x.name), float)
            assert np.allclose(ratio, ratio[0]) and x.low - 1e-9 <= ratio[0] <= x.high + 1e-9, x.name
        else:
            assert x.low - 1e-9 <= v <= x.high + 1e-9, x.name


def test_default_keeps_the_scenario_values_and_the_old_fingerprint():
    """``other_assumptions = "defaults"`` changes nothing (the Linping posterior stays current)."""
    spec = _spec("defaults")
    assert other_assumptions(spec) == [] and with_other_assumptions(spec, spec.model_params, 7) is spec.model_params
    assert fingerprint(spec) != fingerprint(_spec("drawn"))


def test_generic_spec_targets_p7_levels_with_priors_from_the_ranges():
    """Targets fixed before the run: P7's levels after the reform (one_stop_135); the calibrated priors
    are the declared plausible ranges (not re-chosen); at most ten; the rest drawn from their ranges."""
    spec = load_spec(generic.SPEC)
    declared = {a.name: a for a in assumptions()}
    assert spec.scenario == "one_stop_135" and spec.other_assumptions == "drawn"
    assert 0 < len(spec.priors) <= 10
    for p in spec.priors:
        a = declared[p.name]
        assert (p.low, p.high) == (a.low, a.high) and (p.param.dist == "logunif") == (a.dist == "loguniform"), p.name
    assert {t.name for t in spec.targets} == {"resolution_rate", "citizen_satisfaction"}
    assert all(t.kind == "min" for t in spec.targets)


def test_held_out_checks_are_validation_checks_from_two_sources_that_run_in_a_world():
    checks = load_checks()
    for name in generic.CHECKS:
        c = checks[name]
        assert c.part == "validation" and "held out" in c.source and name in WORLD_CHECKS
    assert {checks[n].source.split()[0] for n in generic.CHECKS} == {"P8", "P9"}


@pytest.mark.parametrize(
    ("name", "value", "passed"),
    [
        ("generic_p8_grid_share", 0.09, False),
        ("generic_p8_grid_share", 0.30, True),
        ("generic_p8_grid_share", 0.55, False),
        ("generic_p8_on_time", 0.89, False),
        ("generic_p8_on_time", 0.91, True),
        ("generic_p9_mediation_success", 0.85, False),
        ("generic_p9_mediation_success", 0.95, True),
    ],
)
def test_criteria_read_the_published_figures(name, value, passed):
    res = generic._result(name, np.array([value, value]), None, 2, {})
    assert res.passed is passed and res.measured == pytest.approx(value)


def test_petition_fall_is_pooled_and_unmeasurable_without_petitions():
    runs = {
        "baseline": [{"petitions": 10.0}, {"petitions": 0.0}],
        "grid_governance": [{"petitions": 4.0}, {"petitions": 1.0}],
    }
    fall = generic._pooled_fall(runs.__getitem__)
    assert fall == pytest.approx(0.5)
    x = generic._petition_fall(runs.__getitem__)
    assert x[0] == pytest.approx(0.6) and math.isnan(x[1])
    none = {"baseline": [{"petitions": 0.0}], "grid_governance": [{"petitions": 0.0}]}
    res = generic._result(
        "generic_p9_petition_fall",
        generic._petition_fall(none.__getitem__),
        generic._pooled_fall(none.__getitem__),
        1,
        {},
    )
    assert not res.passed and res.details["measurable"] is False


def test_p9_petition_fall_goes_away_without_its_cause(monkeypatch):
    """Counterfactual in a world: with the status quo in place of grid governance (no grid, no app
    reports, the status quo's mediation) petitions do not fall and the check fails; with it they fall."""
    world = {"dispute_rate": 1.5e-4}
    with_cause = WORLD_CHECKS["generic_p9_petition_fall"](world, 1, 5)
    real = generic._scenario_params
    monkeypatch.setattr(generic, "_scenario_params", lambda sc: real("baseline"))
    generic._in_world.cache_clear()
    try:
        without = WORLD_CHECKS["generic_p9_petition_fall"](world, 1, 5)
    finally:
        generic._in_world.cache_clear()
    assert without.measured == pytest.approx(0.0) and not without.passed
    assert with_cause.measured > 0.2


def test_shipped_generic_posterior_was_made_on_this_model_and_spec():
    """The held-out checks, `compare --posterior` and `robust --posterior` read it: after a model or spec
    change it must be remade (docs/calibration.md), not silently go stale."""
    meta = json.loads(generic.POSTERIOR.with_suffix(".json").read_text(encoding="utf-8"))
    post = pd.read_parquet(generic.POSTERIOR)
    assert list(post.columns) == [*meta["parameters"], "weight"] and post.weight.sum() == pytest.approx(1.0)
    assert generic.posterior_is_current(), (
        "scenarios/posteriors/generic.parquet is stale: run `townsim calibrate generic` and copy its "
        "posterior.parquet and spec.json there (docs/calibration.md)"
    )


def test_generic_posterior_is_accepted_for_every_generic_county_scenario():
    """`compare --posterior` and `robust --posterior` read it: its columns are model parameters and it was
    made for the county of the shipped generic scenarios (no --force needed)."""
    from townsim.experiments.core.posterior import check_county, load_posterior
    from townsim.scenarios import load_scenario

    post = load_posterior(generic.POSTERIOR)
    assert post.scenario == "one_stop_135" and set(post.names) == set(load_spec(generic.SPEC).names)
    for sc in ("baseline", "one_stop_135", "full_reform", "grid_governance"):
        assert check_county(post, load_scenario(sc).params) == [], sc


@functools.cache
def _full(name: str):
    """The check's full result (cached: the four checks share one set of posterior runs per process)."""
    return load_checks()[name].run(quick=False)


SHARED = pytest.mark.xdist_group("generic_posterior")
"""The four held-out checks share one set of posterior runs (cached per process): one worker."""


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=SHARED) for n in generic.CHECKS])
def test_held_out_check_gives_the_verdict_validation_md_states(name):
    """Each held-out check's full run at the posterior (the draws and seeds the page was made with) gives
    the verdict docs/validation.md states, so a model or posterior change that turns a held-out figure from
    met to missed (or back) fails here until the page is regenerated (`townsim validate --docs`) and says
    so. The full run, not the quick one: two of these figures sit at their thresholds, where 6 draws of a
    posterior with an effective sample size of 3 and the page's 24 draws can disagree."""
    import re
    from pathlib import Path

    r = _full(name)
    text = (Path(__file__).resolve().parents[1] / "docs" / "validation.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| `{re.escape(name)}` \|.*\| (pass|\*\*FAIL\*\*) \|[^|]*\|$", text, flags=re.M)
    stated = None if row is None else row.group(1) == "pass"
    assert r.details["measurable"] and len(r.details["values"]) == load_checks()[name].full_reps
    assert stated is not None, f"docs/validation.md does not report {name}: run townsim validate --docs"
    assert r.passed == stated, f"docs/validation.md says {'pass' if stated else 'FAIL'}; measured {r.measured:.4g}"


@pytest.mark.slow
def test_a_log_uniform_rate_beside_a_count_recovers_its_known_posterior(tmp_path):
    """ABC works on the logarithm of a log-uniform parameter: a rate near 1e-3 beside a count near 500
    (the kernel's covariance in model units would be singular, the weights NaN) gives the known
    posterior log(rate) ~ N(y₁, 1), count/100 ~ N(y₂, 1): median within 0.3 sd; 90 % width between
    0.85 × the exact one and 1.15 × the exact one widened by the final radius ε (variance 1 + ε²/3)."""
    import textwrap

    from townsim.experiments.workflows.calibrate import calibrate
    from townsim.experiments.workflows.calibrate.abc import weighted_quantile

    y1, y2 = math.log(1e-3), 5.0
    path = tmp_path / "rate.toml"
    path.write_text(
        textwrap.dedent(f"""\
        evaluate = "townsim.experiments.workflows.calibrate.testproblems:rate_and_count"
        population_size = 500
        max_generations = 6
        seed = 5
        predictive_draws = 4
        [parameters]
        rate = {{dist = "logunif", bounds = [1e-8, 1e2]}}
        count = {{dist = "uniform", bounds = [-500, 1500]}}
        [targets]
        log_rate = {{value = {y1}, scale = 1}}
        count_100 = {{value = {y2}, scale = 1}}
        """)
    )
    out = tmp_path / "out"
    calibrate(load_spec(path), out)
    post = pd.read_parquet(out / "posterior.parquet")
    w = post.weight.to_numpy()
    assert np.isfinite(w).all() and post.rate.between(1e-8, 1e2).all()
    eps = float(pd.read_csv(out / "generations.csv").epsilon.iloc[-1])
    exact = 2 * 1.6449  # 90 % width of N(y, 1)
    abc = exact * math.sqrt(1 + eps**2 / 3)  # an acceptance radius eps widens each marginal at most so
    for x, y in ((np.log(post.rate.to_numpy()), y1), (post["count"].to_numpy() / 100, y2)):
        q05, q50, q95 = weighted_quantile(x, w, [0.05, 0.5, 0.95])
        assert abs(q50 - y) < 0.3, (q50, y)
        assert 0.85 * exact < q95 - q05 < 1.15 * abc, (q05, q95, eps)
