"""The model the app steps: ``TownshipModel`` with its warm-up shown day by day (the before/after view).

``TownshipModel`` ends its construction by running ``warmup_days`` under the pre-reform levers
(``params.pre_reform``) silently, then switches the scenario's levers on (``_start_reform``) and counts
from there. A class should *see* the switch: ``BeforeAfterModel`` runs the same days as ordinary, drawn
steps, then makes the same switch (and starts the counted totals, as the model does). Nothing else
differs: the same agents, mechanisms and random streams. ``clock_day`` counts every day shown;
``day`` (the model's counted days) starts at the switch.
"""

from __future__ import annotations

import numpy as np

from townsim.model import TownshipModel

HOUR_USES = ("cases", "duties", "paperwork", "outreach")
"""How a township's hours are booked (``Township.hours``), in the order the hours panel stacks them."""
TRIP_COLUMNS = {"trips_made": "trips", "seat_trips_made": "seat_trips"}
"""The page's own daily columns of trips made that day (all, to the county seat) and the case-table column
each sums: a trip is booked on its case when it is made (at filing, or when a requester runs on to the next
department at the seat)."""


class BeforeAfterModel(TownshipModel):
    """A TownshipModel whose warm-up days are ordinary, shown steps; the reform switches on after them."""

    def _warm_up(self) -> None:
        self.before_reform = True  # the days before the reform are stepped by the page, one by one

    def step(self) -> None:
        if getattr(self, "before_reform", False) and self.clock_day >= self.warmup_days:
            self.before_reform = False
            self._start_reform()
            self._reset_totals()
        booked, trips = self._township_hours(), self._trips_so_far()
        self._day(collect=True)  # a day before the reform is drawn like any other
        self._log_day(booked, trips)

    def _township_hours(self) -> np.ndarray:
        """Hours booked so far per township and use (townships × ``HOUR_USES``)."""
        return np.array([[tw.hours[u] for u in HOUR_USES] for tw in self.townships], dtype=float)

    def _trips_so_far(self) -> np.ndarray:
        """Trips requesters have made so far (``TRIP_COLUMNS``), summed over the case table."""
        c = self.cases
        return np.array([c.view(col).sum(dtype=np.int64) for col in TRIP_COLUMNS.values()], dtype=float)

    def _log_day(self, booked_before: np.ndarray, trips_before: np.ndarray) -> None:
        """Keep what the page shows of the day just computed: the tiles' values (``kpis.snapshot``),
        each township's hours of the day by use and its utilisation, the trips made that day."""
        from .kpis import snapshot  # deferred: it pulls in solara (an optional extra [viz])

        if not hasattr(self, "day_log"):
            self.day_log, self.township_day_hours, self.township_day_util, self.day_trips = [], [], [], []
        self.day_log.append(snapshot(self))
        self.township_day_hours.append(self._township_hours() - booked_before)
        self.township_day_util.append(np.array([tw.utilisation for tw in self.townships], dtype=float))
        self.day_trips.append(self._trips_so_far() - trips_before)

    @property
    def reform_on(self) -> bool:
        """True once the scenario's levers apply (always, without a warm-up)."""
        return not getattr(self, "before_reform", False) or self.clock_day >= self.warmup_days
