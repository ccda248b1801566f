"""Intake and routing: channel and trips, who holds the power, 135 tier, starting level (F4, F6, F9, F11).

For a batch of new requests, vectorised:

* channel: the requester's choice (``channel``: online, the township's hall, or a trip to the
  seat; online with probability ``online_share`` at the start, 一网通办: zero trips);
  an enterprise accompanied by a commissioner (F10) needs no trip either
  (coverage ``min(1, commissioners × commissioner_enterprises / enterprises)``);
  an offline request costs one trip to file;
* holder: the owner department, or the requester's township when the matter
  is delegated (强镇扩权);
* tier: 1 department → 1 day, several → 3 days, district coordination → 5
  days (F11); the deadline is counted in working hours;
* starting escalation level by difficulty (F9) when the 135 rule is on;
* joint (parallel) handling of multi-department cases when ``joint_handling``.
"""

from __future__ import annotations

import numpy as np

from .cases import ONLINE, ONLINE_SOURCE, WALK_IN
from .catalogue import ENTERPRISE
from .params import HOURS_PER_DAY, Params


def commissioner_coverage(params: Params, live_enterprises: int) -> float:
    """Share of enterprises whose requests a commissioner files for them."""
    if params.commissioners == 0 or live_enterprises == 0:
        return 0.0
    return min(1.0, params.commissioners * params.commissioner_enterprises / live_enterprises)


def choose_channels(model, kind, requester, township, matter) -> np.ndarray:
    """Each requester's channel: Enterprise and Citizen agents decide (disputes: their resident)."""
    from .agents import Citizen, Enterprise

    p = model.params
    n = len(kind)
    cat = model.catalogue
    held = (cat.owner[matter] < 0) | model.delegated[matter]
    seat = getattr(model, "township_seat_hours", None)
    seat = np.full(n, p.travel_hours) if seat is None else np.asarray(seat)[township]
    hop = np.full(n, float(getattr(model, "hop_hours", p.travel_hours)))
    out = np.zeros(n, np.int8)
    ent = kind == ENTERPRISE
    for cls, sel in ((Enterprise, ent), (Citizen, ~ent)):
        if sel.any():
            out[sel] = cls.choose_channel(model, requester[sel], held[sel], seat[sel], hop[sel])
    return out


def admit(model, kind, requester, township, matter, created, onset=None, *, source=None,
          repeat_of=None) -> np.ndarray:
    """Create cases for a batch of requests and submit their first steps; return the case ids.

    ``source`` (``cases.SOURCES``; default from the channel: online or walk-in) and
    ``repeat_of`` (the chain's first case, for repeat contacts) are recorded."""
    p: Params = model.params
    cat = model.catalogue
    n = len(kind)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rng = model.rng
    channel = choose_channels(model, kind, requester, township, matter)
    online = channel == ONLINE
    cover = commissioner_coverage(p, model.live_enterprises)
    if cover > 0:
        online |= (kind == ENTERPRISE) & (rng.random(n) < cover)
        channel[online] = ONLINE
    if source is None:
        source = np.where(online, ONLINE_SOURCE, WALK_IN)
    tier = cat.tier[matter]
    deadline_h = np.asarray(p.tier_deadlines)[tier] * HOURS_PER_DAY
    start_level = cat.start_level[matter] if p.escalation_135 else np.zeros(n, np.int8)
    n_dep = cat.n_departments[matter]
    ids = model.cases.add(
        n,
        requester_kind=kind, requester=requester, township=township, matter=matter,
        tier=tier, difficulty=cat.difficulty[matter],
        onset=created if onset is None else onset, created=created, deadline=created + deadline_h,
        level=start_level, start_level=start_level, online=online,
        trips=np.where(online, 0, 1), joint=p.joint_handling & (n_dep > 1),
        delegated=model.delegated[matter], outstanding=n_dep,
        channel=channel, source=source, repeat_of=-1 if repeat_of is None else repeat_of,
    )
    from . import gaming

    gaming.schedule(model, ids)
    from . import escalation, handling

    for cid in ids.tolist():
        handling.submit(model, cid)
        if model.cases.start_level[cid] > 0:
            escalation.request(model, cid, int(model.cases.start_level[cid]), model.cases.created[cid])
    return ids
