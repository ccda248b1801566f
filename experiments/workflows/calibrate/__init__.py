"""``townsim calibrate SPEC``: approximate Bayesian computation (ABC-SMC, pyabc) of the unpublished
parameters of a scenario, resumable; writes, in one folder (default ``results/calibrate-<spec>/``)::

    abc.db              the pyabc database: every finished generation (a rerun resumes from it)
    posterior.parquet   the last generation: one column per parameter and ``weight``
    generations.csv     threshold, simulations, acceptance rate per generation
    predictive.parquet  posterior predictive draws: parameters and every target / held-out statistic
    figures/            marginals.png, pairwise.png, epsilon.png, predictive.png
    report.md, report.html (figures embedded), manifest.json, spec.json and spec.toml (written at
                        the start: a killed run resumes from them)
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pandas as pd

from townsim.experiments.core.atomic import LOCK_NAME, jsonable, write_bytes
from townsim.experiments.core.executors import make_executor
from townsim.experiments.core.manifest import COMPLETE, IN_PROGRESS, manifest, now, write_manifest

from .abc import fingerprint, generations, make_sampler, posterior, run_abc
from .report import figures, markdown, predictive, predictive_table, summary_table
from .spec import CalibrationSpec, SpecError, load_spec

__all__ = ["CalibrationSpec", "SpecError", "load_spec", "calibrate", "check_resume", "SPEC_NAME"]

SPEC_NAME = "spec.json"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, data)


def check_resume(spec: CalibrationSpec, out: Path) -> bool:
    """True if ``out`` holds this spec's earlier run (resume); ValueError (one line) if it holds another's."""
    meta = out / SPEC_NAME
    if not out.exists() or not any(p.name != LOCK_NAME for p in out.iterdir()):
        return False
    if not meta.is_file():
        raise ValueError(f"{out}: folder exists and is not a calibration of this spec; choose another --out")
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
    return True


def calibrate(
    spec: CalibrationSpec,
    out: Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    executor=None,
    show_progress: bool = False,
    command: str = "townsim calibrate",
    log=None,
    lang: str = "en",
) -> dict:
    """Run or resume the calibration in ``out`` and write every output; returns the report's numbers.

    The simulations run on ``executor`` (one of the project's executors; default: ``workers`` local
    processes or the Dask cluster at ``scheduler``); the posterior does not depend on which.
    """
    own = executor is None
    if own:
        executor = make_executor(workers=None if scheduler else workers, scheduler=scheduler)
    try:
        return _calibrate(spec, Path(out), executor, show_progress, command, log, lang)
    finally:
        if own:
            executor.close()


def _calibrate(spec, out, executor, show_progress, command, log, lang) -> dict:
    started = now()
    resuming = check_resume(spec, out)
    out.mkdir(parents=True, exist_ok=True)
    meta_path = out / SPEC_NAME
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if resuming else _settings(spec)

    def write_manifest_now(status: str, **extra) -> None:
        write_manifest(
            out,
            manifest(
                command="calibrate",
                started=started,
                seed=spec.seed,
                spec=str(spec.path),
                county=meta["county"],
                settings_hash=meta["fingerprint"],
                resumed=resuming,
                executor=executor.describe(),
                sessions=meta["sessions"],
                **extra,
            ),
            status,
        )

    # the spec and the settings first: a run killed at any later point resumes from them
    if spec.path.is_file():
        _write(out / "spec.toml", spec.path.read_bytes())
    _write(meta_path, json.dumps(jsonable(meta), indent=2).encode())
    write_manifest_now(IN_PROGRESS)
    t0 = time.perf_counter()
    sampler = make_sampler(spec, executor)
    history = _abc_session(spec, out, sampler, log, meta, started, t0)
    post, gens = posterior(history, spec), generations(history)
    _write(out / "posterior.parquet", _parquet(post))
    _write(out / "generations.csv", gens.to_csv(index=False).encode())

    pred = _predictive(spec, post, int(gens.generation.iloc[-1]), executor, out, meta)
    summ, ptab = summary_table(spec, post), predictive_table(spec, pred)
    figures(spec, post, gens, pred, out / "figures")
    elapsed_total = sum(s.get("abc_seconds", 0) + s.get("predictive_seconds", 0) for s in meta["sessions"])
    n_sims = int(gens.simulations.sum())
    from townsim.experiments.render.report import write_report  # deferred: it pulls in matplotlib (heavy)

    text = markdown(spec, summ, gens, ptab, command=command, elapsed_total=elapsed_total, n_sims=n_sims)
    write_report(out, text, lang, write=_write)  # report.md and report.html (figures embedded)
    write_manifest_now(COMPLETE, generations=len(gens), simulations=n_sims, elapsed_seconds_all_sessions=elapsed_total)
    return {
        "summary": summ,
        "predictive": ptab,
        "generations": gens,
        "posterior": post,
        "elapsed": elapsed_total,
        "resumed": resuming,
    }


def _abc_session(spec: CalibrationSpec, out: Path, sampler, log, meta: dict, started, t0: float):
    """Run ABC-SMC (resuming its database) and record this session's start and seconds, even when it fails."""
    try:
        return run_abc(spec, out, sampler, log=log)
    finally:
        meta["sessions"].append(
            {"started": started.isoformat(timespec="seconds"), "abc_seconds": round(time.perf_counter() - t0, 1)}
        )
        _write(out / SPEC_NAME, json.dumps(jsonable(meta), indent=2).encode())


def _settings(spec: CalibrationSpec) -> dict:
    """A new calibration's settings (``SPEC_NAME``): its fingerprint, spec, county, parameters, no session yet."""
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


def _predictive(spec: CalibrationSpec, post, last: int, executor, out: Path, meta: dict):
    """The posterior predictive runs of generation ``last``: read back when stored for it, else run and stored
    (``predictive.parquet``; the session's ``predictive_seconds`` and the settings file are updated)."""
    pred_path = out / "predictive.parquet"
    if pred_path.exists() and meta.get("predictive_generation") == last:
        return pd.read_parquet(pred_path)
    t1 = time.perf_counter()
    pred = predictive(spec, post, executor=executor)
    _write(pred_path, _parquet(pred))
    meta["predictive_generation"] = last
    meta["sessions"][-1]["predictive_seconds"] = round(time.perf_counter() - t1, 1)
    _write(out / SPEC_NAME, json.dumps(jsonable(meta), indent=2).encode())
    return pred


def _county(spec: CalibrationSpec) -> dict | None:
    """What identifies the county a posterior was made for (compared by ``compare --posterior``)."""
    if spec.model_params is None:
        return None
    p = spec.model_params
    return {
        "scenario": spec.scenario,
        "townships": p.townships,
        "residents": p.residents,
        "departments": p.departments,
        "enterprises": p.enterprises,
    }


def _others(spec: CalibrationSpec) -> dict:
    """How the posterior treats the assumptions it does not calibrate (read by ``core/posterior.py``):
    ``other_assumptions`` and the ``[overrides]`` keys, which a ``"drawn"`` posterior never draws."""
    if spec.plugin:
        return {}
    return {"other_assumptions": spec.other_assumptions, "fixed": sorted(spec.overrides)}


def _parquet(df) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()
