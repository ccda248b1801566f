"""Suite-wide collection rule: a module's tests that share a module-scoped fixture run on one worker; the
compiled kernel's direct calls check their argument types in every test.

Under ``pytest -n auto --dist loadgroup`` tests are spread over the workers one by one, so a module-scoped
fixture (a robustness run, a sensitivity run, a Linping year) was built once on every worker that drew one
of its tests: the robustness module's paired run (70 s) twice per suite. Each test using a module-scoped
fixture of its own module gets the module's ``xdist_group``, unless it names a group itself.

The workers are handed the groups first (largest first: pytest-xdist's ``loadscope`` order), then the single
tests in collection order, so a long test near the end of the alphabet (the tutorial, the app's server
driven by a browser) kept one worker busy while the other had finished. On an xdist worker the collection
puts the tests marked ``slow`` first (stable: their order among themselves is kept; a module's group holds
that module's tests only, so its fixture is still built once), so the last tests handed out are short ones
and the workers finish together.

statsmodels' Holm correction (``multipletests(method="holm")``, under every comparison table) calls
``gc.collect()`` each time: a full collection of a test worker's heap (the suite's imports, cached check
runs) costs 0.2 to 1 CPU-s, paid at every compare, sweep or robustness analysis run in-process (15 calls,
3.4 CPU-s in test_compare, test_api_experiments, test_report_figures, test_sweep, test_render and
test_kpi_views). Once the stats module is imported, its ``multipletests`` runs with ``gc.collect`` a no-op
for the length of the call: a collection frees memory and changes no value, so the p-values are the same.

A suite started in the background by a shell without job control (``cmd &``, ``nohup``, some CI runners)
inherits SIGINT *ignored*, and so do the commands the tests start: Python then installs no Ctrl-C handler,
and the tests that interrupt a command (``compare``, ``validate``, ``viz``) saw it run to the end. The
suite puts SIGINT back to its default before any test starts a command, so those tests test Ctrl-C.

Models run on the compiled engine (``suite_engine``; ``TOWNSIM_TEST_ENGINE=python`` runs the suite on the
Python reference), except in the modules that choose engines themselves (``ENGINE_AWARE``): the two
engines give the same results bit for bit, which those modules test, and the compiled one costs about
0.7 of the Python one's CPU in the mechanism checks (36 against 52 CPU-s for the delegation J-curve).
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys

import pytest

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:  # inherited from a background start: see above
    signal.signal(signal.SIGINT, signal.SIG_DFL)

# every compiled kernel call checks its argument types against the overload it calls directly
# (model/kernel/calls.py): a type that changed mid-run fails a test instead of being misread
os.environ.setdefault("TOWNSIM_KERNEL_CHECK", "1")


def shared_module_fixture(item: pytest.Item) -> bool:
    """Whether ``item`` uses a module-scoped fixture defined in its own module."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    module = getattr(item, "module", None)
    for name in info.names_closure:
        for fixdef in info.name2fixturedefs.get(name, ()):
            if fixdef.scope == "module" and getattr(fixdef.func, "__module__", None) == getattr(module, "__name__", 0):
                return True
    return False


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is None and shared_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(f"module:{item.module.__name__}"))
    if hasattr(config, "workerinput"):  # an xdist worker: the controller hands out tests in this order
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: the slow ones first


HOLM_MODULE = "townsim.experiments.core.stats"


def without_full_collection(fn):
    """``fn`` run with ``gc.collect`` a no-op (statsmodels' Holm collects at every call; see the docstring)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        collect = gc.collect
        gc.collect = lambda generation=2: 0
        try:
            return fn(*args, **kwargs)
        finally:
            gc.collect = collect

    run.without_full_collection = True  # type: ignore[attr-defined]
    return run


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    stats = sys.modules.get(HOLM_MODULE)  # not imported here: it pulls in statsmodels (3 s)
    if stats is not None and not getattr(stats.multipletests, "without_full_collection", False):
        stats.multipletests = without_full_collection(stats.multipletests)


ENGINE_AWARE = frozenset(
    {
        "test_agents41_day.py",
        "test_agents41_kpi.py",
        "test_callback_desk.py",
        "test_capacity.py",
        "test_conference_waiting.py",
        "test_day3_twins.py",
        "test_day5_closures.py",
        "test_day5_duties.py",
        "test_day6_judge.py",
        "test_day6_kpi.py",
        "test_day9_empty_day.py",
        "test_engine43_conference.py",
        "test_day42_collect.py",
        "test_department_wait.py",
        "test_empty43_day.py",
        "test_empty44_day.py",
        "test_engine_option.py",
        "test_enum_traps.py",
        "test_exchange42_handled.py",
        "test_exchange42_quiet.py",
        "test_fast_paths.py",
        "test_gcpolicy.py",
        "test_grid2_draws.py",
        "test_gaming41_charges.py",
        "test_grid41_store.py",
        "test_grid43_openset.py",
        "test_grid43_owners.py",
        "test_intake2_channels.py",
        "test_intake5_intake.py",
        "test_intake41_admit.py",
        "test_intake42_rows.py",
        "test_intake6_refer_up.py",
        "test_kernel_coverage.py",
        "test_kernel_differential.py",
        "test_kernel_handlers.py",
        "test_kernel_huge_pages.py",
        "test_kpi4_day.py",
        "test_live_enterprises.py",
        "test_mech_engine.py",
        "test_mech_escalation.py",
        "test_mech_handling.py",
        "test_mech_intake.py",
        "test_openset.py",
        "test_mediation_accept.py",
        "test_mem7_arrays.py",
        "test_mem7_compact.py",
        "test_mem8_release.py",
        "test_outcomes.py",
        "test_participation_kept.py",
        "test_same_results_keys.py",
        "test_settle_kernel.py",
        "test_stop_rule.py",
        "test_warmstart.py",
    }
)
"""Test modules that choose each model's engine themselves (they compare the engines, or test one): the
suite's engine (``suite_engine``) is not imposed on them. ``tests/test_habits.py`` checks that every module
naming ``engine=`` is listed."""


def suite_engine() -> str | None:
    """The engine every model of the other modules runs (``TOWNSIM_TEST_ENGINE``: ``compiled``, ``python``,
    or ``declared`` for each model's own): by default the compiled kernel when numba is installed — the
    engine the experiments use; the two are bit-identical (``test_kernel_differential``, the pins on both)."""
    import importlib.util

    engine = os.environ.get("TOWNSIM_TEST_ENGINE", "")
    if engine == "declared":
        return None
    if engine:
        return engine
    return "compiled" if importlib.util.find_spec("numba") is not None else None


@pytest.fixture(autouse=True, scope="module")
def _suite_engine(request):
    """Every model a module's tests (and its module-scoped fixtures) build runs :func:`suite_engine`."""
    engine = suite_engine()
    if engine is None or request.module.__file__.rsplit("/", 1)[-1] in ENGINE_AWARE:
        yield
        return
    from townsim.model import kernel

    with kernel.engine_for_every_model(engine):
        yield
