"""The model's random stream with numpy buffers the kernel reads and refills in place."""

from __future__ import annotations

import numpy as np

from ..engine import RandomStream


class KernelStream(RandomStream):
    """The model's buffered stream with numpy buffers the kernel can read and refill in place.

    Same generator, same buffer size, same refills at the same moments as ``RandomStream``: the
    Python side and the kernel draw from one sequence."""

    def __init__(self, rng: np.random.Generator, size: int = 8192):
        super().__init__(rng, size)
        self.ub = np.zeros(size)
        self.eb = np.zeros(size)
        self.zb = np.zeros(size)
        self.idx = np.full(3, size, dtype=np.int64)  # positions in the uniform, exponential, normal buffers
        self.before_draw = _nothing  # the compiled engine hands over its batch of new cases first (not
        # before a uniform: the batch draws none)

    def uniform(self) -> float:
        # no hand-over first: intake's batch draws only from the exponential or the normal buffer, never
        # to its end (``CompiledEngine.submit``), so it calls the generator in the same order either way
        i = self.idx
        k = int(i[0])
        if k >= self.size:
            self.ub[:] = self.rng.random(self.size)
            k = 0
        i[0] = k + 1
        return self.ub.item(k)

    def uniforms(self, k: int) -> list[float]:
        """``k`` draws of ``uniform`` in one call (the same values, the same refills)."""
        out: list[float] = []
        i = self.idx
        while len(out) < k:
            pos = int(i[0])
            if pos >= self.size:
                self.ub[:] = self.rng.random(self.size)
                pos = 0
            take = min(k - len(out), self.size - pos)
            out += self.ub[pos : pos + take].tolist()
            i[0] = pos + take
        return out

    def exponential(self) -> float:
        self.before_draw()
        i = self.idx
        if i[1] >= self.size:
            self.refill_exponential()
        i[1] += 1
        return float(self.eb[i[1] - 1])

    def refill_exponential(self) -> None:
        """The exponential buffer drawn afresh from the generator (when used up)."""
        self.eb[:] = self.rng.standard_exponential(self.size)
        self.idx[1] = 0

    def normal(self) -> float:
        self.before_draw()
        i = self.idx
        if i[2] >= self.size:
            self.zb[:] = self.rng.standard_normal(self.size)
            i[2] = 0
        i[2] += 1
        return float(self.zb[i[2] - 1])


def _nothing() -> None:
    pass
