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


class BeforeAfterModel(TownshipModel):
    """A TownshipModel whose warm-up days are ordinary, shown steps; the reform switches on after them."""

    def _warm_up(self) -> None:
        self.before_reform = True  # the days before the reform are stepped by the page, one by one

    def step(self) -> None:
        if getattr(self, "before_reform", False) and self.clock_day >= self.warmup_days:
            self.before_reform = False
            self._start_reform()
            self._reset_totals()
        booked = self._township_hours()
        self._day(collect=True)  # a day before the reform is drawn like any other
        self._log_day(booked)

    def _township_hours(self) -> np.ndarray:
        """Hours booked so far per township and use (townships × ``HOUR_USES``)."""
        return np.array([[tw.hours[u] for u in HOUR_USES] for tw in self.townships], dtype=float)

    def _log_day(self, booked_before: np.ndarray) -> None:
        """Keep what the page shows of the day just computed: the tiles' values (``kpis.snapshot``),
        each township's hours of the day by use and its utilisation."""
        from .kpis import snapshot

        if not hasattr(self, "day_log"):
            self.day_log, self.township_day_hours, self.township_day_util = [], [], []
        self.day_log.append(snapshot(self))
        self.township_day_hours.append(self._township_hours() - booked_before)
        self.township_day_util.append(np.array([tw.utilisation for tw in self.townships], dtype=float))

    @property
    def reform_on(self) -> bool:
        """True once the scenario's levers apply (always, without a warm-up)."""
        return not getattr(self, "before_reform", False) or self.clock_day >= self.warmup_days
