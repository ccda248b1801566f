"""Runs that share a warm-up: a run is a pure function of (parameters, seed, days), and its warm-up of only
(warm-up parameters, seed).

A model's construction and warm-up read only its warm-up parameters (the scenario's with its pre-reform
levers, ``Params.pre_reform``); the scenario's own levers switch on at the warm-up's end
(``TownshipModel.count_under``). The reforms of one experiment compared with common random numbers (every
generic-county scenario, a robustness world's arms, a sweep over levers) therefore have the same warm-up at
a seed: :func:`simulate` makes it once per process, keeps the warmed model (a few, least recently used
dropped) as a pickle (:class:`Frozen`), and starts each run from a copy thawed from it: ≈ 0.016 CPU-s a
copy (``copy.deepcopy`` of the model, walking its objects in Python, took ≈ 0.045) against ≈ 0.17 for the
construction and its 65-day warm-up (default county, compiled engine). Results are bit-identical to a run
built from nothing (``tests/test_warmstart.py``). Only the compiled engine's models are copied (the Python
engine's event callbacks are closures over their model, which a copy would share) and only counties of at
most :data:`MAX_AGENTS` citizen agents (a copy of a large county costs more than its short warm-up saves).
"""

from __future__ import annotations

import gc
import io
import pickle
import types
from collections import OrderedDict

from . import kernel
from .kernel.calls import Direct
from .model import TownshipModel
from .params import Params

KEPT = 6
"""Warmed models kept per process: at least the replications of one world or scenario set, so that a worker
given a world's arms in any order finds their warm-ups."""
MAX_AGENTS = 50_000
"""Largest county (citizen agents) whose warmed model is kept and copied."""

_KEPT: OrderedDict[tuple[str, int], Frozen] = OrderedDict()

_SHARED = (types.FunctionType, types.BuiltinFunctionType, types.MethodDescriptorType, types.ModuleType, type, Direct)
"""What a copy shares with its original instead of copying, as ``copy.deepcopy`` does: functions (the Python
engine's closures too), classes, modules, and the compiled functions' callers (``kernel.calls.Direct``)."""


class Frozen:
    """A model kept as a pickle, thawed into an independent copy (a deep copy, made by the C pickler instead of
    ``copy.deepcopy``'s Python walk). What ``_SHARED`` lists is kept by reference, not pickled."""

    def __init__(self, model: TownshipModel):
        self.shared: list = []
        index: dict[int, int] = {}
        shared = self.shared

        class _Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                if not isinstance(obj, _SHARED):
                    return None
                i = index.get(id(obj))
                if i is None:
                    i = index[id(obj)] = len(shared)
                    shared.append(obj)
                return i

        buf = io.BytesIO()
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(model)
        self.data = buf.getvalue()

    def thaw(self) -> TownshipModel:
        """A new copy of the frozen model, made with the collector off: its ~27,000 new objects (a default
        county) would otherwise set off some forty young collections on the way (0.026 → 0.016 CPU-s)."""
        unpickler = pickle.Unpickler(io.BytesIO(self.data))
        unpickler.persistent_load = self.shared.__getitem__  # type: ignore[method-assign]
        enabled = gc.isenabled()
        gc.disable()
        try:
            return unpickler.load()
        finally:
            if enabled:
                gc.enable()


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


def warmup_key(params: Params, seed) -> tuple[str, int] | None:
    """What identifies the warm-up a run of ``params`` at ``seed`` starts from (runs with equal keys share one),
    or None when it builds its own (:func:`shares_warmup`)."""
    if not shares_warmup(params, seed):
        return None
    return warmup_params(params).model_dump_json(), seed


def warmed(params: Params, seed: int) -> TownshipModel:
    """A model of ``params`` at ``seed`` at the start of its counted days, from a kept warm-up when there is
    one (made and kept when not)."""
    key = warmup_key(params, seed)
    if key is None:
        return TownshipModel(params, rng=seed)
    start = _KEPT.get(key)
    if start is None:
        start = _KEPT[key] = Frozen(TownshipModel(warmup_params(params), rng=seed))
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    else:
        _KEPT.move_to_end(key)
    model = start.thaw()
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
