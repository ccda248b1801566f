"""``--engine auto|python|compiled``, the one option every experiment command shares (not a command).

The engines are bit-identical and ``engine`` is in no run key or settings hash, so the option changes how
long the runs take, never their results; a folder resumes with either engine. ``auto`` (the default) picks
the compiled engine for long experiments (:data:`~townsim.experiments.core.engine_choice.AUTO_MIN_COUNTY_YEARS`);
``--set engine=...`` (or a province spec's ``[overrides]``) wins over ``--engine``.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, Sequence

from townsim.experiments.core import engine_choice
from townsim.experiments.errors import UserError


def add_engine_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--engine {auto,python,compiled}`` (default auto) to a command's parser."""
    parser.add_argument(
        "--engine",
        choices=engine_choice.ENGINES,
        default="auto",
        help="event engine of the runs (bit-identical results): the compiled kernel (numba) or the Python "
        f"reference; auto (default): compiled from {engine_choice.AUTO_MIN_COUNTY_YEARS} county-years of work "
        "when numba is installed, else python. --set engine=... wins",
    )


def set_engine(overrides: Sequence[str]) -> str | None:
    """The engine a ``--set engine=...`` names (the last one), or None; a value that is no engine is a
    :class:`UserError` (one line)."""
    found = None
    for item in overrides:
        key, _, value = item.partition("=")
        if key.strip() == "engine":
            found = value.strip().strip("'\"")
    if found is not None and found not in ("python", "compiled"):
        raise UserError(f"--set engine={found}: allowed: python, compiled (or --engine auto)")
    return found


def chosen_engine(args: argparse.Namespace, runs: int, days: int, explicit: str | None = None) -> tuple[str, dict]:
    """The engine of a command's runs and the manifest's record of it: ``explicit`` (a province spec's
    ``[overrides]``) or ``--set engine=...`` if given, else ``--engine`` (``auto`` decided on ``runs`` ×
    ``days`` simulated days)."""
    years = engine_choice.county_years(runs, days)
    requested = getattr(args, "engine", "auto")
    given = explicit or set_engine(getattr(args, "overrides", None) or [])
    engine = engine_choice.choose(given or requested, years)
    used = engine if engine == "python" or engine_choice.numba_available() else "python"
    about = engine_choice.record(f"set engine={given}" if given else requested, used, years)
    return engine, about


@contextlib.contextmanager
def engine_for(args: argparse.Namespace, runs: int, days: int, explicit: str | None = None) -> Iterator[str]:
    """Inside this block the one runner applies the chosen engine (:func:`chosen_engine`) to every job and
    records it in the manifest; yields the engine."""
    chosen, about = chosen_engine(args, runs, days, explicit)
    with engine_choice.using(chosen, about):
        yield chosen


def specs_work(specs: Sequence) -> tuple[int, int]:
    """(runs, longest simulated days with the warm-up) of a list of run specs."""
    days = max((s.days + int(getattr(s.params, "warmup_days", 0)) for s in specs), default=0)
    return len(specs), days


def with_spec_engine(spec, engine: str) -> None:
    """Set ``engine`` in the scenario parameters of an experiment spec (``base_params``, the parameters its
    runs start from), for a workflow whose jobs carry the spec rather than the parameters."""
    if engine in ("python", "compiled"):
        base = spec.base_params
        base.update({name: engine_choice.with_engine(p, engine) for name, p in base.items()})
