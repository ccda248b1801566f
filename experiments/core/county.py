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
