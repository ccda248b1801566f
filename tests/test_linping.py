"""The `linping` scenario reproduces Linping's published performance (F5, F11) — and only with its staffing."""

from __future__ import annotations

import csv
import math

import pytest

from townsim.model import TownshipModel
from townsim.model.catalogue import DISPUTE_KINDS, ENQUIRY, ENTERPRISE_CATEGORIES, LOCAL_PROBLEMS, load_csv
from townsim.scenarios import SCENARIO_DIR, apply_overrides, load_scenario

YEAR = 250  # working days


@pytest.fixture(scope="module")
def linping():
    return load_scenario("linping")


@pytest.fixture(scope="module")
def year_summary(linping):
    # Cost follows requests (~1,400 a day), not residents; 5,000 residents per agent keeps set-up small.
    params = apply_overrides(linping.params, ["residents_per_agent=5000"])
    return TownshipModel(params, rng=1).run(YEAR).summary()


def test_catalogue_has_the_centres_425_products_in_9_categories(linping):
    path = linping.params.matter_catalogue
    assert path.endswith("linping_matters.csv") and (SCENARIO_DIR / "linping_matters.csv").exists()
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ent = [r for r in rows if r["requester"] == "enterprise"]
    assert len(ent) == 425  # F3: first batch of 425 products
    assert {r["category"] for r in ent} == set(ENTERPRISE_CATEGORIES)  # F3: 9 categories (+ property/tax)
    for kind in ("enterprise", "citizen"):  # weights are relative within a requester kind
        prop = [r for r in rows if r["category"] == "property" and r["requester"] == kind]
        simple = [float(r["weight"]) for r in prop if r["difficulty"] == "simple"]
        complex_ = [float(r["weight"]) for r in prop if r["difficulty"] == "complex"]
        assert simple and complex_ and min(simple) > max(complex_)  # F5: simple = high-frequency
    cat = load_csv(path, linping.params)  # the model's loader accepts it
    # the centre's products, in the file's order, then the township's own kinds (disputes, local problems)
    # and the enquiry row
    assert list(cat.name[: len(rows)]) == [r["name"] for r in rows]
    assert list(cat.name[len(rows) :]) == [*DISPUTE_KINDS, *LOCAL_PROBLEMS, ENQUIRY]
    assert cat.departments.max() < linping.params.departments  # F2: 23 departments


@pytest.mark.slow  # one working year of ~350,000 cases: about 8 s of CPU
def test_one_year_meets_f5(year_summary):
    s = year_summary
    assert s["cases_created"] > 250_000  # ~1,400 requests a working day for 1.18 M residents + enterprises
    assert s["property_simple_within_1h_share"] >= 0.90, s["property_simple_within_1h_share"]  # F5
    assert s["property_complex_within_8h_share"] >= 0.90, s["property_complex_within_8h_share"]  # F5
    # F11 (the 135 deadlines) is held out of Linping's calibration: its verdict over the posterior, with
    # its discriminating power, is docs/validation.md's (tests/test_validate.py holds the verdict), not
    # asserted here. On the model of issue 19 this one-year run meets F11 overall, tier 1 and tier 3
    # but misses tier 5 (93.5 %, docs/calibration.md): a finding, not a target to tune the conference to.
    assert s["on_time_rate"] >= 0.95, s["on_time_rate"]  # F11 overall: the run is not broken
    assert s["department_utilisation"] < 0.9  # the calibrated staff is not idle, not saturated
    assert s["department_utilisation"] > 0.4


def test_calibration_is_not_vacuous_half_the_staff_fails(linping):
    """With half the calibrated window staff the same county misses the published figures."""
    params = apply_overrides(
        linping.params, ["residents_per_agent=5000", f"department_staff={linping.params.department_staff / 2}"]
    )
    s = TownshipModel(params, rng=1).run(20).summary()
    assert s["on_time_rate"] < 0.9 and not math.isnan(s["on_time_rate"])
    assert s["property_simple_within_1h_share"] < 0.9
