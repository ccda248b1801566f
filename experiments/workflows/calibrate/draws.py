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
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        raise ValueError(f"--posterior {path}: cannot read it ({type(exc).__name__})") from None
    if "weight" not in table.columns or len(table) == 0:
        raise ValueError(f"--posterior {path}: not a posterior (needs parameter columns and 'weight')")
    integer = frozenset(c for c in table.columns if c != "weight" and pd.api.types.is_integer_dtype(table[c]))
    return Posterior(file, table, meta.get("scenario"), meta.get("county"), integer)


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
