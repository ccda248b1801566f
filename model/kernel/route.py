"""Intake's routing rules for a batch of new cases in one pass, written into the case table (compiled engine).

``intake.admit``'s array expressions, case by case with the same integer logic and double arithmetic:
``channel_batch`` draws the requesters' channel uniforms and the commissioners' errand uniforms from the
model's Generator in their order and gives their logits (``channel_draws``, the compiled twin of
``_RowAgent.choose_channel``'s draws; the logistic stays numpy's); ``refer_and_route`` takes the townships'
refer-up decisions (``referup``, the twin of ``Township.refer_up_chances`` and its draws), then ``route_rows``
makes the channels and errands from those draws, the tier and its deadline, the starting escalation level, who
holds the case, hall or seat, the forwarding hop, the enquiries' receivers, the desk decisions and the whistle.
``admit_rows`` makes intake's batch in one call: the channel draws, the logistic by the kernel's ``exp`` when no
comparison falls within a margin of its probability (else the caller takes numpy's), the refer-up and routing, and
the gaming decisions' moments; ``repeat_rows`` gathers the day's repeat contacts from the case table.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..cases import HALL, ONLINE, ONLINE_SOURCE, SEAT, WALK_IN
from ..catalogue import ENTERPRISE, SIMPLE, Tier
from ..params import HOURS_PER_DAY
from .rawrng import generator
from .referup import refer_up_rows

# enterprise, hall, simple, tier 1, tier 3 codes (``ints`` 8–12) and a working day's hours (``reals`` 0)
ROUTE_CONSTS = (int(ENTERPRISE), int(HALL), int(SIMPLE), int(Tier.TIER1), int(Tier.TIER3), float(HOURS_PER_DAY))

# the case table's columns, in the order ``route_rows`` writes them (``CompiledEngine.admit_batch``): every field with
# a non-zero default among them (``cases.NONZERO_FIELDS``; the last four written their defaults, NaN), so that its
# rows are reserved without defaults written ahead (``CaseTable.reserve``)
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
    "started",
    "closed",
    "hop_clerk",
    "work_share",
)


# ``ints``: 0–4 the 135 rule, enquiries in the batch, desk decisions open, the whistle, joint handling (flags);
# 5–7 the first township's handler, the level-1 desk's, the commissioners'; 8–12 the codes of ``ROUTE_CONSTS``;
# 13 the number of tiers (where the travel hours begin in ``reals``, after the hours and the deadlines);
# 14–15 sources given, chains given (flags); 16–20 the codes of ``CHANNEL_CODES``; 21 online dispatch (flag),
# 22 the dispatchers' handler
CHANNEL_CODES = (int(ONLINE), int(HALL), int(SEAT), int(ONLINE_SOURCE), int(WALK_IN))


@njit(cache=True)
def channel_draws(kind, requester, township, memories, farther, drawn, coefs, cover, enterprise):
    """The draws and logits of the requesters' channel choices and of the commissioners' errands for a batch,
    as ``intake.admit`` takes them, from ``drawn``, the uniforms drawn for the batch in that order: each
    class's rows (enterprises, then citizens) draw ``u_online`` for all of them, then ``u_hall``
    (``_RowAgent.choose_channel``), then, when ``cover`` > 0, every row draws its errand's uniform.
    ``memories``: the enterprises' and the citizens' ``exp_online`` and ``exp_offline``; ``farther``: each
    township's travel hours to the seat beyond the county mean; ``coefs``: the logits of ``online_share``
    and ``township_hall_share`` and their slopes. Returns the draws by row (rows ``u_online``, ``u_hall``,
    errand) and −z of ``channel.online_probability`` (first ``n``) and of ``channel.hall_probability`` (last
    ``n``): the logistic (``np.exp``) is taken by numpy, as there."""
    n = kind.shape[0]
    u = np.zeros((3, n))
    j = 0
    for cls in range(2):
        for k in range(2):
            for i in range(n):
                if (kind[i] == enterprise) == (cls == 0):
                    u[k, i] = drawn[j]
                    j += 1
    if cover > 0:
        for i in range(n):
            u[2, i] = drawn[j + i]
    e_on, e_off, c_on, c_off = memories
    lg_on, sl_on, lg_hall, sl_hall = coefs[0], coefs[1], coefs[2], coefs[3]
    negz = np.empty(2 * n)
    for i in range(n):
        r = requester[i]
        d = e_on[r] - e_off[r] if kind[i] == enterprise else c_on[r] - c_off[r]
        negz[i] = -(lg_on + sl_on * d)
        negz[n + i] = -(lg_hall + sl_hall * farther[township[i]])
    return u, negz


@njit(cache=True)
def channel_batch(addrs, kind, requester, township, memories, farther, coefs, cover, enterprise):
    """:func:`channel_draws` with its uniforms drawn here from the model's Generator (``rawrng``: its
    addresses): ``2 n`` of them, ``3 n`` with errands (``cover`` > 0), one after the other, the doubles the
    reference's one call ``rng.random(k)`` draws."""
    rng = generator(addrs)
    n = kind.shape[0]
    drawn = np.empty(3 * n if cover > 0 else 2 * n)
    for j in range(drawn.shape[0]):
        drawn[j] = rng.random()
    return channel_draws(kind, requester, township, memories, farther, drawn, coefs, cover, enterprise)


@njit(cache=True)
def refer_and_route(addrs, ub, ridx, handled, refer, n0, batch, draws, cover, cat, held, ints, reals, blocks, where):
    """The townships' refer-up decisions (``referup.refer_up_rows``: their draws from the stream's buffer
    ``ub`` at ``ridx``, the Generator given as its addresses) for the batch ``batch`` (kind, requester,
    township, matter, subject, enquiry, created, onset, source, repeat_of), then :func:`route_rows` with the
    cases' delegation after them: ``intake.admit``'s refer-up and routing in one call. ``handled``: the
    townships' handled counts (township × matter); ``refer``: initial competence, learning cases,
    ``refer_up_rate``; the rest as :func:`route_rows` takes it."""
    kind, requester, township, matter, subject, enquiry, created, onset, source, repeat_of = batch
    delegated = np.empty(kind.shape[0], np.bool_)
    refer_up_rows(generator(addrs), ub, ridx, township, subject, held, handled, refer, enquiry, delegated)
    rows = (kind, requester, township, matter, subject, delegated, enquiry, created, onset, source, repeat_of)
    return route_rows(n0, rows, draws, cover, cat, held, ints, reals, blocks, where)


@njit(cache=True)
def route_rows(n0, batch, draws, cover, cat, held_by_town, ints, reals, blocks, where):
    """Rows ``n0 …`` of the case table from the batch's arrays ``batch`` (kind, requester, township, matter,
    subject, delegated after refer-up, enquiry, created, onset, source, repeat_of) and its channel draws
    ``draws`` (``channel_draws``' uniforms and the probabilities online and at the hall, first ``n`` and
    last ``n``; ``cover``: the commissioners' coverage): each requester's channel as ``channel.choose``
    makes it, the errands, then the routing rules. ``cat``: the catalogue's tier, starting level,
    departments, owner and difficulty per matter, one row each; ``held_by_town``: the matter types
    delegated to townships; ``ints``: the flags, handlers, codes and tier count listed above; ``reals``: a
    working day's hours, the tier deadlines (days, one per tier) and each township's travel hours to the
    seat; ``blocks``: the case table's ``CaseTable.blocks``; ``where``: the row of each column of
    ``COLUMNS`` in its block. Returns the handler that forwards each case's file (``referral.forwarder``) or
    runs its errand (the commissioners), −1 for the others, and the draws each case's filing takes from the
    steps' buffer (``flows.begin``: every step when joint, else the first; none when forwarded):
    ``CompiledEngine.submit_many``'s ``fwd`` and ``draws``.

    Over 60 lines: the channel, then the routing rules in their order, then the thirty-four columns written (a
    zero not written: the reserved rows are the free rows' zeros, ``CaseTable.reserve``, and an unwritten page costs
    no memory)."""
    kind, requester, township, matter, subject, delegated, enquiry, created, onset, source, repeat_of = batch
    u, prob = draws
    c_tier, c_start, c_ndep, c_owner, c_diff = cat[0], cat[1], cat[2], cat[3], cat[4]
    esc135, ask, desk_ok, whistle_on, joint_on = ints[0] != 0, ints[1] != 0, ints[2] != 0, ints[3] != 0, ints[4] != 0
    town0, desk_hid, comm_hid = ints[5], ints[6], ints[7]
    ENTERPRISE, HALL, SIMPLE, TIER1, TIER3 = ints[8], ints[9], ints[10], ints[11], ints[12]
    t0 = 1 + ints[13]  # travel hours of township 0 in ``reals``
    has_source, has_chain = ints[14] != 0, ints[15] != 0
    ONLINE, SEAT, ONLINE_SOURCE, WALK_IN = ints[16], ints[18], ints[19], ints[20]
    dispatch, dispatch_hid = ints[21] != 0, ints[22]
    HOURS = reals[0]
    i8, i16, i32, f4, f8, b1 = blocks[0], blocks[1], blocks[2], blocks[4], blocks[5], blocks[6]
    n = kind.shape[0]
    via = np.empty(n, np.int64)
    draws = np.empty(n, np.int64)
    for i in range(n):
        r = n0 + i
        m = matter[i]
        s = subject[i]
        owner = c_owner[s]
        # the requester's channel (``channel.choose``) and the commissioner's errand (``intake.admit``)
        on = u[0, i] < prob[i]
        hall = owner < 0 or held_by_town[s] or u[1, i] < prob[n + i]
        ch = ONLINE if on else (HALL if hall else SEAT)
        err = cover > 0 and kind[i] == ENTERPRISE and u[2, i] < cover
        if err:
            on = True
            ch = ONLINE
        tier = c_tier[m]
        coord = tier >= TIER3
        level = 0
        if esc135 and coord:
            level = max(c_start[m], 1)
        n_dep = c_ndep[m]
        dlg = delegated[i]
        referred_up = held_by_town[s] and not dlg
        county_held = owner >= 0 and not dlg
        offline = county_held and not on and not referred_up
        at_hall = offline and ch == HALL
        at_seat = offline and not at_hall
        hop = at_hall or referred_up
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
        i32[where[1], r] = requester[i]
        i32[where[2], r] = township[i]
        i32[where[3], r] = m
        i8[where[4], r] = tier
        i8[where[5], r] = c_diff[m]
        f8[where[6], r] = onset[i]
        f8[where[7], r] = created[i]
        f8[where[8], r] = created[i] + reals[1 + tier] * HOURS
        if level:  # (the rows are the free rows' zeros: a zero is not written, so its page stays unused)
            i8[where[9], r] = level
            i8[where[10], r] = level
        b1[where[11], r] = on
        if not on:
            i16[where[12], r] = 1
        if at_seat:
            i16[where[13], r] = 1
            f8[where[14], r] = 2.0 * reals[t0 + township[i]]
            b1[where[15], r] = True
        if hop:
            b1[where[16], r] = True
        if err:
            b1[where[17], r] = True
        if desk:
            b1[where[18], r] = True
        if asks:
            b1[where[19], r] = True
        i32[where[20], r] = s if asks else -1
        i32[where[21], r] = receiver
        if coord and not whistle:
            b1[where[22], r] = True
        if whistle:
            b1[where[23], r] = True
        if joint_on and n_dep > 1:
            b1[where[24], r] = True
        if dlg:
            b1[where[25], r] = True
        i16[where[26], r] = n_dep
        i8[where[27], r] = ch
        i8[where[28], r] = source[i] if has_source else (ONLINE_SOURCE if on else WALK_IN)
        i32[where[29], r] = repeat_of[i] if has_chain else -1
        f8[where[30], r] = np.nan  # not started, open, no file sent, no share worked (the defaults)
        f8[where[31], r] = np.nan
        f8[where[32], r] = np.nan
        f4[where[33], r] = np.nan
        if err:
            via[i] = comm_hid
        elif hop:
            via[i] = dispatch_hid if dispatch else town0 + township[i]
        else:
            via[i] = -1
        if via[i] >= 0:  # its file forwarded first: nothing drawn at filing
            draws[i] = 0
        elif joint_on and n_dep > 1 and receiver < 0:  # every department step released at once
            draws[i] = n_dep
        else:
            draws[i] = 1
    return via, draws


@njit(cache=True)
def logistic(u, negz, shares):
    """The probabilities online and at the hall (first ``n``, last ``n``) from ``channel_draws``' −z: ``1 / (1 +
    exp(−z))`` with the kernel's ``exp``, or the share ``shares[0]`` (online), ``shares[1]`` (hall) when it is not
    NaN (a share of 0 or 1 fixes it, ``channel``). Also whether every comparison ``u < prob`` ``route_rows`` may make
    is decided as with numpy's ``exp`` (within a few ulp of the kernel's): each logistic ``prob`` at least 1e-300
    (no subnormal, no overflow) and its uniform farther from it than ``shares[2]`` × ``prob`` (a relative margin)."""
    n = u.shape[1]
    prob = np.empty(2 * n)
    margin = shares[2]
    safe = True
    for k in range(2):
        fix = shares[k]
        for i in range(n):
            if fix == fix:  # a fixed share: the same double on both paths
                prob[k * n + i] = fix
                continue
            p = 1.0 / (1.0 + np.exp(negz[k * n + i]))
            prob[k * n + i] = p
            if not (p >= 1e-300) or abs(u[k, i] - p) <= margin * p:
                safe = False
    return prob, safe


@njit(cache=True)
def admit_rows(addrs, ub, ridx, handled, refer, n0, batch, chan, cover, cat, held, ints, reals, blocks, where, queue):
    """``intake.admit``'s draws and rules for a batch in one call: the channel draws (:func:`channel_batch`), the
    logistic (:func:`logistic`), then :func:`refer_and_route`, and the gaming decisions' moments (``gaming.schedule``:
    ``deadline − gaming_window × (deadline − created)``, hours) queued (``queue``: ``gaming.DecisionQueue``'s moments,
    cases, first moment and count, with room for the batch; empty moments: none queued). ``chan``: the requesters'
    memories, the townships' travel beyond the mean, the logits and slopes (``channel_draws``), ``shares`` (online,
    hall, margin, then the gaming window) and the catalogue's enquiry row: ``batch``'s matters are its subjects, an
    enquiry's (``batch[5]``, empty when none is given) case row made the enquiry row here. Returns (the draws ``u``,
    −z, via, the filing draws, whether routed, the case ids ``n0 …``); when a comparison falls within
    the margin, nothing past the channel draws is done (not routed, none queued): the caller takes the logistic with
    numpy's ``exp`` and routes with the same draws."""
    memories, farther, coefs, shares, ask_row = chan
    u, negz = channel_batch(addrs, batch[0], batch[1], batch[2], memories, farther, coefs, cover, ints[8])
    prob, safe = logistic(u, negz, shares)
    n = batch[0].shape[0]
    ids = np.arange(n0, n0 + n)
    if not safe:
        return u, negz, np.empty(0, np.int64), np.empty(0, np.int64), False, ids
    subject, enquiry = batch[4], batch[5]
    matter = subject.copy()  # an enquiry's case row is the catalogue's enquiry row (``intake.admit``)
    for i in range(enquiry.shape[0]):
        if enquiry[i]:
            matter[i] = ask_row
    rows = (batch[0], batch[1], batch[2], matter, subject, enquiry, batch[6], batch[7], batch[8], batch[9])
    via, filing = refer_and_route(
        addrs, ub, ridx, handled, refer, n0, rows, (u, prob), cover, cat, held, ints, reals, blocks, where
    )
    qt, qi, head, size = queue  # ``gaming.DecisionQueue.add``: the decisions queued, the first moment lowered
    if qt.shape[0]:
        f8, window = blocks[5], shares[3]
        k0, least = size[0], np.inf
        for i in range(n):
            dl = f8[where[8], n0 + i]
            moment = dl - window * (dl - f8[where[7], n0 + i])  # ``gaming.schedule``'s moment (hours)
            qt[k0 + i], qi[k0 + i] = moment, ids[i]
            if moment < least:  # (False for NaN: a NaN moment is never due)
                least = moment
        size[0] = k0 + n
        if least < head[0]:
            head[0] = least
    return u, negz, via, filing, True, ids


@njit(cache=True)
def repeat_rows(ids, due, start, cols, codes):
    """``resolution.return_repeats``' batch gathered from the case table: for the chains' last cases ``ids`` due at
    ``due`` (hours), their filing times (``due``, or the day's ``start`` when it fell before), requester kind,
    requester, township, matter (an enquiry's subject again; a failed mediation as the general dispute: ``codes``),
    onset, the chain's first case, enquiry and the contact's number. ``cols``: the case table's requester_kind,
    requester, township, matter, subject, enquiry, onset, repeat_of and contact columns."""
    kind_c, req_c, town_c, matter_c, subject_c, enq_c, onset_c, rep_c, contact_c = cols
    n = ids.shape[0]
    kind, requester = np.empty(n, np.int8), np.empty(n, np.int64)
    township, matter = np.empty(n, np.int32), np.empty(n, np.int32)
    t, onset, root = np.empty(n), np.empty(n), np.empty(n, np.int64)
    enquiry, contact = np.empty(n, np.bool_), np.empty(n, np.int16)
    for i in range(n):
        c = ids[i]
        kind[i], requester[i], township[i] = kind_c[c], req_c[c], town_c[c]
        enquiry[i] = enq_c[c]
        m = subject_c[c] if enq_c[c] else matter_c[c]
        matter[i] = codes[1] if m == codes[0] else m
        t[i] = due[i] if due[i] >= start else start
        onset[i] = onset_c[c]
        root[i] = rep_c[c] if rep_c[c] >= 0 else c
        contact[i] = contact_c[c] + 1
    return kind, requester, township, matter, t, onset, root, enquiry, contact
