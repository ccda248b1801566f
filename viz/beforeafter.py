"""The model the app steps: ``TownshipModel`` with its warm-up shown day by day (the before/after view).

``TownshipModel`` runs its ``warmup_days`` under the pre-reform levers (``params.pre_reform``) silently
inside the first step, then switches the scenario's levers on (``_start_reform``) and counts from there.
A class should *see* the switch: ``BeforeAfterModel`` runs the same days one step at a time and collects
them, so the charts and tiles show the county before the reform, the day it switches on, and after.
Nothing else differs: the same agents, mechanisms, random streams and switch.
"""

from __future__ import annotations

from townsim.model import TownshipModel


class BeforeAfterModel(TownshipModel):
    """A TownshipModel whose warm-up days are ordinary, shown steps; the reform switches on after them."""

    def step(self) -> None:
        if not self.warmed:
            if self.day < self.warmup_days:
                self._day(collect=True)  # a day before the reform, drawn like any other
                return
            self.warmed = True
            self._start_reform()
        self._day(collect=True)

    @property
    def reform_on(self) -> bool:
        """True once the scenario's levers apply (always, without a warm-up)."""
        return self.warmed or not self.warmup_days
