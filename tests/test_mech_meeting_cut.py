"""The example lever of docs/architecture.md: ``meeting_document_cut`` (P2's cut of meetings and documents).

Effect: with a heavy upward load (P1's 66 h a week) and delegated cases, cutting half the meetings
and documents frees township hours, which go to residents (the township's service share rises and
its open cases fall). Counterfactuals: at 0 the lever does nothing (bit-identical runs), and with
no upward duties (``inspection_hours_per_week`` = 0) there is nothing to cut, so it does nothing either.
"""

from __future__ import annotations

import pytest
from helpers import paired_ci, replicate, small

from townsim.model import TownshipModel
from townsim.model.inspection import MEETING_DOCUMENT_SHARE

HEAVY = dict(delegated_share=0.5, inspection_hours_per_week=66.0)
NONE = dict(HEAVY, inspection_hours_per_week=0.0)


def test_cutting_meetings_and_documents_moves_township_hours_to_residents():
    base = small(**HEAVY)
    cut = base.replace(meeting_document_cut=0.5)
    a = replicate(base, "township_service_share", reps=5, days=40)
    b = replicate(cut, "township_service_share", reps=5, days=40)
    mean, lo, hi = paired_ci(a, b)
    assert lo > 0, (mean, lo, hi)  # more of the townships' hours serve residents
    hours = replicate(cut, "inspection_hours", reps=1, days=5)
    assert hours[0] == pytest.approx(66.0 * (1 - 0.5 * MEETING_DOCUMENT_SHARE))


@pytest.mark.parametrize(
    "base, changed",
    [
        (dict(HEAVY), dict(HEAVY, meeting_document_cut=0.0)),  # the lever off: the default
        (NONE, dict(NONE, meeting_document_cut=1.0)),  # no upward duties: nothing to cut
    ],
    ids=["off", "nothing-to-cut"],
)
def test_no_cause_no_effect(base, changed):
    runs = [TownshipModel(small(**v), rng=3).run(30) for v in (base, changed)]
    assert runs[0].summary() == runs[1].summary()
