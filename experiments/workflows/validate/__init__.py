"""``townsim validate``: run the registered checks and write the validation report.

    results/validate-<timestamp>/validation.md   check → expected → measured (CI) → pass/fail, power
                                 checks.csv      the same table, machine-readable (power.csv: the power)
                                 figures/        one figure per validation pattern
                                 manifest.json   settings (written first), invocations, status
                                 runs/, failures/  each finished check (the store: a rerun resumes)

``docs/validation.md`` (and ``docs/figures/validation/``) is the shipped copy, written by
``townsim validate --docs`` (the full run).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from townsim.experiments.core.execute import ExecutionReport, execute

from .report import markdown, pattern_figure, rows
from .suite import DEFAULT_SEED, Outcome, load_checks, run_checks, select

DOCS_DIR = Path(__file__).resolve().parents[3] / "docs"

__all__ = [
    "DEFAULT_SEED",
    "Outcome",
    "Validation",
    "default_out",
    "load_checks",
    "run_checks",
    "select",
    "settings_of",
    "validate",
]


def default_out() -> Path:
    """``results/validate-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3`` … if taken), created empty (reserved)."""
    from townsim.experiments.core.outdir import default_out_dir

    return default_out_dir("validate")


def settings_of(checks: Sequence, quick: bool, seed: int, power_worlds: int) -> dict:
    """What defines a validation folder (a rerun with these settings resumes it)."""
    return {"checks": [c.name for c in checks], "quick": quick, "seed": seed, "power_worlds": power_worlds}


@dataclass
class Validation:
    """What :func:`validate` did: the checks' outcomes, the power table, and the jobs made and reused."""

    outcomes: list[Outcome]
    power: pd.DataFrame
    checks_run: ExecutionReport
    power_run: ExecutionReport


def validate(
    out: Path,
    *,
    quick: bool = False,
    names: Sequence[str] | None = None,
    part: str | None = None,
    seed: int = DEFAULT_SEED,
    executor=None,
    show_progress: bool | None = False,
    docs: bool = False,
    command: str = "townsim validate",
    power_worlds: int = 0,
) -> Validation:
    """Run (or resume) the checks into ``out`` and write its report, and the docs copy if ``docs``.

    The manifest (settings and their hash) is written first; each finished check, and each validation
    check's power over ``power_worlds`` prior worlds, is kept in the folder's result store as it lands, so
    a rerun with the same settings reuses them; tables, figures and the report are written last."""
    from townsim.experiments.core import atomic
    from townsim.experiments.core import manifest as runio
    from townsim.experiments.core.executors import SerialExecutor
    from townsim.experiments.core.store import ResultStore

    from . import discriminating, jobs

    checks = select(names, part)
    not_run = [c for c in load_checks().values() if c not in checks]
    settings = settings_of(checks, quick, seed, power_worlds)
    started = runio.now()
    t0 = time.perf_counter()
    out = Path(out)
    store = ResultStore(out)
    invocations = runio.previous_invocations(out)
    head = {"quick": quick, "settings": settings, "settings_hash": runio.settings_hash(settings)}
    runio.write_manifest(
        out,
        runio.manifest(command="validate", started=started, seed=seed, invocations=invocations, **head),
        runio.IN_PROGRESS,
    )  # written first: a killed validation says what it was, and resumes
    executor = executor or SerialExecutor()
    cjobs = jobs.check_jobs(checks, quick, seed)
    # validation patterns share their runs (posterior draws): they run together in this process
    pooled = [j for j, c in zip(cjobs, checks) if c.part != "validation"]
    here = [j for j, c in zip(cjobs, checks) if c.part == "validation"]
    ran = execute(pooled, store, executor, fn=jobs.run_job, desc="checks", show_progress=show_progress)
    own = execute(here, store, SerialExecutor(), fn=jobs.run_job, desc="patterns", show_progress=show_progress)
    pjobs = jobs.power_jobs(checks, power_worlds, seed)
    power_run = execute(pjobs, store, SerialExecutor(), fn=jobs.run_job, desc="power", show_progress=show_progress)
    for k in ("total", "skipped", "ran", "failed"):
        setattr(ran, k, getattr(ran, k) + getattr(own, k))
    ran.seconds += own.seconds
    outcomes = jobs.outcomes(store, cjobs, checks)
    power = discriminating.power_rows(outcomes, power_worlds, seed, jobs.powers(store, pjobs)) if pjobs else None
    power = power if power is not None else pd.DataFrame()
    elapsed = time.perf_counter() - t0

    figs = out / "figures"
    for o in outcomes:
        if o.check.part == "validation":
            pattern_figure(o, figs / f"{o.check.name}.png")
    atomic.write_csv(out / "checks.csv", rows(outcomes))
    extra = discriminating.markdown(power, power_worlds) if len(power) else ""
    if len(power):
        atomic.write_csv(out / "power.csv", power)
    stamp = f"{started:%Y-%m-%d %H:%M}"
    from townsim.experiments.render import html

    text = markdown(outcomes, quick=quick, command=command, elapsed=elapsed, started=stamp, not_run=not_run) + extra
    atomic.write_text(out / "validation.md", text)
    atomic.write_text(out / "report.html", html.page(text, out))  # the same, figures embedded
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
            )
            + extra,
        )
    finished = runio.now()
    invocations.append(
        {
            "command_line": command,
            "started": started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "elapsed_seconds": round(elapsed, 3),
            "executor": executor.describe(),
            "checks": ran.as_dict(),
            "power": power_run.as_dict(),
        }
    )
    body = runio.manifest(
        command="validate",
        started=started,
        finished=finished,
        seed=seed,
        invocations=invocations,
        **head,
        checks={
            o.check.name: {
                "passed": o.passed,
                "seconds": round(o.seconds, 2),
                "error": o.error,
                "details": o.result.details if o.result else None,
            }
            for o in outcomes
        },
        executor=executor.describe(),
    )
    body["files"] = runio.output_files(out)
    failed = ran.failed + power_run.failed
    runio.write_manifest(out, body, runio.INCOMPLETE if failed else runio.COMPLETE)
    return Validation(outcomes, power, ran, power_run)
