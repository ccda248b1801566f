"""Delegated steps (强镇扩权, G3): the township's learning curve, rework and the owner's oversight."""

from __future__ import annotations

import math

from .layout import PF_C0, PF_LEARNING
from .leaf import leaf


@leaf
def competence_at(c0, learning, handled):
    """``delegation.competence``: a township's competence on a delegated matter after ``handled`` cases, from its
    initial competence ``c0`` and ``learning`` (cases)."""
    return 1.0 - (1.0 - c0) * math.exp(-handled / learning)


@leaf
def competence(pf, handled):
    """:func:`competence_at` with the parameters' initial competence and learning cases (``pf``)."""
    return competence_at(pf[PF_C0], pf[PF_LEARNING], handled)
