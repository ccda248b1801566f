"""Regression pin: the exact results of a few fixed (Params, seed, days) runs, read from tests/pins/*.json.

Performance work must not change results: every summary value and every value of the daily KPI table
must equal the pinned one within the stated tolerance (``pins.REL_TOL`` = 1e-9 relative, ``pins.ABS_TOL``
= 1e-12 absolute: floating-point rounding only). The pins are data files with their provenance (the
commit that made them); this test never rewrites them. After a deliberate change of the model's
behaviour, commit it and regenerate them from the repository root with::

    python3 -m tests.pins

then commit the new files saying why they changed (see tests/pins/__init__.py).
"""

from __future__ import annotations

import re

import pins
import pytest


@pytest.mark.parametrize("name", list(pins.CASES))
def test_summary_and_daily_table_are_unchanged(name):
    pin = pins.load(name)
    assert re.fullmatch(r"[0-9a-f]{40}", pin["provenance"]["commit"]), "a pin names the commit that made it"
    assert [pin["params"], pin["seed"], pin["days"]] == list(pins.CASES[name]), "the pin is of this case"
    summary, daily = pins.run_case(name)
    diffs = pins.compare(pin, summary, daily)
    assert not diffs, f"{name}: {len(diffs)} difference(s) beyond the tolerance, e.g. " + "; ".join(diffs[:5])


def test_comparison_catches_a_changed_value():
    pin = {"summary": {"cases_closed": 10, "on_time_rate": 0.5}, "daily": {}}
    import pandas as pd

    assert not pins.compare(pin, {"cases_closed": 10, "on_time_rate": 0.5 * (1 + 1e-12)}, pd.DataFrame())
    assert pins.compare(pin, {"cases_closed": 11, "on_time_rate": 0.5}, pd.DataFrame())
    assert pins.compare(pin, {"cases_closed": 10, "on_time_rate": 0.5 + 1e-6}, pd.DataFrame())
