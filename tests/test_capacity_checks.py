"""The registered capacity checks (experiments/checks/capacity.py), with their quick replications:
the forwarding hop vanishes with online dispatch, the 135 rule with coordination costed, idle posts
cost and change nothing, the equal-staff cut is pro rata, saturated handlers are flagged, enquiries are
answered where they are asked."""

from __future__ import annotations

import pytest
from checks_cache import explain, group, quick

from townsim.experiments.checks import CHECKS
from townsim.experiments.workflows.validate import load_checks

load_checks()

NAMES = [
    "hop_vanishes_with_online_dispatch",
    "rule135_gain_with_costed_coordination",
    "idle_posts_cost_and_change_nothing",
    "equal_staff_pro_rata",
    "saturated_handlers_flagged",
    "front_line_from_what_the_hall_settles",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=group(n)) for n in NAMES])
def test_check_passes_with_quick_replications(name):
    r = quick(name)
    assert r.replications == CHECKS[name].quick_reps
    assert r.passed, explain(r)


def test_checks_are_registered_as_verification_with_sources():
    for name in NAMES:
        c = CHECKS[name]
        assert c.part == "verification" and c.source and c.claim
        assert 2 <= c.quick_reps <= c.full_reps
