"""A setting that chooses how a run is computed (the compiled engine) is in no key or hash: runs made by
one engine are reused by the other, and posteriors and folders stay valid."""

from __future__ import annotations

import pytest
from pydantic import create_model

from townsim.experiments.core.calibration import fingerprint, load_spec
from townsim.experiments.core.store import hashable, param_hash
from townsim.model.params import KindError, P, Params, keyed_dump, off_fields, unkeyed_fields


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


def test_a_mechanism_added_off_by_default_keeps_every_key():
    """The stop rule was added off by default after results were stored: off, it is in no key (the keys of
    runs made before it existed); on, it is keyed like any value that changes what a run computes."""
    assert off_fields() == {"stop_backlog_days": 0.0, "mediation_accept_threshold": 0.0, "callback_desk_posts": 0.0}
    off, on = Params(), Params(stop_backlog_days=40.0)
    assert "stop_backlog_days" not in keyed_dump(off) and keyed_dump(on)["stop_backlog_days"] == 40.0
    assert param_hash(off) != param_hash(on)
    # a toy county before and after gaining a field off by default: the same keys while it is off
    before = create_model("Before", a=(float, P(1.0, unit="-", group="county", desc="a", kind="setting")))
    after = create_model(
        "After",
        a=(float, P(1.0, unit="-", group="county", desc="a", kind="setting")),
        b=(float, P(0.0, unit="-", group="county", desc="b", kind="setting", off_by_default=True)),
    )
    assert param_hash(before()) == param_hash(after())
    assert param_hash(after(b=2.0)) != param_hash(before())
