"""Linping's held-out F11 checks in a prior world, for their discriminating power.

The ``linping_f11_*`` checks run at draws from the Linping posterior (fitted to F5 only). Their power
asks whether F11 could have failed *before* calibration: in a prior world the assumptions take the
world's values and the calibrated staffing (the spec's ``[parameters]``) a draw from its prior range,
fixed per world (derived from the world's values and the seed); the check's criterion (at least 95 %
on time, F11) is then applied to the mean over the replications. A Linping run is costly (about half
a minute), so a world runs at most ``MAX_REPS`` replications and the four checks share them.
"""

from __future__ import annotations

import functools
import math
import zlib

import numpy as np

from townsim.experiments.checks import CheckResult
from townsim.experiments.core.calibration import load_spec
from townsim.experiments.core.power import in_worlds, world_params
from townsim.model import TownshipModel

from .patterns import F11_MIN, SPEC


def _staffing(spec, world: dict[str, float], seed: int) -> dict[str, float]:
    """The calibrated parameters' values in this world: uniform (or log-uniform) on their prior bounds."""
    key = zlib.crc32(repr(sorted(world.items())).encode()) ^ int(seed)
    u = np.random.default_rng(np.random.SeedSequence(key)).random(len(spec.priors))
    out: dict[str, float] = {}
    for p, x in zip(spec.priors, u, strict=True):
        if p.param.dist == "logunif":
            v = math.exp(math.log(p.low) + x * (math.log(p.high) - math.log(p.low)))
        else:
            v = p.low + x * (p.high - p.low)
        out[p.name] = int(round(v)) if p.integer else v
    return out


MAX_REPS = 2
"""Replications per world (the four F11 checks share them)."""


@functools.lru_cache(maxsize=64)
def _summary(world: tuple[tuple[str, float], ...], seed: int, rep: int) -> dict[str, float]:
    spec = load_spec(SPEC)
    w = dict(world)
    params = world_params(spec.model_params.replace(**_staffing(spec, w, seed)), w)
    return TownshipModel(params, rng=seed + rep).run(spec.days).summary()


def _in_world(key: str):
    def fn(world: dict[str, float], reps: int, seed: int) -> CheckResult:
        staffing = _staffing(load_spec(SPEC), world, seed)
        reps = min(reps, MAX_REPS)
        items = tuple(sorted(world.items()))
        x = np.array([_summary(items, seed, i)[key] for i in range(reps)])
        m = float(np.nanmean(x))
        return CheckResult(
            name=f"linping_f11_{key}",
            expected=f"≥ {F11_MIN:.0%} (F11)",
            measured=m,
            ci=(m, m),
            passed=bool(m >= F11_MIN),
            powered=False,
            replications=reps,
            details={"staffing": staffing},
        )

    return fn


# the check's own choice, not a view: F11's figures are the on-time rates overall and per 135 tier
for _key in ("on_time_rate", "on_time_rate_tier1", "on_time_rate_tier3", "on_time_rate_tier5"):
    in_worlds(f"linping_f11_{_key}")(_in_world(_key))
