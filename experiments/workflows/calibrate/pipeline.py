"""``townsim calibrate`` on the protocol: ABC-SMC whose simulations are the runner's stored jobs.

Its jobs come in rounds: a generation's proposals are known only once the previous generation is
accepted, so :meth:`CalibrateExperiment.drive` runs pyabc, whose batch sampler submits each batch of
simulations to the runner (one stage, ``abc``), then the posterior predictive draws (``predictive``).
The runner owns the rest: the folder check and lock (a folder of another spec is refused), the manifest,
the store (each simulation keyed by its parameter values and seed: a SIGKILL loses only the simulations
in flight). pyabc's database ``abc.db`` keeps every finished generation, the results table is the
posterior (``posterior.parquet``), the analysis ``generations.csv`` and ``predictive.parquet``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from townsim.experiments.core import atomic
from townsim.experiments.core import manifest as runio
from townsim.experiments.core.assumptions import COUNTY_SIZES
from townsim.experiments.core.execute import ExecutionReport
from townsim.experiments.core.protocol import Experiment, Folder, Stage
from townsim.experiments.core.store import ResultStore, RunKey
from townsim.experiments.errors import UserError

from . import runs
from .abc import DB_NAME, fingerprint, generations, make_sampler, posterior, run_abc
from .report import figures, markdown, predictive_table, summary_table
from .spec import CalibrationSpec

SPEC_NAME = "spec.json"
"""The calibration's settings and sessions (read by the experiments that use its posterior)."""


@dataclass
class Calibration:
    """What a calibration wrote: its tables, the wall time of every session, and the runner's counts."""

    summary: pd.DataFrame
    predictive: pd.DataFrame
    generations: pd.DataFrame
    posterior: pd.DataFrame
    elapsed: float
    resumed: bool
    out: Path = Path()
    execution: ExecutionReport = field(default_factory=ExecutionReport)
    failures: list[dict] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


class CalibrateExperiment(Experiment):
    """ABC-SMC of a calibration spec on the runner (see the module); ``workers``: the executor's, to cut a
    batch into one task per worker."""

    command = "calibrate"
    table_file = "posterior.parquet"

    def __init__(self, spec: CalibrationSpec, command_line: str = "townsim calibrate", log=None, workers: int = 1):
        self.spec, self.command_line, self.log, self.workers = spec, command_line, log, max(1, int(workers))
        self.durable = not spec.plugin  # a plug-in's simulation takes microseconds, a flush milliseconds
        self.digest = fingerprint(spec)
        self.started = runio.now()
        self.submitted: list[RunKey] = []
        self.meta: dict[str, Any] = {}
        self.resumed = False
        self.history = None

    # --- settings ---------------------------------------------------------------------------------------
    def settings_hash(self) -> str:
        return self.digest

    def describe(self) -> str:
        s = self.spec
        return (
            f"'{s.name}', {s.population_size} particles, at most {s.max_generations} generations, "
            f"{s.predictive_draws} predictive draws"
        )

    def label(self) -> str:
        return self.spec.name

    def manifest(self, out: Path, argv: list[str] | None) -> dict[str, Any]:
        s = self.spec
        return runio.manifest(
            command="calibrate", started=self.started, seed=s.seed, argv=argv, spec=str(s.path), county=_county(s)
        )

    def prepare(self, out: Path) -> None:
        """The spec and its settings (``spec.json``) first: a calibration killed later resumes from them."""
        if self.spec.path.is_file():
            atomic.write_bytes(out / "spec.toml", self.spec.path.read_bytes())
        self.resumed = (out / SPEC_NAME).is_file()
        if self.resumed:
            try:
                self.meta = read_settings(self.spec, out)
            except ValueError as exc:
                raise UserError(str(exc)) from None
        else:
            self.meta = settings(self.spec)
        self._write_meta(out)

    # --- jobs: rounds of simulations ----------------------------------------------------------------------
    def jobs(self, store: ResultStore | None = None) -> list[Any]:
        return []  # known round by round: see drive

    def keys(self) -> list[RunKey]:
        return list(self.submitted)

    def job_fn(self, fn):
        return fn or runs.simulate_batch

    def drive(self, run, store: ResultStore) -> None:
        """pyabc's generations, each batch of simulations a round of the runner; then the predictive draws.
        Each session's seconds go to ``spec.json`` (also when it fails)."""
        out, session = store.root, {"started": self.started.isoformat(timespec="seconds")}
        self.meta["sessions"].append(session)
        t0 = time.perf_counter()
        try:
            self.history = run_abc(self.spec, out, make_sampler(self.spec, self._evaluator(run, store)), log=self.log)
        finally:
            session["abc_seconds"] = round(time.perf_counter() - t0, 1)
            self._write_meta(out)
        _, sims = runs.predictive_runs(self.spec, posterior(self.history, self.spec))
        t1 = time.perf_counter()
        if run(self._stage(sims, "predictive", store)).ran:
            session["predictive_seconds"] = round(time.perf_counter() - t1, 1)
            self._write_meta(out)

    def _evaluator(self, run, store: ResultStore):
        def evaluate(t: int, sims: list) -> list[dict[str, float]]:
            run(self._stage(sims, "abc", store))
            return runs.statistics(self.spec, store, sims)

        return evaluate

    def _stage(self, sims: list, desc: str, store: ResultStore) -> Stage:
        """A round: the simulations the store lacks cut into one batch per worker; those it holds in one
        batch of their own (reused, not run: a batch runs again unless every one of its runs is stored)."""
        held = [store.has(runs.key_of(self.spec, *sim)) for sim in sims]
        done = [sim for sim, h in zip(sims, held) if h]
        todo = [sim for sim, h in zip(sims, held) if not h]
        jobs = runs.batches(self.spec, todo, self.workers) + runs.batches(self.spec, done, 1)
        self.submitted += [k for j in jobs for k in j.keys]
        return Stage(jobs, desc)

    # --- analysis and report ------------------------------------------------------------------------------
    def table(self, store: ResultStore) -> pd.DataFrame:
        """The posterior: the last generation in ``abc.db``."""
        if self.history is None:
            import pyabc  # deferred: pyabc is heavy, loaded only by calibration

            self.history = pyabc.History(f"sqlite:///{(store.root / DB_NAME).resolve()}", _id=1)
        return posterior(self.history, self.spec)

    def analyse(self, post: pd.DataFrame, folder: Folder) -> dict[str, pd.DataFrame]:
        """``generations.csv`` and ``predictive.parquet``; the posterior's and the predictive check's tables."""
        gens = generations(self.history)
        atomic.write_bytes(folder.out / "generations.csv", gens.to_csv(index=False).encode())
        pred = runs.predictive(self.spec, post, folder.store)
        atomic.write_parquet(folder.out / "predictive.parquet", pred)
        summ, ptab = summary_table(self.spec, post), predictive_table(self.spec, pred)
        return {"posterior": post, "generations": gens, "predictive": pred, "summary": summ, "checks": ptab}

    def report(self, analysis: dict[str, pd.DataFrame], folder: Folder, make_figures: bool, lang: str) -> Calibration:
        """The figures, ``report.md`` and ``report.html``."""
        from townsim.experiments.render.reportkit import write_report  # deferred: it pulls in matplotlib (heavy)

        a, spec = analysis, self.spec
        if make_figures:
            figures(spec, a["posterior"], a["generations"], a["predictive"], folder.out / "figures")
        sessions = self.meta.get("sessions", [])
        elapsed = sum(s.get("abc_seconds", 0) + s.get("predictive_seconds", 0) for s in sessions)
        n_sims = int(a["generations"].simulations.sum())
        text = markdown(
            spec,
            a["summary"],
            a["generations"],
            a["checks"],
            command=self.command_line,
            elapsed_total=elapsed,
            n_sims=n_sims,
            lang=lang,
        )
        write_report(folder.out, text, lang, write=atomic.write_bytes)
        self.totals = {
            "generations": len(a["generations"]),
            "simulations": n_sims,
            "elapsed_seconds_all_sessions": elapsed,
        }
        return Calibration(
            a["summary"], a["predictive"], a["generations"], a["posterior"], elapsed, self.resumed,
            folder.out, folder.execution, folder.failures,
        )  # fmt: skip

    def record(self, manifest: dict[str, Any], invocation: dict[str, Any]) -> None:
        """The sessions and, once reported, the generations and simulations head the manifest."""
        manifest.update({"resumed": self.resumed, "sessions": self.meta.get("sessions", [])})
        manifest.update(getattr(self, "totals", {}))
        invocation["command_line"] = self.command_line
        super().record(manifest, invocation)

    def _write_meta(self, out: Path) -> None:
        atomic.write_bytes(out / SPEC_NAME, json.dumps(atomic.jsonable(self.meta), indent=2).encode())


def read_settings(spec: CalibrationSpec, out: Path) -> dict[str, Any]:
    """``out/spec.json`` of this spec's earlier calibration; ValueError (one line) if it is unreadable or
    another spec's."""
    meta = out / SPEC_NAME
    try:
        old = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{meta}: cannot read it as JSON ({type(exc).__name__}); choose another --out") from None
    if not isinstance(old, dict):
        raise ValueError(f"{meta}: not a calibration's spec.json (a JSON {type(old).__name__}); choose another --out")
    if old.get("fingerprint") != fingerprint(spec):
        raise ValueError(
            f"{out}: holds a calibration of a different spec (parameters, targets, model or "
            f"population changed); choose another --out or restore the spec"
        )
    old.setdefault("sessions", [])
    return old


def settings(spec: CalibrationSpec) -> dict[str, Any]:
    """A new calibration's settings (``spec.json``): its fingerprint, spec, county, parameters, no session yet."""
    return {
        "fingerprint": fingerprint(spec),
        "spec": str(spec.path),
        "name": spec.name,
        "scenario": spec.scenario,
        "county": _county(spec),
        "parameters": spec.names,
        **_others(spec),
        "sessions": [],
    }


def _county(spec: CalibrationSpec) -> dict | None:
    """What identifies the county a posterior was made for (compared by ``compare --posterior``)."""
    if spec.model_params is None:
        return None
    return {"scenario": spec.scenario, **{k: getattr(spec.model_params, k) for k in COUNTY_SIZES}}


def _others(spec: CalibrationSpec) -> dict:
    """How the posterior treats the assumptions it does not calibrate (read by ``core/posterior.py``):
    ``other_assumptions`` and the ``[overrides]`` keys, which a ``"drawn"`` posterior never draws."""
    if spec.plugin:
        return {}
    return {"other_assumptions": spec.other_assumptions, "fixed": sorted(spec.overrides)}
