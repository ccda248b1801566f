"""One quick run per check and test session: the test files of each part assert their checks, and
tests/test_validate.py asserts that every registered check passes (``townsim validate --quick``),
without running any check twice."""

from __future__ import annotations

import functools

from townsim.experiments.workflows.validate import load_checks


@functools.cache
def quick(name: str):
    """The check's quick result (same pass criterion as the full run)."""
    return load_checks()[name].run(quick=True)


def explain(r) -> str:
    return f"{r.name}: expected {r.expected}, measured {r.measured:.4g} {r.ci}, details {r.details}"
