"""Executors: same outcomes whatever the kind; errors recorded; dead workers retried."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from townsim.experiments.core.executors import Failure, ProcessExecutor, SerialExecutor, collect, make_executor


def draw(item):
    """A tiny stand-in for a run: deterministic in its seed; item 3 raises."""
    seed, n = item
    if seed == 3:
        raise ValueError("bad\nseed 3")
    return float(np.random.default_rng(seed).normal(size=n).sum())


def die_once(item):
    """Kills its own worker process the first time it sees ``marker``; then returns ``value``."""
    marker, value = item
    marker = Path(marker)
    if value == 1 and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return value * 10


ITEMS = [(s, 50) for s in range(6)]


def expected():
    return [float(np.random.default_rng(s).normal(size=n).sum()) if s != 3 else None for s, n in ITEMS]


def check(outcomes):
    exp = expected()
    for i, out in enumerate(outcomes):
        if i == 3:
            assert isinstance(out, Failure)
            assert out.error == "ValueError: bad seed 3"
            assert "Traceback" in out.traceback and "draw" in out.traceback
        else:
            assert out == exp[i]


def test_serial_and_factory():
    ex = make_executor(workers=1)
    assert isinstance(ex, SerialExecutor) and ex.name == "serial"
    with ex:
        check(collect(ex, draw, ITEMS))
    with pytest.raises(ValueError):
        make_executor(workers=0)
    with pytest.raises(ValueError):
        make_executor(scheduler="tcp://127.0.0.1:1", dask_local=True)


def test_process_pool_same_outcomes_and_survives_dead_worker(tmp_path):
    with make_executor(workers=2) as ex:
        assert isinstance(ex, ProcessExecutor) and ex.workers == 2
        pairs = list(ex.map(draw, ITEMS))
        assert sorted(i for i, _ in pairs) == list(range(len(ITEMS)))
        check(collect(ex, draw, ITEMS))
        items = [(str(tmp_path / "marker"), v) for v in range(4)]
        assert collect(ex, die_once, items) == [0, 10, 20, 30]
        assert (tmp_path / "marker").exists()


def test_process_pool_gives_up_after_retries(tmp_path):
    # die_once with a marker in a folder that cannot be created never succeeds: always dies.
    def_marker = tmp_path / "nope"
    ex = ProcessExecutor(workers=1, retries=1)
    with ex:
        out = collect(ex, die_forever, [(str(def_marker), 0), (str(def_marker), 1)])
    assert out[0] == 0
    assert isinstance(out[1], Failure) and "died" in out[1].error


def die_forever(item):
    _, value = item
    if value == 1:
        os._exit(1)
    return value


@pytest.mark.dask
def test_dask_local_cluster_same_outcomes_and_retries_dead_worker(tmp_path):
    pytest.importorskip("distributed")
    with make_executor(workers=2, dask_local=True) as ex:
        assert ex.name == "dask" and ex.address.startswith("tcp://127.0.0.1:")
        assert ex.describe()["local_cluster"] is True
        check(collect(ex, draw, ITEMS))
        items = [(str(tmp_path / "marker"), v) for v in range(4)]
        assert collect(ex, die_once, items) == [0, 10, 20, 30]
        assert (tmp_path / "marker").exists()
        # --scheduler ADDR: a client of a running cluster gives the same outcomes
        with make_executor(scheduler=ex.address) as remote:
            assert remote.describe()["local_cluster"] is False and remote.workers >= 1
            check(collect(remote, draw, ITEMS))
        # a cluster that lost every worker fails the remaining items instead of hanging
        ex._cluster.scale(0)
        deadline = time.monotonic() + 30
        while ex._threads() and time.monotonic() < deadline:
            time.sleep(0.1)
        ex.no_worker_timeout = 2.0
        out = collect(ex, draw, ITEMS[:2])
        assert all(isinstance(o, Failure) and o.error.startswith("NoWorkers") for o in out)


def test_progress_bar_quiet_off_terminal_and_shows_on_request():
    import io

    from townsim.experiments.core.progress import progress_bar

    buf = io.StringIO()
    with progress_bar(4, file=buf) as bar:  # StringIO is not a terminal: quiet
        bar.update(4)
    assert buf.getvalue() == ""
    buf = io.StringIO()
    with progress_bar(4, initial=1, file=buf, enabled=True) as bar:
        bar.update(3)
    text = buf.getvalue()
    assert "4/4" in text and "run/s" in text


def build_models(item):
    """Builds ``n`` small Mesa models with agents (as a run does) and returns a weak reference count."""
    import mesa

    n, raise_after = item
    for _ in range(n):
        model = mesa.Model(rng=1)
        for _ in range(3):
            mesa.Agent(model)
    if raise_after:
        raise RuntimeError("a run that fails still releases its models")
    return n


def test_models_built_by_a_task_are_released_and_others_kept():
    """Mesa keeps every model in the class-level ``Agent._ids``: a long-lived worker would hold all its
    runs. The executor drops the entries of the models a task built, and only those."""
    import gc
    import weakref

    import mesa

    if not isinstance(getattr(mesa.Agent, "_ids", None), dict):
        pytest.skip("this Mesa keeps no model registry on Agent")
    alive = mesa.Model(rng=2)
    mesa.Agent(alive)
    before = len(mesa.Agent._ids)
    seen = []
    original = mesa.Model.__init__

    def spy(self, *a, **k):
        original(self, *a, **k)
        seen.append(weakref.ref(self))

    mesa.Model.__init__ = spy
    try:
        with SerialExecutor() as ex:
            outcomes = collect(ex, build_models, [(4, False), (2, True)])
    finally:
        mesa.Model.__init__ = original
    gc.collect()
    assert outcomes[0] == 4 and isinstance(outcomes[1], Failure)
    assert len(seen) == 6 and all(w() is None for w in seen)  # every model of the tasks is freed
    assert len(mesa.Agent._ids) == before and alive in mesa.Agent._ids  # a model alive before keeps its entry
    assert next(mesa.Agent._ids[alive]) == 2  # …and its numbering goes on
