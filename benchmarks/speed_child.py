"""One measurement in a fresh process, for ``benchmarks.speed``: run as a file,
``python benchmarks/speed_child.py TASK [ARGS...]``, against whatever ``townsim`` the
``PYTHONPATH`` gives (this tree or an older commit's: only the model's public API is used).
Prints one JSON line: CPU seconds (user + system) of the timed part, its wall seconds, the
peak resident memory of the process (MiB) and the task's counts.

Tasks:
  year SCENARIO DAYS [ENGINE]
                            build + run a county-year (model API); warm-up first (ENGINE: python, the
                            default, or compiled: the scenario run 5 days first, the kernel's functions
                            loaded outside the timed part)
  events SCENARIO DAYS      the same run, counting the engine's heap events (not timed)
  empty DAYS [ENGINE]       a default county with no demand at all: CPU per day
  mmc-townsim DAYS [ENGINE] scenarios/validation/mmc.toml with 7 staff, 1/mu = 1 h, rho = 0.95
                            (ENGINE: python, the default, or compiled)
  mmc-simpy DAYS            the same M/M/7 in SimPy
  mmc-ciw DAYS              the same M/M/7 in ciw
  linping DAYS              the Linping scenario at one agent per resident
  plain-year ENGINE DAYS [COUNTY]
                            the default county reduced to the kernel's mechanisms (kernel.PLAIN; COUNTY
                            "plain", the default) or a shipped scenario (COUNTY its name), build + run
  kernel-share DAYS [COUNTY]
                            that county on the compiled engine: CPU inside the kernel's calls / run CPU
  kernel-compile            first compiled model (1 day): compile cost with an empty NUMBA_CACHE_DIR,
                            loading cost with a filled one
  worlds WORLDS [SEED]      drawn-world runs as ``townsim robust --worlds WORLDS --equal-staff`` makes them
                            (every generic arm, the first replication of each world; compiled engine, shared
                            warm-ups and released models as in a worker): CPU of each run
"""

from __future__ import annotations

import json
import resource
import sys
import time

C, RHO, MU = 7, 0.95, 1.0  # M/M/7, utilisation 0.95, 1/mu = 1 working hour
HOURS_PER_DAY = 8.0


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def warm() -> None:
    """First-call costs of numpy, pydantic and Mesa, outside the timed part."""
    from townsim.model import Params, TownshipModel

    TownshipModel(Params(residents=10_000, enterprises=100), rng=0).run(5)


def load_scenario(name):
    """The tree's scenario loader (``townsim.scenarios``; ``townsim.model.scenario`` in trees before it moved)."""
    try:
        from townsim.scenarios import load_scenario as load
    except ImportError:  # a base tree from before the scenarios package
        from townsim.model.scenario import load_scenario as load
    return load(name)


def has_engines(params) -> bool:
    """The tree's parameters have the ``engine`` setting (trees before the compiled kernel do not)."""
    return "engine" in type(params).model_fields


def scenario_params(name: str):
    return load_scenario(name).params


def year(name: str, days: str, engine: str = "python") -> dict:
    from townsim.model import TownshipModel

    warm()
    p = scenario_params(name)
    if engine != "python" and has_engines(p):  # a tree before the kernel runs its one (Python) engine
        p = p.replace(engine=engine)
        TownshipModel(p, rng=0).run(5)
    c0, t0 = cpu(), time.perf_counter()
    m = TownshipModel(p, rng=1)
    c1 = cpu()
    m.run(int(days))
    s = m.summary()
    c2, t2 = cpu(), time.perf_counter()
    return {
        "cpu_s": c2 - c0,
        "wall_s": t2 - t0,
        "build_cpu_s": c1 - c0,
        "run_cpu_s": c2 - c1,
        "cases": int(m.cases.n),
        "on_time_rate": float(s.get("on_time_rate", float("nan"))),
    }


def events(name: str, days: str) -> dict:
    """Heap events of the engine (pushes onto its calendar) and cases, for events per case."""
    import heapq

    from townsim.model import TownshipModel
    from townsim.model import engine as engine_module

    p = scenario_params(name)
    m = TownshipModel(p, rng=1)
    calendar = m.engine.events
    count = [0]

    class Counting:
        def __getattr__(self, name):
            return getattr(heapq, name)

        @staticmethod
        def heappush(heap, item):
            if heap is calendar:
                count[0] += 1
            heapq.heappush(heap, item)

    engine_module.heapq = Counting()  # type: ignore[assignment]
    before = m.cases.n
    m.run(int(days))
    return {"events": count[0], "cases": int(m.cases.n - before), "events_per_case": count[0] / (m.cases.n - before)}


def empty(days: str, engine: str = "python") -> dict:
    from townsim.model import Params, TownshipModel

    warm()
    p = Params(citizen_request_rate=0.0, enterprise_request_rate=0.0, dispute_rate=0.0)
    if engine != "python" and has_engines(p):  # a tree before the kernel runs its one (Python) engine
        p = p.replace(engine=engine)
    m = TownshipModel(p, rng=1)
    m.run(5)
    c0, t0 = cpu(), time.perf_counter()
    m.run(int(days))
    c1, t1 = cpu(), time.perf_counter()
    return {"cpu_s": c1 - c0, "wall_s": t1 - t0, "days": int(days), "cpu_ms_per_day": 1e3 * (c1 - c0) / int(days)}


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    import math

    a = lam / mu
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) / (1 - a / c)
    return tail / (head + tail) / (c * mu - lam)


def mmc_townsim(days: str, engine: str = "python") -> dict:
    import numpy as np

    from townsim.model import TownshipModel

    warm()
    base = load_scenario(_mmc_path()).params
    lam = RHO * C * MU
    p = base.replace(department_staff=float(C), citizen_request_rate=lam * HOURS_PER_DAY / base.residents)
    if engine != "python":  # a tree before the kernel has no engine setting
        p = p.replace(engine=engine)
        w = TownshipModel(p, rng=0)  # compiled functions loaded from the cache outside the timed part
        assert w.compiled, w.engine_reason
        w.run(2)
        inside = time_kernel()
    c0, t0 = cpu(), time.perf_counter()
    m = TownshipModel(p, rng=1)
    m.run(int(days))
    c1, t1 = cpu(), time.perf_counter()
    cs = m.cases
    n = int(cs.n)
    started = np.asarray(cs.started[:n])
    done = ~np.isnan(started)
    wait = float((started[done] - np.asarray(cs.created[:n])[done]).mean())
    out = _mmc_result(c1 - c0, t1 - t0, n, wait)
    if engine != "python":
        out["kernel_us_per_customer"] = 1e6 * inside[0] / n
    return out


def _mmc_path():
    """The tree's M/M/c validation scenario (``scenarios/validation/mmc.toml`` of the tree imported)."""
    from pathlib import Path

    import townsim

    return Path(townsim.__file__).resolve().parent / "scenarios" / "validation" / "mmc.toml"


def _mmc_result(cpu_s: float, wall_s: float, customers: int, wait: float) -> dict:
    return {
        "cpu_s": cpu_s,
        "wall_s": wall_s,
        "customers": customers,
        "us_per_customer": 1e6 * cpu_s / customers,
        "mean_wait_h": wait,
        "erlang_c_wait_h": erlang_c_wait(C, RHO * C * MU, MU),
    }


def mmc_simpy(days: str) -> dict:
    import random

    import simpy

    horizon = int(days) * HOURS_PER_DAY
    lam = RHO * C * MU
    c0, t0 = cpu(), time.perf_counter()
    rnd = random.Random(1)
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=C)
    waits: list[float] = []

    def customer(env):
        arrive = env.now
        with staff.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(rnd.expovariate(MU))

    def source(env):
        while True:
            yield env.timeout(rnd.expovariate(lam))
            env.process(customer(env))

    env.process(source(env))
    env.run(until=horizon)
    c1, t1 = cpu(), time.perf_counter()
    return _mmc_result(c1 - c0, t1 - t0, len(waits), sum(waits) / len(waits))


def mmc_ciw(days: str) -> dict:
    import ciw

    horizon = int(days) * HOURS_PER_DAY
    lam = RHO * C * MU
    c0, t0 = cpu(), time.perf_counter()
    ciw.seed(1)
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=MU)],
        number_of_servers=[C],
    )
    sim = ciw.Simulation(net)
    sim.simulate_until_max_time(horizon)
    recs = sim.get_all_records()
    c1, t1 = cpu(), time.perf_counter()
    return _mmc_result(c1 - c0, t1 - t0, len(recs), sum(r.waiting_time for r in recs) / len(recs))


def linping(days: str, engine: str = "") -> dict:
    """Linping at one agent per resident: build + ``days`` days + summary, on ``engine`` (default: the scenario's
    own; a base tree without the engine setting runs its one engine); the compiled engine's functions loaded from
    a small compiled model first (numba's import and its loaded kernels stay in the peak memory)."""
    from townsim.model import TownshipModel

    warm()
    p = scenario_params("linping").replace(residents_per_agent=1)
    if engine and has_engines(p):
        p = p.replace(engine=engine)
        if engine != "python":
            TownshipModel(p.replace(residents_per_agent=100), rng=0).run(2)
    c0, t0 = cpu(), time.perf_counter()
    m = TownshipModel(p, rng=1)
    c1 = cpu()
    m.run(int(days))
    m.summary()
    c2, t2 = cpu(), time.perf_counter()
    return {"cpu_s": c2 - c0, "wall_s": t2 - t0, "build_cpu_s": c1 - c0, "run_cpu_s": c2 - c1, "cases": int(m.cases.n)}


def plain_params(engine: str, county: str = "plain"):
    """The default county reduced to ``kernel.PLAIN`` (``county`` "plain"), else the named scenario."""
    from townsim.model import Params
    from townsim.model.kernel import PLAIN

    if county != "plain":
        return scenario_params(county).replace(engine=engine)
    return Params(**PLAIN, engine=engine)


def plain_year(engine: str, days: str, county: str = "plain") -> dict:
    from townsim.model import TownshipModel

    warm()
    p = plain_params(engine, county)
    TownshipModel(p, rng=0).run(2)  # compiled functions loaded outside the timed part
    c0, t0 = cpu(), time.perf_counter()
    m = TownshipModel(p, rng=1)
    c1 = cpu()
    m.run(int(days))
    m.summary()
    c2, t2 = cpu(), time.perf_counter()
    assert m.compiled == (engine == "compiled"), m.engine_reason
    return {"cpu_s": c2 - c0, "wall_s": t2 - t0, "build_cpu_s": c1 - c0, "run_cpu_s": c2 - c1, "cases": int(m.cases.n)}


TIMED = (
    "work_day",
    "submit_batch",
    "projected",  # gaming's projection, case by case (trees before ``decide_run``)
    "decide_run",
    "conference_case",  # the conference, case by case (trees before ``conference_cases``)
    "conference_cases",
    "queue_summary",
    "judge_rows",
    "life_cycle_rows",
)
"""The kernel's functions the compiled engine calls from Python (``CompiledEngine``'s ``k_*``) in this tree or a
base tree, besides intake's (``kernel.route``)."""


def time_kernel() -> list[float]:
    """Count the CPU seconds spent inside the kernel's calls from now on (every compiled function the engine
    calls from Python: in a tree whose kernel calls all go through ``calls.Direct``, every such call; in an older
    tree the day's call, an early intake batch, the queue summary, gaming's projection, the conference, the
    judgements, the life cycle, intake's routing — those the tree has); returns the one-element accumulator."""
    from townsim.model.kernel import core
    from townsim.model.kernel import engine as kengine

    inside = [0.0]
    try:
        from townsim.model.kernel.calls import Direct  # deferred: a base tree may predate the direct calls
    except ImportError:  # pragma: no cover - a tree without model/kernel/calls.py
        Direct = None  # noqa: N806
    if Direct is not None and hasattr(Direct, "entry"):  # every kernel call of the day goes through a ``Direct``
        call_direct = Direct.__call__

        def timed_direct(self, *a):
            c = time.process_time()
            try:
                return call_direct(self, *a)
            finally:
                inside[0] += time.process_time() - c

        Direct.__call__ = timed_direct  # type: ignore[method-assign]
        return inside

    def timer(fn):
        # the engine's own call (``calls.Direct``) skips numba's type dispatch; a plain wrapper around the
        # dispatcher would make every timed call pay it (~20 µs a call with the day's ~50 arrays)
        call = Direct(fn) if Direct is not None else fn

        def timed(*a):
            c = time.process_time()
            try:
                return call(*a)
            finally:
                inside[0] += time.process_time() - c

        return timed

    class Timed:
        def __init__(self, module, names):
            self._module, self._names = module, names

        def __getattr__(self, name):
            fn = getattr(self._module, name)
            return timer(fn) if name in self._names else fn

    kengine.K = Timed(core, TIMED)  # type: ignore[assignment]
    if hasattr(kengine, "route"):  # a tree with intake's routing compiled
        kengine.route = Timed(kengine.route, ("route_rows", "channel_draws", "refer_and_route", "channel_batch"))  # type: ignore[assignment]
    return inside


def kernel_share(days: str, county: str = "plain") -> dict:
    """CPU inside the kernel's calls over the run's CPU, on a covered county-year."""
    from townsim.model import TownshipModel

    warm()
    p = plain_params("compiled", county)
    TownshipModel(p, rng=0).run(2)
    inside = time_kernel()
    m = TownshipModel(p, rng=1)
    c0 = time.process_time()
    m.run(int(days))
    run = time.process_time() - c0
    assert m.compiled, m.engine_reason
    return {"run_cpu_s": run, "kernel_cpu_s": inside[0], "share": inside[0] / run, "cases": int(m.cases.n)}


def kernel_compile() -> dict:
    """CPU of building a compiled M/M/c model and running one day, in a fresh process (``NUMBA_CACHE_DIR``
    set by the caller: empty, the compile cost; filled, the cost of loading the cached functions)."""
    c0, t0 = cpu(), time.perf_counter()
    from townsim.model import TownshipModel

    c1 = cpu()
    m = TownshipModel(load_scenario(_mmc_path()).params.replace(engine="compiled"), rng=1)
    m.run(1)
    c2, t2 = cpu(), time.perf_counter()
    return {"cpu_s": c2 - c1, "wall_s": t2 - t0, "import_cpu_s": c1 - c0}


def worlds(n: str, seed: str = "1") -> dict:
    """CPU of each drawn-world run of a robustness experiment's first replication (a stratified sample of the
    worlds: the Latin hypercube of ``n`` worlds), run as a worker runs them."""
    from townsim.experiments.core.memory import released_models
    from townsim.experiments.workflows.robust.plan import plan
    from townsim.experiments.workflows.robust.settings import RobustSettings
    from townsim.model.warmstart import simulate

    p = plan(RobustSettings(worlds=int(n), reps=2, seed=int(seed), equal_staff=True))
    specs = [s for s in p.specs if s.replication % 2 == 0]
    with released_models():
        simulate(specs[0].params.replace(engine="compiled"), 10**6, 5)  # the kernel's functions loaded
    runs = []
    c0, t0 = cpu(), time.perf_counter()
    for s in specs:
        c = cpu()
        with released_models():
            summary, _ = simulate(s.params.replace(engine="compiled"), s.seed, s.days)
        runs.append(
            {"world": s.replication // 2, "arm": s.scenario, "cpu_s": cpu() - c, "cases": summary["cases_created"]}
        )
    total = cpu() - c0
    return {
        "cpu_s": total,
        "wall_s": time.perf_counter() - t0,
        "runs": len(runs),
        "arms": len(p.arms),
        "cpu_s_per_run": total / len(runs),
        "us_per_case": 1e6 * total / sum(r["cases"] for r in runs),
        "per_run": runs,
    }


TASKS = {
    "worlds": worlds,
    "plain-year": plain_year,
    "kernel-share": kernel_share,
    "kernel-compile": kernel_compile,
    "year": year,
    "events": events,
    "empty": empty,
    "mmc-townsim": mmc_townsim,
    "mmc-simpy": mmc_simpy,
    "mmc-ciw": mmc_ciw,
    "linping": linping,
}


def main(argv: list[str]) -> int:
    out = TASKS[argv[0]](*argv[1:])
    out["peak_rss_mib"] = peak_mib()
    print("@@" + json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
