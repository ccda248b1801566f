"""Delegation (强镇扩权, 放权赋能, G3): matters and staff hours moved down to townships.

* Which matters: ``round(delegated_share × M)`` service matter types, in the
  order ``delegation_order``: most frequent first (``frequent_first``), simplest
  first then most frequent (``simple_first``), whole departments at a time in a
  random order of departments, each department's matters most frequent first
  (``by_department``), or at random (``random``). Random choices use the county's
  generator (``catalogue_seed``), so a reform and its baseline delegate the same
  matters in every replication.
* Oversight: each delegated case handled by a township leaves
  ``oversight_hours`` of work with the owner department (supervision, filing).
* Referral up: a township with competence ``c`` on the matter refers a new
  delegated case up to the owner department with probability
  ``refer_up_rate · (1 − c)`` (a referral hop, see ``intake``); the department
  handles it as a county-held case and the township learns nothing from it.
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
    by_freq = service[np.argsort(-cat.weight[service], kind="stable")]
    if params.delegation_order == "frequent_first":
        order = by_freq
    elif params.delegation_order == "simple_first":
        order = by_freq[np.argsort(cat.difficulty[by_freq], kind="stable")]
    elif params.delegation_order == "by_department":
        rank = np.argsort(rng.permutation(params.departments))  # position of each department in a random order
        order = by_freq[np.argsort(rank[cat.owner[by_freq]], kind="stable")]
    else:
        order = rng.permutation(service)
    mask[order[:k]] = True
    return mask


def transferred_staff(
    params: Params, dept_staff: np.ndarray, dept_hours: np.ndarray, dept_delegated_hours: np.ndarray
) -> np.ndarray:
    """Persons each department hands down: staff_transfer × (delegated share of its hours) × staff."""
    share = np.divide(dept_delegated_hours, dept_hours, out=np.zeros_like(dept_hours), where=dept_hours > 0)
    return params.staff_transfer * share * dept_staff


def competence(params: Params, handled: int) -> float:
    """Township competence on a delegated matter type after ``handled`` cases (0–1)."""
    c0 = params.initial_competence
    return 1.0 - (1.0 - c0) * math.exp(-handled / params.learning_cases)


def refer_up_probability(params: Params, comp: float) -> float:
    """Probability a township refers a new delegated case up to the department at competence ``comp``."""
    return params.refer_up_rate * (1.0 - comp)


def rework_probability(params: Params, comp: float) -> float:
    """Probability a township step must be redone at competence ``comp``."""
    return params.rework_rate * (1.0 - comp)
