"""``townsim calibrate SPEC``: approximate Bayesian computation (ABC-SMC, pyabc) of the unpublished
parameters of a scenario, resumable; writes, in one folder (default ``results/calibrate-<spec>/``)::

    abc.db              the pyabc database: every finished generation (a rerun resumes from it)
    runs/, failures/    every simulation (ABC and predictive), stored by its parameter values and seed
    posterior.parquet   the last generation: one column per parameter and ``weight``
    generations.csv     threshold, simulations, acceptance rate per generation
    predictive.parquet  posterior predictive draws: parameters and every target / held-out statistic
    figures/            marginals.png, pairwise.png, epsilon.png, predictive.png
    report.md, report.html (figures embedded), manifest.json, spec.json and spec.toml (written at
                        the start: a killed run resumes from them)

The experiment runs on the one runner (:mod:`townsim.experiments.core.protocol`, see ``pipeline.py``).
"""

from __future__ import annotations

from pathlib import Path

from townsim.experiments.core.executors import make_executor
from townsim.experiments.core.protocol import run_experiment

from .pipeline import (
    SPEC_NAME,
    CalibrateExperiment,
    Calibration,
    _others,  # noqa: F401 - read by the tests of the posterior's settings
    read_settings,
)
from .spec import CalibrationSpec, SpecError, load_spec

__all__ = [
    "CalibrationSpec",
    "CalibrateExperiment",
    "Calibration",
    "SpecError",
    "load_spec",
    "calibrate",
    "check_resume",
    "SPEC_NAME",
]


def check_resume(spec: CalibrationSpec, out: Path) -> bool:
    """True if ``out`` holds this spec's earlier calibration (its ``spec.json``); ValueError (one line) if
    its ``spec.json`` is unreadable or another spec's. (The runner refuses another spec's folder by its
    manifest first.)"""
    if not (Path(out) / SPEC_NAME).is_file():
        return False
    read_settings(spec, Path(out))
    return True


def calibrate(
    spec: CalibrationSpec,
    out: Path | str,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    executor=None,
    show_progress: bool | None = False,
    command: str = "townsim calibrate",
    log=None,
    lang: str = "en",
    make_figures: bool = True,
) -> Calibration:
    """Run or resume the calibration in ``out`` and write every output; returns its tables (also by name:
    ``result["posterior"]``).

    The simulations run on ``executor`` (one of the project's executors; default: ``workers`` local
    processes or the Dask cluster at ``scheduler``), each stored as it lands; the posterior does not
    depend on which. A folder of another spec, or in use, is a one-line ``UserError``.
    """
    own = executor is None
    if own:
        executor = make_executor(workers=None if scheduler else workers, scheduler=scheduler)
    try:
        experiment = CalibrateExperiment(spec, command, log=log, workers=executor.workers)
        return run_experiment(
            experiment, Path(out), executor, show_progress=show_progress, make_figures=make_figures, lang=lang
        )
    finally:
        if own:
            executor.close()
