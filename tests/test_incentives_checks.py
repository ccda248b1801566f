"""The registered incentives checks (experiments/checks/incentives.py), with their quick replications.

Each is a counterfactual on common seeds with a 95 % confidence interval; ``townsim validate``
runs the same definitions with their full replications.
"""

from __future__ import annotations

import pytest

from townsim.experiments.checks import (
    CHECKS,
    incentives,  # noqa: F401  (registers the checks)
)

NAMES = [
    "two_way_learning_needs_response",
    "reform_relapse_half_life",
    "deadline_gaming_widens_gap",
    "callbacks_narrow_gap_with_penalty",
    "gaming_buys_no_satisfaction",
    "grid_participation_follows_response",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_check_passes_with_quick_replications(name):
    res = CHECKS[name].run(quick=True)
    assert res.replications == CHECKS[name].quick_reps
    assert res.passed, (res.expected, res.measured, res.ci, res.details)


def test_checks_are_registered_as_verification_with_sources():
    for name in NAMES:
        c = CHECKS[name]
        assert c.part == "verification" and c.source and c.claim
        assert 2 <= c.quick_reps <= c.full_reps
