"""The code's habits, read from the source alone (pure AST, nothing of the package is imported).

- A module longer than 400 lines says why in its docstring ("Over 400 lines: ...").
- A function longer than 60 lines says why in its docstring, in a sentence that starts "Over 60 lines:".
- An import inside a function says why it is deferred (a heavy optional dependency, a cycle, the quick start)
  with ``# deferred: <reason>`` on its line or the line before. ``experiments/cli/`` is exempt: its commands
  import lazily on purpose, so that ``townsim --version``, ``--help`` and ``scenarios list`` start quickly.

tests/ and benchmarks/ are not read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"tests", "benchmarks", "results", "build", "dist"}
MAX_MODULE_LINES = 400
"""The longest module (lines) that needs no reason."""
MAX_LINES = 60
"""The longest function (lines, ``def`` to its last line) that needs no reason."""

LONG_ALLOWED: set[str] = set()
"""Long functions allowed without a stated reason: none."""

INNER_IMPORTS_ALLOWED: tuple[str, ...] = ()
"""Folders whose inner imports need no stated reason: none."""

LAZY = ("experiments/cli/",)
"""Exempt for good: the command line imports its commands' modules lazily, for a quick start."""


def sources() -> Iterator[tuple[str, str]]:
    """(path relative to the repository root, source) of every Python file the habits cover."""
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIPPED or any(part.startswith(".") for part in rel.parts):
            continue
        yield rel.as_posix(), path.read_text(encoding="utf-8")


def functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def long_module_without_reason(rel: str, source: str) -> list[str]:
    """``path (N lines)`` when the module is over ``MAX_MODULE_LINES`` and its docstring does not say why."""
    n = len(source.splitlines())
    if n > MAX_MODULE_LINES and "Over 400 lines" not in (ast.get_docstring(ast.parse(source)) or ""):
        return [f"{rel} ({n} lines)"]
    return []


def long_without_reason(rel: str, source: str) -> list[str]:
    """``path:name (N lines)`` of each function over ``MAX_LINES`` whose docstring does not say why."""
    out = []
    for f in functions(ast.parse(source)):
        n = f.end_lineno - f.lineno + 1  # type: ignore[operator]
        if n > MAX_LINES and "Over 60 lines" not in (ast.get_docstring(f) or ""):
            out.append(f"{rel}:{f.name} ({n} lines)")
    return out


def undeferred_imports(rel: str, source: str) -> list[str]:
    """``path:line`` of each import inside a function with no ``# deferred:`` on its lines or the line before."""
    lines = source.splitlines()
    out = set()
    for f in functions(ast.parse(source)):
        for node in ast.walk(f):
            if isinstance(node, ast.Import | ast.ImportFrom):
                near = lines[max(node.lineno - 2, 0) : node.end_lineno]
                if not any("# deferred:" in line for line in near):
                    out.add(f"{rel}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return sorted(out)


def test_every_long_module_says_why():
    found = [hit for rel, src in sources() for hit in long_module_without_reason(rel, src)]
    assert not found, "split these, or say why in the module docstring ('Over 400 lines: ...'):\n" + "\n".join(found)


def test_every_long_function_says_why():
    found = [hit for rel, src in sources() for hit in long_without_reason(rel, src)]
    missing = [hit for hit in found if hit.split(" ")[0] not in LONG_ALLOWED]
    assert not missing, "split these, or say why in the docstring ('Over 60 lines: ...'):\n" + "\n".join(missing)


def test_the_long_function_allowance_is_still_needed():
    found = {hit.split(" ")[0] for rel, src in sources() for hit in long_without_reason(rel, src)}
    stale = sorted(LONG_ALLOWED - found)
    assert not stale, "no longer long or now explained, remove from LONG_ALLOWED: " + ", ".join(stale)


def test_every_inner_import_says_why_it_is_deferred():
    found = [
        hit
        for rel, src in sources()
        if not rel.startswith(LAZY + INNER_IMPORTS_ALLOWED)
        for hit in undeferred_imports(rel, src)
    ]
    assert not found, "hoist these to the top, or mark them '# deferred: <reason>':\n" + "\n".join(found)


def test_a_long_module_without_a_reason_is_caught():
    body = "x = 1\n" * 400
    assert long_module_without_reason("m.py", '"""A module."""\n' + body) == ["m.py (401 lines)"]
    assert long_module_without_reason("m.py", '"""Over 400 lines: one table."""\n' + body) == []
    assert long_module_without_reason("m.py", '"""A module."""\n' + body[6:]) == []


LONG = "def f():\n" + "    x = 1\n" * 60 + "    return x\n"
"""A 62-line function with no docstring."""


def test_a_long_function_without_a_reason_is_caught():
    assert long_without_reason("m.py", LONG) == ["m.py:f (62 lines)"]
    explained = LONG.replace("def f():\n", 'def f():\n    """Over 60 lines: one table, read top to bottom."""\n')
    assert long_without_reason("m.py", explained) == []
    short = "def f():\n" + "    x = 1\n" * 58 + "    return x\n"
    assert long_without_reason("m.py", short) == []


def test_an_inner_import_without_a_reason_is_caught():
    bare = "import os\n\n\ndef f():\n    import json\n    return json\n"
    assert undeferred_imports("m.py", bare) == ["m.py:5: import json"]
    on_line = bare.replace("import json\n", "import json  # deferred: heavy\n")
    line_before = bare.replace("    import json\n", "    # deferred: a cycle\n    import json\n")
    assert undeferred_imports("m.py", on_line) == undeferred_imports("m.py", line_before) == []
    nested = "def f():\n    def g():\n        from a import (\n            b,\n        )\n    return g\n"
    assert undeferred_imports("m.py", nested) == ["m.py:3: from a import ("]


def test_every_module_that_picks_an_engine_is_left_its_choice():
    """A test module that builds models with an explicit ``engine=`` (to compare the engines, or to test one),
    pairs them with the differential test's helpers, or reads the Python engine's own objects (``m.engine.…``, ``m.flows[…]``, ``coord_tasks``) is
    listed in ``conftest.ENGINE_AWARE``, so the suite's engine is not imposed on it (an imposed engine
    would make an engine comparison compare the compiled engine with itself)."""
    import re

    from conftest import ENGINE_AWARE

    picks_engine = (
        r"engine\s*=|engine_for_every_model|from test_kernel_differential import|\.engine\.\w"
        r"|\.flows\[|\.flows\.get|coord_tasks"  # the Python engine's case flows and desk tasks
    )

    naming = {
        f.name
        for f in (ROOT / "tests").glob("test_*.py")
        if f.name != "test_habits.py" and re.search(picks_engine, f.read_text(encoding="utf-8"))
    }
    assert naming - ENGINE_AWARE == set()
