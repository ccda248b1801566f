"""Delegation (强镇扩权, 放权赋能, G3): matters and staff hours moved down to townships.

* Which matters: ``round(delegated_share × M)`` service matter types, the most
  frequent first (``frequent_first``) or at random (``random``).
* Staff (编制下沉): department ``d`` loses ``staff_transfer × w_d × staff_d``
  persons, where ``w_d`` is the share of its expected work-hours on delegated
  matters; the persons moved are split among townships by population.
* Competence (learning curve): after ``n`` cases of a matter type, a
  township's competence is ``c(n) = 1 − (1 − c0)·exp(−n / learning_cases)``;
  a step takes ``hours / c`` and is redone with probability
  ``rework_rate · (1 − c)``.
"""

from __future__ import annotations

import math

import numpy as np

from .catalogue import DISPUTE, MatterCatalogue
from .params import Params


def choose_delegated(params: Params, cat: MatterCatalogue, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask over the catalogue: matter types whose power is held by townships."""
    service = np.flatnonzero(cat.requester != DISPUTE)
    k = int(round(params.delegated_share * len(service)))
    mask = np.zeros(len(cat), dtype=bool)
    if k == 0:
        return mask
    if params.delegation_order == "frequent_first":
        order = service[np.argsort(-cat.weight[service], kind="stable")]
    else:
        order = rng.permutation(service)
    mask[order[:k]] = True
    return mask


def transferred_staff(params: Params, dept_staff: np.ndarray, dept_hours: np.ndarray,
                      dept_delegated_hours: np.ndarray) -> np.ndarray:
    """Persons each department hands down: staff_transfer × (delegated share of its hours) × staff."""
    share = np.divide(dept_delegated_hours, dept_hours, out=np.zeros_like(dept_hours), where=dept_hours > 0)
    return params.staff_transfer * share * dept_staff


def competence(params: Params, handled: int) -> float:
    """Township competence on a delegated matter type after ``handled`` cases (0–1)."""
    c0 = params.initial_competence
    return 1.0 - (1.0 - c0) * math.exp(-handled / params.learning_cases)


def rework_probability(params: Params, comp: float) -> float:
    """Probability a township step must be redone at competence ``comp``."""
    return params.rework_rate * (1.0 - comp)
