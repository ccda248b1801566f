"""Delegated steps (强镇扩权, G3): the township's learning curve, rework and the owner's oversight."""

from __future__ import annotations

import math

from .layout import PF_C0, PF_LEARNING
from .leaf import leaf


@leaf
def competence(pf, handled):
    """``delegation.competence``: a township's competence on a delegated matter after ``handled`` cases."""
    return 1.0 - (1.0 - pf[PF_C0]) * math.exp(-handled / pf[PF_LEARNING])
