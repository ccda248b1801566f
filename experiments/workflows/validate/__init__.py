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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.execute import ExecutionReport
from townsim.experiments.core.executors import SerialExecutor
from townsim.experiments.core.outdir import default_out_dir
from townsim.experiments.core.protocol import Experiment, Folder, Stage, run_experiment, sum_reports
from townsim.experiments.core.store import ResultStore
from townsim.experiments.render import html

from . import discriminating, jobs
from .report import markdown, pattern_figure, rows
from .suite import DEFAULT_SEED, Outcome, load_checks, run_checks, select

DOCS_DIR = Path(__file__).resolve().parents[3] / "docs"

__all__ = [
    "DEFAULT_SEED",
    "Outcome",
    "ValidateExperiment",
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
    out: Path = Path()
    failures: list[dict] = field(default_factory=list)

    @property
    def execution(self) -> ExecutionReport:
        return self.checks_run


class ValidateExperiment(Experiment):
    """``townsim validate`` on the protocol: one job per check (and per validation check's power over the
    prior worlds), the checks' table ``checks.csv`` as the results table, ``validation.md`` as the report.

    Its jobs run in three stages: the verification checks on the executor; the validation patterns, which
    share their runs (posterior draws) in memory, in this process; then their power, also here."""

    command = "validate"
    table_file = "checks.csv"

    def __init__(self, checks: Sequence, quick: bool, seed: int, power_worlds: int, docs: bool, command: str):
        self.checks, self.quick, self.seed, self.power_worlds = list(checks), quick, seed, power_worlds
        self.docs, self.command_line = docs, command
        self.settings = settings_of(self.checks, quick, seed, power_worlds)
        self.check_jobs = jobs.check_jobs(self.checks, quick, seed)
        self.power_jobs = jobs.power_jobs(self.checks, power_worlds, seed)
        self.started, self.t0 = runio.now(), time.perf_counter()
        self.outcomes: list[Outcome] = []

    def settings_hash(self) -> str:
        return runio.settings_hash(self.settings)

    def describe(self) -> str:
        power = self.power_worlds and any(c.part == "validation" for c in self.checks)
        what = f"{len(self.checks)} checks ({'quick' if self.quick else 'full'})"
        return what + (f", power over {self.power_worlds} prior worlds" if power else "")

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        head = {"quick": self.quick, "settings": self.settings, "settings_hash": self.settings_hash()}
        return runio.manifest(command="validate", started=self.started, seed=self.seed, argv=argv, **head)

    def jobs(self, store: ResultStore | None = None) -> list[Any]:
        return [*self.check_jobs, *self.power_jobs]

    def stages(self, store: ResultStore) -> list[Stage]:
        pooled = [j for j, c in zip(self.check_jobs, self.checks) if c.part != "validation"]
        here = [j for j, c in zip(self.check_jobs, self.checks) if c.part == "validation"]
        return [Stage(pooled, "checks"), Stage(here, "patterns", here=True), Stage(self.power_jobs, "power", here=True)]

    def job_fn(self, fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        return fn or jobs.run_job

    def record(self, manifest: dict[str, Any], invocation: dict[str, Any]) -> None:
        """Each check's verdict heads the manifest; the invocation keeps the validation's command."""
        invocation["command_line"] = self.command_line
        manifest["checks"] = {
            o.check.name: {
                "passed": o.passed,
                "seconds": round(o.seconds, 2),
                "error": o.error,
                "details": o.result.details if o.result else None,
            }
            for o in self.outcomes
        }
        manifest["executor"] = invocation["executor"]
        super().record(manifest, invocation)

    def table(self, store: ResultStore) -> pd.DataFrame:
        self.outcomes = jobs.outcomes(store, self.check_jobs, self.checks)
        return rows(self.outcomes)

    def analyse(self, table: pd.DataFrame, folder: Folder) -> pd.DataFrame:
        """The power table (``power.csv``)."""
        power = None
        if self.power_jobs:
            measured = jobs.powers(folder.store, self.power_jobs)
            power = discriminating.power_rows(self.outcomes, self.power_worlds, self.seed, measured)
        power = power if power is not None else pd.DataFrame()
        if len(power):
            atomic.write_csv(folder.out / "power.csv", power)
        return power

    def report(self, power: pd.DataFrame, folder: Folder, make_figures: bool, lang: str) -> Validation:
        """One figure per validation pattern, ``validation.md`` and ``report.html`` in ``lang`` (and with ``docs``
        the shipped copy in ``docs/``, always in English)."""
        out, outcomes = folder.out, self.outcomes
        for o in outcomes:  # one figure per validation pattern
            if o.check.part == "validation":
                pattern_figure(o, out / "figures" / f"{o.check.name}.png", lang)
        not_run = [c for c in load_checks().values() if c not in self.checks]
        elapsed, started = time.perf_counter() - self.t0, f"{self.started:%Y-%m-%d %H:%M}"

        def page(figure_dir: str = "figures", lang: str = lang) -> str:
            extra = discriminating.markdown(power, self.power_worlds, lang) if len(power) else ""
            return (
                markdown(
                    outcomes,
                    quick=self.quick,
                    command=self.command_line,
                    elapsed=elapsed,
                    started=started,
                    figure_dir=figure_dir,
                    not_run=not_run,
                    lang=lang,
                )
                + extra
            )

        text = page()
        atomic.write_text(out / "validation.md", text)
        atomic.write_text(out / "report.html", html.page(text, out, lang))  # the same, figures embedded
        if self.docs:
            dest, figs = DOCS_DIR / "figures" / "validation", out / "figures"
            if dest.exists():
                shutil.rmtree(dest)
            if figs.exists():
                shutil.copytree(figs, dest)
            atomic.write_text(DOCS_DIR / "validation.md", page("figures/validation", "en"))
        st = folder.stages
        checks_run = sum_reports([st[k] for k in ("checks", "patterns") if k in st])
        power_run = st.get("power", ExecutionReport())
        return Validation(outcomes, power, checks_run, power_run, out, folder.failures)


def validate(
    out: Path | None,
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
    lang: str = "en",
) -> Validation:
    """Run (or resume) the checks into ``out`` (None: a new ``results/validate-<timestamp>``) and write its
    report in ``lang``, and the docs copy (English) if ``docs``.

    Each finished check, and each validation check's power over ``power_worlds`` prior worlds, is kept in
    the folder's result store as it lands, so a rerun with the same settings reuses them."""
    if docs and lang != "en":
        raise ValueError(f"lang {lang!r}: the shipped docs/validation.md is English; allowed with docs: 'en'")
    experiment = ValidateExperiment(select(names, part), quick, seed, power_worlds, docs, command)
    return run_experiment(experiment, out, executor or SerialExecutor(), show_progress=show_progress, lang=lang)
