"""A calibration's posterior turned into worlds: one place for compare, robust and validate.

A posterior is a ``posterior.parquet`` (one column per calibrated parameter and ``weight``) with, beside
it, a JSON file (``<name>.json`` or a calibration folder's ``spec.json``) naming the scenario and the
county it was made for and how its calibration treated the assumptions it did not calibrate
(``other_assumptions``: ``"defaults"`` — held at the scenario's values — or ``"drawn"`` — each simulation
drew them from their plausible ranges, so the posterior is marginal over them).

Draw ``k`` of a posterior under ``seed`` (:func:`posterior_draws`) is reproducible from (posterior,
``k``, ``seed``) alone:

- its particle is the ``k``-th of the weighted resampling ``default_rng(seed).choice(..., p=weight)``
  (the first ``k`` draws do not depend on how many are made);
- for a ``"drawn"`` posterior every other assumption (declared, not calibrated, not fixed by the
  calibration's ``[overrides]``, not a county size) is drawn from its range by ``seed + k``, with the
  rule the calibration's simulations used (:func:`other_values`: uniform or log-uniform on the range
  from ``SeedSequence([seed + k, OTHER_TAG])``); for ``"defaults"`` nothing else changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from townsim.experiments.errors import shorten
from townsim.model.params import Params, ParamsError, allowed_range
from townsim.scenarios import ScenarioError, load_scenario

from .assumptions import COUNTY_SIZES, Assumption, apply_world, other_assumptions  # noqa: F401 - re-exported

COUNTY_KEYS = COUNTY_SIZES
OTHER_TAG = 0x07E4
"""Second word of the seed from which a simulation's other assumptions are drawn."""
MODES = ("defaults", "drawn")


def other_values(avail: Sequence[Assumption], seed: int) -> dict[str, float | int]:
    """The values of ``avail`` in the world of ``seed``: uniform (or log-uniform) on their plausible ranges
    (a list-valued assumption's value is a factor on its list)."""
    if not avail:
        return {}
    u = np.random.default_rng(np.random.SeedSequence([int(seed), OTHER_TAG])).random(len(avail))
    return {a.name: a.value(x) for a, x in zip(avail, u, strict=True)}


def with_other_values(params: Any, avail: Sequence[Assumption], seed: int) -> Any:
    """``params`` with ``avail`` drawn by ``seed`` (:func:`other_values`); ``params`` itself if none."""
    if not avail:
        return params
    return apply_world(params, other_values(avail, seed), [a.name for a in avail if a.factor])


def resample(table: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` particles of a weighted posterior, resampled by weight from ``default_rng(seed)`` (row ``k``
    is the same whatever ``n > k``); the ``weight`` column dropped."""
    rng = np.random.default_rng(int(seed))
    w = table["weight"].to_numpy(float)
    idx = rng.choice(len(table), size=n, replace=True, p=w / w.sum())
    return table.drop(columns="weight").iloc[idx].reset_index(drop=True)


@dataclass(frozen=True)
class Posterior:
    """A posterior read from disk: its table, what it was made for, and its ``other_assumptions`` mode."""

    path: Path
    table: pd.DataFrame  # one column per parameter and ``weight``
    scenario: str | None  # the scenario calibrated
    county: dict[str, Any] | None
    integer: frozenset[str] = field(default_factory=frozenset)
    mode: str = "defaults"  # "defaults" or "drawn": how the calibration treated the other assumptions
    fixed: frozenset[str] = field(default_factory=frozenset)  # the calibration's [overrides]: never drawn

    @property
    def names(self) -> list[str]:
        return [c for c in self.table.columns if c != "weight"]

    def others(self, keep: Iterable[str] = ()) -> list[Assumption]:
        """The assumptions each draw takes from its range (none for ``"defaults"``); ``keep`` (keys a
        comparison sets itself, such as ``--set``) are left out."""
        if self.mode != "drawn":
            return []
        return other_assumptions(self.names, set(self.fixed) | set(keep))


@dataclass(frozen=True)
class Draw:
    """Draw ``index`` of a posterior: the particle's calibrated values and the other assumptions' values."""

    index: int
    seed: int  # the seed its other assumptions were drawn by (base seed + index)
    values: dict[str, float | int]
    others: dict[str, float | int]
    factors: frozenset[str] = field(default_factory=frozenset)

    def items(self) -> dict[str, float | int]:
        """Every value of the draw (calibrated first)."""
        return {**self.values, **self.others}

    def apply(self, params: Any, keep: Iterable[str] = ()) -> Any:
        """``params`` at this draw; keys in ``keep`` keep ``params``' own value."""
        keep = set(keep)
        params = params.replace(**{k: v for k, v in self.values.items() if k not in keep})
        world = {k: v for k, v in self.others.items() if k not in keep}
        return apply_world(params, world, self.factors) if world else params


def posterior_draws(post: Posterior, n: int, seed: int, keep: Iterable[str] = ()) -> list[Draw]:
    """Draws ``0 … n−1`` of ``post`` under ``seed`` (the module's rule); ``keep`` as in :meth:`Posterior.others`."""
    avail = post.others(keep)
    factors = frozenset(a.name for a in avail if a.factor)
    rows = resample(post.table, n, seed).to_dict("records")
    out = []
    for k, row in enumerate(rows):
        values = {name: (int(round(v)) if name in post.integer else float(v)) for name, v in row.items()}
        out.append(Draw(k, int(seed) + k, values, other_values(avail, int(seed) + k), factors))
    return out


def how_drawn(post: Posterior, keep: Iterable[str] = (), lang: str = "en") -> str:
    """One sentence: how a draw treats the assumptions the posterior did not calibrate."""
    n = len(post.others(keep))
    if post.mode == "drawn":
        if lang == "zh":
            return f"按后验抽样，其余 {n} 项假设在各自可信区间内抽取（与其校准相同的规则与种子）"
        return (
            f"over the posterior, the other {n} assumptions drawn from their ranges "
            "by the rule and seeding of its calibration's simulations"
        )
    if lang == "zh":
        return "按后验抽样，其余假设保持默认值（其校准亦如此）"
    return "over the posterior, the other assumptions at their defaults (as in its calibration)"


# --- reading and checking a posterior ------------------------------------------------------------


def load_posterior(path: str | Path, spec: Any = None) -> Posterior:
    """A calibration folder or its ``posterior.parquet``; ValueError (one line) if it is not one.

    The ``other_assumptions`` mode and the fixed keys come from ``spec`` (a :class:`CalibrationSpec`)
    when given, else from the JSON beside the posterior, else from the calibration's ``spec.toml`` beside
    it; a posterior that records none of them is taken as ``"defaults"``.
    """
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    file = folder / "posterior.parquet" if path.is_dir() else path
    if not file.is_file():
        raise ValueError(
            f"--posterior {path}: no posterior.parquet there (give a `townsim calibrate` folder "
            "or its posterior.parquet)"
        )
    meta_path = file.with_suffix(".json") if file.with_suffix(".json").is_file() else folder / "spec.json"
    if not meta_path.is_file():
        raise ValueError(f"--posterior {path}: no spec.json beside it (which county and scenario it was made for)")
    try:
        table = pd.read_parquet(file)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        raise ValueError(f"--posterior {file}: cannot read it as Parquet ({type(exc).__name__})") from None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"--posterior {meta_path}: cannot read it as JSON ({type(exc).__name__})") from None
    scenario, county = check_meta(meta, meta_path)
    table, integer = check_table(table, file)
    mode, fixed = _mode(meta, meta_path, folder / "spec.toml", spec)
    return Posterior(file, table, scenario, county, integer, mode, fixed)


def _mode(meta: dict, meta_path: Path, toml: Path, spec: Any) -> tuple[str, frozenset[str]]:
    """``other_assumptions`` mode and fixed keys (see :func:`load_posterior`)."""
    if spec is None and "other_assumptions" not in meta and toml.is_file():
        from .calibration import SpecError, load_spec  # deferred: a cycle (calibration imports posterior)

        try:
            spec = load_spec(toml)
        except SpecError as exc:
            raise ValueError(f"--posterior {toml}: {shorten(str(exc), 200)}") from None
    if spec is not None:
        mode = "defaults" if spec.plugin else spec.other_assumptions
        return mode, frozenset(spec.overrides)
    mode = meta.get("other_assumptions", "defaults")
    fixed = meta.get("fixed", [])
    if mode not in MODES:
        raise ValueError(
            f"--posterior {meta_path}: other_assumptions {shorten(repr(mode))}; allowed: {', '.join(MODES)}"
        )
    if not isinstance(fixed, list) or not all(isinstance(k, str) for k in fixed):
        raise ValueError(f"--posterior {meta_path}: fixed {shorten(repr(fixed))}; allowed: a list of parameter names")
    return mode, frozenset(fixed)


def check_meta(meta: Any, where: Path) -> tuple[str | None, dict[str, int] | None]:
    """``scenario`` and ``county`` of a posterior's ``spec.json``; ValueError (one line) if malformed."""
    head = f"--posterior {where}"
    if not isinstance(meta, dict):
        raise ValueError(f"{head}: a JSON {type(meta).__name__}; allowed: an object with scenario and county")
    scenario, county = meta.get("scenario"), meta.get("county")
    if scenario is not None:
        if not isinstance(scenario, str):
            raise ValueError(f"{head}: scenario {shorten(repr(scenario))}; allowed: a scenario name (text)")
        try:
            load_scenario(scenario)
        except ScenarioError as exc:
            raise ValueError(f"{head}: scenario: {shorten(str(exc), 200)}") from None
    if county is not None:
        if not isinstance(county, dict):
            raise ValueError(f"{head}: county {shorten(repr(county))}; allowed: an object of {', '.join(COUNTY_KEYS)}")
        for k in COUNTY_KEYS:
            v = county.get(k)
            if k in county and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError(f"{head}: county.{k} {shorten(repr(v))}; allowed: a positive integer")
    return scenario, county


def check_table(table: pd.DataFrame, where: Path) -> tuple[pd.DataFrame, frozenset[str]]:
    """A posterior table checked like a scenario file: ``weight`` finite, ≥ 0 and not all 0; every other
    column a numeric parameter of the model, every value finite and allowed; ValueError (one line) if not."""
    head = f"--posterior {where}"
    names = [str(c) for c in table.columns if c != "weight"]
    if "weight" not in table.columns or not names or len(table) == 0:
        raise ValueError(
            f"{head}: columns {shorten(', '.join(map(str, table.columns)) or 'none', 80)}, {len(table)} rows; "
            "allowed: at least one row, a parameter column per calibrated parameter and 'weight'"
        )
    w = pd.to_numeric(table["weight"], errors="coerce").to_numpy(float)
    if not (np.isfinite(w).all() and (w >= 0).all() and w.sum() > 0):
        raise ValueError(f"{head}: column weight; allowed: finite numbers >= 0, not all 0")
    integer = set()
    for name in names:
        if name not in Params.model_fields:
            raise ValueError(
                f"{head}: column {shorten(name)}: not a model parameter; allowed: numeric fields of Params"
            )
        ann = Params.model_fields[name].annotation
        col = table[name]
        if ann not in (int, float) or not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise ValueError(f"{head}: column {name}: {col.dtype} values; allowed: numbers ({allowed_range(name)})")
        x = col.to_numpy(float)
        if not np.isfinite(x).all():
            raise ValueError(f"{head}: column {name}: NaN or infinite values; allowed: finite numbers")
        if ann is int:
            if not np.equal(np.round(x), x).all():
                raise ValueError(f"{head}: column {name}: fractional values; allowed: whole numbers")
            integer.add(name)
        for v in (x.min(), x.max()):
            try:
                Params.build(**{name: int(v) if ann is int else float(v)})
            except ParamsError:
                raise ValueError(f"{head}: column {name}: value {v:g}; allowed: {allowed_range(name)}") from None
    return table, frozenset(integer) | frozenset(c for c in names if pd.api.types.is_integer_dtype(table[c]))


def check_county(post: Posterior, params: Any, force: bool = False) -> list[str]:
    """Fields where the county of ``params`` differs from the posterior's; ValueError unless ``force``."""
    if not post.county:
        return []
    diff = [k for k in COUNTY_KEYS if k in post.county and getattr(params, k) != post.county[k]]
    if diff and not force:
        shown = ", ".join(f"{k} {getattr(params, k)} vs {post.county[k]}" for k in diff)
        raise ValueError(
            f"--posterior {post.path}: made for another county ({post.county.get('scenario')}: "
            f"{shown}); use --force to apply it anyway"
        )
    return diff
