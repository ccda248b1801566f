"""Memory of a long-lived worker: models built for one item are released when it is done."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import mesa

from townsim.model import gcpolicy, warmstart


@contextmanager
def released_models() -> Iterator[None]:
    """Drop Mesa's own reference to every model built inside the block when it ends.

    Mesa (3.3) numbers agents per model in the class-level dict ``mesa.Agent._ids``, keyed by the
    model itself: every model ever built stays alive there. A worker running thousands of simulations
    grew by ~12 MB a run (measured: 12 GB per worker after 960 one-year runs of the Sobol' spec, then
    swapping). Models that existed before the block keep their entry (their numbering goes on). After
    models with at least ``LARGE_MODEL_AGENTS`` agents, or once the models released since the last such
    collection filed at least ``LARGE_MODEL_CASES`` cases, garbage is collected at once.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    made = gcpolicy.BULK_MADE[0]
    if not isinstance(ids, dict):  # Mesa ≥ 3.4 keeps no registry: only collect after a large model
        try:
            yield
        finally:
            large = gcpolicy.BULK_MADE[0] - made >= LARGE_MODEL_AGENTS
            if large or _many_cases():
                _collect()
            _pin_once(large)
        return
    before = {id(m) for m in ids}
    try:
        yield
    finally:
        released = [m for m in ids if id(m) not in before]
        for model in released:
            ids.pop(model, None)
        model = None  # the loop's last model must not outlive the block
        large = sum(_agent_count(m) for m in released) >= LARGE_MODEL_AGENTS
        if large or _many_cases():
            # a model is a reference cycle (model ↔ agents, cases' flows) that only a full collection
            # frees; a large one's agents skipped the collector's young generations (``model.gcpolicy``),
            # and a model that filed many cases left the heap large, so that the next full collection
            # comes late (measured: a worker of the drawn Linping calibration grew by the size of each
            # dead model, 0.3 → 2.5 GB in 31 simulations): free it now, before the next county is built
            del released
            _collect()
        _pin_once(large)


LARGE_MODEL_AGENTS = 50_000
"""Agents of the models released by one item above which the worker collects garbage at once."""

LARGE_MODEL_CASES = 150_000
"""Cases filed by the models released since the worker's last full collection above which it collects
garbage at once. A full collection walks every object of the process (≈ 280,000 in a compiled-engine
worker: 0.15–0.2 CPU-s on the development machine, a tenth of a default county-year), whatever it frees;
a dead default county-year holds ≈ 33 MiB (57,791 cases on ``full_reform``). Collecting after every
such run cost 6–8 % of a robustness run; now a worker keeps the dead models of at most 150,000 cases
(three to five default county-years, ≈ 100–170 MiB) and collects once for them."""

PIN_WORKER = [False]
"""Whether this process is a pool worker of an experiment (set by its initializer): after its first item of
small models it pins what it holds (:func:`_pin_once`)."""

_COLLECTED_AT = [0]
"""``gcpolicy.CASES_MADE`` at this process's last collection by :func:`released_models`."""


def _many_cases() -> bool:
    """Whether the models made since this process's last collection filed at least ``LARGE_MODEL_CASES`` cases."""
    return gcpolicy.CASES_MADE[0] - _COLLECTED_AT[0] >= LARGE_MODEL_CASES


def _pin_once(large: bool) -> None:
    """In a pool worker (:data:`PIN_WORKER`), after its first item of small models: drop the kept warm-ups
    (``model.warmstart``; a pinned model could never be freed), collect, and pin every object left
    (``gcpolicy.pin``: the modules and numba's functions, never walked again). Every later full collection
    then walks only what the runs made: ≈ 0.13 → 0.02 CPU-s a collection for a dead default county, a
    few per cent of a robustness experiment's CPU. Not after a large model (a county of
    ``LARGE_MODEL_AGENTS`` or more keeps ``gcpolicy.during_run``'s freezing, which pinning turns off), not
    when the collector is off."""
    if not PIN_WORKER[0] or gcpolicy.PINNED[0] or large or not gc.isenabled():
        return
    warmstart.forget()
    _collect()
    gcpolicy.pin()


def _collect() -> None:
    """A full collection, remembered (:data:`_COLLECTED_AT`)."""
    gc.collect()
    _COLLECTED_AT[0] = gcpolicy.CASES_MADE[0]


def _agent_count(model: Any) -> int:
    try:
        return len(model.agents)
    except Exception:  # noqa: BLE001 - a model without Mesa's agent set counts as small
        return 0
