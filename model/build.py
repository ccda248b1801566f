"""Construction of the county (ODD §5.2–5.4): its population, staff posts, work handlers and empty case flow.

Each builder returns what it builds and writes no model attribute; ``TownshipModel.__init__``
assigns the results (and ``_start_reform`` re-plans the staff with :func:`staff`). The random
draws are the model generator's, in this order: citizens' patience, then the first enterprises'
townships, then their stages (:func:`population`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import callback, catalogue, delegation, escalation, feedback, grid, metrics, settle, staffing
from .agents import Department, Township
from .cases import CaseTable
from .catalogue import CITIZEN, ENTERPRISE, MatterCatalogue
from .demand import MatterSampler, Stage
from .engine import Handler
from .geography import Geography
from .params import Params


@dataclass
class Population:
    """Residents and the citizens' and first enterprises' rows (ODD §5.2)."""

    township_share: np.ndarray  # π_t, population share of each township
    township_residents: np.ndarray  # residents per township (persons)
    citizen_count: np.ndarray  # Citizen agents per township
    citizen_start: np.ndarray  # first Citizen row of each township
    citizen_state: dict[str, np.ndarray]  # one row per Citizen agent
    enterprise_township: np.ndarray  # the first enterprises' townships
    enterprise_stage: np.ndarray  # and their life-cycle stages (``demand.Stage``)

    @property
    def n_citizens(self) -> int:
        return int(self.citizen_count.sum())


def population(p: Params, share: np.ndarray, rng: np.random.Generator) -> Population:
    """Residents split by township shares ``share`` (remainder to the largest), their Citizen rows
    (patience drawn from ``rng``), and the first ``p.enterprises`` enterprises' townships and stages."""
    T = p.townships
    res = np.floor(p.residents * share).astype(np.int64)
    res[np.argmax(share)] += p.residents - res.sum()
    count = -(-res // p.residents_per_agent)  # agents per township
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    n_cit = int(count.sum())
    citizens = {
        "township": np.repeat(np.arange(T, dtype=np.int32), count),
        "satisfaction": np.full(n_cit, feedback.SATISFACTION_START),
        "patience": rng.exponential(p.citizen_patience_days, n_cit),
        "trips": np.zeros(n_cit, np.int32),
        "exp_online": np.full(n_cit, feedback.SATISFACTION_START),  # channel memories (channel)
        "exp_offline": np.full(n_cit, feedback.SATISFACTION_START),
        "report": np.full(n_cit, grid.initial_reporting(p)),  # app reporting propensity (grid)
    }
    town, stage = np.zeros(0, np.int64), np.zeros(0, np.int64)
    if p.enterprises:
        town = rng.choice(T, size=p.enterprises, p=share)
        live = int(Stage.EXITED)  # the live stages are the codes below EXITED
        shares = settle.stage_shares(p, feedback.SATISFACTION_START) if p.settle_stocks else [0.2, 0.4, 0.4]
        stage = rng.choice(live, size=p.enterprises, p=shares)
    return Population(share, res, count, start, citizens, town, stage)


def enterprise_rows() -> dict[str, np.ndarray]:
    """The enterprises' state arrays, empty (rows are appended by :func:`append_enterprise_rows`)."""
    return {
        "township": np.zeros(0, np.int32),
        "stage": np.zeros(0, np.int8),
        "satisfaction": np.zeros(0),
        "trips": np.zeros(0, np.int32),
        "exp_online": np.zeros(0),
        "exp_offline": np.zeros(0),
    }


def append_enterprise_rows(state: dict[str, np.ndarray], n: int, township: np.ndarray, stage) -> None:
    """Write rows ``n … n+k−1`` of ``state`` for ``k = len(township)`` new enterprises (growing the arrays,
    spare rows marked exited), satisfaction and channel memories at the start value, no trips."""
    k = len(township)
    if n + k > len(state["stage"]):
        cap = max(n + k, 2 * len(state["stage"]), 64)
        for key, arr in state.items():
            new = np.zeros(cap, dtype=arr.dtype)
            new[:n] = arr[:n]
            if key == "stage":
                new[n:] = Stage.EXITED
            state[key] = new
    state["township"][n : n + k] = township
    state["stage"][n : n + k] = stage
    for key in ("satisfaction", "exp_online", "exp_offline"):
        state[key][n : n + k] = feedback.SATISFACTION_START
    state["trips"][n : n + k] = 0


@dataclass(frozen=True)
class Staff:
    """Persons per handler under one set of levers, and what the plan measured (ODD §5.3)."""

    departments: np.ndarray  # persons per department
    townships: np.ndarray  # persons per township
    desks: tuple[float, float]  # chief representatives' and leading-group office's desks (persons)
    mean_step_hours: float  # the county's mean work-hours of a department step
    floored: np.ndarray  # departments held at the one-person floor


def staff(
    p: Params, cat: MatterCatalogue, sampler: MatterSampler, delegated: np.ndarray, geo: Geography, share: np.ndarray
) -> Staff:
    """Posts follow expected work, every department keeping at least its floor (its own duties); the
    posts above that floor follow the work, and their delegated share moves down with it (``staff_transfer``)."""
    D = p.departments
    hours, deleg, mean_h = expected_step_hours(p, cat, sampler, delegated)
    posts, floored = staffing.workload_posts(p.department_staff, hours, p.department_staff_floor)
    floor = min(p.department_staff_floor, p.department_staff / D)
    moved = np.minimum(delegation.transferred_staff(p, posts, hours, deleg), posts - floor)
    base = geo.staff if p.township_table else p.township_staff * share
    return Staff(posts - moved, base + moved.sum() * share, escalation.desk_staff(p), mean_h, floored)


def expected_step_hours(
    p: Params, cat: MatterCatalogue, sampler: MatterSampler, delegated: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Expected daily work-hours per department (all, and on delegated owner steps), mean step hours."""
    rate = np.zeros(len(cat))
    for kind, volume in (
        (CITIZEN, p.residents * p.citizen_request_rate),
        (ENTERPRISE, p.enterprises * p.enterprise_request_rate * 1.0),
    ):
        ids = sampler.ids[kind]
        w = cat.weight[ids]
        rate[ids] += volume * w / w.sum()
    hours = np.zeros(p.departments)
    deleg = np.zeros(p.departments)
    steps = 0.0
    for m in np.flatnonzero(rate > 0):
        n = cat.n_departments[m]
        steps += rate[m] * n
        for i, d in enumerate(cat.departments[m, :n]):
            if d < 0:
                continue
            hours[d] += rate[m] * cat.hours[m]
            if i == 0 and delegated[m]:
                deleg[d] += rate[m] * cat.hours[m]
    esc = cat.dispute_id(catalogue.DISPUTE_ESCALATED)
    # disputes nobody detected early surface late and need the dispute department too
    surfaced = p.residents * p.dispute_rate * (1.0 - grid.detection_probability(p))
    hours[catalogue.DISPUTE_OWNER] += surfaced * cat.hours[esc]
    mean_h = float((rate * cat.hours * cat.n_departments).sum() / steps) if steps > 0 else 1.0
    return hours, deleg, mean_h


@dataclass
class Handlers:
    """The county's work handlers in ``hid`` order, and the agents and desks that own them."""

    all: list[Handler]
    departments: list[Department]
    townships: list[Township]
    township_hid0: int  # hid of the first township
    desks: list[Handler]  # escalation levels 1 and 2
    dispatchers: Handler  # the county platform's dispatchers (online dispatch)
    commissioners: Handler  # the enterprise service commissioners (errands)


def handlers(model, p: Params, plan: Staff, pop: Population, names: Sequence[str], delegated: np.ndarray) -> Handlers:
    """Departments, then townships (Mesa agents of ``model``, each with its handler), the two escalation
    desks, the dispatchers and the commissioners, staffed by ``plan``."""
    hs: list[Handler] = []
    depts = [Department.create(model, d, len(hs) + d, plan.departments[d]) for d in range(p.departments)]
    hs += [d.handler for d in depts]
    hid0 = len(hs)
    ids = frozenset(np.flatnonzero(delegated).tolist())
    towns = []
    for t in range(p.townships):
        first = int(pop.citizen_start[t])
        rows = (first, first + int(pop.citizen_count[t]))
        towns.append(
            Township.create(model, t, hid0 + t, names[t], plan.townships[t], int(pop.township_residents[t]), rows, ids)
        )
    hs += [t.handler for t in towns]
    desks = []
    for level, persons in zip((1, 2), plan.desks):
        desks.append(Handler(len(hs), "desk", level, escalation.LEVEL_NAMES[level], persons))
        hs.append(desks[-1])
    dispatch = Handler(len(hs), "dispatch", 0, "dispatchers", staffing.dispatchers(p))
    hs.append(dispatch)
    comm = Handler(len(hs), "commissioner", 0, "commissioners", p.commissioners)
    hs.append(comm)
    return Handlers(hs, depts, towns, hid0, desks, dispatch, comm)


def budget(p: Params, departments: list[Department], townships: list[Township]) -> dict[str, float]:
    """Posts per handler kind (``staffing.budget``) with the departments' and townships' persons as
    staffed (delegation moves posts between them), and their ``total``."""
    b = staffing.budget(p)
    b["departments"] = float(sum(d.handler.staff for d in departments))
    b["townships"] = float(sum(t.handler.staff for t in townships))
    b["total"] = staffing.total(b)
    return b


def case_flow() -> dict[str, Any]:
    """The empty case flow, by model attribute: the case table, open cases, and each mechanism's
    pending work (named by its module)."""
    return {
        "cases": CaseTable(),
        "open_ids": np.zeros(0, dtype=np.int64),
        "_new_ids": [],
        "flows": {},
        "coord_tasks": {},
        "conference_queue": [],
        "latent_disputes": [],  # (surface time, latent id) — grid (Python engine)
        "latent_store": None,  # the latent disputes as arrays (compiled engine, kernel.latent) — grid
        "latent": {},  # latent id -> (citizen, township, onset, matter, in a covered grid) — grid (Python engine)
        "patrol_pool": {},  # township -> latent ids in its covered grids — grid (Python engine)
        "grid_hours": {"patrol": 0.0, "reports": 0.0},  # grid workers' hours since the start — grid
        "grid_mediation": {},  # open dispute -> a grid worker's mediation hours on it — grid
        "gaming_queue": [],  # (moment of decision, case) — gaming; on the compiled engine a gaming.DecisionQueue
        "gaming_log": [],  # (case, moment, projected finish, deadline, gamed) per decision — gaming
        "repeat_queue": [],  # (return time, seq, unresolved case) — resolution
        "callback_desk": callback.new_desk(),  # the day counted, call-backs made, drawn but not made — callback
        "case_work": {},  # open case -> [needed, done hours, latest step start, clock hours] — workload
        "closed_today": [],
        "carried_in": 0,
        "worked_mark": 0.0,
        "kpi_today": {},
        "kpi_totals": {k: 0.0 for k in metrics.TOTALS},
    }
