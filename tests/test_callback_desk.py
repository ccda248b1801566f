"""The call-back desk (``callback``, ODD §7.17): its hours cap the call-backs made; off by default, the
same on both engines, and a starved desk lets deadline gaming return."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import suite_engine

from townsim.experiments.checks.incentives import CALLBACKS
from townsim.experiments.core.assumptions import assumptions
from townsim.model import Params, TownshipModel, callback, kernel
from townsim.model.params import off_fields

DAYS = 100
STARVED = 0.05  # posts: 3 call-backs a day against about 25 drawn


def _run(posts: float, seed: int, days: int = DAYS, **kw) -> TownshipModel:
    """A run on the suite's engine (``conftest.suite_engine``): this module picks its engines itself only to
    compare them (the last test: bit-identical with a binding desk), and the compiled engine makes the 12
    runs of 100 days of the gaming test at a fraction of the Python reference's CPU."""
    with kernel.engine_for_every_model(suite_engine()):
        return TownshipModel(Params(**{**CALLBACKS, **kw, "callback_desk_posts": posts}), rng=seed).run(days)


def test_the_desk_is_off_by_default_and_its_minutes_never_drawn():
    assert Params().callback_desk_posts == 0.0
    assert off_fields()["callback_desk_posts"] == 0.0
    names = {a.name for a in assumptions()}
    assert "callback_minutes" not in names and "callback_desk_posts" not in names
    assert callback.daily_budget(Params()) == 0.0
    assert callback.daily_budget(Params(callback_desk_posts=1.0, callback_minutes=8.0)) == 60.0


def test_the_desk_makes_call_backs_in_closing_order_until_its_day_is_spent():
    desk = callback.new_desk()
    made = [callback.take(desk, t, 2.5) for t in (8.1, 9.0, 10.0, 15.9)]  # day 1: room for two
    assert made == [True, True, False, False]
    assert callback.today(desk, 1) == (2, 2)
    assert callback.take(desk, 16.0, 2.5)  # a new day, a new budget
    assert callback.today(desk, 2) == (1, 0) and callback.today(desk, 1) == (0, 0)
    assert all(callback.take(desk, 17.0, 0.0) for _ in range(100))  # no desk: every call-back made


def test_ample_posts_are_todays_free_call_backs():
    for seed in (1, 2):
        free, ample = _run(0.0, seed), _run(1000.0, seed)
        assert np.array_equal(free.cases.view("called_back"), ample.cases.view("called_back"))
        assert np.array_equal(free.cases.view("gamed"), ample.cases.view("gamed"))
        a, b = free.summary(), ample.summary()
        assert a["callback_made_share"] == b["callback_made_share"] == 1.0
        assert math.isnan(a["callback_desk_utilisation"]) and 0 < b["callback_desk_utilisation"] < 0.01
        assert (
            a["callbacks_made"] == b["callbacks_made"] > 0 and a["callbacks_not_made"] == b["callbacks_not_made"] == 0
        )


def test_a_starved_desk_lets_deadline_gaming_return():
    """Paired seeds: gamed closures with a desk of 0.05 posts against free call-backs rise by more than 100
    at the lower end of a 3-SE interval (measured: 33 → 980 a run, +945 ± 128 SE over 8 seeds), and the
    desk works at its budget."""
    seeds = range(6)
    free = np.array([_run(0.0, s).summary()["gamed_closures"] for s in seeds])
    starved = [_run(STARVED, s).summary() for s in seeds]
    diff = np.array([s["gamed_closures"] for s in starved]) - free
    assert diff.mean() - 3 * diff.std(ddof=1) / math.sqrt(len(diff)) > 100
    assert all(s["callback_made_share"] < 0.2 and s["callback_desk_utilisation"] > 0.9 for s in starved)


def test_daily_and_run_counts_agree():
    m = _run(STARVED, 3, 30)
    ts, s = m.timeseries(), m.summary()
    for k in ("callbacks_made", "callbacks_not_made"):
        assert ts[k].sum() == s[k]
    assert (ts["callbacks_made"] <= callback.daily_budget(m.params)).all()


def test_both_engines_are_bit_identical_with_a_binding_desk():
    pytest.importorskip("numba")
    from test_kernel_differential import _pair, assert_identical  # deferred: it needs numba

    for seed in (1, 2):
        ref, comp = _pair(Params(**{**CALLBACKS, "callback_desk_posts": 0.2}), seed, 40)
        s = ref.summary()
        assert s["callbacks_not_made"] > 0 and s["gamed_closures"] > 0
        assert_identical(ref, comp)
        assert np.array_equal(ref.callback_desk, comp.callback_desk)


def test_the_desks_posts_are_in_the_staff_budget_and_equal_staff_funds_them():
    """Posts that do modelled work are paid: the desk's persons count in ``staff_hours`` and the summary's
    posts, and an equal-staff comparison takes them from the departments (0 posts: the budget as before)."""
    from townsim.model import staffing

    ref = Params(**CALLBACKS)
    desk = Params(**{**CALLBACKS, "callback_desk_posts": 2.0})
    assert staffing.budget(ref)["callback_desk"] == 0.0
    assert staffing.budget(desk)["total"] == pytest.approx(staffing.budget(ref)["total"] + 2.0)
    equal = staffing.equalise_staff(desk, ref)
    assert equal.department_staff == pytest.approx(ref.department_staff - 2.0)
    assert staffing.budget(equal)["total"] == pytest.approx(staffing.budget(ref)["total"])
    with_desk, without = (TownshipModel(p, rng=3).run(5) for p in (desk, ref))
    s, s0 = with_desk.summary(), without.summary()
    assert s["posts_callback_desk"] == 2.0 and s0["posts_callback_desk"] == 0.0
    assert s["staff_posts"] == pytest.approx(s0["staff_posts"] + 2.0)
    paid = with_desk.timeseries()["staff_hours"] - without.timeseries()["staff_hours"]
    assert np.allclose(paid, 2.0 * 8.0)  # 2 persons × 8 h a working day (neither county pays overtime)
