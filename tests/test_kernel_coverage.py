"""Which engine runs: the compiled one only where it covers the scenario, else the Python one, saying why.

Also: the Python engine stays the default, the kernel's sources are under the model's code
fingerprint, and the Erlang C check passes on the compiled engine.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import warnings

import pytest

from townsim.model import Params, TownshipModel
from townsim.model import kernel as kernel_mod
from townsim.scenarios import SCENARIO_DIR, VALIDATION_DIR, load_scenario

MMC = VALIDATION_DIR / "mmc.toml"


def test_python_engine_is_the_default():
    assert Params().engine == "python"
    m = TownshipModel(load_scenario(MMC).params, rng=1)
    assert not m.compiled and m.engine_reason == ""


def test_every_mechanism_is_covered():
    base = load_scenario(MMC).params
    ok, why = kernel_mod.supports(base.replace(chief_representatives=5, leading_group_staff=2.0, desk_decisions=True))
    assert ok, why
    ok, why = kernel_mod.supports(base.replace(township_hall_share=0.5, commissioners=4, enterprises=100))
    assert ok, why
    ok, why = kernel_mod.supports(base.replace(dispute_rate=1e-4, local_problem_rate=1e-4, grid_coverage=0.5))
    assert ok, why
    assert kernel_mod.supports(base.replace(corner_cutting=0.5)) == (True, "")
    assert kernel_mod.supports(Params()) == (True, "")  # the default county, whole
    assert kernel_mod.supports(base.replace(ontime_weight=0.2, ranking_pressure=1.0)) == (True, "")  # gaming
    assert kernel_mod.supports(base.replace(delegated_share=0.4, staff_transfer=0.5)) == (True, "")  # delegation
    ok, why = kernel_mod.supports(base.replace(chief_representatives=5, escalation_135=True))
    assert ok, why  # the 135 rule
    ok, why = kernel_mod.supports(base.replace(chief_representatives=5, escalation_135=True, whistle=True))
    assert ok, why  # the whistle


def _refusing_the_whistle(params):
    """A kernel that does not cover the whistle (the fallback machinery's test: every mechanism is covered)."""
    return (False, "not compiled yet: the whistle") if params.whistle else (True, "")


def test_an_uncovered_scenario_falls_back_and_says_why_once(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setattr(kernel_mod, "_SAID", set())
    monkeypatch.setattr(kernel_mod, "supports", _refusing_the_whistle)
    p = load_scenario(SCENARIO_DIR / "one_stop_135.toml").params.replace(engine="compiled", warmup_days=0, whistle=True)
    with pytest.warns(RuntimeWarning, match="Python engine runs: not compiled yet"):
        m = TownshipModel(p, rng=1)
    assert not m.compiled and m.engine_reason.startswith("not compiled yet")
    assert type(m.engine).__name__ == "Engine"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once: the second model is silent
        TownshipModel(p, rng=2)
    ref = TownshipModel(p.replace(engine="python"), rng=1).run(5)
    assert m.run(5).summary()["cases_created"] == ref.summary()["cases_created"]


def test_a_warm_up_under_other_levers_is_covered_when_both_regimes_are(monkeypatch):
    p = load_scenario(MMC).params.replace(engine="compiled", warmup_days=5, pre_reform={"department_staff": 5.0})
    assert kernel_mod.choose(p, p.replace(**p.pre_reform))[0] or importlib.util.find_spec("numba") is None
    monkeypatch.setattr(kernel_mod, "supports", _refusing_the_whistle)
    q = p.replace(pre_reform={"whistle": True, "chief_representatives": 3})
    ok, why = kernel_mod.choose(q, q.replace(**q.pre_reform))
    assert not ok and "whistle" in why  # the warm-up's levers are checked too


@pytest.mark.parametrize(
    "name,covered",
    [
        ("baseline", True),
        ("inspection_cut", True),
        ("two_way_assessment", True),
        ("grid_governance", True),
        ("delegation_no_staff", True),
        ("delegation_with_staff", True),
        ("one_stop_135", True),
        ("full_reform", True),
        ("linping", True),
    ],
)
def test_which_shipped_scenarios_run_compiled(name, covered):
    """Every shipped scenario runs compiled."""
    p = load_scenario(SCENARIO_DIR / f"{name}.toml").params
    pre = p.replace(**p.pre_reform) if (p.warmup_days and p.pre_reform) else p
    assert all(kernel_mod.supports(x)[0] for x in (p, pre)) is covered


def test_without_numba_the_python_engine_runs(monkeypatch):
    """The pure-Python fallback: a machine without numba runs the reference and says so."""
    real = kernel_mod.importlib.util.find_spec
    monkeypatch.setattr(
        kernel_mod.importlib.util, "find_spec", lambda name, *a: None if name == "numba" else real(name, *a)
    )
    monkeypatch.setattr(kernel_mod, "_SAID", set())
    p = load_scenario(MMC).params.replace(engine="compiled")
    with pytest.warns(RuntimeWarning, match="numba is not installed"):
        m = TownshipModel(p, rng=1)
    assert not m.compiled
    m.run(3)


def test_the_compiled_engine_refuses_an_uncovered_path():
    """A guard behind ``supports``: Python asking the compiled engine for an uncovered mechanism is an error."""
    pytest.importorskip("numba")
    from townsim.model.engine import FORWARD, Task
    from townsim.model.kernel.engine import NotCovered

    m = TownshipModel(load_scenario(MMC).params.replace(engine="compiled"), rng=1)
    assert m.compiled
    with pytest.raises(NotCovered, match="only intake's forwarding"):
        m.engine.arrive(Task(0, m.handlers[0], FORWARD, 0, 1.0), 0.0)
    with pytest.raises(NotCovered):
        m.engine.schedule(1.0, print, None)


def test_the_code_fingerprint_covers_the_kernel_sources(tmp_path, monkeypatch):
    """The kernel lives in model/kernel/: changing one of its files changes the model's code fingerprint."""
    from townsim.experiments.core.fingerprint import code_fingerprint

    src = kernel_mod.__file__.rsplit("/kernel/", 1)[0]
    pkg = tmp_path / "fpmodel"
    shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    assert (pkg / "kernel" / "core.py").exists()
    monkeypatch.syspath_prepend(str(tmp_path))
    before = code_fingerprint("fpmodel")
    with open(pkg / "kernel" / "core.py", "a") as f:
        f.write("\n# a change\n")
    sys.modules.pop("fpmodel", None)
    assert code_fingerprint("fpmodel") != before


@pytest.mark.slow
@pytest.mark.xdist_group("erlang_c_c4_rho0.75")  # the group of the check's quick run (tests/checks_cache.py)
def test_erlang_c_check_passes_on_the_compiled_engine(monkeypatch):
    """The registered M/M/4 check at ρ = 0.75 (its quick replications: the cheapest of the Erlang C cases),
    run on the compiled engine, every kernel call's argument types checked (``TOWNSIM_KERNEL_CHECK``,
    tests/conftest.py; the check reads cheap keys and types only new ones, ``kernel.calls.key``).

    When the suite runs on the compiled engine (``conftest.suite_engine``, the default with numba) this is
    the check's quick result that test_queueing asserts, run once per suite on the suite's engine
    (``checks_cache.quick``: its 6 runs of 3,000 days are not made twice); otherwise it is run here, with
    the compiled engine forced on the check's counties."""
    pytest.importorskip("numba")
    from checks_cache import quick
    from conftest import suite_engine

    from townsim.experiments.checks import queueing
    from townsim.model.kernel import calls

    c, rho, days, quick_reps, _ = min(queueing.ERLANG_CASES, key=lambda e: e[2] * e[3])
    assert (c, rho) == (4, 0.75)
    assert calls.CHECK  # the suite's setting
    if suite_engine() == "compiled":
        with kernel_mod.engine_for_every_model(suite_engine()):  # as checks_cache.quick runs the check
            assert TownshipModel(queueing.mmc_params(c, rho), rng=1).compiled
        r = quick(f"erlang_c_c{c}_rho{rho:g}")
        assert r.replications == quick_reps
    else:
        orig = queueing.mmc_params
        monkeypatch.setattr(queueing, "mmc_params", lambda c, rho: orig(c, rho).replace(engine="compiled"))
        assert TownshipModel(queueing.mmc_params(c, rho), rng=1).compiled
        r = queueing._erlang(c, rho, days)(quick_reps, 1)
    assert r.passed, (r.measured, r.expected)
