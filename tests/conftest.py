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
