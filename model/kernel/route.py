"""Intake's routing rules for a batch of new cases in one pass, written into the case table (compiled engine).

``intake.admit``'s array expressions after the requesters' channels, the commissioners' errands and the
townships' refer-up decisions (which draw, and stay Python): the tier and its deadline, the starting
escalation level, who holds the case, hall or seat, the forwarding hop, the enquiries' receivers, the
desk decisions and the whistle, case by case with the same integer logic and double arithmetic.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..cases import HALL
from ..catalogue import ENTERPRISE, SIMPLE, Tier
from ..params import HOURS_PER_DAY

# enterprise, hall, simple, tier 1, tier 3 codes and a working day's hours, as ``route_rows`` reads them
ROUTE_CONSTS = (int(ENTERPRISE), int(HALL), int(SIMPLE), int(Tier.TIER1), int(Tier.TIER3), float(HOURS_PER_DAY))

# the case table's columns, in the order ``route_rows`` writes them (``CompiledEngine.route``)
COLUMNS = (
    "requester_kind",
    "requester",
    "township",
    "matter",
    "tier",
    "difficulty",
    "onset",
    "created",
    "deadline",
    "level",
    "start_level",
    "online",
    "trips",
    "seat_trips",
    "travel",
    "at_seat",
    "referred",
    "errand",
    "desk_decided",
    "enquiry",
    "subject",
    "receiver",
    "needs_coord",
    "whistle",
    "joint",
    "delegated",
    "outstanding",
    "channel",
    "source",
    "repeat_of",
)


@njit(cache=True)
def route_rows(n0, batch, cat, held_by_town, flags, hids, consts, cols):
    """Rows ``n0 …`` of the case table from the batch's arrays ``batch`` (kind, requester, township, matter,
    subject, channel, online, errand, delegated after refer-up, enquiry, created, onset, source, repeat_of).
    ``cat``: the catalogue's tier, starting level, departments, owner and difficulty per matter, the tier
    deadlines (days) and each township's travel hours to the seat; ``held_by_town``: the matter types
    delegated to townships; ``flags``: the 135 rule, enquiries in the batch, desk decisions open, the
    whistle, joint handling; ``hids``: the first township's handler, the level-1 desk's, the commissioners';
    ``consts``: ``ROUTE_CONSTS``; ``cols``: the columns of ``COLUMNS``. Returns the hop flags (forwarded
    files) and the errands, as ``intake.admit`` submits them.

    Over 60 lines: the routing rules in their order, then the thirty columns written (one line each)."""
    kind, requester, township, matter, subject, channel, online, errand, delegated, enquiry, created, onset = batch[:12]
    source, repeat_of = batch[12], batch[13]
    c_tier, c_start, c_ndep, c_owner, c_diff, deadlines, travel_hours = cat
    esc135, ask, desk_ok, whistle_on, joint_on = flags[0], flags[1], flags[2], flags[3], flags[4]
    town0, desk_hid, comm_hid = hids[0], hids[1], hids[2]
    ENTERPRISE, HALL, SIMPLE, TIER1, TIER3, HOURS = consts
    (
        o_kind,
        o_requester,
        o_township,
        o_matter,
        o_tier,
        o_diff,
        o_onset,
        o_created,
        o_deadline,
        o_level,
        o_start,
        o_online,
        o_trips,
        o_seat_trips,
        o_travel,
        o_at_seat,
        o_referred,
        o_errand,
        o_desk,
        o_enquiry,
        o_subject,
        o_receiver,
        o_coord,
        o_whistle,
        o_joint,
        o_delegated,
        o_outstanding,
        o_channel,
        o_source,
        o_repeat_of,
    ) = cols
    n = kind.shape[0]
    hop_out = np.zeros(n, np.bool_)
    errand_out = np.zeros(n, np.bool_)
    for i in range(n):
        r = n0 + i
        m = matter[i]
        s = subject[i]
        tier = c_tier[m]
        coord = tier >= TIER3
        level = 0
        if esc135 and coord:
            level = max(c_start[m], 1)
        n_dep = c_ndep[m]
        owner = c_owner[s]
        dlg = delegated[i]
        on = online[i]
        referred_up = held_by_town[s] and not dlg
        county_held = owner >= 0 and not dlg
        offline = county_held and not on and not referred_up
        at_hall = offline and channel[i] == HALL
        at_seat = offline and not at_hall
        hop = at_hall or referred_up
        err = errand[i]
        receiver = -1
        asks = ask and enquiry[i]
        if asks:  # intake.receivers: whoever received the question answers it
            if dlg or owner < 0 or at_hall:
                receiver = town0 + township[i]
            else:
                receiver = owner
            if err:
                receiver = comm_hid
            hop = False
            err = False
            dlg = False
        desk = (
            desk_ok
            and at_seat
            and kind[i] == ENTERPRISE
            and c_diff[m] == SIMPLE
            and tier == TIER1
            and n_dep == 1
            and not asks
        )
        if desk:
            receiver = desk_hid
        whistle = whistle_on and not county_held and n_dep > 1
        o_kind[r] = kind[i]
        o_requester[r] = requester[i]
        o_township[r] = township[i]
        o_matter[r] = m
        o_tier[r] = tier
        o_diff[r] = c_diff[m]
        o_onset[r] = onset[i]
        o_created[r] = created[i]
        o_deadline[r] = created[i] + deadlines[tier] * HOURS
        o_level[r] = level
        o_start[r] = level
        o_online[r] = on
        o_trips[r] = 0 if on else 1
        o_seat_trips[r] = 1 if at_seat else 0
        o_travel[r] = 2.0 * travel_hours[township[i]] if at_seat else 0.0
        o_at_seat[r] = at_seat
        o_referred[r] = hop
        o_errand[r] = err
        o_desk[r] = desk
        o_enquiry[r] = asks
        o_subject[r] = s if asks else -1
        o_receiver[r] = receiver
        o_coord[r] = coord and not whistle
        o_whistle[r] = whistle
        o_joint[r] = joint_on and n_dep > 1
        o_delegated[r] = dlg
        o_outstanding[r] = n_dep
        o_channel[r] = channel[i]
        o_source[r] = source[i]
        o_repeat_of[r] = repeat_of[i]
        hop_out[i] = hop
        errand_out[i] = err
    return hop_out, errand_out
