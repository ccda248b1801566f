"""Invariants: cases created = closed + open at every step; Little's law on the backlog."""

import numpy as np

from townsim.model import Params, TownshipModel


def test_created_equals_closed_plus_open_every_day():
    p = Params(residents=40_000, enterprises=500, escalation_135=True, chief_representatives=4,
               delegated_share=0.5, grid_coverage=0.3, one_stop_centre=True, joint_handling=True)
    m = TownshipModel(p, rng=5)
    created = closed = 0
    for _ in range(40):
        m.step()
        row = m.kpi_today
        created += row["cases_created"]
        closed += row["cases_closed"]
        assert created == m.cases.n
        assert created == closed + row["backlog"]
        assert int(np.isnan(m.cases.view("closed")).sum()) == row["backlog"]


def test_littles_law_over_a_long_stationary_run():
    """L = λ·W, with L the time-averaged backlog (``backlog_mean``; day-end snapshots of
    ``backlog`` are biased by the intra-day pattern: duties first, part-time staff last)."""
    p = Params(residents=60_000, enterprises=800, department_staff=40.0)
    m = TownshipModel(p, rng=8)
    days, warm = 400, 50
    m.run(days)
    df = m.datacollector.get_model_vars_dataframe()
    c = m.cases
    created, closed = c.view("created"), c.view("closed")
    window = (created >= warm * 8) & (created < (days - 20) * 8)
    assert not np.isnan(closed[window]).any()  # every case in the window has closed
    lam = window.sum() / (days - 20 - warm)
    W = ((closed - created)[window] / 8).mean()
    L = df["backlog_mean"].iloc[warm:days - 20].mean()
    assert abs(L - lam * W) / L < 0.05, (L, lam * W)
    # the day-end snapshot is a different statistic, but of the same size
    assert 0.5 < df["backlog"].iloc[warm:].mean() / L < 1.5
