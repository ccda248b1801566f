"""``townsim validate``: run the registered checks and write the validation report.

    results/validate-<timestamp>/validation.md   check → expected → measured (CI) → pass/fail, power
                                 checks.csv      the same table, machine-readable
                                 figures/        one figure per validation pattern
                                 manifest.json

``docs/validation.md`` (and ``docs/figures/validation/``) is the shipped copy, written by
``townsim validate --docs`` (the full run).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from .report import markdown, pattern_figure, rows
from .suite import DEFAULT_SEED, Outcome, load_checks, run_checks, select

DOCS_DIR = Path(__file__).resolve().parents[3] / "docs"

__all__ = ["DEFAULT_SEED", "Outcome", "load_checks", "run_checks", "select", "validate", "default_out"]


def default_out() -> Path:
    """``results/validate-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3`` … if taken), created empty (reserved)."""
    from townsim.experiments.core.outdir import default_out_dir

    return default_out_dir("validate")


def validate(
    out: Path,
    *,
    quick: bool = False,
    names: Sequence[str] | None = None,
    part: str | None = None,
    seed: int = DEFAULT_SEED,
    executor=None,
    progress=None,
    docs: bool = False,
    command: str = "townsim validate",
) -> list[Outcome]:
    """Run the checks, write the report folder ``out`` (atomically), and the docs copy if ``docs``."""
    from townsim.experiments.core import atomic
    from townsim.experiments.core.manifest import manifest, now, write_manifest

    checks = select(names, part)
    not_run = [c for c in load_checks().values() if c not in checks]
    started = now()
    t0 = time.perf_counter()
    outcomes = run_checks(checks, quick, seed, executor=executor, progress=progress)
    elapsed = time.perf_counter() - t0
    with atomic.atomic_dir(out) as tmp:
        figs = tmp / "figures"
        for o in outcomes:
            if o.check.part == "validation":
                pattern_figure(o, figs / f"{o.check.name}.png")
        table = rows(outcomes)
        atomic.write_csv(tmp / "checks.csv", table)
        stamp = f"{started:%Y-%m-%d %H:%M}"
        from townsim.experiments.render import html

        text = markdown(outcomes, quick=quick, command=command, elapsed=elapsed, started=stamp, not_run=not_run)
        atomic.write_text(tmp / "validation.md", text)
        atomic.write_text(tmp / "report.html", html.page(text, tmp))  # the same, figures embedded
        write_manifest(
            tmp,
            manifest(
                command="validate",
                started=started,
                seed=seed,
                quick=quick,
                checks={
                    o.check.name: {
                        "passed": o.passed,
                        "seconds": round(o.seconds, 2),
                        "error": o.error,
                        "details": o.result.details if o.result else None,
                    }
                    for o in outcomes
                },
                executor=executor.describe() if executor is not None else {"kind": "serial", "workers": 1},
            ),
        )
        if docs:
            dest = DOCS_DIR / "figures" / "validation"
            if dest.exists():
                shutil.rmtree(dest)
            if figs.exists():
                shutil.copytree(figs, dest)
            atomic.write_text(
                DOCS_DIR / "validation.md",
                markdown(
                    outcomes,
                    quick=quick,
                    command=command,
                    elapsed=elapsed,
                    started=stamp,
                    figure_dir="figures/validation",
                    not_run=not_run,
                ),
            )
    return outcomes
