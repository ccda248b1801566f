"""A province spec: its counties (a CSV table or a synthetic province from declared assumptions), each
county's parameters and memory estimate, and the runs they make (largest county first)."""

from __future__ import annotations

import csv
import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from townsim.experiments.core.design import RunSpec, check_model_inputs
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.seeds import check_seed, scenario_seeds
from townsim.model.params import ParamsError
from townsim.scenarios import ScenarioError, apply_overrides, load_scenario

BASE_MIB = 220.0
"""Estimated memory of a worker before its county (interpreter, numpy, pandas, Mesa), MiB."""
MIB_PER_AGENT = 0.6 / 1024
"""Estimated memory per citizen agent (row agent, Mesa registration), MiB (Linping: ~0.52 KiB)."""
MIB_PER_RESIDENT_YEAR = 0.4 / 1024
"""Estimated memory of the cases per resident and year of 250 days, MiB."""
MAX_DAYS = 100_000
KEYS = {
    "description",
    "scenario",
    "days",
    "replications",
    "seed",
    "memory_per_worker_mib",
    "residents_per_agent",
    "counties",
    "synthetic",
    "overrides",
}
SYNTHETIC_KEYS = {
    "counties",
    "residents",
    "townships_per_county",
    "townships_per_county_cite",
    "size_sigma",
    "size_sigma_plausible",
    "size_sigma_dist",
    "size_sigma_basis",
    "min_residents",
    "seed",
}
COLUMNS = ("county", "residents", "townships")
OPTIONAL_COLUMNS = ("enterprises", "department_staff", "township_staff", "township_table")


class ProvinceError(ValueError):
    """A bad province spec or county table (one line: file, key, what is allowed; exit code 2)."""


@dataclass(frozen=True)
class County:
    """One county as run: its name, parameters and what they cost."""

    name: str
    params: Any
    residents: int
    townships: int
    agents: int
    memory_mib: float


@dataclass
class ProvinceSpec:
    """A province spec file, checked."""

    path: Path
    scenario: str = "baseline"
    days: int = 250
    replications: int = 1
    seed: int = 1
    memory_per_worker_mib: float = 4096.0
    residents_per_agent: int | None = None
    description: str = ""
    counties_csv: Path | None = None
    synthetic: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)


def _where(path: Path, key: str) -> str:
    return f"{path}: {key}"


def load_spec(path: Path | str) -> ProvinceSpec:
    """Read and check a province spec; :class:`ProvinceError` (one line) on anything wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProvinceError(f"{path}: no such file (a province spec, TOML)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProvinceError(f"{path}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProvinceError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ProvinceError(f"{_where(path, unknown[0])}: unknown key; allowed: {', '.join(sorted(KEYS))}")
    spec = ProvinceSpec(path=path, description=str(data.get("description", "")))
    spec.scenario = _typed(path, data, "scenario", str, spec.scenario)
    spec.days = _int(path, data, "days", spec.days, 1, MAX_DAYS)
    spec.replications = _int(path, data, "replications", spec.replications, 1, 1000)
    spec.seed = _typed(path, data, "seed", int, spec.seed)
    try:
        check_seed(spec.seed)
    except ValueError as exc:
        raise ProvinceError(f"{_where(path, 'seed')}: {exc}") from None
    mem = data.get("memory_per_worker_mib", spec.memory_per_worker_mib)
    if isinstance(mem, bool) or not isinstance(mem, int | float) or not 256 <= mem <= 10**7:
        raise ProvinceError(f"{_where(path, 'memory_per_worker_mib')}: got {mem!r}; allowed: a number in [256, 1e7]")
    spec.memory_per_worker_mib = float(mem)
    if "residents_per_agent" in data:
        spec.residents_per_agent = _int(path, data, "residents_per_agent", 1, 1, 10**6)
    over = data.get("overrides", {})
    if not isinstance(over, dict):
        raise ProvinceError(f"{_where(path, 'overrides')}: allowed: a table of Params fields")
    spec.overrides = dict(over)
    has_csv, has_syn = "counties" in data, "synthetic" in data
    if has_csv == has_syn:
        raise ProvinceError(f"{path}: give exactly one of 'counties' (a CSV file) or a [synthetic] table")
    if has_csv:
        name = _typed(path, data, "counties", str, "")
        spec.counties_csv = (path.parent / name).resolve()
        if not spec.counties_csv.is_file():
            raise ProvinceError(f"{_where(path, 'counties')}: {name}: no such file (a CSV of counties)")
    else:
        spec.synthetic = _check_synthetic(path, data["synthetic"])
    return spec


def _typed(path: Path, data: dict, key: str, kind: type, default: Any) -> Any:
    v = data.get(key, default)
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        raise ProvinceError(f"{_where(path, key)}: got {v!r}; allowed: {'a string' if kind is str else 'an integer'}")
    return v


def _int(path: Path, data: dict, key: str, default: int, low: int, high: int) -> int:
    v = data.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise ProvinceError(f"{_where(path, key)}: got {v!r}; allowed: an integer in [{low:,}, {high:,}]")
    return v


def _check_synthetic(path: Path, syn: Any) -> dict[str, Any]:
    if not isinstance(syn, dict):
        raise ProvinceError(f"{_where(path, 'synthetic')}: allowed: a table")
    unknown = sorted(set(syn) - SYNTHETIC_KEYS)
    if unknown:
        raise ProvinceError(
            f"{_where(path, 'synthetic.' + unknown[0])}: unknown key; allowed: {', '.join(sorted(SYNTHETIC_KEYS))}"
        )
    missing = sorted(SYNTHETIC_KEYS - set(syn) - {"min_residents", "seed"})
    if missing:
        raise ProvinceError(
            f"{_where(path, 'synthetic.' + missing[0])}: missing (an assumption states its plausible range, "
            "distribution and basis; a fact its cite)"
        )
    out = dict(syn)
    out["counties"] = _int(path, syn, "counties", 0, 1, 100_000)
    out["residents"] = _int(path, syn, "residents", 0, 1, 2 * 10**9)
    out["min_residents"] = _int(path, syn, "min_residents", 10_000, 1, 10**8)
    out["seed"] = _int(path, syn, "seed", 0, 0, 2**63 - 1)
    for key in ("townships_per_county", "size_sigma"):
        v = syn[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise ProvinceError(f"{_where(path, 'synthetic.' + key)}: got {v!r}; allowed: a number >= 0")
    lo_hi = syn["size_sigma_plausible"]
    if not (isinstance(lo_hi, list) and len(lo_hi) == 2 and all(isinstance(x, int | float) for x in lo_hi)):
        raise ProvinceError(f"{_where(path, 'synthetic.size_sigma_plausible')}: allowed: [low, high]")
    if not lo_hi[0] <= syn["size_sigma"] <= lo_hi[1]:
        raise ProvinceError(
            f"{_where(path, 'synthetic.size_sigma')}: {syn['size_sigma']} is outside its plausible range {lo_hi}"
        )
    if syn["size_sigma_dist"] not in ("uniform", "loguniform"):
        raise ProvinceError(f"{_where(path, 'synthetic.size_sigma_dist')}: allowed: uniform, loguniform")
    return out


def synthetic_table(syn: dict[str, Any]) -> list[dict[str, Any]]:
    """The synthetic counties: residents log-normal (σ = ``size_sigma``) around the mean, at least
    ``min_residents``, summing to ``residents``; townships in proportion to residents (every township
    of the province the same expected size), at least one, summing to ``townships_per_county`` × counties."""
    n = syn["counties"]
    rng = np.random.default_rng(syn["seed"])
    w = rng.lognormal(0.0, float(syn["size_sigma"]), n)
    res = np.maximum(syn["min_residents"], np.floor(syn["residents"] * w / w.sum())).astype(np.int64)
    res[np.argmax(res)] += syn["residents"] - int(res.sum())
    total_t = round(syn["townships_per_county"] * n)
    t = np.maximum(1, np.floor(total_t * res / res.sum())).astype(np.int64)
    for i in np.argsort(-(total_t * res / res.sum() - t))[: max(0, total_t - int(t.sum()))]:
        t[i] += 1
    width = len(str(n))
    return [
        {"county": f"C{i + 1:0{width}d}", "residents": int(r), "townships": int(k)}
        for i, (r, k) in enumerate(zip(res, t))
    ]


def read_counties(path: Path) -> list[dict[str, Any]]:
    """Rows of a county CSV (``county, residents, townships`` and optional columns), checked."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ProvinceError(f"{path}: cannot read ({exc})") from None
    if not rows:
        raise ProvinceError(f"{path}: no counties (columns: {', '.join(COLUMNS)})")
    cols = set(rows[0])
    missing = [c for c in COLUMNS if c not in cols]
    if missing:
        raise ProvinceError(f"{path}: column '{missing[0]}' missing; needed: {', '.join(COLUMNS)}")
    extra = sorted(cols - set(COLUMNS) - set(OPTIONAL_COLUMNS))
    if extra:
        raise ProvinceError(f"{path}: unknown column '{extra[0]}'; allowed: {', '.join(COLUMNS + OPTIONAL_COLUMNS)}")
    out, seen = [], set()
    for i, r in enumerate(rows, start=2):
        name = (r["county"] or "").strip()
        if not name or name in seen:
            raise ProvinceError(f"{path}: line {i}: county '{name}': allowed: a unique non-empty name")
        seen.add(name)
        row: dict[str, Any] = {"county": name}
        for c in ("residents", "townships", "enterprises"):
            if c in r and (r[c] or "").strip():
                try:
                    row[c] = int(r[c])
                except ValueError:
                    raise ProvinceError(f"{path}: line {i}: {c} '{r[c]}': allowed: an integer") from None
        for c in ("department_staff", "township_staff"):
            if c in r and (r[c] or "").strip():
                try:
                    row[c] = float(r[c])
                except ValueError:
                    raise ProvinceError(f"{path}: line {i}: {c} '{r[c]}': allowed: a number") from None
        if (r.get("township_table") or "").strip():
            row["township_table"] = str((path.parent / r["township_table"].strip()).resolve())
        out.append(row)
    return out


def county_params(base: Any, row: dict[str, Any], residents_per_agent: int | None) -> Any:
    """The scenario's parameters for one county: its size, and staff and enterprises scaled by its
    residents unless the row gives them."""
    k = row["residents"] / base.residents
    change = {
        "residents": int(row["residents"]),
        "townships": int(row["townships"]),
        "enterprises": int(row.get("enterprises", round(base.enterprises * k))),
        "department_staff": float(row.get("department_staff", base.department_staff * k)),
        "township_staff": float(row.get("township_staff", base.township_staff * k)),
    }
    if "township_table" in row:
        change["township_table"] = row["township_table"]
    if residents_per_agent is not None:
        change["residents_per_agent"] = residents_per_agent
    return base.replace(**change)


def memory_estimate(params: Any, days: int) -> float:
    """Estimated peak memory of a worker running this county (MiB): base + agents + cases."""
    return BASE_MIB + MIB_PER_AGENT * params.citizen_agents + MIB_PER_RESIDENT_YEAR * params.residents * days / 250


def plan(spec: ProvinceSpec) -> list[County]:
    """The counties of the province with their parameters, largest first; :class:`ProvinceError` on bad input."""
    try:
        base = load_scenario(spec.scenario).params
        if spec.overrides:
            base = apply_overrides(base, [f"{k}={_toml_value(v)}" for k, v in spec.overrides.items()])
    except (ScenarioError, ParamsError, ValueError) as exc:
        raise ProvinceError(f"{spec.path}: scenario/overrides: {' '.join(str(exc).split())}") from None
    rows = read_counties(spec.counties_csv) if spec.counties_csv else synthetic_table(spec.synthetic)
    where = spec.counties_csv or f"{spec.path}: synthetic"
    counties = []
    for row in rows:
        if "residents" not in row or "townships" not in row:
            raise ProvinceError(f"{where}: county '{row['county']}': residents and townships are needed")
        try:
            p = county_params(base, row, spec.residents_per_agent)
            check_model_inputs(p)
        except (ParamsError, ValueError) as exc:
            raise ProvinceError(f"{where}: county '{row['county']}': {' '.join(str(exc).split())}") from None
        mem = memory_estimate(p, spec.days)
        if mem > spec.memory_per_worker_mib:
            raise ProvinceError(
                f"{where}: county '{row['county']}' needs about {mem:,.0f} MiB, more than memory_per_worker_mib = "
                f"{spec.memory_per_worker_mib:,.0f}; raise the budget or residents_per_agent "
                f"(now {p.residents_per_agent})"
            )
        counties.append(County(row["county"], p, p.residents, p.townships, p.citizen_agents, mem))
    counties.sort(key=lambda c: (-c.residents, c.name))
    return counties


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def specs_of(spec: ProvinceSpec, counties: list[County]) -> list[RunSpec]:
    """Run specs, largest county first, replication-minor."""
    code = model_fingerprint()
    out = []
    for c in counties:  # each county its own seed stream, keyed by its name (adding a county changes no other's)
        stream = int(hashlib.sha256(c.name.encode()).hexdigest()[:8], 16)
        seeds = scenario_seeds(spec.seed, spec.replications, stream, common=False)
        out += [RunSpec(c.name, c.params, r, s, spec.days, code) for r, s in enumerate(seeds)]
    return out


def workers_for(memory_per_worker_mib: float, asked: int) -> int:
    """At most as many workers as budgets fit in this machine's memory (at least one)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (ValueError, OSError, AttributeError):
        return asked
    return max(1, min(asked, int(total // memory_per_worker_mib)))
