"""The compiled engine's intake (channel and errand draws in one call, channels made in the routing kernel,
kept refer-up chances) makes the cases the Python engine makes, at the channel levers' edges too."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, TownshipModel  # noqa: E402
from townsim.model.cases import FIELDS  # noqa: E402
from townsim.model.kernel import PLAIN  # noqa: E402


def _runs(changes: dict, seed: int, days: int = 25) -> tuple[TownshipModel, TownshipModel]:
    p = Params(**{**SMALL_COUNTY, **PLAIN, **changes})
    ref = TownshipModel(p.replace(engine="python"), rng=seed).run(days)
    comp = TownshipModel(p.replace(engine="compiled"), rng=seed).run(days)
    assert comp.compiled, comp.engine_reason
    return ref, comp


def _assert_same_cases(ref: TownshipModel, comp: TownshipModel) -> None:
    assert ref.cases.n == comp.cases.n
    for f in FIELDS:
        a, b = ref.cases.view(f), comp.cases.view(f)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f"case field {f} differs"
    assert ref.rng.bit_generator.state == comp.rng.bit_generator.state  # the same draws, in the same order


@pytest.mark.parametrize(
    "changes",
    [
        dict(online_share=1.0, township_hall_share=0.0),  # everyone online; offline nobody would use a hall
        dict(online_share=0.2, township_hall_share=1.0, commissioners=3),  # offline always at the hall; errands
        dict(online_share=0.3, channel_experience_slope=2.0, channel_travel_slope=0.8, enquiry_share=0.3),
    ],
    ids=["all-online", "all-hall-errands", "slopes-enquiries"],
)
def test_channels_at_the_levers_edges_are_bit_identical(changes):
    ref, comp = _runs(changes, 3)
    _assert_same_cases(ref, comp)
    channel = comp.cases.view("channel")
    if changes["online_share"] == 1.0:
        assert (channel == 0).all()
    else:
        assert len(np.unique(channel)) >= 2


def test_refer_up_with_kept_chances_is_bit_identical():
    """Townships refer delegated cases up while their competence grows (the kept chances follow it)."""
    changes = dict(refer_up_rate=0.8, delegated_share=0.5, initial_competence=0.2, learning_cases=20.0)
    ref, comp = _runs(changes, 5, 40)
    _assert_same_cases(ref, comp)
    referred_up = comp.cases.view("referred") & ~comp.cases.view("delegated")
    assert referred_up.any()
