"""The day's one kernel call: intake's batch, the day's start, then the event loop to the day's end."""

from __future__ import annotations

from numba import njit

from ..cases import LAYOUT
from .coordination import hold_meeting
from .flows import submit_batch
from .layout import CTR_STATUS, OK
from .loop import run_until
from .rawrng import generator
from .servers import start_day

# each case column's (block, row) in ``CaseTable.blocks`` that the day's loop reads or writes (constants to numba)
_MATTER_B, _MATTER_R = LAYOUT["matter"]
_TOWNSHIP_B, _TOWNSHIP_R = LAYOUT["township"]
_AT_SEAT_B, _AT_SEAT_R = LAYOUT["at_seat"]
_DELEGATED_B, _DELEGATED_R = LAYOUT["delegated"]
_OUTSTANDING_B, _OUTSTANDING_R = LAYOUT["outstanding"]
_STARTED_B, _STARTED_R = LAYOUT["started"]
_CLOSED_B, _CLOSED_R = LAYOUT["closed"]
_TRIPS_B, _TRIPS_R = LAYOUT["trips"]
_SEAT_TRIPS_B, _SEAT_TRIPS_R = LAYOUT["seat_trips"]
_TRAVEL_B, _TRAVEL_R = LAYOUT["travel"]
_RESOLVED_B, _RESOLVED_R = LAYOUT["resolved"]
_CALLED_BACK_B, _CALLED_BACK_R = LAYOUT["called_back"]
_WORK_SHARE_B, _WORK_SHARE_R = LAYOUT["work_share"]
_JOINT_B, _JOINT_R = LAYOUT["joint"]
_CREATED_B, _CREATED_R = LAYOUT["created"]
_REFERRED_B, _REFERRED_R = LAYOUT["referred"]
_HOP_CLERK_B, _HOP_CLERK_R = LAYOUT["hop_clerk"]
_HOP_COURIER_B, _HOP_COURIER_R = LAYOUT["hop_courier"]
_MISROUTED_B, _MISROUTED_R = LAYOUT["misrouted"]
_HOP_MISROUTED_B, _HOP_MISROUTED_R = LAYOUT["hop_misrouted"]
_REWORKS_B, _REWORKS_R = LAYOUT["reworks"]
_ONLINE_B, _ONLINE_R = LAYOUT["online"]


@njit(cache=True)
def case_columns(blocks, rest):
    """The case table's columns as ``loop.run_until`` takes them (``cs``: four groups, from the flow's columns to
    the counts), read as rows of the table's blocks (``CaseTable.blocks``: the same arrays the columns view), with
    ``rest``: the grid workers' mediation hours, the townships' handled counts and the catalogue's owners."""
    grid_hours, handled, cat_owner = rest
    return (
        (
            blocks[_MATTER_B][_MATTER_R],
            blocks[_TOWNSHIP_B][_TOWNSHIP_R],
            blocks[_AT_SEAT_B][_AT_SEAT_R],
            blocks[_DELEGATED_B][_DELEGATED_R],
            blocks[_OUTSTANDING_B][_OUTSTANDING_R],
            blocks[_STARTED_B][_STARTED_R],
            blocks[_CLOSED_B][_CLOSED_R],
            blocks[_TRIPS_B][_TRIPS_R],
            blocks[_SEAT_TRIPS_B][_SEAT_TRIPS_R],
            blocks[_TRAVEL_B][_TRAVEL_R],
        ),
        (
            blocks[_RESOLVED_B][_RESOLVED_R],
            blocks[_CALLED_BACK_B][_CALLED_BACK_R],
            blocks[_WORK_SHARE_B][_WORK_SHARE_R],
            blocks[_JOINT_B][_JOINT_R],
        ),
        (
            blocks[_CREATED_B][_CREATED_R],
            blocks[_REFERRED_B][_REFERRED_R],
            blocks[_HOP_CLERK_B][_HOP_CLERK_R],
            blocks[_HOP_COURIER_B][_HOP_COURIER_R],
            blocks[_MISROUTED_B][_MISROUTED_R],
            blocks[_HOP_MISROUTED_B][_HOP_MISROUTED_R],
            grid_hours,
        ),
        (blocks[_REWORKS_B][_REWORKS_R], blocks[_ONLINE_B][_ONLINE_R], handled, cat_owner),
    )


@njit(cache=True)
def work_day(
    day,
    t_end,
    now,
    ids,
    times,
    fwd,
    intake,
    hf,
    hi,
    srv,
    tk,
    fl,
    blocks,
    cat,
    travel_hours,
    pf,
    addrs,
    rb,
    logs,
    evt,
    evi,
    ctr,
    hq,
    ent,
    esc,
    meet,
):
    """A working day in one call: intake's batch of new cases (``submit_batch``; none when ``ids`` is empty), the
    joint conference's meeting (``coordination.hold_meeting``; none when ``meet``'s time is NaN), ``start_day``
    (skipped when ``day < 0``), then ``run_until(t_end)``. ``blocks``: the case table's blocks and
    the rest of ``run_until``'s case columns (:func:`case_columns`: a few arrays to hand over, not twenty-five).
    Returns the event heap's and the queues' (maybe grown) arrays."""
    rng = generator(addrs)  # the model's Generator, from its addresses (``rawrng``: no unboxing a call)
    cs = case_columns(blocks[0], blocks[1])
    if ids.shape[0] > 0:
        evt, evi = submit_batch(ids, times, fwd, intake, hi, tk, fl, pf, rng, rb, evt, evi, ctr, esc, hf)
        if ctr[CTR_STATUS] != OK:
            return evt, evi, hq
    if meet[0][0] == meet[0][0]:  # (not NaN) the joint conference meets, as ``escalation.hold_conference``
        hq, evt, evi = hold_meeting(meet, hf, hq, hi, ent, tk, fl, pf, rng, rb, evt, evi, ctr, esc, intake, logs[5])
    if day >= 0:
        s_status, s_token, s_free, s_pend, s_base, s_idle = srv
        evt, evi = start_day(day, hf, hi, s_status, s_token, s_free, s_pend, s_base, s_idle, evt, evi, ctr)
    return run_until(
        t_end, now, hf, hi, srv, tk, fl, cs, cat, travel_hours, pf, rng, rb, logs, evt, evi, ctr, intake, hq, ent, esc
    )
