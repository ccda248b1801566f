"""What makes two scenarios the same county, shared by every experiment that compares scenarios."""

from __future__ import annotations

COUNTY_SIZE_FIELDS = ("townships", "departments", "enterprises", "residents")
"""Parameters that give the county its size."""

COUNTY_FIELDS = (*COUNTY_SIZE_FIELDS, "department_staff", "township_staff")
"""Parameters that define the county itself; a scenario that changes them is a different county."""

EQUAL_STAFF_SUFFIX = "+equal_staff"
"""Suffix of the name of a reform run at equal staff (``--equal-staff``)."""


def county_fields(name: str) -> list[str]:
    """The :data:`COUNTY_FIELDS` on which scenario ``name`` must equal the baseline to be the same county
    (an equal-staff run changes department posts by design)."""
    return [f for f in COUNTY_FIELDS if not (name.endswith(EQUAL_STAFF_SUFFIX) and f == "department_staff")]


SMALL_COUNTY = dict(
    townships=4,
    departments=8,
    enterprises=300,
    residents=30_000,
    residents_per_agent=100,
    matter_types=40,
    department_staff=16.0,
    township_staff=12.0,
)
"""The small county the mechanism and incentive checks run (``experiments/checks``) and the compiled engine's
warm-up runs (:func:`~townsim.experiments.core.engine_choice.warm`); the tests use it too (``tests/helpers.py``)."""
