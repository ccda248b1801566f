"""Suite-wide collection rule: a module's tests that share a module-scoped fixture run on one worker; the
compiled kernel's direct calls check their argument types in every test.

Under ``pytest -n auto --dist loadgroup`` tests are spread over the workers one by one, so a module-scoped
fixture (a robustness run, a sensitivity run, a Linping year) was built once on every worker that drew one
of its tests: the robustness module's paired run (70 s) twice per suite. Each test using a module-scoped
fixture of its own module gets the module's ``xdist_group``, unless it names a group itself.

The workers are handed the groups first (largest first: pytest-xdist's ``loadscope`` order), then the single
tests in collection order, so a long test near the end of the alphabet (the tutorial, the app's server
driven by a browser) kept one worker busy while the other had finished. On an xdist worker the collection
puts the tests marked ``slow`` first (stable: their order among themselves is kept, modules stay contiguous
within a group), so the last tests handed out are short ones and the workers finish together.
"""

from __future__ import annotations

import os

import pytest

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
