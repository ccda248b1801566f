"""The townships' refer-up decisions for a batch of new cases in the kernel (compiled engine).

``Township.refer_up_chances`` gives each delegated case the chance ``refer_up_rate · (1 − competence)`` at its
township's count of handled cases of its matter type (``delegation``); nearly every count has moved since a
township's last batch, so its kept chances rarely serve, and a year of the default county's full reform computed
~24,000 of them in Python. Here the same chances in the same double arithmetic (``delegated.competence_at``, the
kernel's competence), over the counts the townships' ``handled`` dicts hold, and each case's uniform draw from the
model's stream (``draws.draw_uniform``: the stream's buffer and refills), in filing order, as ``intake.refer_up``
takes them. ``route.refer_and_route`` makes the decisions on the way to intake's routing; ``refer_up_call`` makes
them alone (``intake.refer_up_compiled``, which ``tests/test_intake6_refer_up.py`` compares with the townships').
"""

from __future__ import annotations

from numba import njit

from .calls import Direct
from .delegated import competence_at
from .draws import draw_uniform
from .rawrng import generator


@njit(cache=True)
def refer_up_rows(rng, ub, ridx, township, subject, held, handled, refer, enquiry, out):
    """``out[i]``: whether case ``i`` stays delegated after its township's decision. A case of a matter type held
    by townships (``held``), unless it is an enquiry (``enquiry``: empty when the batch asks nothing), is referred
    up with probability ``refer_up_rate · (1 − competence)`` at ``handled[township, subject]`` cases: a positive
    chance takes the stream's next uniform, in filing order. ``refer``: initial competence, learning cases,
    ``refer_up_rate`` (0: no draw at all)."""
    c0, learning, rate = refer[0], refer[1], refer[2]
    ask = enquiry.shape[0] > 0
    for i in range(township.shape[0]):
        s = subject[i]
        keep = held[s]
        if keep and rate != 0.0 and not (ask and enquiry[i]):
            chance = rate * (1.0 - competence_at(c0, learning, handled[township[i], s]))
            if chance > 0.0 and draw_uniform(rng, ub, ridx) < chance:
                keep = False
        out[i] = keep


@njit(cache=True)
def refer_up(addrs, ub, ridx, township, subject, held, handled, refer, enquiry, out):
    """:func:`refer_up_rows` with the model's Generator given as its addresses (``rawrng``)."""
    refer_up_rows(generator(addrs), ub, ridx, township, subject, held, handled, refer, enquiry, out)


refer_up_call = Direct(refer_up)
"""``refer_up`` called without numba's type dispatch (``calls.Direct``)."""
