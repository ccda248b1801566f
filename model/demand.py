"""Demand: the day's new requests, drawn in a few vectorised numpy calls.

Citizens: per township a Poisson count with mean ``residents_t ×
citizen_request_rate``, requesters uniform among the township's Citizen
agents (each stands for the same number of residents). Enterprises: one
Poisson count with mean ``Σ_i rate_i``, where ``rate_i`` is
``enterprise_request_rate`` × a life-cycle factor (start-up 2, growth 1,
mature 0.6), requesters drawn in proportion to ``rate_i``. Matter types come
from the catalogue's frequency weights for that kind of requester; filing
times are uniform within the day's 8 working hours, so arrivals form a
Poisson process in working time. Cost grows with the number of requests,
never with the number of residents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .catalogue import CITIZEN, DISPUTE, ENTERPRISE, MatterCatalogue
from .params import HOURS_PER_DAY, Params


class Stage(IntEnum):
    """An enterprise's life-cycle stage."""

    STARTUP = 0
    GROWTH = 1
    MATURE = 2
    EXITED = 3


STAGE_RATE = np.array([2.0, 1.0, 0.6, 0.0])
"""Request-rate factor by enterprise life-cycle ``Stage`` (start-up, growth, mature, exited)."""
_CITIZEN_CODE, _ENTERPRISE_CODE = int(CITIZEN), int(ENTERPRISE)  # plain ints: numpy fills an IntEnum member slowly


@dataclass
class Requests:
    """One day's new requests (parallel arrays, sorted by filing time)."""

    kind: np.ndarray
    requester: np.ndarray
    township: np.ndarray
    matter: np.ndarray
    time: np.ndarray
    enquiry: np.ndarray  # bool: an enquiry (information, guidance) about ``matter``, not a request for it

    def __len__(self) -> int:
        return len(self.kind)


class MatterSampler:
    """Draw matter types by frequency weight, per requester kind (inverse-CDF on cumulative weights)."""

    def __init__(self, cat: MatterCatalogue):
        # set by the compiled engine (``kernel.demand.tables`` and ``draw_whole_day``): ``draw`` takes its kernel twin
        self.kernel_tables: tuple | None = None
        self.kernel_draw: Callable | None = None
        self.ids: dict[int, np.ndarray] = {}  # matter ids by requester kind
        self.cum: dict[int, np.ndarray] = {}  # their cumulative weights
        for kind in (ENTERPRISE, CITIZEN):
            ids = cat.service_ids(kind)
            if len(ids) == 0:  # a catalogue with one kind only: the other kind asks for any service matter
                ids = np.flatnonzero(cat.requester != DISPUTE)
            w = cat.weight[ids]
            self.ids[kind] = ids
            self.cum[kind] = np.cumsum(w) / w.sum()

    def draw(self, kind: int, n: int, rng: np.random.Generator) -> np.ndarray:
        idx = np.searchsorted(self.cum[kind], rng.random(n), side="right")
        return self.ids[kind][np.minimum(idx, len(self.ids[kind]) - 1)]


def choice_cdf(p: np.ndarray) -> np.ndarray:
    """``Generator.choice``'s table for the probabilities ``p``: their cumulative sum over its last value."""
    cdf = np.asarray(p, dtype=float).cumsum()
    cdf /= cdf[-1]
    return cdf


def choose(rng: np.random.Generator, cdf: np.ndarray, k: int) -> np.ndarray:
    """``rng.choice(len(p), size=k, p=p)`` for ``cdf = choice_cdf(p)``: NumPy's own method with replacement
    (``k`` uniform draws looked up in the cumulative table), so the same values and draws, without its checks
    of ``p`` on every call (~40 µs)."""
    return cdf.searchsorted(rng.random(k), side="right")


def draw_day(model, day: int, rng: np.random.Generator | None = None) -> Requests:
    """:func:`draw` for ``model``'s county on ``day``: its residents, citizens' rows and live enterprises' rows, from
    ``rng`` (default: the model's Generator)."""
    n = model.n_enterprises
    firms = model.enterprise_state
    return draw(
        model.params,
        model.rng if rng is None else rng,
        day,
        model.township_residents,
        model.citizen_start,
        model.citizen_count,
        firms["township"][:n],
        firms["stage"][:n],
        model.sampler,
    )


def draw(
    params: Params,
    rng: np.random.Generator,
    day: int,
    township_residents: np.ndarray,
    citizen_start: np.ndarray,
    citizen_count: np.ndarray,
    enterprise_township: np.ndarray,
    enterprise_stage: np.ndarray,
    sampler: MatterSampler,
) -> Requests:
    """All requests filed on ``day`` (hours since the start of the run in ``time``), enquiries among them
    (``enquiry_share`` s of all contacts: the request rates are scaled by 1/(1−s) and each contact is an
    enquiry with probability s, so requests for matters keep their rates)."""
    s = params.enquiry_share
    scale = 1.0 / (1.0 - s) if s > 0 else 1.0
    twin = sampler.kernel_draw
    if twin is not None:
        return _draw_compiled(
            twin,
            params,
            rng,
            day,
            township_residents,
            citizen_start,
            citizen_count,
            enterprise_township,
            enterprise_stage,
            sampler,
            scale,
        )
    # citizens, per township
    n_c = rng.poisson(township_residents * (params.citizen_request_rate * scale))
    total_c = int(n_c.sum())
    if total_c:
        tc = np.repeat(np.arange(len(n_c)), n_c)
        cit = citizen_start[tc] + np.floor(rng.random(total_c) * citizen_count[tc]).astype(np.int64)
    else:  # rng.random(0) takes no random numbers
        tc = cit = np.zeros(0, dtype=np.int64)
    # enterprises, by life-cycle rate
    rates = (params.enterprise_request_rate * scale) * STAGE_RATE[enterprise_stage]
    lam = float(rates.sum())
    total_e = int(rng.poisson(lam)) if lam > 0 else 0
    if total_c == 0 and total_e == 0:  # no request today: the draws below would take no random numbers
        return _NONE
    if total_e:
        ent = np.searchsorted(np.cumsum(rates) / lam, rng.random(total_e), side="right")
        ent = np.minimum(ent, len(rates) - 1)
    else:
        ent = np.zeros(0, dtype=np.int64)
    kind = np.concatenate([np.full(total_c, _CITIZEN_CODE, np.int8), np.full(total_e, _ENTERPRISE_CODE, np.int8)])
    requester = np.concatenate([cit, ent]).astype(np.int64)
    township = np.concatenate([tc, enterprise_township[ent]]).astype(np.int32)
    matter = np.concatenate([sampler.draw(CITIZEN, total_c, rng), sampler.draw(ENTERPRISE, total_e, rng)])
    time = (day + rng.random(len(kind))) * HOURS_PER_DAY
    order = np.argsort(time, kind="stable")
    enquiry = rng.random(len(kind))[order] < s if s > 0 else np.zeros(len(kind), bool)
    return Requests(
        kind[order], requester[order], township[order], matter[order].astype(np.int32), time[order], enquiry
    )


def _draw_compiled(
    twin: Callable,
    params: Params,
    rng: np.random.Generator,
    day: int,
    township_residents: np.ndarray,
    citizen_start: np.ndarray,
    citizen_count: np.ndarray,
    enterprise_township: np.ndarray,
    enterprise_stage: np.ndarray,
    sampler: MatterSampler,
    scale: float,
) -> Requests:
    """``draw`` on the compiled engine: the same draws in the same order and sizes — each township's citizens'
    count, their requesters' uniforms, the enterprises' count, then every other uniform of the day in one run
    (consecutive uniform draws: the same doubles) — and the requests made from them, in one kernel call
    (``twin``: ``kernel.demand.draw_whole_day``, the same arithmetic, from the model's Generator). With both
    request rates zero the twin draws nothing and makes no request: no call (~10 µs a day without demand)."""
    rate_c, rate_e = params.citizen_request_rate * scale, params.enterprise_request_rate * scale
    if not (rate_c > 0 or rate_e > 0):  # the kernel's tests: no count drawn, the firms' sum 0, no uniform
        return _NONE
    out = twin(
        day,
        rng,
        township_residents,
        rate_c,
        rate_e,
        enterprise_stage,
        citizen_start,
        citizen_count,
        enterprise_township,
        sampler.kernel_tables,
        params.enquiry_share,
    )
    return Requests(*out) if len(out[0]) else _NONE


_NONE = Requests(
    np.zeros(0, np.int8),
    np.zeros(0, np.int64),
    np.zeros(0, np.int32),
    np.zeros(0, np.int32),
    np.zeros(0, float),
    np.zeros(0, bool),
)
"""A day without requests (read-only arrays, shared)."""
for _a in vars(_NONE).values():
    _a.flags.writeable = False
