"""Results store: atomic per-run files, resumable, failures recorded; seeds from SeedSequence."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from townsim.experiments.core.executors import Failure
from townsim.experiments.core.seeds import replication_seeds, scenario_seeds
from townsim.experiments.core.store import ResultStore, RunKey, param_hash
from townsim.model.params import Params


def test_param_hash_stable_and_sensitive():
    a, b = Params(), Params(delegated_share=0.6)
    assert param_hash(a) == param_hash(Params()) and len(param_hash(a)) == 16
    assert param_hash(a) != param_hash(b)
    assert param_hash({"x": 1, "y": (1, 2)}) == param_hash({"y": [1, 2], "x": 1})


def test_run_keys_name_files_by_content(tmp_path):
    # A township table or matter catalogue enters a run's key by its content, not its path: a moved
    # checkout or results folder keeps every key (nothing reruns), an edited file changes them.
    from townsim.experiments.core.design import RunSpec

    shipped = Path(__file__).resolve().parent.parent / "scenarios" / "linping_matters.csv"
    copies = [tmp_path / "a" / "m.csv", tmp_path / "b" / "elsewhere.csv"]
    for c in copies:
        c.parent.mkdir()
        c.write_bytes(shipped.read_bytes())
    keys = [RunSpec("s", Params(matter_catalogue=str(c)), 0, 1, 20, "code").key for c in copies]
    assert keys[0] == keys[1]
    assert keys[0] != RunSpec("s", Params(), 0, 1, 20, "code").key
    copies[1].write_bytes(shipped.read_bytes() + b"\n")  # an edited file (even in place) is another input
    assert RunSpec("s", Params(matter_catalogue=str(copies[1])), 0, 1, 20, "code").key != keys[0]
    assert param_hash(Params(matter_catalogue=str(copies[0]))) != param_hash(Params(matter_catalogue=str(copies[1])))


def test_put_has_rows_timeseries_roundtrip(tmp_path):
    store = ResultStore(tmp_path)
    k1 = RunKey("baseline", "abc", 0, 11)
    k2 = RunKey("odd name/with space", "abc", 1, 12)
    assert not store.has(k1)
    ts = pd.DataFrame({"day": [1, 2, 3], "backlog": [0.5, 1.25, np.nan]})
    store.put(k1, {"cases_created": 7, "on_time_rate": float("nan"), "x": np.float64(0.1)}, ts)
    store.put(k2, {"cases_created": 3, "on_time_rate": 0.5, "x": 0.2})
    assert store.has(k1) and store.has(k2)
    rows = store.rows()
    assert [r["scenario"] for r in rows] == ["baseline", "odd name/with space"]
    assert rows[0]["cases_created"] == 7 and math.isnan(rows[0]["on_time_rate"]) and rows[0]["x"] == 0.1
    pd.testing.assert_frame_equal(store.timeseries(k1), ts)
    assert store.timeseries(k2) is None
    frame = store.timeseries_frame()
    assert list(frame.columns[:4]) == ["scenario", "param_hash", "replication", "seed"]
    assert len(frame) == 3 and (frame["seed"] == 11).all()
    # a fresh store on the same folder sees the same runs (resume)
    again = ResultStore(tmp_path)
    assert again.keys() == [k1, k2]
    # no temp files left, every file under runs/ parses
    assert not list((tmp_path / "runs").glob(".tmp-*"))


def test_failure_recorded_then_cleared_by_success(tmp_path):
    store = ResultStore(tmp_path)
    k = RunKey("s", "h", 2, 5)
    store.put_failure(k, Failure("ValueError: boom", "Traceback ..."))
    assert not store.has(k)
    (rec,) = store.failures()
    assert rec["error"] == "ValueError: boom" and rec["replication"] == 2 and rec["seed"] == 5
    store.put(k, {"a": 1.0})
    assert store.failures() == [] and store.has(k)


def test_half_written_temp_files_are_ignored_and_cleaned(tmp_path):
    store = ResultStore(tmp_path)
    (tmp_path / "runs" / ".tmp-abc.json").write_text('{"scenario": "half')
    assert store.rows() == []
    assert store.cleanup() == 1
    assert store.rows() == []


def test_replication_seeds():
    s = replication_seeds(42, 5)
    ref = [int(c.generate_state(1, dtype=np.uint64)[0]) & ((1 << 63) - 1) for c in np.random.SeedSequence(42).spawn(5)]
    assert s == ref and len(set(s)) == 5 and all(0 <= x < 2**63 for x in s)
    assert replication_seeds(42, 8)[:5] == s  # adding replications keeps the first ones
    assert replication_seeds(43, 5) != s
    assert scenario_seeds(42, 5, 3, common=True) == s
    ind = [scenario_seeds(42, 5, k, common=False) for k in range(3)]
    assert len({tuple(x) for x in ind}) == 3 and not set(ind[0]) & set(s)
    with pytest.raises(ValueError):
        replication_seeds(1, -1)
