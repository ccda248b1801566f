"""Geography: township sizes, staff split and travel hours to the county seat (F13).

Either a planner's table (``township_table``: a CSV with columns
``name, residents, travel_hours, staff``; one row per township; ``travel_hours``
one way to the seat, ``staff`` the township's service staff in persons) or drawn
from the county seed (``catalogue_seed``, so a reform and its baseline share the
county):

* sizes: shares ∝ exp(township_size_spread · z), z standard normal;
* distances: each township lies uniformly in a disc of area ``county_area_km2``
  around the seat, ``d = R·√u`` with ``R = √(area/π)`` (mean ``2R/3``; Linping,
  1,228 km², F13: R = 19.8 km, mean 13.2 km); one-way hours ``d / travel_speed_kmh``;
* staff: ``township_staff`` split by population.

A trip to the seat costs the requester the round trip, ``2 × travel_hours_t``
(working hours).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .params import Params

TABLE_COLUMNS = ("name", "residents", "travel_hours", "staff")


class TownshipTableError(ValueError):
    """A township table is invalid; ``str()`` is one line naming file, row and column."""


@dataclass(frozen=True)
class Geography:
    """Per-township arrays (length ``townships``)."""

    share: np.ndarray  # population share (sums to 1)
    travel_hours: np.ndarray  # one-way working hours to the county seat
    staff: np.ndarray  # service staff in persons (before staff moved down by delegation)
    names: tuple[str, ...]


def county_rng(params: Params) -> np.random.Generator:
    """The county's own generator (catalogue, delegated matters, geography): seeded by ``catalogue_seed``."""
    return np.random.default_rng(params.catalogue_seed)


def load_table(path: str | Path, params: Params) -> Geography:
    """Read a township table (columns ``TABLE_COLUMNS``); TownshipTableError on bad input."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = [(reader.line_num, r) for r in reader]
    except OSError as exc:
        raise TownshipTableError(f"{path}: cannot read township table ({exc.strerror})") from None
    if not rows:
        raise TownshipTableError(f"{path}: township table is empty")
    missing = [c for c in TABLE_COLUMNS if c not in rows[0][1]]
    if missing:
        raise TownshipTableError(
            f"{path}: missing column(s) {', '.join(missing)}; required: {', '.join(TABLE_COLUMNS)}"
        )
    if len(rows) != params.townships:
        raise TownshipTableError(
            f"{path}: {len(rows)} rows but townships = {params.townships}; give one row per township"
        )
    names, res, hours, staff = [], [], [], []
    for line, r in rows:
        try:
            v = float(r["residents"]), float(r["travel_hours"]), float(r["staff"])
        except (TypeError, ValueError):
            raise TownshipTableError(f"{path}:{line}: residents, travel_hours and staff must be numbers") from None
        if not (v[0] > 0 and 0 <= v[1] <= 80 and v[2] > 0 and all(map(math.isfinite, v))):
            raise TownshipTableError(f"{path}:{line}: allowed: residents > 0, travel_hours in [0, 80], staff > 0")
        names.append(r["name"].strip())
        res.append(v[0])
        hours.append(v[1])
        staff.append(v[2])
    res_a = np.asarray(res)
    return Geography(res_a / res_a.sum(), np.asarray(hours), np.asarray(staff), tuple(names))


def build(params: Params, base_dir: Path | None = None) -> Geography:
    """The county's townships: from ``township_table`` when set, else drawn from the county seed."""
    if params.township_table:
        path = Path(params.township_table)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return load_table(path, params)
    T = params.townships
    rng = np.random.default_rng([params.catalogue_seed, 1])
    raw = np.exp(params.township_size_spread * rng.standard_normal(T))
    share = raw / raw.sum()
    radius = math.sqrt(params.county_area_km2 / math.pi)
    dist = radius * np.sqrt(rng.random(T))
    return Geography(
        share, dist / params.travel_speed_kmh, params.township_staff * share, tuple(f"T{t + 1}" for t in range(T))
    )


def township_staff_total(params: Params, base_dir: Path | None = None) -> float:
    """Persons of all townships' service staff (the table's sum when a table is given)."""
    if params.township_table:
        return float(build(params, base_dir).staff.sum())
    return params.township_staff
