"""Replication seeds from one base seed (numpy ``SeedSequence.spawn``), the same on every machine."""

from __future__ import annotations

import numpy as np

from townsim.experiments.errors import shorten

SEED_MASK = (1 << 63) - 1
"""Seeds are kept below 2**63 so that they fit int64 columns and JSON."""

SEED_MAX = SEED_MASK
"""The largest seed every command and spec accepts (``--seed`` and ``seed =`` are in [0, SEED_MAX])."""


def check_seed(seed: int, where: str = "--seed") -> int:
    """``seed`` if it is in [0, SEED_MAX]; otherwise ValueError naming ``where`` and the range."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ValueError(f"{where} {shorten(str(seed))}: allowed: an integer in [0, 2**63 - 1]")
    return seed


def replication_seeds(base_seed: int, n: int) -> list[int]:
    """``n`` independent integer seeds: child ``i`` of ``SeedSequence(base_seed).spawn(n)``.

    Child ``i`` does not depend on ``n``, so adding replications keeps the first ones.
    Each seed is the first 64-bit word of the child's state, masked to 63 bits.
    """
    if n < 0:
        raise ValueError(f"n: got {n}; allowed: an integer >= 0")
    children = np.random.SeedSequence(int(base_seed)).spawn(int(n))
    return [int(c.generate_state(1, dtype=np.uint64)[0]) & SEED_MASK for c in children]


def scenario_seeds(base_seed: int, n: int, scenario_index: int, common: bool = True) -> list[int]:
    """Seeds of one scenario's ``n`` replications.

    ``common=True`` (common random numbers, the default): every scenario gets
    ``replication_seeds(base_seed, n)``, so replication ``r`` of two scenarios
    shares its seed and differences are paired. ``common=False``: scenario ``k``
    draws from its own stream, the children of child ``k`` of ``SeedSequence(base_seed)``
    (spawn keys ``(k, i)``, never equal to the common ``(i,)``).
    """
    if common:
        return replication_seeds(base_seed, n)
    if n < 0:
        raise ValueError(f"n: got {n}; allowed: an integer >= 0")
    parent = np.random.SeedSequence(int(base_seed), spawn_key=(int(scenario_index),))
    children = parent.spawn(int(n))
    return [int(c.generate_state(1, dtype=np.uint64)[0]) & SEED_MASK for c in children]
