"""Invariants: cases created = closed + open at every step; Little's law on the backlog.

Defined once in experiments/checks/queueing.py (``conservation``, ``littles_law``)."""

from checks_cache import explain, group, quick


@group("conservation")
def test_created_equals_closed_plus_open_every_day():
    r = quick("conservation")
    assert r.passed and r.measured == 0, explain(r)


@group("littles_law")
def test_littles_law_over_a_long_stationary_run():
    """L = λ·W, with L the time-averaged backlog (``backlog_mean``; day-end snapshots of
    ``backlog`` are biased by the intra-day pattern: duties first, part-time staff last)."""
    r = quick("littles_law")
    assert r.passed, explain(r)
