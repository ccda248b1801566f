"""Benchmark cases: what each one runs (in a child process) and the catalogue.

A case is a dict ``{"name", "kind", "args", "warmup", "repeats", "group"}``;
``kind`` names a function in :data:`KINDS` that the worker calls with
``args`` and which returns its own phase timings (seconds) and counts.
Parameters are given as a *spec*: ``{"scenario": name, **overrides}`` or plain
``Params`` fields, resolved in the child.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

LINPING_RESIDENTS = 1_175_800  # F13
DAYS = 250  # one working year


class Skip(Exception):
    """The case cannot run here (e.g. the module it measures has not landed yet)."""


# ---------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------
def resolve_params(spec: dict[str, Any]):
    """``Params`` from a spec: ``{"scenario": "linping", "residents_per_agent": 1}`` or plain fields."""
    from townsim.model.params import Params

    spec = dict(spec)
    name = spec.pop("scenario", None)
    if name is None:
        return Params.build(**spec)
    try:
        from townsim.scenarios import load_scenario
    except ImportError as exc:
        raise Skip(f"townsim.scenarios not available ({exc})") from None
    return load_scenario(name).params.replace(**spec)


def _model_api():
    try:
        from townsim.model import TownshipModel, simulate
    except ImportError as exc:
        raise Skip(f"model not available ({exc})") from None
    return TownshipModel, simulate


# ---------------------------------------------------------------------------
# kinds (run inside the worker; return phase timings and counts)
# ---------------------------------------------------------------------------
def real(params: dict, seed: int, days: int) -> dict:
    """Build ``TownshipModel(params, rng=seed)``, run ``days``, take the summary."""
    TownshipModel, _ = _model_api()
    p = resolve_params(params)
    t0 = time.perf_counter()
    m = TownshipModel(p, rng=seed)
    t1 = time.perf_counter()
    m.run(days)
    t2 = time.perf_counter()
    s = m.summary()
    t3 = time.perf_counter()
    return {
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "summary_s": t3 - t2,
        "per_day_s": (t2 - t1) / days,
        "days": days,
        "residents": p.residents,
        "citizen_agents": p.citizen_agents,
        "agents": len(m.agents),
        "cases_created": float(s.get("cases_created", float("nan"))),
        "backlog_end": float(s.get("backlog_end", float("nan"))),
    }


def naive(params: dict, seed: int, days: int, year_days: int = DAYS) -> dict:
    """The naive reference (every citizen stepped daily); ``year_days`` extrapolates
    the year's cost as build + year_days × measured cost per day (the daily cost is
    stationary: nothing but the request list grows)."""
    from benchmarks.naive import NaiveModel, request_stream_check

    p = resolve_params(params)
    t0 = time.perf_counter()
    m = NaiveModel(p, rng=seed)
    t1 = time.perf_counter()
    m.run(days)
    t2 = time.perf_counter()
    per_day = (t2 - t1) / days
    return {
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "per_day_s": per_day,
        "days": days,
        "year_estimate_s": (t1 - t0) + year_days * per_day,
        "residents": p.residents,
        "citizen_agents": len(m.agents),
        "requests": float(len(m.requests)),
        "stream_check": request_stream_check(m),
    }


def _warm(_: int) -> int:
    """Executor warm-up task: import the model in the worker and run it briefly, then linger
    so that every worker gets one."""
    import os

    from townsim.model.params import Params

    _, simulate = _model_api()
    simulate(Params(**SMALL_WARMUP["params"]), 0, SMALL_WARMUP["days"])
    time.sleep(0.3)
    return os.getpid()


def compare_specs(runs: int, days: int, base_seed: int = 1) -> list:
    """The ``compare`` workload: the shipped reform scenarios except ``linping`` (a district,
    not a reform), round-robin by replication, ``runs`` runs in all (``experiments.runner.make_specs``)."""
    from townsim.experiments.core.execute import make_specs
    from townsim.scenarios import list_scenarios

    scen = [(s.name, s.params) for s in list_scenarios() if s.name != "linping"]
    reps = -(-runs // len(scen))
    specs = make_specs(scen, reps, days, base_seed)
    by_rep = sorted(specs, key=lambda s: (s.replication, s.scenario))
    return by_rep[:runs]


def throughput(runs: int, days: int, workers: int, dask_local: bool = False) -> dict:
    """Runs per second of the ``compare`` workload through ``experiments.runner.execute``
    (simulate + writing each result to a ``ResultStore``) on ``experiments.executors``.

    The executor is started and warmed (workers spawned, model imported) first; ``startup_s``
    is that one-off cost and ``runs_per_s`` the steady throughput; ``runs_per_s_end_to_end``
    includes the start-up.
    """
    import tempfile

    try:
        from townsim.experiments.core.execute import execute
        from townsim.experiments.core.executors import make_executor
        from townsim.experiments.core.store import ResultStore
    except ImportError as exc:
        raise Skip(f"experiments runner/executors not available ({exc})") from None
    _model_api()
    specs = compare_specs(runs, days)
    with tempfile.TemporaryDirectory(prefix="townsim-bench-") as tmp:
        t0 = time.perf_counter()
        with make_executor(workers=workers, dask_local=dask_local) as ex:
            if ex.name != "serial":
                list(ex.map(_warm, range(2 * ex.workers)))
            t1 = time.perf_counter()
            rep = execute(specs, ResultStore(tmp), ex, show_progress=False)
            t2 = time.perf_counter()
            name = ex.name
        t3 = time.perf_counter()
    return {
        "executor": name,
        "workers": workers,
        "runs": len(specs),
        "failures": rep.failed,
        "startup_s": t1 - t0,
        "map_s": t2 - t1,
        "shutdown_s": t3 - t2,
        "runs_per_s": len(specs) / (t2 - t1),
        "runs_per_s_end_to_end": len(specs) / (t3 - t0),
    }


def dask_vs_pool(runs: int, days: int, workers: int = 2, rounds: int = 6) -> dict:
    """Dask ``LocalCluster`` against the process pool, interleaved in one process.

    Both executors are started and warmed, then ``rounds`` rounds each run the same
    ``runs`` compare runs (``experiments.runner.execute`` into a fresh ``ResultStore``)
    on both, alternating which goes first. Machine speed drifts by ±15 % over minutes
    on a shared host, so the overhead is taken round by round (Dask time / pool time − 1)
    and summarised by its median.
    """
    import statistics
    import tempfile

    try:
        from townsim.experiments.core.execute import execute
        from townsim.experiments.core.executors import make_executor
        from townsim.experiments.core.store import ResultStore
    except ImportError as exc:
        raise Skip(f"experiments runner/executors not available ({exc})") from None
    _model_api()
    specs = compare_specs(runs, days)
    times: dict[str, list[float]] = {"processes": [], "dask": []}
    t0 = time.perf_counter()
    pool = make_executor(workers=workers)
    dask = make_executor(workers=workers, dask_local=True)
    try:
        for ex in (pool, dask):
            list(ex.map(_warm, range(2 * workers)))
        startup = time.perf_counter() - t0
        with tempfile.TemporaryDirectory(prefix="townsim-bench-") as tmp:
            for r in range(rounds):
                for ex in (pool, dask) if r % 2 == 0 else (dask, pool):
                    t = time.perf_counter()
                    rep = execute(specs, ResultStore(f"{tmp}/{ex.name}-{r}"), ex, show_progress=False)
                    times[ex.name].append(time.perf_counter() - t)
                    if rep.failed:
                        raise RuntimeError(f"{rep.failed} runs failed on {ex.name}")
    finally:
        pool.close()
        dask.close()
    ratios = [d / p for d, p in zip(times["dask"], times["processes"])]
    return {
        "runs": len(specs),
        "rounds": rounds,
        "startup_s": startup,
        "round_s_pool": times["processes"],
        "round_s_dask": times["dask"],
        "overhead_per_round": [x - 1.0 for x in ratios],
        "dask_overhead": statistics.median(ratios) - 1.0,
        "runs_per_s_pool": len(specs) / statistics.median(times["processes"]),
        "runs_per_s_dask": len(specs) / statistics.median(times["dask"]),
    }


KINDS: dict[str, Callable[..., dict]] = {
    "real": real,
    "naive": naive,
    "throughput": throughput,
    "dask_vs_pool": dask_vs_pool,
}

# ---------------------------------------------------------------------------
# catalogue
# ---------------------------------------------------------------------------
SMALL_WARMUP = {"params": {"residents": 10_000, "enterprises": 100}, "seed": 0, "days": 5}
LINPING_1 = {"scenario": "linping", "residents_per_agent": 1}


def _case(name, kind, args, repeats, group, warmup=None) -> dict:
    if warmup is None and kind in ("real", "naive"):
        warmup = SMALL_WARMUP
    if warmup is None and kind == "throughput":  # warms this process (the serial executor's worker)
        warmup = {"runs": 1, "days": 5, "workers": 1}
    return {"name": name, "kind": kind, "args": args, "warmup": warmup, "repeats": repeats, "group": group}


def scaling_params(residents: int, mode: str) -> dict:
    """County for the scaling series (default county, one agent per resident).

    ``mode="rate"``: fixed per-resident rates (requests and disputes); staff grow
    with residents so that the load per staff hour (and so queue lengths) stays
    that of the default county. ``mode="volume"``: fixed total citizen requests
    and disputes per day (those of the default county of 100,000 residents: the
    per-resident rates shrink as residents grow), staff fixed.
    """
    from townsim.model.params import Params

    d = Params()
    if mode == "rate":
        k = residents / d.residents
        return {
            "residents": residents,
            "residents_per_agent": 1,
            "department_staff": d.department_staff * k,
            "township_staff": d.township_staff * k,
        }
    if mode == "volume":
        k = d.residents / residents
        return {
            "residents": residents,
            "residents_per_agent": 1,
            "citizen_request_rate": d.citizen_request_rate * k,
            "dispute_rate": d.dispute_rate * k,
        }
    raise ValueError(mode)


SCALING_RESIDENTS = (10_000, 30_000, 100_000, 300_000, 1_200_000)
SCALING_RESIDENTS_QUICK = (10_000, 100_000, 300_000)


def catalogue(quick: bool = False) -> list[dict]:
    """All cases, in running order. ``quick``: smaller and fewer, about a minute or two."""
    cs: list[dict] = []
    if quick:
        cs.append(_case("default_year", "real", {"params": {}, "seed": 1, "days": DAYS}, 3, "default"))
        small = {"residents": 100_000, "residents_per_agent": 1}
        cs.append(_case("real_100k_agents_30d", "real", {"params": small, "seed": 1, "days": 30}, 3, "vs_naive"))
        cs.append(_case("naive_100k_agents_30d", "naive", {"params": small, "seed": 1, "days": 30}, 3, "vs_naive"))
        for n in SCALING_RESIDENTS_QUICK:
            for mode in ("rate", "volume"):
                cs.append(
                    _case(
                        f"scaling_{mode}_{n}",
                        "real",
                        {"params": scaling_params(n, mode), "seed": 1, "days": 50},
                        1,
                        f"scaling_{mode}",
                    )
                )
        for w in (1, 2):
            cs.append(
                _case(f"throughput_pool_{w}w", "throughput", {"runs": 8, "days": 60, "workers": w}, 1, "throughput")
            )
        cs.append(
            _case(
                "dask_vs_pool",
                "dask_vs_pool",
                {"runs": 4, "days": 2 * DAYS, "workers": 2, "rounds": 2},
                1,
                "dask",
                warmup={},
            )
        )
        return cs

    cs.append(_case("default_year", "real", {"params": {}, "seed": 1, "days": DAYS}, 5, "default"))
    cs.append(_case("linping_year", "real", {"params": LINPING_1, "seed": 1, "days": DAYS}, 3, "linping"))
    # The naive reference at Linping scale costs ~1.7 s per day: measure 25 days and
    # extrapolate the year (see naive()); `--naive-days 250` measures the whole year.
    cs.append(_case("naive_linping", "naive", {"params": LINPING_1, "seed": 1, "days": 25}, 3, "vs_naive"))
    for mode in ("rate", "volume"):
        for n in SCALING_RESIDENTS:
            cs.append(
                _case(
                    f"scaling_{mode}_{n}",
                    "real",
                    {"params": scaling_params(n, mode), "seed": 1, "days": DAYS},
                    3,
                    f"scaling_{mode}",
                )
            )
    # parallel efficiency on the compare workload as shipped (one-year runs, ~0.7 s each) ...
    for w in (1, 2):
        cs.append(
            _case(f"throughput_pool_{w}w", "throughput", {"runs": 28, "days": DAYS, "workers": w}, 3, "throughput")
        )
    # ... and Dask against the process pool on runs of a second or more (two-year runs, ≈1.4 s),
    # interleaved round by round in one process
    cs.append(
        _case(
            "dask_vs_pool",
            "dask_vs_pool",
            {"runs": 8, "days": 2 * DAYS, "workers": 2, "rounds": 8},
            1,
            "dask",
            warmup={},
        )
    )
    return cs
