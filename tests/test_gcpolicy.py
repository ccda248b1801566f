"""Garbage collection tuned for a run (``model.gcpolicy``): the process's collector is as before after a
run, a finished model is still collected, and results do not depend on the tuning."""

from __future__ import annotations

import gc
import weakref

from helpers import small

from townsim.model import TownshipModel, gcpolicy


def test_run_restores_thresholds_and_unfreezes():
    before = gc.get_threshold()
    seen = {}

    class Spy(TownshipModel):
        def step(self):
            seen["threshold"] = gc.get_threshold()
            seen["frozen"] = gc.get_freeze_count()
            super().step()

    Spy(small(), rng=1).run(2)
    assert seen["threshold"][0] == max(before[0], gcpolicy.YOUNG_THRESHOLD)
    assert seen["frozen"] > 0, "the objects made before the run are frozen during it"
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_when_the_run_fails():
    before = gc.get_threshold()

    class Boom(TownshipModel):
        def step(self):
            raise RuntimeError("boom")

    try:
        Boom(small(), rng=1).run(1)
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_garbage_made_before_a_run_is_still_collected_after_it():
    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    ref = weakref.ref(a)
    m = TownshipModel(small(), rng=1)
    m.run(2)  # frozen during the run, back in the oldest generation after it
    del a, b
    gc.collect()
    assert ref() is None


def test_results_do_not_depend_on_the_collector():
    p = small()
    tuned = TownshipModel(p, rng=3).run(15).summary()
    gc.disable()
    try:
        m = TownshipModel(p, rng=3)
        for _ in range(15):
            m.step()
        plain = m.summary()
    finally:
        gc.enable()
    assert tuned.keys() == plain.keys()
    assert all(a == b or (a != a and b != b) for a, b in zip(tuned.values(), plain.values()))  # NaN == NaN


def test_a_worker_frees_a_large_model_after_its_run():
    """The executors' worker releases a large model at once (a reference cycle whose agents skipped the
    young generations), so a worker running county after county does not keep the dead ones."""
    from townsim.experiments.core.memory import LARGE_MODEL_AGENTS, released_models

    refs = []
    with released_models():
        m = TownshipModel(small(residents=LARGE_MODEL_AGENTS, residents_per_agent=1), rng=1).run(1)
        refs.append(weakref.ref(m))
        del m
    assert refs[0]() is None


def test_a_loop_of_large_models_keeps_one_not_many():
    """A dead large model is freed before the next large one is built (bulk-made agents skip the young
    generations, so the full collection that frees a dead model could otherwise come late)."""
    import mesa

    p = small(residents=gcpolicy.LARGE, residents_per_agent=1)
    m = TownshipModel(p, rng=1).run(1)
    first = weakref.ref(m)
    getattr(mesa.Agent, "_ids", {}).pop(m, None)  # Mesa 3.3's registry keeps every model (executors release it)
    del m
    TownshipModel(p, rng=2)
    assert first() is None


def test_a_pool_worker_pins_what_it_holds_after_its_first_item_and_still_frees_later_models(monkeypatch):
    """A pool worker (``memory.PIN_WORKER``) pins its long-lived objects after its first item of small
    models: the kept warm-ups dropped first (a pinned model could never be freed), then runs neither unfreeze
    them (``during_run``, ``promote``) nor keep dead models: a model released later is still freed."""
    from townsim.experiments.core import memory
    from townsim.model import warmstart

    if gc.get_freeze_count():  # pragma: no cover - another test left objects frozen
        gc.unfreeze()
    monkeypatch.setattr(memory, "PIN_WORKER", [True])
    monkeypatch.setattr(gcpolicy, "PINNED", [False])
    p = small().replace(engine="compiled")
    try:
        with memory.released_models():
            warmstart.simulate(p, 1, 3)
        assert gcpolicy.PINNED[0] and not warmstart._KEPT
        pinned = gc.get_freeze_count()
        assert pinned > 0
        refs = []
        with memory.released_models():
            m = TownshipModel(small(), rng=2).run(2)
            gcpolicy.promote()
            # (a pinned object freed by its reference count leaves the permanent generation)
            assert 0.99 * pinned < gc.get_freeze_count() <= pinned, "nothing unfrozen, nothing of the run frozen"
            refs.append(weakref.ref(m))
            del m
        monkeypatch.setattr(memory, "LARGE_MODEL_CASES", 0)  # the next block's end collects
        with memory.released_models():
            pass
        assert refs[0]() is None, "a model released after the pin is freed"
        assert 0.99 * pinned < gc.get_freeze_count() <= pinned
    finally:
        gc.unfreeze()
        warmstart.forget()


def test_a_process_that_is_not_a_pool_worker_never_pins():
    from townsim.experiments.core import memory

    assert not memory.PIN_WORKER[0]
    with memory.released_models():
        TownshipModel(small(), rng=3).run(1)
    assert not gcpolicy.PINNED[0] and gc.get_freeze_count() == 0
