"""A setting that chooses how a run is computed (the compiled engine) is in no key or hash: runs made by
one engine are reused by the other, and posteriors and folders stay valid."""

from __future__ import annotations

import pytest

from townsim.experiments.core.calibration import fingerprint, load_spec
from townsim.experiments.core.store import hashable, param_hash
from townsim.model.params import KindError, P, Params, keyed_dump, unkeyed_fields


def test_the_engine_is_the_one_unkeyed_field():
    assert unkeyed_fields() == frozenset({"engine"})


def test_run_keys_and_dumps_ignore_the_engine():
    a, b = Params(), Params(engine="compiled")
    assert hashable(a) == hashable(b) and keyed_dump(a) == keyed_dump(b)
    assert "engine" not in keyed_dump(a)
    assert param_hash(a) == param_hash(b)
    assert param_hash(a) != param_hash(Params(department_staff=a.department_staff + 1))  # what it computes is keyed


def test_a_calibration_fingerprint_ignores_the_engine(tmp_path):
    spec = load_spec("experiments/specs/calibrate/generic.toml")
    other = spec.model_copy(update={"model_params": spec.model_params.replace(engine="compiled")})
    assert fingerprint(spec) == fingerprint(other)


def test_only_a_setting_may_leave_the_results_the_same():
    with pytest.raises(KindError, match="only a setting"):
        P(1.0, unit="-", group="county", desc="x", kind="lever", same_results=True)
