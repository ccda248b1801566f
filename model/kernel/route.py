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

# enterprise, hall, simple, tier 1, tier 3 codes (``ints`` 8–12) and a working day's hours (``reals`` 0)
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


# ``ints``: 0–4 the 135 rule, enquiries in the batch, desk decisions open, the whistle, joint handling (flags);
# 5–7 the first township's handler, the level-1 desk's, the commissioners'; 8–12 the codes of ``ROUTE_CONSTS``;
# 13 the number of tiers (where the travel hours begin in ``reals``, after the hours and the deadlines)


@njit(cache=True)
def route_rows(n0, batch, cat, held_by_town, ints, reals, blocks, where):
    """Rows ``n0 …`` of the case table from the batch's arrays ``batch`` (kind, requester, township, matter,
    subject, channel, online, errand, delegated after refer-up, enquiry, created, onset, source, repeat_of).
    ``cat``: the catalogue's tier, starting level, departments, owner and difficulty per matter, one row
    each; ``held_by_town``: the matter types delegated to townships; ``ints``: the flags, handlers, codes
    and tier count listed above; ``reals``: a working day's hours, the tier deadlines (days, one per tier)
    and each township's travel hours to the seat; ``blocks``: the case table's ``CaseTable.blocks``;
    ``where``: the row of each column of ``COLUMNS`` in its block. Returns the hop flags (forwarded files)
    and the errands, as ``intake.admit`` submits them.

    Over 60 lines: the routing rules in their order, then the thirty columns written (one line each)."""
    kind, requester, township, matter, subject, channel, online, errand, delegated, enquiry, created, onset = batch[:12]
    source, repeat_of = batch[12], batch[13]
    c_tier, c_start, c_ndep, c_owner, c_diff = cat[0], cat[1], cat[2], cat[3], cat[4]
    esc135, ask, desk_ok, whistle_on, joint_on = ints[0] != 0, ints[1] != 0, ints[2] != 0, ints[3] != 0, ints[4] != 0
    town0, desk_hid, comm_hid = ints[5], ints[6], ints[7]
    ENTERPRISE, HALL, SIMPLE, TIER1, TIER3 = ints[8], ints[9], ints[10], ints[11], ints[12]
    HOURS = reals[0]
    t0 = 1 + ints[13]  # travel hours of township 0 in ``reals``
    i8, i16, i32, i64, f8, b1 = blocks[0], blocks[1], blocks[2], blocks[3], blocks[5], blocks[6]
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
        i8[where[0], r] = kind[i]
        i64[where[1], r] = requester[i]
        i32[where[2], r] = township[i]
        i32[where[3], r] = m
        i8[where[4], r] = tier
        i8[where[5], r] = c_diff[m]
        f8[where[6], r] = onset[i]
        f8[where[7], r] = created[i]
        f8[where[8], r] = created[i] + reals[1 + tier] * HOURS
        i8[where[9], r] = level
        i8[where[10], r] = level
        b1[where[11], r] = on
        i16[where[12], r] = 0 if on else 1
        i16[where[13], r] = 1 if at_seat else 0
        f8[where[14], r] = 2.0 * reals[t0 + township[i]] if at_seat else 0.0
        b1[where[15], r] = at_seat
        b1[where[16], r] = hop
        b1[where[17], r] = err
        b1[where[18], r] = desk
        b1[where[19], r] = asks
        i32[where[20], r] = s if asks else -1
        i32[where[21], r] = receiver
        b1[where[22], r] = coord and not whistle
        b1[where[23], r] = whistle
        b1[where[24], r] = joint_on and n_dep > 1
        b1[where[25], r] = dlg
        i16[where[26], r] = n_dep
        i8[where[27], r] = channel[i]
        i8[where[28], r] = source[i]
        i64[where[29], r] = repeat_of[i]
        hop_out[i] = hop
        errand_out[i] = err
    return hop_out, errand_out
