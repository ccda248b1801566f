"""Which enterprises and citizens the county view draws, so drawing cost stays flat.

At Linping's size (1.18 M residents, 20,000 enterprises) one mark per agent
would be tens of thousands of points per frame. The view instead draws a
fixed, stratified sample: at most ``per_township`` enterprises and
``per_township`` citizens per township, chosen once per model with the app's
own random generator (never the model's, so drawing cannot change a run).
Marks keep their place between frames; enterprises that enter later join the
sample at their township's sampling rate. Township averages over *all*
agents are computed separately (``township_means``), vectorised with numpy.
"""

from __future__ import annotations

import numpy as np

DEFAULT_PER_TOWNSHIP = 60
"""Marks per township and requester kind (8 townships → at most 960 marks)."""


class MarkSample:
    """A stable sample of requester rows per township, with fixed jittered positions."""

    def __init__(self, model, per_township: int = DEFAULT_PER_TOWNSHIP, seed: int = 0):
        self.per_township = int(per_township)
        self.n_townships = len(model.townships)
        self._rng = np.random.default_rng([int(seed), 0x7A17])
        # citizens: rows [start, start + count) belong to township t
        cit = []
        for t in range(self.n_townships):
            start, count = int(model.citizen_start[t]), int(model.citizen_count[t])
            k = min(count, self.per_township)
            cit.append(start + self._rng.choice(count, size=k, replace=False) if k else np.zeros(0, np.int64))
        self.citizens = np.concatenate(cit).astype(np.int64) if cit else np.zeros(0, np.int64)
        self.citizen_town = model.citizen_state["township"][self.citizens].astype(np.int64)
        # enterprises: sampled per township; later entrants join at the township's rate
        n = model.n_enterprises
        town = model.enterprise_state["township"][:n]
        ent, self._rate = [], np.zeros(self.n_townships)
        for t in range(self.n_townships):
            rows = np.flatnonzero(town == t)
            k = min(len(rows), self.per_township)
            self._rate[t] = k / len(rows) if len(rows) else 1.0
            ent.append(self._rng.choice(rows, size=k, replace=False) if k else np.zeros(0, np.int64))
        self.enterprises = np.sort(np.concatenate(ent)).astype(np.int64) if ent else np.zeros(0, np.int64)
        self._seen = n
        self.citizen_xy = self._jitter(self.citizen_town, low=True)
        self.enterprise_xy = self._jitter(
            model.enterprise_state["township"][self.enterprises].astype(np.int64), low=False
        )

    def _jitter(self, town: np.ndarray, low: bool) -> np.ndarray:
        """Offsets within a township's cell: x in [-0.42, 0.42] cell widths; y in the kind's band (0..1)."""
        k = len(town)
        dx = self._rng.uniform(-0.42, 0.42, k)
        dy = self._rng.uniform(0.0, 0.45, k) + (0.0 if low else 0.55)
        return np.column_stack([dx, dy])

    def update(self, model) -> None:
        """Add enterprises that entered since the last call (sampled at their township's rate)."""
        n = model.n_enterprises
        if n <= self._seen:
            return
        new = np.arange(self._seen, n)
        town = model.enterprise_state["township"][new].astype(np.int64)
        keep = self._rng.random(len(new)) < self._rate[town]
        if keep.any():
            self.enterprises = np.concatenate([self.enterprises, new[keep]])
            self.enterprise_xy = np.vstack([self.enterprise_xy, self._jitter(town[keep], low=False)])
        self._seen = n

    @property
    def size(self) -> int:
        """Marks drawn."""
        return len(self.citizens) + len(self.enterprises)


def township_means(model) -> tuple[np.ndarray, np.ndarray]:
    """Mean satisfaction of all citizens and of all live enterprises per township (NaN if none)."""
    T = len(model.townships)
    cs = model.citizen_state
    c_sum = np.bincount(cs["township"], weights=cs["satisfaction"], minlength=T)
    c_n = np.bincount(cs["township"], minlength=T)
    n = model.n_enterprises
    es = model.enterprise_state
    alive = es["stage"][:n] < 3
    e_town = es["township"][:n][alive]
    e_sum = np.bincount(e_town, weights=es["satisfaction"][:n][alive], minlength=T)
    e_n = np.bincount(e_town, minlength=T)
    with np.errstate(invalid="ignore", divide="ignore"):
        return c_sum / np.where(c_n > 0, c_n, np.nan), e_sum / np.where(e_n > 0, e_n, np.nan)
