"""The work of ``townsim validate`` as jobs of the one result store, so that a killed validation resumes.

A job is one check's run (its quick or full replications) or one validation check's discriminating
power over the prior worlds. :func:`~townsim.experiments.core.execute.execute` skips the jobs the
:class:`~townsim.experiments.core.store.ResultStore` holds and writes each as it finishes; the outcomes
are always read back from the store, so a resumed validation and an uninterrupted one report the same.
A job's key holds the model's behaviour fingerprint: a changed model runs its checks again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from townsim.experiments.checks import Check, CheckResult
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.core.manifest import settings_hash
from townsim.experiments.core.power import WORLD_CHECKS, Power, check_power
from townsim.experiments.core.store import ResultStore, RunKey
from townsim.model.kernel import engine_for_every_model

from . import f11_power  # noqa: F401 - registers the F11 checks' world-aware forms
from .suite import Outcome, load_checks, run_one

DAYS_PER_REPLICATION = 800
"""Simulated days of one replication of a check, for the work estimate (runs × days) only: at most two
arms of 400 days (the longest check horizon, the delegation J-curve's) with their warm-ups."""


@dataclass(frozen=True)
class CheckJob:
    """One check's run (``power_worlds`` = 0) or one validation check's power over ``power_worlds`` worlds."""

    key: RunKey
    name: str
    quick: bool
    seed: int
    power_worlds: int = 0
    reps: int = 0
    engine: str | None = None
    """The engine every model of the job runs (the runner sets it from ``--engine``); None: the checks' own.
    Out of the key: the engines are bit-identical."""


def _key(kind: str, name: str, seed: int, body: dict[str, Any]) -> RunKey:
    return RunKey(f"{kind}-{name}", settings_hash({**body, "check": name, "model": model_fingerprint()}), 0, seed)


def check_jobs(checks: Sequence[Check], quick: bool, seed: int) -> list[CheckJob]:
    """One job per check."""
    return [CheckJob(_key("check", c.name, seed, {"quick": quick}), c.name, quick, seed) for c in checks]


def power_jobs(checks: Sequence[Check], n_worlds: int, seed: int) -> list[CheckJob]:
    """One job per validation check that can run in a prior world (none when ``n_worlds`` is 0)."""
    if n_worlds <= 0:
        return []
    return [
        CheckJob(
            _key("power", c.name, seed, {"worlds": n_worlds, "reps": c.quick_reps}),
            c.name,
            True,
            seed,
            n_worlds,
            c.quick_reps,
        )
        for c in checks
        if c.part == "validation" and c.name in WORLD_CHECKS
    ]


def work(checks: Sequence[Check], quick: bool, n_worlds: int) -> tuple[int, int]:
    """(replications, days per replication) of a validation: the checks' own and the power worlds'."""
    reps = sum(c.quick_reps if quick else c.full_reps for c in checks)
    reps += max(n_worlds, 0) * sum(c.quick_reps for c in checks if c.part == "validation")
    return reps, DAYS_PER_REPLICATION


def _plain(obj: Any) -> Any:
    """``obj`` as plain JSON types (numpy made Python; NaN and inf kept, as JSON's NaN and Infinity)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, str | bytes):
        return _plain(obj.tolist())
    return obj


def run_job(job: CheckJob) -> dict[str, Any]:
    """Run a job (in this or a worker process); its store row: the result as JSON, the error, the seconds."""
    load_checks()
    with engine_for_every_model(job.engine):
        return _run(job)


def _run(job: CheckJob) -> dict[str, Any]:
    if job.power_worlds:
        p = check_power(job.name, job.power_worlds, job.seed, job.reps)
        return {"result": json.dumps(_plain(asdict(p))) if p is not None else "", "error": "", "seconds": 0.0}
    result, error, seconds = run_one((job.name, job.quick, job.seed))
    text = json.dumps(_plain(asdict(result))) if result is not None else ""
    return {"result": text, "error": error or "", "seconds": float(seconds)}


def _row(store: ResultStore, key: RunKey) -> dict[str, Any] | None:
    rows = store.rows([key])
    return rows[0] if rows else None


def outcomes(store: ResultStore, jobs: Sequence[CheckJob], checks: Sequence[Check]) -> list[Outcome]:
    """The checks' outcomes, read back from the store (a job that failed outright: its one-line error)."""
    out = []
    for job, check in zip(jobs, checks):
        row = _row(store, job.key)
        if row is None:
            failed = store.failures([job.key])
            error = failed[0]["error"] if failed else "not run"
            out.append(Outcome(check, None, error, 0.0, job.quick))
            continue
        result = None
        if row.get("result"):
            d = json.loads(row["result"])
            result = CheckResult(**{**d, "ci": tuple(d["ci"])})
        seconds = float(row.get("seconds") or 0.0)
        out.append(
            Outcome(check, result, row.get("error") or None, seconds if math.isfinite(seconds) else 0.0, job.quick)
        )
    return out


def powers(store: ResultStore, jobs: Sequence[CheckJob]) -> dict[str, Power | None]:
    """Check name → its power over the prior worlds, read back from the store."""
    out: dict[str, Power | None] = {}
    for job in jobs:
        row = _row(store, job.key)
        if row is None or not row.get("result"):
            out[job.name] = None
            continue
        d = json.loads(row["result"])
        out[job.name] = Power(**{**d, "measured": tuple(d["measured"]), "errors": tuple(d["errors"])})
    return out
