"""Runs that share a warm-up: a run is a pure function of (parameters, seed, days), and its warm-up of only
(warm-up parameters, seed).

A model's construction and warm-up read only its warm-up parameters (the scenario's with its pre-reform
levers, ``Params.pre_reform``); the scenario's own levers switch on at the warm-up's end
(``TownshipModel.count_under``). The reforms of one experiment compared with common random numbers (every
generic-county scenario, a robustness world's arms, a sweep over levers) therefore have the same warm-up at
a seed: :func:`simulate` makes it once per process, keeps the warmed model (a few, least recently used
dropped), and starts each run from a copy of it: a copy costs ≈ 0.04 CPU-s against ≈ 0.38 for the
construction and its 65-day warm-up (default county, compiled engine). Results are bit-identical to a run
built from nothing (``tests/test_warmstart.py``). Only the compiled engine's models are copied (the Python
engine's event callbacks are closures over their model, which a copy would share) and only counties of at
most :data:`MAX_AGENTS` citizen agents (a copy of a large county costs more than its short warm-up saves).
"""

from __future__ import annotations

import copy
from collections import OrderedDict

from . import kernel
from .model import TownshipModel
from .params import Params

KEPT = 6
"""Warmed models kept per process: at least the replications of one world or scenario set, so that a worker
given a world's arms in any order finds their warm-ups."""
MAX_AGENTS = 50_000
"""Largest county (citizen agents) whose warmed model is kept and copied."""

_KEPT: OrderedDict[tuple[str, int], TownshipModel] = OrderedDict()


def warmup_params(params: Params) -> Params:
    """The parameters ``params``' warm-up runs under: its pre-reform levers, nothing left to switch."""
    return params.replace(**params.pre_reform, pre_reform={})


def shares_warmup(params: Params, seed) -> bool:
    """Whether a run of ``params`` at ``seed`` can start from a kept warm-up (:func:`simulate`)."""
    return (
        isinstance(seed, int)
        and params.warmup_days > 0
        and params.citizen_agents <= MAX_AGENTS
        and kernel.choose(params, params)[0]
    )


def warmed(params: Params, seed: int) -> TownshipModel:
    """A model of ``params`` at ``seed`` at the start of its counted days, from a kept warm-up when there is
    one (made and kept when not)."""
    if not shares_warmup(params, seed):
        return TownshipModel(params, rng=seed)
    warm = warmup_params(params)
    key = (warm.model_dump_json(), seed)
    start = _KEPT.get(key)
    if start is None:
        start = _KEPT[key] = TownshipModel(warm, rng=seed)
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    else:
        _KEPT.move_to_end(key)
    model = copy.deepcopy(start)
    model.engine.link_views(model)  # compiled: the copy's views of its own kernel arrays
    model.count_under(params)
    return model


def forget() -> None:
    """Drop the kept warm-ups (their memory)."""
    _KEPT.clear()


def simulate(params: Params, seed: int, days: int):
    """The pure function of a run: (parameters, seed, days) → (summary dict, daily KPI DataFrame)."""
    m = warmed(params, seed)
    m.run(days)
    return m.summary(), m.timeseries()
