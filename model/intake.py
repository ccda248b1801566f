"""Intake and routing: channel and trips, who holds the power, 135 tier, starting level (F4, F6, F9, F11).

For a batch of new requests, vectorised:

* channel: the requester's choice (``channel``: online, the township's hall, or a trip to the
  seat; online with probability ``online_share`` at the start, 一网通办: zero trips);
  an enterprise accompanied by a commissioner (F10) needs no trip either
  (coverage ``min(1, commissioners × commissioner_enterprises / enterprises)``):
  the commissioner files it, an errand in the commissioners' queue (``referral``);
  an offline request costs one trip to file;
* holder: the owner department, or the requester's township when the matter
  is delegated (强镇扩权) or is a dispute;
* distance: an offline request for a county-held matter is filed at the seat
  with probability ``1 − township_hall_share`` — a trip to the seat, costing the
  requester the round trip ``2 × travel_hours_t`` of its township (see
  ``geography``) — or at the township's service hall: no trip to the seat, but
  its file must be forwarded to the department (``referral``: the township's
  clerks and a courier run on paper, the platform's dispatchers online, and
  misrouting). Online filing saves the trip, not the department's queue. A
  delegated matter is handled in the township: no trip to the seat, no
  forwarding — unless the township refers it up (``Township.refer_up_chances``), which
  is forwarded the same way;
* 吹哨报到 (``whistle``, P3): a township-held case that needs a department calls
  it by whistle (see ``handling``);
* tier: 1 department → 1 day, several → 3 days, district coordination → 5
  days (F11); the deadline is counted in working hours;
* starting escalation level by difficulty (F9) when the 135 rule is on;
* joint (parallel) handling of multi-department cases when ``joint_handling``;
* desk decisions (``desk_decisions``, F7, F9 即知即办): with the one-stop centre, a
  simple one-department enterprise matter filed in person at the centre is decided
  on the spot by a stationed chief representative — its step is work of the
  level-1 desk, not of the owner department's queue.
"""

from __future__ import annotations

import numpy as np

from . import gaming, handling, referral
from .agents import Citizen, Enterprise
from .cases import HALL, ONLINE, ONLINE_SOURCE, WALK_IN
from .catalogue import ENQUIRY, ENTERPRISE, SIMPLE, Tier
from .params import HOURS_PER_DAY, Params

_ENTERPRISE, _SIMPLE, _ONLINE, _HALL, _ONLINE_SOURCE, _WALK_IN = (
    int(ENTERPRISE),
    int(SIMPLE),
    int(ONLINE),
    int(HALL),
    int(ONLINE_SOURCE),
    int(WALK_IN),
)  # plain ints: numpy looks an enum member's attributes up on every use
_TIER1, _TIER3 = int(Tier.TIER1), int(Tier.TIER3)  # plain ints: an enum's attribute costs a lookup per use


def commissioner_coverage(params: Params, live_enterprises: int) -> float:
    """Share of enterprises whose requests a commissioner files for them."""
    if params.commissioners == 0 or live_enterprises == 0:
        return 0.0
    return min(1.0, params.commissioners * params.commissioner_enterprises / live_enterprises)


def choose_channels(model, kind, requester, township, matter) -> np.ndarray:
    """Each requester's channel: Enterprise and Citizen agents decide (disputes: their resident)."""
    n = len(kind)
    cat = model.catalogue
    held = (cat.owner[matter] < 0) | model.delegated[matter]
    hours = np.asarray(model.travel_hours, float)
    farther = hours[township] - float(hours @ model.township_share)  # travel to the seat beyond the county mean
    out = np.zeros(n, np.int8)
    ent = kind == _ENTERPRISE
    for cls, sel in ((Enterprise, ent), (Citizen, ~ent)):
        if sel.any():
            out[sel] = cls.choose_channel(model, requester[sel], held[sel], farther[sel])
    return out


def refer_up(model, township: np.ndarray, matters: np.ndarray) -> np.ndarray:
    """Which new delegated cases their townships refer up, in filing order: each township gives the chances
    for its own cases (``Township.refer_up_chances``), then one uniform draw per case with a positive chance,
    in filing order."""
    n = len(matters)
    out = np.zeros(n, dtype=bool)
    if model.params.refer_up_rate == 0:
        return out
    rows_of: dict[int, list[int]] = {}  # each township's cases, in filing order (a batch holds a few dozen)
    for j, t in enumerate(township.tolist()):
        rows_of.setdefault(t, []).append(j)
    subject = matters.tolist()
    chance = [0.0] * n
    towns = model.townships
    for t in sorted(rows_of):
        rows = rows_of[t]
        for j, c in zip(rows, towns[t].refer_up_chances([subject[j] for j in rows])):
            chance[j] = c
    drawn = [j for j, c in enumerate(chance) if c > 0]
    if drawn:
        out[[j for j, u in zip(drawn, model.stream.uniforms(len(drawn))) if u < chance[j]]] = True
    return out


def admit(
    model, kind, requester, township, matter, created, onset=None, *, source=None, repeat_of=None, enquiry=None
) -> np.ndarray:
    """Create cases for a batch of requests and submit their first steps; return the case ids.

    ``source`` (``cases.SOURCES``; default from the channel: online or walk-in) and
    ``repeat_of`` (the chain's first case, for repeat contacts) are recorded. ``enquiry`` marks the
    contacts that ask about their matter rather than for it (``receivers``).

    The requesters' and townships' decisions (channel, errand, refer-up) in the order they draw, the
    routing rules (``_route``), then the hand-over; the compiled engine's path is ``_admit_compiled``."""
    p: Params = model.params
    cat = model.catalogue
    n = len(kind)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if model.compiled:  # the enquiries' case rows made in the kernel too
        return _admit_compiled(model, (kind, requester, township, matter), enquiry, created, onset, source, repeat_of)
    rng = model.rng
    ask = enquiry is not None and bool(enquiry.any())
    subject = matter  # what the contact is about; an enquiry's case row is the catalogue's enquiry row
    if ask:
        matter = np.where(enquiry, cat.dispute_id(ENQUIRY), subject).astype(subject.dtype)
    channel = choose_channels(model, kind, requester, township, subject)
    online = channel == _ONLINE
    cover = commissioner_coverage(p, model.live_enterprises) if p.commissioners else 0.0  # (no count needed)
    errand = np.zeros(n, bool)
    if cover > 0:
        errand = (kind == _ENTERPRISE) & (rng.random(n) < cover)
        online |= errand
        channel[errand] = _ONLINE
    if source is None:
        source = np.where(online, _ONLINE_SOURCE, _WALK_IN)
    delegated = _refer_up_all(model, township, subject, enquiry if ask else None)
    batch = (kind, requester, township, matter, subject, channel, online, errand, delegated)
    ids, hop, errand = _route(model, batch, enquiry if ask else None, created, onset, source, repeat_of)
    gaming.schedule(model, ids)
    for cid, t, fwd, err in zip(ids.tolist(), model.cases.created[ids].tolist(), hop.tolist(), errand.tolist()):
        if err:
            referral.start(model, cid, t, model.commissioner_desk)
        elif fwd:
            referral.start(model, cid, t, referral.forwarder(model, cid))
        else:
            handling.submit(model, cid, t)
    return ids


def _refer_up_all(model, township, subject, enquiry) -> np.ndarray:
    """Whether each case is delegated after its township's refer-up decision (``refer_up``): a township may
    refer a delegated case up while its competence is low (its decision; an enquiry about a delegated matter
    is answered where it was asked; ``enquiry`` None when the batch asks nothing)."""
    delegated = model.delegated[subject]  # (a copy: indexed by an array)
    rows = np.flatnonzero(delegated & ~enquiry if enquiry is not None else delegated)
    if len(rows):
        delegated[rows[refer_up(model, township[rows], subject[rows])]] = False
    return delegated


def refer_up_compiled(model, township: np.ndarray, matters: np.ndarray) -> np.ndarray:
    """:func:`refer_up` on the compiled engine, as ``kernel.route.refer_and_route`` decides it on the way to routing
    (``kernel.referup``): every case's chance (``Township.refer_up_chances``' formula) at the counts of handled
    cases the townships' ``handled`` dicts hold (the engine's copy written back with them), one uniform draw per
    case with a positive chance, in filing order. The same chances, draws and decisions
    (``tests/test_intake6_refer_up.py``); returns whether each case is referred up."""
    from .kernel.rawrng import addresses  # deferred: it imports numba (the kernel extra), only compiled
    from .kernel.referup import refer_up_call  # deferred: as the line above

    p: Params = model.params
    s = model.stream
    kept = np.empty(len(matters), dtype=bool)
    refer = np.array([p.initial_competence, p.learning_cases, p.refer_up_rate], dtype=np.float64)
    every = np.ones(len(model.catalogue.hours), dtype=bool)  # :func:`refer_up` decides for every case it is given
    refer_up_call(
        addresses(model.rng),
        s.ub,
        s.idx,
        np.ascontiguousarray(township, dtype=np.int32),
        np.ascontiguousarray(matters, dtype=np.int32),
        every,
        model.engine.handled,
        refer,
        np.zeros(0, dtype=bool),
        kept,
    )
    return ~kept


def _admit_compiled(model, batch: tuple, enquiry, created, onset, source, repeat_of) -> np.ndarray:
    """``admit`` on the compiled engine: the same decisions and draws in the same order in one kernel call
    (``CompiledEngine.admit_batch``) — the requesters' channel draws and the commissioners' errand draws (the
    compiled twin of ``_RowAgent.choose_channel``'s draws), then the townships' refer-up decisions
    (:func:`refer_up_compiled`'s), the enquiries' case rows, the channels, errands and routing rules, and the gaming
    decisions queued (``gaming.schedule``'s) — and the batch handed over in filing order
    (``CompiledEngine.submit_many``). ``batch``: kind, requester, township, matter (the subject of an enquiry). An
    ``enquiry`` array in which none asks gives the same cases as none given (the kernel asks each case)."""
    p: Params = model.params
    cover = commissioner_coverage(p, model.live_enterprises) if p.commissioners else 0.0  # (a float)
    engine = model.engine
    ids, via, times, filing, queued = engine.admit_batch(
        model, batch, cover, enquiry, created, onset, source, repeat_of
    )
    if not queued:  # (the kernel call queues the gaming decisions of the batches it routes)
        gaming.schedule(model, ids)
    engine.submit_many(ids, times, via, filing)
    return ids


def _route(model, batch: tuple, enquiry, created, onset, source, repeat_of) -> tuple:
    """``admit``'s routing rules after the channels, errands and refer-up decisions (``batch``: kind, requester,
    township, matter, subject, channel, online, errand, delegated; ``enquiry`` None when the batch asks
    nothing): tier and deadline, starting level, holder, hall or seat, hop, receivers, desk, whistle; the
    cases appended to the case table. Returns (their ids, the hop flags, the errands).

    Over 60 lines: the rules in their order, each a few array expressions on the ones before it, then the
    case table's thirty columns."""
    p: Params = model.params
    cat = model.catalogue
    kind, requester, township, matter, subject, channel, online, errand, delegated = batch
    n = len(kind)
    ask = enquiry is not None
    tier = cat.tier[matter]
    deadline_h = np.asarray(p.tier_deadlines)[tier] * HOURS_PER_DAY
    needs_coord = tier >= _TIER3
    start_level = cat.start_level[matter] if p.escalation_135 else np.zeros(n, np.int8)
    start_level = (
        np.where(needs_coord, np.maximum(start_level, 1), 0).astype(np.int8) if p.escalation_135 else start_level
    )
    n_dep = cat.n_departments[matter]
    owner = cat.owner[subject]
    referred_up = model.delegated[subject] & ~delegated
    county_held = (owner >= 0) & ~delegated
    at_hall = county_held & ~online & ~referred_up & (channel == _HALL)
    at_seat = county_held & ~online & ~referred_up & ~at_hall
    hop = at_hall | referred_up
    receiver = np.full(n, -1, np.int32)
    if ask:
        receiver = receivers(model, enquiry, township, owner, delegated, at_hall, errand)
        hop &= ~enquiry  # the receiver answers: nothing to forward
        errand &= ~enquiry  # a commissioner answers an enterprise's question himself
        delegated &= ~enquiry  # no delegated step: the township answers as any receiver would
    # a chief representative stationed in the centre decides a simple one-department enterprise
    # matter filed there on the spot (F7, F9), at the level-1 desk
    desk = (
        at_seat & (kind == _ENTERPRISE) & (cat.difficulty[matter] == _SIMPLE) & (tier == _TIER1) & (n_dep == 1)
        if p.desk_decisions and p.one_stop_centre and model.desks[0].n_servers
        else np.zeros(n, bool)
    )
    if ask:
        desk = desk & ~enquiry  # the window that received the question answers it
    if desk.any():
        receiver[desk] = model.desks[0].hid
    town_held_dept = ~county_held & (n_dep > 1)
    whistle = town_held_dept & p.whistle
    ids = model.cases.add(
        n,
        requester_kind=kind,
        requester=requester,
        township=township,
        matter=matter,
        tier=tier,
        difficulty=cat.difficulty[matter],
        onset=created if onset is None else onset,
        created=created,
        deadline=created + deadline_h,
        level=start_level,
        start_level=start_level,
        online=online,
        trips=np.where(online, 0, 1),
        seat_trips=at_seat.astype(np.int16),
        travel=np.where(at_seat, 2.0 * model.travel_hours[township], 0.0),
        at_seat=at_seat,
        referred=hop,
        errand=errand,
        desk_decided=desk,
        enquiry=enquiry if ask else False,
        subject=np.where(enquiry, subject, -1) if ask else -1,
        receiver=receiver,
        needs_coord=needs_coord & ~whistle,
        whistle=whistle,
        joint=p.joint_handling & (n_dep > 1),
        delegated=delegated,
        outstanding=n_dep,
        channel=channel,
        source=source,
        repeat_of=-1 if repeat_of is None else repeat_of,
    )
    return ids, hop, errand


def receivers(model, enquiry, township, owner, delegated, at_hall, errand) -> np.ndarray:
    """Handler id answering each enquiry (−1 for the other contacts): whoever received it — the
    commissioners for an enterprise they accompany, the township for a matter it holds or a question
    asked at its service hall (what the hall settles itself), else the matter's owner department (at its
    window at the seat, or online)."""
    town = model.township_hid0 + township.astype(np.int64)
    out = np.where(delegated | (owner < 0) | at_hall, town, owner)
    out = np.where(errand, model.commissioner_desk.hid, out)
    return np.where(enquiry, out, -1).astype(np.int32)
