"""Requesters' judgements of a day's closed cases on the compiled engine (``_RowAgent.judge``'s updates).

For each closed case in order: its requester's satisfaction and, by the channel it filed through, its
online or offline memory move towards the case's satisfaction, ``a + α (v − a)`` (``satisfaction.ewma_update``:
the same double arithmetic, a requester with several cases updated in turn); its trips are added.
"""

from __future__ import annotations

from numba import njit

from .leaf import leaf


@leaf
def judge_row(sat, exp_online, exp_offline, trips_total, r, v, trips, online, alpha):
    """Requester row ``r`` judges one closed case (satisfaction ``v``, 0–1; its ``trips``; filed ``online``): its
    satisfaction and the channel's memory move ``a + α (v − a)``, its trips add up."""
    a = sat[r]
    sat[r] = a + alpha * (v - a)
    trips_total[r] += trips
    if online:
        a = exp_online[r]
        exp_online[r] = a + alpha * (v - a)
    else:
        a = exp_offline[r]
        exp_offline[r] = a + alpha * (v - a)


@njit(cache=True)
def judge_rows(sat, exp_online, exp_offline, trips_total, rows, s_case, trips, online, alpha):
    """Update rows ``rows`` of the requesters' arrays from their closed cases (satisfaction ``s_case``, 0–1)."""
    for k in range(len(rows)):
        judge_row(sat, exp_online, exp_offline, trips_total, rows[k], s_case[k], trips[k], online[k], alpha)


@njit(cache=True)
def life_cycle_rows(stage, sat, u, v, p_grow, p_mature, base, sens, threshold, stages, alive, exits):
    """``feedback.enterprise_life_cycle``'s stage moves and exits in one pass over the enterprises' rows, from
    its two uniform draws per row (``u``: growing, ``v``: exiting): a start-up grows when ``u < p_grow``, a
    growing firm matures when ``u < p_mature`` (read from the stages before the moves), a live firm exits when
    ``v < base + sens · max(0, threshold − satisfaction)`` (the same double arithmetic as the array
    expressions). ``stages``: start-up, growth, mature, exited codes. Fills ``alive`` (after the exits) and
    ``exits`` (ascending); returns the number of exits."""
    k = 0
    for i in range(stage.shape[0]):
        live = life_cycle_row(stage, sat, i, u[i], v[i], p_grow, p_mature, base, sens, threshold, stages)
        if live == 2:
            exits[k] = i
            k += 1
        alive[i] = live == 1
    return k


@njit(cache=True, inline="always")
def life_cycle_row(stage, sat, i, u, v, p_grow, p_mature, base, sens, threshold, stages):
    """Row ``i``'s day in :func:`life_cycle_rows` from its uniforms ``u`` (growing) and ``v`` (exiting): the stage
    moved in place; returns 1 for a firm live after the day, 2 for one exiting today, 0 for one exited before."""
    startup, growth, mature, exited = stages[0], stages[1], stages[2], stages[3]
    s = stage[i]
    live = s < exited
    if s == startup and u < p_grow:
        stage[i] = growth
    elif s == growth and u < p_mature:
        stage[i] = mature
    d = threshold - sat[i]
    if d < 0.0:  # np.maximum(0.0, d): a NaN stays NaN
        d = 0.0
    if live and v < base + sens * d:
        stage[i] = exited
        return 2
    return 1 if live else 0
