"""Plausible worlds: points in the space of the model's assumptions, or draws from a calibration posterior.

From the ranges (default): a Latin hypercube (``lhs``) or a scrambled Sobol' sequence (``sobol``)
on [0, 1]^d (:mod:`scipy.stats.qmc`, seeded from ``SeedSequence(seed)``), each coordinate mapped onto
its assumption's plausible range (linear, or linear in the logarithm for a loguniform one). From a
posterior (``--posterior``): N draws resampled by weight with a fixed seed, as ``compare --posterior``
reads it (a ``posterior.parquet`` with one column per parameter and ``weight``, and beside it a JSON
file naming the county it was made for).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.core.assumptions import Assumption, AssumptionError, assumptions, select

from .settings import RobustError, RobustSettings

COUNTY_KEYS = ("townships", "residents", "departments", "enterprises")
"""What identifies a county: a posterior made for another county is refused unless forced."""


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
    from scipy.stats import qmc

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
    """``settings.worlds`` draws from the posterior (resampled by weight, seed ``settings.seed``)."""
    path = Path(settings.posterior or "")
    file = path / "posterior.parquet" if path.is_dir() else path
    where = f"--posterior {path}"
    if not file.is_file():
        raise RobustError(f"{where}: no posterior.parquet there (give a `townsim calibrate` folder or its file)")
    meta_path = file.with_suffix(".json") if file.with_suffix(".json").is_file() else file.parent / "spec.json"
    try:
        table = pd.read_parquet(file)
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        raise RobustError(f"{where}: cannot read it ({type(exc).__name__})") from None
    names = [c for c in table.columns if c != "weight"]
    if "weight" not in table.columns or not names or len(table) == 0:
        raise RobustError(f"{where}: not a posterior (needs parameter columns and 'weight')")
    from townsim.model.params import Params

    unknown = [n for n in names if n not in Params.model_fields]
    if unknown:
        raise RobustError(f"{where}: column '{unknown[0]}' is not a parameter")
    made_for = meta.get("county") or {}
    diff = [k for k in COUNTY_KEYS if k in made_for and getattr(county, k) != made_for[k]]
    if diff and not settings.force:
        shown = ", ".join(f"{k} {getattr(county, k)} vs {made_for[k]}" for k in diff)
        raise RobustError(
            f"{where}: made for another county ({made_for.get('scenario')}: {shown}); use --force to apply it anyway"
        )
    w = table["weight"].to_numpy(float)
    if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
        raise RobustError(f"{where}: weights must be finite, non-negative and not all 0")
    rng = np.random.default_rng(np.random.SeedSequence(int(settings.seed)))
    idx = rng.choice(len(table), size=settings.worlds, replace=True, p=w / w.sum())
    drawn = table[names].iloc[idx].reset_index(drop=True)
    integer = {n for n in names if pd.api.types.is_integer_dtype(table[n])}
    varied = []
    for n in names:
        lo, hi = float(table[n].min()), float(table[n].max())
        hi = hi if hi > lo else lo + 1.0  # a constant column: any unit scale will do
        varied.append(Assumption(n, lo, hi, "uniform", f"posterior {file.name}", integer=n in integer))
    unit = pd.DataFrame({a.name: [a.unit_value(x) for x in drawn[a.name]] for a in varied})
    note = f"{settings.worlds} draws from the posterior `{file}` (resampled by weight)" + (
        f"; forced onto another county (differs in {', '.join(diff)})" if diff else ""
    )
    return Worlds(varied, drawn, unit, "posterior", [], note, str(file), diff)


def draw(settings: RobustSettings, county: Any) -> Worlds:
    """The worlds of ``settings``: from the posterior when one is given, else from the ranges."""
    return from_posterior(settings, county) if settings.posterior else from_ranges(settings)
