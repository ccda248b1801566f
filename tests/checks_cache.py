"""One quick run per check and test session: the test files of each part assert their checks, and
tests/test_validate.py asserts that every registered check passes (``townsim validate --quick``),
without running any check twice: the cache is per process, so the tests of one check share an xdist
group (:func:`group`) and run on one worker."""

from __future__ import annotations

import functools

import pytest

from townsim.experiments.workflows.validate import load_checks


@functools.cache
def quick(name: str):
    """The check's quick result (same pass criterion as the full run), on the suite's engine
    (``conftest.suite_engine``) whichever module asks first: a module that picks its engines itself
    (``ENGINE_AWARE``, e.g. test_outcomes) ran it on the Python reference, at 3-5 times the compiled
    engine's CPU (settled_start_no_trend 13.4 against 2.6 CPU-s). The engines are bit-identical
    (test_kernel_differential), so the result is the same; ``TOWNSIM_TEST_ENGINE=python`` runs it there."""
    from conftest import suite_engine

    from townsim.model import kernel

    with kernel.engine_for_every_model(suite_engine()):
        return load_checks()[name].run(quick=True)


def explain(r) -> str:
    return f"{r.name}: expected {r.expected}, measured {r.measured:.4g} {r.ci}, details {r.details}"


def group(name: str):
    """The pytest-xdist group of a check's tests: every test asserting one check runs on one worker, so
    the check runs once per suite (the four held-out Linping checks share one posterior run, and P7's two
    checks their runs)."""
    for shared in ("linping_f11", "p7_135_rankings"):  # checks of one family share their runs in a process
        if name.startswith(shared):
            return pytest.mark.xdist_group(shared)
    return pytest.mark.xdist_group(name)
