"""The joint conference's hours charged for a meeting's cases at once (``escalation.charge_conferences``, the
compiled engine's path) equal :func:`escalation.charge_conference` case by case (the Python engine's), bit for
bit: every attendee's duty hours and the model's attendance hours."""

from __future__ import annotations

import pytest

pytest.importorskip("numba")

from townsim.model import TownshipModel, escalation  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402


def _attendees(model) -> list[float]:
    return [d.handler.duty_backlog for d in model.departments] + [h.duty_backlog for h in model.desks]


def test_charges_at_once_equal_case_by_case():
    p = load_scenario("full_reform").params.replace(engine="compiled", conference_case_hours=0.7)
    one, many = TownshipModel(p, rng=3), TownshipModel(p, rng=3)
    for m in (one, many):
        m.run(20)
    cids = list(range(0, one.cases.n, 7)) + [0, 0]  # a case charged twice: the same hours added twice
    n_deps = [len(escalation.departments_of(one, c)) for c in cids]
    assert max(n_deps) >= 2 and min(n_deps) <= 1  # cases with several departments and with one or none
    before = _attendees(one)
    for c in cids:
        escalation.charge_conference(one, c)
    escalation.charge_conferences(many, cids)
    assert _attendees(one) != before  # hours were charged
    assert _attendees(many) == _attendees(one)
    assert many.attendance_hours == one.attendance_hours
