"""The naive Mesa reference model: every citizen agent is stepped every day.

This is the textbook Mesa pattern the real model is measured against
(issue 7, case 3): one :class:`NaiveCitizen` agent per ``residents_per_agent``
residents, all of them stepped once per working day with
``model.agents.shuffle_do("step")``; each agent draws its own Poisson number
of requests (mean ``citizen_request_rate`` × residents it stands for, per
day) and files each request as a record.  Nothing else happens: the model
does *only* the demand step, so its cost is a lower bound on any naive model
with the same request stream, and the comparison flatters the naive side.

The request stream has the same statistics as the real model's citizen
demand: per township and day, Poisson with mean ``citizen_request_rate`` ×
the township's residents (a sum of independent per-agent Poisson draws is
Poisson with the summed mean).  :func:`request_stream_check` verifies it.

Units: rates in requests per resident per working day; days are working days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from townsim.model.params import Params


def township_residents(params: Params, seed: int = 0) -> np.ndarray:
    """Residents per township (persons, sums to ``params.residents``).

    Township shares are log-normal with sd ``township_size_spread`` (0 = equal
    sizes), the same law as DESIGN's county; used when the real model's own
    split is not passed in.
    """
    rng = np.random.default_rng(seed)
    n = params.townships
    weights = np.exp(rng.normal(0.0, params.township_size_spread, n)) if params.township_size_spread else np.ones(n)
    share = weights / weights.sum()
    sizes = np.floor(share * params.residents).astype(np.int64)
    # hand out the rounding remainder to the largest fractional parts
    rest = params.residents - int(sizes.sum())
    if rest:
        order = np.argsort(-(share * params.residents - sizes), kind="stable")
        sizes[order[:rest]] += 1
    return sizes


@dataclass(slots=True)
class Request:
    """One filed request (a record, not an agent)."""

    day: int
    township: int
    requester: int


class NaiveCitizen(mesa.Agent):
    """A citizen agent that draws its own requests every day (the naive way)."""

    def __init__(self, model: NaiveModel, township: int, residents: int):
        super().__init__(model)
        self.township = township
        self.residents = residents
        lam = residents * model.rate
        self._exp_neg_lam = math.exp(-lam)  # P(0 requests), cached per agent
        self._lam = lam

    def step(self) -> None:
        """Draw today's Poisson(λ) requests by inversion from one uniform."""
        u = self.random.random()
        p = self._exp_neg_lam
        if u < p:  # by far the most frequent outcome: no request today
            return
        k, s = 0, p
        while u >= s:
            k += 1
            p *= self._lam / k
            s += p
            if k > 10_000:  # numerical guard; never reached for λ ≪ 1
                break
        model = self.model
        for _ in range(k):
            model.requests.append(Request(model.day, self.township, self.unique_id))


class NaiveModel(mesa.Model):
    """Citizens only, stepped every day with ``agents.shuffle_do('step')``.

    ``sizes`` (residents per township) defaults to :func:`township_residents`;
    pass the real model's split to reproduce its request stream exactly in law.
    """

    def __init__(self, params: Params, rng: int | None = None, sizes: np.ndarray | None = None):
        super().__init__(rng=rng)
        self.params = params
        self.rate = params.citizen_request_rate
        self.day = 0
        self.requests: list[Request] = []
        self.sizes = np.asarray(sizes if sizes is not None else township_residents(params, 0), dtype=np.int64)
        rpa = params.residents_per_agent
        for t, res in enumerate(self.sizes.tolist()):
            full, last = divmod(res, rpa)
            for _ in range(full):
                NaiveCitizen(self, t, rpa)
            if last:
                NaiveCitizen(self, t, last)
        self.daily_counts: list[np.ndarray] = []

    def step(self) -> None:
        """One working day: every citizen draws its requests; tally them per township."""
        start = len(self.requests)
        self.agents.shuffle_do("step")
        today = self.requests[start:]
        self.daily_counts.append(np.bincount([r.township for r in today], minlength=len(self.sizes)).astype(np.int64))
        self.day += 1

    def run(self, days: int) -> None:
        for _ in range(days):
            self.step()

    def summary(self) -> dict[str, float]:
        return {
            "citizen_agents": float(len(self.agents)),
            "requests": float(len(self.requests)),
            "days": float(self.day),
        }


def request_stream_check(model: NaiveModel) -> dict[str, float]:
    """Observed vs expected request counts (per township per day: Poisson mean rate × residents).

    Returns the total observed and expected counts, the z-score of the total
    (Poisson: sd = sqrt(mean)) and the largest per-township |z|.
    """
    counts = np.sum(model.daily_counts, axis=0) if model.daily_counts else np.zeros(len(model.sizes))
    expected = model.rate * model.sizes * model.day
    total_obs, total_exp = float(counts.sum()), float(expected.sum())
    z_total = (total_obs - total_exp) / math.sqrt(total_exp) if total_exp > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(expected > 0, (counts - expected) / np.sqrt(expected), 0.0)
    return {
        "observed": total_obs,
        "expected": total_exp,
        "z_total": z_total,
        "max_abs_z_township": float(np.max(np.abs(z))) if len(z) else 0.0,
    }
