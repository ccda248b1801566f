"""A posterior's draws carry the assumptions it was marginal over: one function (core/posterior.py) makes
the draws of ``compare --posterior``, ``robust --posterior`` and ``validate``; a posterior calibrated with
``other_assumptions = "drawn"`` draws every other assumption from its range as its calibration did, one
calibrated with ``"defaults"`` leaves them at the scenario's values."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from townsim.experiments.core.assumptions import assumptions
from townsim.experiments.core.calibration import parse_spec
from townsim.experiments.core.posterior import load_posterior, posterior_draws
from townsim.experiments.workflows.calibrate.abc import with_other_assumptions
from townsim.experiments.workflows.compare import CompareSettings
from townsim.experiments.workflows.compare import plan as compare_plan
from townsim.experiments.workflows.robust.plan import plan as robust_plan
from townsim.experiments.workflows.robust.settings import RobustSettings
from townsim.scenarios import apply_overrides, load_scenario

SMALL = dict(townships=4, departments=8, enterprises=300, residents=30000)
SET = [f"{k}={v}" for k, v in SMALL.items()]
UNCALIBRATED = "learning_cases"
"""An assumption the test posterior does not calibrate."""
SEED = 5
DRAWS = 4


def _posterior(tmp_path: Path, mode: str | None, fixed: list[str] | None = None) -> Path:
    """A posterior of ``resolution_base`` for the baseline at the small county (``mode`` None: not recorded)."""
    folder = tmp_path / f"cal-{mode}"
    folder.mkdir()
    pd.DataFrame({"resolution_base": [0.82, 0.9, 0.97], "weight": [0.2, 0.3, 0.5]}).to_parquet(
        folder / "posterior.parquet"
    )
    meta: dict = {"scenario": "baseline", "county": {"scenario": "baseline", **SMALL}}
    if mode is not None:
        meta["other_assumptions"] = mode
    if fixed is not None:
        meta["fixed"] = fixed
    (folder / "spec.json").write_text(json.dumps(meta))
    return folder


def _base():
    return apply_overrides(load_scenario("baseline").params, SET)


def _compare(folder: Path, reps: int = DRAWS) -> tuple[CompareSettings, dict[int, object]]:
    s = CompareSettings(
        scenarios=["baseline", "one_stop_135"], reps=reps, days=2, seed=SEED, overrides=SET, posterior=str(folder)
    )
    _, specs = compare_plan(s)
    return s, {sp.replication: sp.params for sp in specs if sp.scenario == "baseline"}


def _robust(folder: Path, worlds: int = DRAWS):
    s = RobustSettings(
        scenarios=["one_stop_135"], worlds=worlds, reps=2, days=2, seed=SEED, overrides=SET, posterior=str(folder)
    )
    p = robust_plan(s)
    return p, {sp.replication // s.reps: sp.params for sp in p.specs if sp.scenario == "baseline"}


def test_a_drawn_posterior_varies_an_uncalibrated_assumption_inside_its_range(tmp_path):
    folder = _posterior(tmp_path, "drawn")
    rng = {a.name: a for a in assumptions()}[UNCALIBRATED]
    default = getattr(_base(), UNCALIBRATED)
    _, cmp = _compare(folder)
    p, rob = _robust(folder)
    for params in (cmp, rob):
        values = [getattr(params[k], UNCALIBRATED) for k in range(DRAWS)]
        assert len(set(values)) == DRAWS and default not in values
        assert all(rng.low <= v <= rng.high for v in values)
        assert {params[k].resolution_base for k in range(DRAWS)} <= {0.82, 0.9, 0.97}
    # the worlds table records every drawn value (PRIM can search them); county sizes are never drawn
    assert UNCALIBRATED in p.worlds.names and not set(SMALL) & set(p.worlds.names)


def test_a_defaults_posterior_leaves_the_uncalibrated_assumptions_at_the_scenarios_values(tmp_path):
    default = _base()
    for mode in ("defaults", None):  # None: a posterior that records no mode (an older calibration)
        folder = _posterior(tmp_path, mode)
        _, cmp = _compare(folder)
        p, rob = _robust(folder)
        for params in (cmp, rob):
            for k in range(DRAWS):
                assert params[k] == default.replace(resolution_base=params[k].resolution_base)
        assert p.worlds.names == ["resolution_base"]


def test_draw_k_is_the_same_world_in_compare_robust_and_validate(tmp_path, monkeypatch):
    """The same (posterior, draw index, seed) gives the same parameters in the three experiments."""
    from townsim.experiments.workflows.validate import generic

    folder = _posterior(tmp_path, "drawn")
    _, cmp = _compare(folder)
    _, rob = _robust(folder)
    seen: dict[int, object] = {}
    post = load_posterior(folder)
    monkeypatch.setattr(generic, "_posterior", lambda: post)
    monkeypatch.setattr(generic, "_scenario_params", lambda sc: _base())
    monkeypatch.setattr(generic, "_stats", lambda params, seed, days: seen.setdefault(seed - SEED, params) and {})
    generic._at_draw.cache_clear()
    try:
        generic.posterior_runs("baseline", DRAWS, SEED)
    finally:
        generic._at_draw.cache_clear()
    for k in range(DRAWS):
        assert cmp[k] == rob[k] == seen[k], k
    # draw k does not depend on how many draws are made
    _, more = _compare(folder, reps=DRAWS + 3)
    assert all(more[k] == cmp[k] for k in range(DRAWS))


def test_a_draw_draws_the_other_assumptions_by_the_calibrations_rule_and_seed(tmp_path):
    """Draw k's other assumptions are those a calibration simulation with seed ``seed + k`` drew."""
    fixed = ["dispute_rate"]
    folder = _posterior(tmp_path, "drawn", fixed=fixed)
    spec = parse_spec(
        {
            "scenario": "baseline",
            "population_size": 20,
            "max_generations": 1,
            "days": 5,
            "other_assumptions": "drawn",
            "overrides": {"dispute_rate": 1e-4},
            "parameters": {"resolution_base": {"dist": "uniform", "bounds": [0.8, 1.0]}},
            "targets": {"resolution_rate": {"min": 0.9}},
        }
    )
    base = _base()
    for d in posterior_draws(load_posterior(folder), DRAWS, SEED):
        calibrated = base.replace(resolution_base=d.values["resolution_base"])
        assert d.apply(base) == with_other_assumptions(spec, calibrated, SEED + d.index)
        assert "dispute_rate" not in d.others
    # the spec, when given, decides the mode and the fixed keys
    assert load_posterior(_posterior(tmp_path, None), spec=spec).others() == load_posterior(folder).others()


def test_the_reports_say_how_the_intervals_were_formed(tmp_path):
    drawn = _posterior(tmp_path, "drawn")
    n = len(load_posterior(drawn).others())
    s, _ = _compare(drawn)
    assert f"the other {n} assumptions drawn from their ranges" in " ".join(s.posterior_note.split())
    assert f"其余 {n} 项假设在各自可信区间内抽取" in s.posterior_note_zh
    s, _ = _compare(_posterior(tmp_path, "defaults"))
    assert "the other assumptions at their defaults" in " ".join(s.posterior_note.split())

    from townsim.experiments.core.executors import SerialExecutor
    from townsim.experiments.workflows.robust.pipeline import run_robust

    settings = RobustSettings(
        scenarios=["one_stop_135"], worlds=2, reps=2, days=2, seed=SEED, overrides=SET, posterior=str(drawn)
    )
    for lang, needle in (("en", f"the other {n} assumptions drawn from their ranges"), ("zh", f"其余 {n} 项假设")):
        out = tmp_path / f"robust-{lang}"
        with SerialExecutor() as ex:
            run_robust(settings, out, ex, show_progress=False, make_figures=False, lang=lang)
        assert needle in " ".join((out / "report.md").read_text(encoding="utf-8").split())


def test_a_set_value_holds_in_every_draw(tmp_path):
    folder = _posterior(tmp_path, "drawn")
    s = RobustSettings(
        scenarios=["one_stop_135"],
        worlds=3,
        reps=2,
        days=2,
        seed=SEED,
        overrides=[*SET, f"{UNCALIBRATED}=42", "resolution_base=0.85"],
        posterior=str(folder),
    )
    p = robust_plan(s)
    assert {(sp.params.learning_cases, sp.params.resolution_base) for sp in p.specs} == {(42.0, 0.85)}
    assert UNCALIBRATED not in p.worlds.names and "resolution_base" not in p.worlds.names


@pytest.mark.parametrize("bad", [{"other_assumptions": "sometimes"}, {"fixed": "dispute_rate"}])
def test_a_malformed_mode_is_one_line(tmp_path, bad):
    folder = _posterior(tmp_path, None)
    meta = json.loads((folder / "spec.json").read_text())
    (folder / "spec.json").write_text(json.dumps({**meta, **bad}))
    with pytest.raises(ValueError) as err:
        load_posterior(folder)
    assert "\n" not in str(err.value) and next(iter(bad)) in str(err.value) and "allowed" in str(err.value)


def test_no_workflow_reaches_into_calibrate_for_a_posterior():
    """The import contract allows no crossing into calibrate (lint-imports enforces it in CI)."""
    root = Path(__file__).resolve().parents[1]
    contracts = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    ignored = [i for c in contracts["contracts"] for i in c.get("ignore_imports", [])]
    assert not [i for i in ignored if "calibrate" in i], ignored
    workflows = root / "experiments" / "workflows"
    imports = re.compile(r"^\s*from\s+(\S+)\s+import|^\s*import\s+(\S+)", re.M)
    for path in [
        workflows / "compare.py",
        workflows / "compare_posterior.py",
        *workflows.glob("validate/*.py"),
        *workflows.glob("robust/*.py"),
    ]:
        for m in imports.finditer(path.read_text(encoding="utf-8")):
            module = m.group(1) or m.group(2)
            assert "calibrate" not in module.split("."), (path.name, module)


def test_a_calibration_folder_says_its_mode_in_its_spec(tmp_path):
    """A ``townsim calibrate`` folder records the mode and the fixed keys in ``spec.json``; an older one
    without them is read from the ``spec.toml`` copied beside it."""
    from townsim.experiments.workflows.calibrate import _others

    folder = _posterior(tmp_path, None)
    (folder / "spec.toml").write_text(
        'scenario = "baseline"\npopulation_size = 20\nmax_generations = 1\nother_assumptions = "drawn"\n'
        "[overrides]\ndispute_rate = 1e-4\n"
        '[parameters]\nresolution_base = {dist = "uniform", bounds = [0.8, 1.0]}\n'
        "[targets]\nresolution_rate = {min = 0.9}\n"
    )
    post = load_posterior(folder)
    names = {a.name for a in post.others()}
    assert post.mode == "drawn" and post.fixed == {"dispute_rate"}
    assert UNCALIBRATED in names and not names & {"dispute_rate", "resolution_base", *SMALL}
    from townsim.experiments.core.calibration import load_spec

    assert _others(load_spec(folder / "spec.toml")) == {"other_assumptions": "drawn", "fixed": ["dispute_rate"]}


def test_a_comparison_over_a_drawn_posterior_resumes_its_stored_runs(tmp_path):
    """Draws are a pure function of (posterior, index, seed): a rerun finds every run in the store."""
    from townsim.experiments.core.executors import SerialExecutor
    from townsim.experiments.workflows.compare import run_compare

    folder = _posterior(tmp_path, "drawn")
    out = tmp_path / "cmp"

    def once():
        s = CompareSettings(scenarios=["baseline"], reps=2, days=2, seed=SEED, overrides=SET, posterior=str(folder))
        with SerialExecutor() as ex:
            return run_compare(s, out, ex, show_progress=False, make_figures=False)

    first = once()
    second = once()
    assert (first.execution.ran, second.execution.ran, second.execution.skipped) == (2, 0, 2)
    pd.testing.assert_frame_equal(first.runs, second.runs)
