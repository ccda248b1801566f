"""Plausible worlds: points in the space of the model's assumptions, or draws from a calibration posterior.

From the ranges (default): a Latin hypercube (``lhs``) or a scrambled Sobol' sequence (``sobol``)
on [0, 1]^d (:mod:`scipy.stats.qmc`, seeded from ``SeedSequence(seed)``), each coordinate mapped onto
its assumption's plausible range (linear, or linear in the logarithm for a loguniform one). From a
posterior (``--posterior``): N draws of :func:`townsim.experiments.core.posterior.posterior_draws`, the
same draws ``compare --posterior`` and ``validate`` make (a ``posterior.parquet`` with one column per
parameter and ``weight``, and beside it a JSON file naming the county it was made for and how its
calibration treated the other assumptions).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from townsim.experiments.core.assumptions import Assumption, AssumptionError, assumptions, select
from townsim.experiments.core.posterior import check_county, how_drawn, load_posterior, posterior_draws

from .settings import RobustError, RobustSettings


@dataclass
class Worlds:
    """The worlds of an experiment: model values (``table``) and their position in [0, 1] (``unit``)."""

    varied: list[Assumption]
    table: pd.DataFrame  # one row per world (index = world number), one column per varied name
    unit: pd.DataFrame  # the same, normalised to [0, 1] on each range
    source: str  # "lhs", "sobol" or "posterior"
    fixed: list[str] = field(default_factory=list)  # declared assumptions held at the scenarios' values
    note: str = ""
    posterior_file: str = ""
    forced: list[str] = field(default_factory=list)  # county keys where a forced posterior's county differs
    how: dict[str, str] = field(default_factory=dict)  # language → how a posterior's draws treat the other assumptions

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.varied]

    def frame(self) -> pd.DataFrame:
        """``worlds.parquet``: world, then each varied value, then its normalised value (``<name>__unit``)."""
        df = self.table.copy()
        for c in self.unit.columns:
            df[f"{c}__unit"] = self.unit[c].to_numpy(float)
        df.insert(0, "world", np.arange(len(df), dtype=np.int64))
        return df.reset_index(drop=True)


def unit_points(d: int, n: int, sampler: str, seed: int) -> np.ndarray:
    """``n`` points in [0, 1]^d: Latin hypercube or scrambled Sobol', seeded from ``SeedSequence(seed)``."""
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    if d == 0:
        return np.zeros((n, 0))
    if sampler == "sobol":
        with warnings.catch_warnings():  # Sobol' balance needs n = 2^k; other n are still low-discrepancy
            warnings.simplefilter("ignore", UserWarning)
            return qmc.Sobol(d=d, scramble=True, seed=rng).random(n)
    return qmc.LatinHypercube(d=d, seed=rng).random(n)


def from_ranges(settings: RobustSettings) -> Worlds:
    """Worlds over the declared assumptions' ranges (``--vary`` / ``--fix`` / ``--range`` applied)."""
    declared = assumptions()
    if not declared:
        raise RobustError("no parameter is declared an assumption with a plausible range: no world to draw")
    names = {a.name for a in declared}
    set_keys = [k for k in (o.partition("=")[0].strip() for o in settings.overrides) if k in names]
    both = [k for k in set_keys if k in settings.vary]
    if both:
        raise RobustError(f"--vary {both[0]}: it is also given with --set (a --set value holds in every world)")
    try:  # an assumption given with --set holds that value in every world
        varied = select(declared, settings.vary, [*settings.fix, *set_keys], settings.parsed_ranges())
    except AssumptionError as exc:
        raise RobustError(str(exc)) from None
    if not varied:
        raise RobustError("--fix holds every assumption: nothing is left to vary")
    u = unit_points(len(varied), settings.worlds, settings.sampler, settings.seed)
    unit = pd.DataFrame(u, columns=[a.name for a in varied])
    table = pd.DataFrame({a.name: [a.value(x) for x in unit[a.name]] for a in varied})
    unit = pd.DataFrame({a.name: [a.unit_value(x) for x in table[a.name]] for a in varied})  # after rounding
    fixed = [a.name for a in declared if a.name not in set(table.columns)]
    return Worlds(varied, table, unit, settings.sampler, fixed)


def from_posterior(settings: RobustSettings, county: Any) -> Worlds:
    """``settings.worlds`` draws from the posterior under ``settings.seed``: world ``w`` is draw ``w`` of
    :func:`townsim.experiments.core.posterior.posterior_draws` (the calibrated values of a particle resampled
    by weight and, for a posterior calibrated with ``other_assumptions = "drawn"``, every other assumption
    drawn from its range as in the calibration); a key given with ``--set`` holds in every world."""
    try:
        post = load_posterior(settings.posterior or "")
        diff = check_county(post, county, settings.force)
    except ValueError as exc:
        raise RobustError(str(exc)) from None
    keep = {o.partition("=")[0].strip() for o in settings.overrides}
    draws = posterior_draws(post, settings.worlds, settings.seed, keep=keep)
    names = [n for n in post.names if n not in keep]
    varied = []
    for n in names:
        lo, hi = float(post.table[n].min()), float(post.table[n].max())
        hi = hi if hi > lo else lo + 1.0  # a constant column: any unit scale will do
        varied.append(Assumption(n, lo, hi, "uniform", f"posterior {post.path.name}", integer=n in post.integer))
    varied += post.others(keep)
    rows = [{k: v for k, v in d.items().items() if k not in keep} for d in draws]
    table = pd.DataFrame(rows, columns=[a.name for a in varied])
    unit = pd.DataFrame({a.name: [a.unit_value(x) for x in table[a.name]] for a in varied})
    note = f"{settings.worlds} draws from the posterior `{post.path}` (resampled by weight)" + (
        f"; forced onto another county (differs in {', '.join(diff)})" if diff else ""
    )
    how = {lang: how_drawn(post, keep, lang) for lang in ("en", "zh")}
    fixed = sorted(keep & {a.name for a in assumptions()})
    return Worlds(varied, table, unit, "posterior", fixed, note, str(post.path), diff, how)


def draw(settings: RobustSettings, county: Any) -> Worlds:
    """The worlds of ``settings``: from the posterior when one is given, else from the ranges."""
    return from_posterior(settings, county) if settings.posterior else from_ranges(settings)
