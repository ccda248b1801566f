"""The townships' refer-up chances for a batch of new delegated cases in one kernel call (compiled engine).

``Township.refer_up_chances`` gives each case the chance ``refer_up_rate · (1 − competence)`` at its township's
count of handled cases of its matter type (``delegation``); nearly every count has moved since a township's last
batch, so its kept chances rarely serve, and a year of the default county's full reform computed ~24,000 of them
in Python. Here the same two steps in the same double arithmetic (``delegated.competence_at``, the kernel's competence),
over the counts the townships' ``handled`` dicts hold.
"""

from __future__ import annotations

from numba import njit

from .calls import Direct
from .delegated import competence_at


@njit(cache=True)
def refer_chances(township, matter, handled, c0, learning, rate, out):
    """``out[i]``: case ``i``'s chance of being referred up (``delegation.refer_up_probability`` of
    ``delegation.competence`` at ``handled[township[i], matter[i]]`` cases)."""
    for i in range(township.shape[0]):
        out[i] = rate * (1.0 - competence_at(c0, learning, handled[township[i], matter[i]]))


refer_chances_call = Direct(refer_chances)
"""``refer_chances`` called without numba's type dispatch (``calls.Direct``)."""
