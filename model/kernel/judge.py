"""Requesters' judgements of a day's closed cases on the compiled engine (``_RowAgent.judge``'s updates).

For each closed case in order: its requester's satisfaction and, by the channel it filed through, its
online or offline memory move towards the case's satisfaction, ``a + α (v − a)`` (``satisfaction.ewma_update``:
the same double arithmetic, a requester with several cases updated in turn); its trips are added.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def judge_rows(sat, exp_online, exp_offline, trips_total, rows, s_case, trips, online, alpha):
    """Update rows ``rows`` of the requesters' arrays from their closed cases (satisfaction ``s_case``, 0–1)."""
    for k in range(len(rows)):
        r = rows[k]
        v = s_case[k]
        a = sat[r]
        sat[r] = a + alpha * (v - a)
        trips_total[r] += trips[k]
        if online[k]:
            a = exp_online[r]
            exp_online[r] = a + alpha * (v - a)
        else:
            a = exp_offline[r]
            exp_offline[r] = a + alpha * (v - a)
