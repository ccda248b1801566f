"""Which event engine an experiment's runs use: ``auto`` chooses, the runner applies it to every job.

The two engines are bit-identical (the compiled kernel against the Python reference: the differential
tests), and ``engine`` is a ``same_results`` setting, out of every run key and settings hash, so the choice
changes only how long the runs take, never which runs a folder holds: a folder made with one engine
resumes with the other and reuses its runs.

- :func:`choose` — ``auto``: the compiled engine when numba is installed and the experiment has at least
  :data:`AUTO_MIN_COUNTY_YEARS` county-years of work, else the Python one;
- :func:`using` / :func:`current` — the engine the command chose, for the one runner
  (:func:`townsim.experiments.core.protocol.run_experiment`) to apply, whatever the workflow;
- :func:`with_engine` — a job (a run spec, a chunk of runs ...) with every ``Params`` in it set to the engine;
- :func:`warm` — the compiled kernel loaded (compiled once into numba's on-disk cache if it is empty) in this
  process, before local workers start, so that they load it from the cache instead of each compiling it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import time
from collections.abc import Iterator
from typing import Any

from .county import SMALL_COUNTY

ENGINES = ("auto", "python", "compiled")
"""Values of ``--engine``."""

DAYS_PER_COUNTY_YEAR = 250
"""Working days of one county-year."""

AUTO_MIN_COUNTY_YEARS = 100
"""County-years of work (runs × simulated days, warm-ups included, / 250) from which ``auto`` picks the
compiled engine: the compile it may pay on a machine whose numba cache is empty (≈ 33 CPU-s, once per
kernel version) over the CPU it saves a county-year (≈ 0.37 CPU-s on ``full_reform``: 1.33 against 1.70,
three fresh processes each, benchmarks/README.md): 33 / 0.37 ≈ 90, rounded up."""

COMPILED_IS_FASTER = True
"""Whether the compiled engine saves CPU per county-year on the measured machine. It did not while numpy
advised transparent huge pages for the kernel's tables (1.0 s of system time a county-year gave its lower
user time back: a robustness analysis of 128 county-years took 338.7 CPU-s compiled against 324.3 python);
the kernel now turns that advice off (``model/kernel/engine.no_huge_pages``) and saves ≈ 22 % of the CPU.
Set it False to make ``auto`` run the Python engine whatever the size."""

_CHOSEN: list[str | None] = [None]


def numba_available() -> bool:
    """Whether numba can be imported (the kernel extra is installed); checked without importing it."""
    return importlib.util.find_spec("numba") is not None


def county_years(runs: int, days: int) -> float:
    """County-years of ``runs`` runs of ``days`` simulated days each."""
    return max(int(runs), 0) * max(int(days), 0) / DAYS_PER_COUNTY_YEAR


def choose(requested: str, years: float) -> str:
    """The engine to run: ``python`` or ``compiled`` as asked; ``auto``: compiled when it is faster
    (:data:`COMPILED_IS_FASTER`), numba is installed and the work is at least :data:`AUTO_MIN_COUNTY_YEARS`
    county-years, else python."""
    if requested not in ENGINES:
        raise ValueError(f"engine {requested!r}: allowed: {', '.join(ENGINES)}")
    if requested != "auto":
        return requested
    faster = COMPILED_IS_FASTER and years >= AUTO_MIN_COUNTY_YEARS
    return "compiled" if faster and numba_available() else "python"


def record(requested: str, used: str | None, years: float) -> dict[str, Any]:
    """What the manifest says of the engine: asked, used (None: the runs' own ``engine``, e.g. ``--set``),
    the work it was chosen on and the rule."""
    return {
        "requested": requested,
        "used": used,
        "county_years": round(float(years), 3),
        "auto_min_county_years": AUTO_MIN_COUNTY_YEARS,
        "numba": numba_available(),
    }


@contextlib.contextmanager
def using(engine: str | None, about: dict[str, Any] | None = None) -> Iterator[None]:
    """The runner applies ``engine`` (``python``/``compiled``) to every job it runs inside this block;
    None: the jobs keep their own ``engine``. ``about``: what the manifest records (:func:`record`)."""
    previous = _CHOSEN[0], _ABOUT[0]
    _CHOSEN[0], _ABOUT[0] = engine, about
    try:
        yield
    finally:
        _CHOSEN[0], _ABOUT[0] = previous


_ABOUT: list[dict[str, Any] | None] = [None]


def current() -> str | None:
    """The engine chosen for the runs in this block (:func:`using`), or None."""
    return _CHOSEN[0]


def about() -> dict[str, Any] | None:
    """The manifest's engine record of this block (:func:`using`), or None outside one."""
    return _ABOUT[0]


def with_engine(job: Any, engine: str) -> Any:
    """``job`` with every ``Params`` inside it (dataclass fields, tuples, lists, dict values) set to
    ``engine``, and a job dataclass's own ``engine`` field (a job that builds its models inside it, e.g.
    validate's checks) set too; the same object when nothing changes. Keys are unchanged (``engine`` is in
    none)."""
    from townsim.model.params import Params  # deferred: the command line starts without the model

    def walk(obj: Any) -> Any:
        if isinstance(obj, Params):
            return obj if obj.engine == engine else obj.model_copy(update={"engine": engine})
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changed = {
                f.name: new
                for f in dataclasses.fields(obj)
                if f.init and (new := walk(old := getattr(obj, f.name))) is not old
            }
            if any(f.name == "engine" for f in dataclasses.fields(obj)) and obj.engine != engine:  # type: ignore[attr-defined]
                changed["engine"] = engine  # a job that builds its models itself: the engine they all run
            return dataclasses.replace(obj, **changed) if changed else obj
        if isinstance(obj, (tuple, list)):
            items = [walk(x) for x in obj]
            if all(a is b for a, b in zip(items, obj)):
                return obj
            if isinstance(obj, list):
                return items
            return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
        if isinstance(obj, dict):
            values = {k: walk(v) for k, v in obj.items()}
            return values if any(values[k] is not obj[k] for k in obj) else obj
        return obj

    return walk(job)


def warm(days: int = 10) -> float:
    """Run the small county (:data:`~townsim.experiments.core.county.SMALL_COUNTY`) under ``full_reform``
    (its warm-up under the baseline's levers, then the reform: the queues re-keyed, the joint conference,
    deadline gaming) for ``days`` days on the compiled engine in this process, so that every kernel function
    is compiled (once per machine and kernel version, into numba's on-disk cache) or loaded; returns the
    seconds it took. Workers started afterwards load the kernel from the cache instead of compiling it."""
    from townsim.model import TownshipModel  # deferred: heavy, and the CLI imports this module to start
    from townsim.scenarios import load_scenario  # deferred: as above

    t0 = time.perf_counter()
    params = load_scenario("full_reform").params.replace(**SMALL_COUNTY, engine="compiled")
    TownshipModel(params, rng=1).run(days)
    return time.perf_counter() - t0
