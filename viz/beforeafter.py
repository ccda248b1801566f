"""The model the app steps: ``TownshipModel`` with its warm-up shown day by day (the before/after view).

``TownshipModel`` ends its construction by running ``warmup_days`` under the pre-reform levers
(``params.pre_reform``) silently, then switches the scenario's levers on (``_start_reform``) and counts
from there. A class should *see* the switch: ``BeforeAfterModel`` runs the same days as ordinary, drawn
steps, then makes the same switch (and starts the counted totals, as the model does). Nothing else
differs: the same agents, mechanisms and random streams. ``clock_day`` counts every day shown;
``day`` (the model's counted days) starts at the switch.
"""

from __future__ import annotations

from townsim.model import TownshipModel


class BeforeAfterModel(TownshipModel):
    """A TownshipModel whose warm-up days are ordinary, shown steps; the reform switches on after them."""

    def _warm_up(self) -> None:
        self.before_reform = True  # the days before the reform are stepped by the page, one by one

    def step(self) -> None:
        if getattr(self, "before_reform", False):
            if self.clock_day < self.warmup_days:
                self._day(collect=True)  # a day before the reform, drawn like any other
                return
            self.before_reform = False
            self._start_reform()
            self._reset_totals()
        self._day(collect=True)

    @property
    def reform_on(self) -> bool:
        """True once the scenario's levers apply (always, without a warm-up)."""
        return not getattr(self, "before_reform", False) or self.clock_day >= self.warmup_days
