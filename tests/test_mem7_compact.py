"""The compiled engine's queue entries compacted (``EngineTables._compact_entries``) keep every run bit-identical.

The differential tests of the queues' users (first come first served, deadline gaming's projections, the 135
rule's re-keying at the reform start, the whistle, delegated matters, many gamed closures) run again with the
table compacted at every hand-over from 16 rows in use on, instead of from 65,536 rows four in five popped.
"""

from __future__ import annotations

import pytest

pytest.importorskip("numba")

from test_kernel_differential import (  # noqa: E402, F401  (collected again here, with compaction)
    test_a_day_of_many_gamed_closures_is_bit_identical,
    test_deadline_gaming_is_bit_identical,
    test_delegated_matters_are_bit_identical,
    test_every_pin_on_the_compiled_engine_matches_its_pin_file,
    test_pin_counties_reduced_to_the_covered_mechanisms_are_bit_identical,
    test_shipped_135_reforms_after_a_baseline_warm_up_are_bit_identical,
    test_shipped_reforms_after_a_baseline_warm_up_are_bit_identical,
    test_the_135_rule_is_bit_identical,
    test_the_whistle_is_bit_identical,
)

from townsim.model.kernel import tables  # noqa: E402


@pytest.fixture(autouse=True)
def compact_often(monkeypatch):
    """Compaction at every hand-over from 16 rows on; each test must have compacted at least once."""
    done = [0]
    compact = tables.EngineTables._compact_entries

    def counted(self):
        before = int(self.ctr[tables.K.CTR_NENT])
        compact(self)
        done[0] += int(self.ctr[tables.K.CTR_NENT]) < before

    monkeypatch.setattr(tables, "COMPACT_AT", 16)
    monkeypatch.setattr(tables, "COMPACT_RATIO", 1)
    monkeypatch.setattr(tables.EngineTables, "_compact_entries", counted)
    yield
    assert done[0] > 0
