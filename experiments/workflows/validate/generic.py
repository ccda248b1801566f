"""Held-out checks of the generic county at its calibration's posterior (P8, P9; the targets are P7).

The generic county is calibrated (``experiments/specs/calibrate/generic.toml``) to P7's levels after
the reform only: the share of closed cases really resolved and citizens' satisfaction under the 135
rule with rankings (``one_stop_135``). These checks run other scenarios of the same county at draws
from that posterior (``scenarios/posteriors/generic.parquet``; each draw with its own seed and, as in
the calibration, the uncalibrated assumptions drawn from their ranges by that seed) and compare
figures the calibration never saw:

- P8 (Lianyungang, grid supervisors): with the grid and the 135 rule (``full_reform``) grid reports
  are 10–50 % of case sources (31.5 %) and at least 90 % of cases close on time (96.27 %);
- P9 (Shengzhou, Fengqiao experience): with grid governance and local mediation (``grid_governance``)
  at least 90 % of local mediations succeed (98.8 %), and petitions fall by at least 20 % against the
  status quo (−60 % to the province, −79 % to Beijing; paired: the same draw and seed in both arms).

A check passes when the mean over the draws meets the figure. Each also runs in a prior world
(:func:`townsim.experiments.core.power.in_worlds`: every assumption from the world, the county and
the calibration's ``[overrides]`` kept) so that ``townsim validate`` reports its discriminating power.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
from scipy import stats

from townsim.experiments.checks import CheckResult, check
from townsim.experiments.core.assumptions import assumptions
from townsim.experiments.core.calibration import fingerprint, load_spec
from townsim.experiments.core.posterior import COUNTY_SIZES, load_posterior, posterior_draws
from townsim.experiments.core.power import in_worlds, world_params
from townsim.experiments.core.spec import resolve_scenarios
from townsim.model import TownshipModel

POSTERIOR = Path(__file__).resolve().parents[3] / "scenarios" / "posteriors" / "generic.parquet"
"""The shipped posterior of the generic county's calibration (P7 targets only)."""
SPEC = Path(__file__).resolve().parents[2] / "specs" / "calibrate" / "generic.toml"
P8_GRID_SHARE = (0.10, 0.50)
"""P8: grid supervisors 31.5 % of case sources; read as "a substantial share: 10–50 %"."""
P8_ON_TIME = 0.90
"""P8: 96.27 % on time; read as "at least 90 %"."""
P9_MEDIATION = 0.90
"""P9: mediation success 98.8 %; read as "at least 90 %" (a county's own report: 9 points' allowance)."""
P9_PETITION_FALL = 0.20
"""P9: petitions −60 % (province), −79 % (Beijing); read as "fall by at least 20 %" (tens of percent)."""
SOURCE_P8 = "P8 (held out; generic calibration to P7)"
SOURCE_P9 = "P9 (held out; generic calibration to P7)"
MAX_WORLD_REPS = 2
"""Replications per prior world (the four checks share them)."""


def mediation_success(model) -> float:
    """Share of closed local-mediation cases that were settled (NaN if none closed)."""
    c = model.cases
    med = c.view("matter") == model.catalogue.dispute_id("dispute_mediation")
    closed = med & ~np.isnan(c.view("closed")) & ~c.view("gamed")
    return float(c.view("resolved")[closed].mean()) if closed.any() else float("nan")


def _stats(params, seed: int, days: int) -> dict[str, float]:
    m = TownshipModel(params, rng=seed).run(days)
    out = dict(m.summary())
    out["mediation_success"] = mediation_success(m)
    return out


@functools.lru_cache(maxsize=4)
def _spec():
    return load_spec(SPEC)


def _scenario_params(scenario: str):
    spec = _spec()
    return resolve_scenarios([scenario], dict(spec.overrides))[scenario]


@functools.lru_cache(maxsize=1)
def _posterior():
    """The shipped posterior, read with its spec (``other_assumptions = "drawn"`` and its overrides)."""
    return load_posterior(POSTERIOR, spec=_spec())


@functools.lru_cache(maxsize=256)
def _at_draw(scenario: str, index: int, seed: int) -> dict[str, float]:
    """One run of ``scenario`` at draw ``index`` of the posterior under ``seed`` (its calibrated values and
    the other assumptions drawn from their ranges by ``seed + index``), with run seed ``seed + index``."""
    d = posterior_draws(_posterior(), index + 1, seed)[index]
    return _stats(d.apply(_scenario_params(scenario)), d.seed, _spec().days)


def posterior_runs(scenario: str, draws: int, seed: int) -> list[dict[str, float]]:
    """Statistics of ``draws`` runs of ``scenario``, draw ``i`` of the posterior with seed ``seed + i``
    (:func:`townsim.experiments.core.posterior.posterior_draws`, as compare and robust draw it; the same
    draws and seeds for every scenario: paired)."""
    return [_at_draw(scenario, i, seed) for i in range(draws)]


@functools.lru_cache(maxsize=1)
def posterior_is_current() -> bool:
    """Whether the shipped posterior was made with this model code and spec (else: recalibrate)."""
    meta = json.loads(POSTERIOR.with_suffix(".json").read_text(encoding="utf-8"))
    return meta.get("fingerprint") == fingerprint(_spec())


@functools.lru_cache(maxsize=64)
def _in_world(scenario: str, world: tuple[tuple[str, float], ...], seed: int) -> dict[str, float]:
    """One run of ``scenario`` in a prior world (county sizes and the calibration's overrides kept)."""
    spec = _spec()
    keep = set(COUNTY_SIZES) | set(spec.overrides)
    w = {k: v for k, v in world if k not in keep}
    return _stats(world_params(_scenario_params(scenario), w, assumptions()), seed, spec.days)


# --- the statistic of each check, from paired runs -------------------------------------------------


def _grid_share(get) -> np.ndarray:
    return np.array([r["grid_report_share"] for r in get("full_reform")], float)


def _on_time(get) -> np.ndarray:
    return np.array([r["on_time_rate"] for r in get("full_reform")], float)


def _mediation(get) -> np.ndarray:
    return np.array([r["mediation_success"] for r in get("grid_governance")], float)


def _petition_fall(get) -> np.ndarray:
    b = np.array([r["petitions"] for r in get("baseline")], float)
    r = np.array([r["petitions"] for r in get("grid_governance")], float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, (b - r) / b, np.nan)


def _pooled_fall(get) -> float:
    b = sum(r["petitions"] for r in get("baseline"))
    r = sum(r["petitions"] for r in get("grid_governance"))
    return float((b - r) / b) if b > 0 else float("nan")


CHECKS = {
    # name: (statistic per run, pooled statistic or None (mean), passes, expected, source, claim)
    "generic_p8_grid_share": (
        _grid_share,
        None,
        lambda m: P8_GRID_SHARE[0] <= m <= P8_GRID_SHARE[1],
        f"grid reports {P8_GRID_SHARE[0]:.0%}–{P8_GRID_SHARE[1]:.0%} of case sources (P8: 31.5 %)",
        SOURCE_P8,
        "Generic county at its posterior, all reforms with the grid (full_reform): grid reports are a "
        "substantial share of case sources (held out)",
    ),
    "generic_p8_on_time": (
        _on_time,
        None,
        lambda m: m >= P8_ON_TIME,
        f"on time ≥ {P8_ON_TIME:.0%} (P8: 96.27 %)",
        SOURCE_P8,
        "Generic county at its posterior, all reforms with the grid (full_reform): cases close on time (held out)",
    ),
    "generic_p9_mediation_success": (
        _mediation,
        None,
        lambda m: m >= P9_MEDIATION,
        f"local mediation succeeds in ≥ {P9_MEDIATION:.0%} of disputes (P9: 98.8 %)",
        SOURCE_P9,
        "Generic county at its posterior, grid governance with local mediation (grid_governance): "
        "mediation settles nearly every dispute it takes (held out)",
    ),
    "generic_p9_petition_fall": (
        _petition_fall,
        _pooled_fall,
        lambda m: m >= P9_PETITION_FALL,
        f"petitions fall by ≥ {P9_PETITION_FALL:.0%} against the status quo (P9: −60 % province, −79 % Beijing)",
        SOURCE_P9,
        "Generic county at its posterior, status quo → grid governance with local mediation: petitions "
        "fall by tens of percent (held out)",
    ),
}


def _result(name: str, x: np.ndarray, pooled: float | None, reps: int, extra: dict, note: str = "") -> CheckResult:
    _, _, passes, expected, _, _ = CHECKS[name]
    expected += note
    v = x[np.isfinite(x)]
    m = float(pooled) if pooled is not None else (float(np.mean(v)) if len(v) else float("nan"))
    if len(v) > 1:
        half = float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    else:
        half = float("inf")
    measurable = bool(np.isfinite(m))
    return CheckResult(
        name=name,
        expected=expected if measurable else f"{expected} — not measurable (no case in any run)",
        measured=m,
        ci=(m - half, m + half),
        passed=bool(measurable and passes(m)),
        powered=bool(half < 0.05),
        replications=reps,
        details={"measurable": measurable, **extra},
    )


def _at_posterior(name: str):
    fn, pool, *_ = CHECKS[name]

    def run(reps: int, seed: int) -> CheckResult:
        def get(sc: str):
            return posterior_runs(sc, reps, seed)

        x = fn(get)
        current = posterior_is_current()
        return _result(
            name,
            x,
            pool(get) if pool else None,
            reps,
            {"values": [float(v) for v in x], "posterior": POSTERIOR.name, "posterior_current": current},
            "" if current else "; posterior from an earlier model: recalibrate",
        )

    return run


def _world_form(name: str):
    fn, pool, *_ = CHECKS[name]

    def run(world: dict[str, float], reps: int, seed: int) -> CheckResult:
        items = tuple(sorted(world.items()))
        n = min(reps, MAX_WORLD_REPS)

        def get(sc: str):
            return [_in_world(sc, items, seed + i) for i in range(n)]

        return _result(name, fn(get), pool(get) if pool else None, n, {})

    return run


for _name, (_fn, _pool, _passes, _expected, _source, _claim) in CHECKS.items():
    check(_name, part="validation", claim=_claim, source=_source, quick_reps=6, full_reps=24)(_at_posterior(_name))
    in_worlds(_name)(_world_form(_name))
