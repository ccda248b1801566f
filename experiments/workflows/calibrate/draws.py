"""Using a calibration's posterior in other experiments (``townsim compare --posterior PATH``).

Draw ``k`` of the posterior (resampled by weight, a fixed seed) is given to replication ``k`` of
every scenario, with that replication's seed: the comparison stays paired across scenarios, and
its intervals include parameter uncertainty as well as seed noise. A posterior parameter that a
scenario sets itself (its value differs from the calibrated scenario's, or ``--set`` gives it) keeps
the scenario's value; such keys are reported. A posterior made for another county is refused
unless forced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.errors import shorten

from .abc import draw
from .spec import load_spec

COUNTY_KEYS = ("townships", "residents", "departments", "enterprises")
"""What identifies a county: a posterior is refused for a county that differs in any of them."""


@dataclass(frozen=True)
class Posterior:
    path: Path
    table: pd.DataFrame  # one column per parameter and ``weight``
    scenario: str | None  # the scenario calibrated
    county: dict[str, Any] | None
    integer: frozenset[str] = field(default_factory=frozenset)

    @property
    def names(self) -> list[str]:
        return [c for c in self.table.columns if c != "weight"]


def load_posterior(path: str | Path) -> Posterior:
    """A calibration folder or its ``posterior.parquet``; ValueError (one line) if it is not one."""
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
    return Posterior(file, table, scenario, county, integer)


def check_meta(meta: Any, where: Path) -> tuple[str | None, dict[str, int] | None]:
    """``scenario`` and ``county`` of a posterior's ``spec.json``; ValueError (one line) if malformed."""
    from townsim.model.scenario import ScenarioError, load_scenario

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
    import numpy as np

    from townsim.model.params import Params, ParamsError, allowed_range

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


def check_county(post: Posterior, params, force: bool = False) -> list[str]:
    """Fields where the compared county differs from the posterior's; ValueError unless ``force``."""
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


def own_values(post: Posterior, scenarios: Sequence[Any], calibrated, overrides: Sequence[str]) -> dict:
    """Scenario name → posterior keys it sets itself, which keep the scenario's value: keys given with
    ``--set``, and keys that a scenario file outside the calibrated scenario's ``extends`` chain sets
    (a reform lever), or whose value differs from the calibrated scenario's."""
    from townsim.model.scenario import load_scenario

    set_keys = {o.partition("=")[0].strip() for o in overrides}
    chain = {str(p) for p in calibrated.chain} if calibrated is not None else set()
    out = {}
    for s in scenarios:
        sources = load_scenario(s.path).sources
        keys = [
            k
            for k in post.names
            if k in set_keys
            or (
                calibrated is not None
                and (
                    getattr(s.params, k) != getattr(calibrated.params, k)
                    or (sources.get(k) not in chain and sources.get(k) != "default")
                )
            )
        ]
        if keys:
            out[s.name] = keys
    return out


def apply(post: Posterior, specs: Sequence[Any], reps: int, seed: int, own: dict[str, list[str]]) -> list[Any]:
    """Run specs with replication ``k`` of every scenario at posterior draw ``k`` (same draw, same seed)."""
    draws = draw(post.table, reps, seed % 2**32).to_dict("records")
    out = []
    for s in specs:
        values = {
            k: (int(round(v)) if k in post.integer else float(v))
            for k, v in draws[s.replication].items()
            if k not in own.get(s.scenario, ())
        }
        out.append(replace(s, params=s.params.replace(**values)))
    return out


def calibrated_scenario(post: Posterior, overrides: Sequence[str]):
    """The calibrated scenario (its Params with ``--set``), the reference for "sets it itself"."""
    if not post.scenario:
        return None
    from dataclasses import replace as _replace

    from townsim.model.scenario import apply_overrides, load_scenario

    sc = load_scenario(post.scenario)
    return _replace(sc, params=apply_overrides(sc.params, list(overrides)))


def note(post: Posterior, reps: int, own: dict[str, list[str]], county_diff: list[str]) -> str:
    """The report's paragraph on parameter uncertainty."""
    lines = [
        "## Parameter uncertainty (posterior draws)",
        "",
        f"Each replication ran at its own draw from the posterior `{post.path}` ({reps} draws, resampled "
        f"by weight, of {', '.join(f'`{n}`' for n in post.names)}), the same draw and seed in every "
        "scenario (paired). The intervals above therefore include parameter uncertainty as well as seed "
        "noise: they are the t-intervals of the paired differences over these draws.",
    ]
    if own:
        lines += [
            "",
            "Kept at the scenario's own value (a lever the scenario or `--set` sets itself): "
            + "; ".join(f"{s}: {', '.join(f'`{k}`' for k in ks)}" for s, ks in own.items())
            + ".",
        ]
    if county_diff:
        lines += ["", f"**Forced:** the posterior was made for another county (differs in {', '.join(county_diff)})."]
    return "\n".join(lines) + "\n"


__all__ = [
    "Posterior",
    "load_posterior",
    "check_county",
    "own_values",
    "apply",
    "calibrated_scenario",
    "note",
    "load_spec",
]
