"""``TownshipModel``: the county as a Mesa model, one step = one working day (DESIGN §3).

Daily order: 1 demand → 2 intake (and grid disputes) → 3 duty tasks: each Department decides what to dump,
inspections are owed, each Township decides how to split its day → 4 work (departments, townships, desks;
joint conference on meeting days; escalations are engine events inside the day; lateness is marked at the
day's end) → 5 feedback (satisfaction, petitions, enterprise life cycle) → 6 assessment (every
``assessment_period`` days: Townships and Departments are scored and adapt) → 7 collect KPIs. Agents'
decisions are their methods, called through the model's AgentSets or its list of townships (on the compiled
engine the departments' dumping and every work fraction by one-pass twins, ``dumping.departments_day``, ``workload``).

Warm-up: construction ends by simulating ``warmup_days`` under the pre-reform levers (``params.pre_reform``,
the root of the scenario's ``extends`` chain), counted in no KPI; then the scenario's levers switch on (staff
posts move, matters are delegated, queue disciplines change) and the counted days begin with the open cases
carried in. A run is a pure function of (parameters, seed).

Construction: the builders of ``build`` (population, staff plan, handlers and their agents, budget, empty
case flow) return what they build and the model keeps it; what the model reports beside its KPIs is in
``reporting``.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from . import (
    assessment,
    build,
    catalogue,
    delegation,
    demand,
    dumping,
    escalation,
    feedback,
    gaming,
    gcpolicy,
    geography,
    grid,
    handling,
    inspection,
    intake,
    kernel,
    metrics,
    openset,
    referral,
    reform,
    reporting,
    resolution,
    settle,
    staffing,
    stoprule,
    workload,
)
from .agents import Citizen, Department, Enterprise, Township, create_row_agents
from .cases import CaseTable, frame
from .collector import DailyCollector
from .engine import FORWARD, Engine, RandomStream
from .holders import RowHolding
from .params import HOURS_PER_DAY, Params
from .paths import SCENARIO_DIR

_NO_CLOSURES = np.empty(0, dtype=np.int64)
_NO_CLOSURES.flags.writeable = False  # a day without closures hands on this one empty array (read-only: shared)


class TownshipModel(RowHolding, mesa.Model):
    """A county's departments, townships, enterprises and citizens under the reform levers."""

    _EXITED = int(demand.Stage.EXITED)  # a plain int: numpy looks an enum member's attributes up on every use
    # agent classes, reached through the model by assessment, dumping and grid (agents imports those modules)
    Department, Township, Citizen = Department, Township, Citizen
    # the case flow's parts the day uses (all set empty by ``build.case_flow``)
    cases: CaseTable
    open_ids: np.ndarray
    _new_ids: list[np.ndarray]
    closed_today: list[int]

    def __init__(self, params: Params | None = None, *, rng=None, scenario=None, **kwargs):
        """``params`` (default ``Params()``), changed by any ``kwargs`` (validated Params fields); ``rng`` seeds
        the run. ``scenario`` is ignored: Mesa ≥ 3.5's app passes its own on Reset (townsim's are TOML files)."""
        super().__init__(rng=rng)
        p = params if params is not None else Params()
        if kwargs:
            p = p.replace(**kwargs)
        self.reform_params = p
        self.warmup_days = p.warmup_days
        # warm-up under the pre-reform levers; the scenario's own from the first counted day
        self.params = p.replace(**p.pre_reform) if (p.warmup_days and p.pre_reform) else p
        self.clock_day = 0  # working days since the start, warm-up included (times are 8 × this)
        self.day0 = 0  # clock day on which the counted run began
        self.stopped_day: int | None = None  # counted day at whose end the stop rule fired (0: in the warm-up)
        self.count_start = 0.0  # hours: start of the counted window
        # the engine: the Python reference, or the compiled kernel where it covers the scenario
        self.compiled, self.engine_reason = kernel.choose(p, self.params)
        kernel.say_once(self.engine_reason)
        self.stream = RandomStream(self.rng) if not self.compiled else kernel.make_stream(self.rng)
        w = self.params  # built from the warm-up's parameters alone: one warm-up per them and seed (``warmstart``)
        cv = w.service_time_cv
        self.lognormal_sigma = float(np.sqrt(np.log1p(cv * cv)))
        county = geography.county_rng(w)
        self.catalogue = catalogue.build(w, county, base_dir=SCENARIO_DIR)
        self.geography = geography.build(w, base_dir=SCENARIO_DIR)
        self.travel_hours = self.geography.travel_hours
        self.delegated = delegation.choose_delegated(w, self.catalogue, np.random.default_rng([w.catalogue_seed, 2]))
        pop = self._build_population()
        self.settle_pool: settle.Pool | None = None  # judgements pooled in the warm-up's second half
        self.__dict__.update(build.case_flow())  # the case table and each mechanism's pending work
        self._reset_day_flows()
        self._build_handlers(pop)
        assessment.reset_period(self)
        self.datacollector = DailyCollector(
            metrics.DAILY_KPIS, reporting.AGENT_COLUMNS, {Township: "townships", Department: "departments"}
        )
        if self.warmup_days:
            self._warm_up()

    # --- construction (the builders are in ``build``) ------------------------
    def _build_population(self) -> build.Population:
        """Citizens and the first enterprises (``build.population``), as agents and array rows."""
        pop = build.population(self.params, self.geography.share, self.rng)
        self.township_share = pop.township_share
        self.township_cdf = demand.choice_cdf(pop.township_share)  # where dumped tasks and new firms go
        self.township_residents = pop.township_residents
        self.citizen_count, self.citizen_start = pop.citizen_count, pop.citizen_start
        self.n_citizens, self.citizen_state = pop.n_citizens, pop.citizen_state
        self.row_held = {Citizen: []}  # the citizens' hard references, by row (``holders``)
        create_row_agents(self, Citizen, 0, pop.n_citizens)  # bulk: a million agents in seconds
        self.enterprise_state = build.enterprise_rows()
        self.enterprise_agents: list = []
        self.n_enterprises = 0
        if len(pop.enterprise_township):
            self.add_enterprises(pop.enterprise_township, stage=pop.enterprise_stage)
        return pop

    def add_enterprises(self, township: np.ndarray, stage) -> None:
        """Append enterprises (agents and array rows) in the given townships."""
        n, k = self.n_enterprises, len(township)
        build.append_enterprise_rows(self.enterprise_state, n, township, stage)
        self.n_enterprises = n + k
        self.enterprise_agents.extend(create_row_agents(self, Enterprise, n, k))

    def _staff(self, p: Params) -> build.Staff:
        """Persons per handler under ``p`` (``build.staff``); keeps the plan's mean step hours and floor."""
        plan = build.staff(p, self.catalogue, self.sampler, self.delegated, self.geography, self.township_share)
        self.mean_step_hours, self.floored_departments = plan.mean_step_hours, plan.floored
        return plan

    def _build_handlers(self, pop: build.Population) -> None:
        """Handlers and their agents (``build.handlers``), the budget, and the engine wired to them."""
        p = self.params
        self.sampler = demand.MatterSampler(self.catalogue)
        hs = build.handlers(self, p, self._staff(p), pop, self.geography.names, self.delegated)
        self.handlers, self.departments, self.townships = hs.all, hs.departments, hs.townships
        self.township_hid0, self.desks = hs.township_hid0, hs.desks
        self.dispatchers, self.commissioner_desk = hs.dispatchers, hs.commissioners
        self._set_budget(p)
        self.handler_marks = metrics.handler_marks(self)
        self.attendance_hours = self.attendance_mark = 0.0  # coordination attendees' hours (escalation)
        self.coordination_hours = (0.0, *p.coordination_hours)
        escalation.bind(self, handling.release)
        referral.bind(self)
        if self.compiled:
            self.engine = kernel.make_engine(self, self.handlers)
        else:
            self.engine = Engine(escalation.priority_key(self), self._task_hours, self._task_done)

    def _task_hours(self, task) -> float:
        """Work-hours of a task when a server starts it: forwarding a file (``referral``) or a case's step
        or coordination (``handling``)."""
        if task.kind == FORWARD:
            return referral.hours(self, task)
        return handling.service_hours(self, task)

    def _task_done(self, task, t: float) -> None:
        """A server finished a task at ``t`` (hours): the file goes on (``referral``) or the case does."""
        if task.kind == FORWARD:
            referral.finished(self, task, t)
        else:
            handling.on_finish(self, task, t)

    def _set_budget(self, p: Params) -> None:
        self.posts = build.budget(p, self.departments, self.townships)
        self.staff_persons = self.posts["total"]

    def _start_reform(self) -> None:
        """Switch from the pre-reform levers to the scenario's at the end of the warm-up."""
        p = self.reform_params
        old = self.params
        self.params = p
        self.count_start = self.clock_day * HOURS_PER_DAY
        self.day0 = self.clock_day
        if old is p:
            return
        grid.on_reform(self, old)
        self.delegated = delegation.choose_delegated(p, self.catalogue, np.random.default_rng([p.catalogue_seed, 2]))
        plan = self._staff(p)
        for d, x in zip(self.departments, plan.departments):
            d.handler.resize(x)
        ids = frozenset(np.flatnonzero(self.delegated).tolist())
        for t, x in zip(self.townships, plan.townships):
            t.handler.resize(x)
            t.delegated = ids
            t.score_weights = assessment.township_weights(p, t.rank)  # the county's new scoring, from day 1
        for desk, x in zip(self.desks, plan.desks):
            desk.resize(x)
        self.dispatchers.resize(staffing.dispatchers(p))
        self.commissioner_desk.resize(p.commissioners)
        self._set_budget(p)
        self.coordination_hours = (0.0, *p.coordination_hours)
        if self.compiled:  # the kernel's servers and levers follow (``kernel``)
            self.engine.restart(p)
        self.engine.key = escalation.priority_key(self)
        self.engine.rekey_all(self.handlers)

    def _reset_day_flows(self) -> None:
        self.closed_today = []
        self.day_referrals: dict = {}
        self.day_dumped: dict = {}
        self.day_bounced: dict = {}
        self.day_escalations = {1: 0, 2: 0, 3: 0}

    # --- state helpers -----------------------------------------------------
    @property
    def live_enterprises(self) -> int:
        return feedback.live_enterprises(self)

    def mean_enterprise_satisfaction(self) -> float:
        st = self.enterprise_state
        alive = st["stage"][: self.n_enterprises] < self._EXITED
        return float(st["satisfaction"][: self.n_enterprises][alive].mean()) if alive.any() else float("nan")

    @property
    def day_flows(self) -> dict:
        """Today's flows for display: referrals between handlers, dumped and bounced tasks, escalations."""
        return {
            "referrals": dict(self.day_referrals),
            "dumped": dict(self.day_dumped),
            "bounced": dict(self.day_bounced),
            "escalations": dict(self.day_escalations),
        }

    def admit(self, kind, requester, township, matter, created, onset=None, **extra) -> np.ndarray:
        """Create and submit cases (see ``intake.admit``; ``extra``: source, repeat_of, enquiry)."""
        ids = intake.admit(self, kind, requester, township, matter, created, onset, **extra)
        if len(ids):
            self._new_ids.append(ids)
            gcpolicy.CASES_MADE[0] += len(ids)
        return ids

    def _refresh_open(self, t0: float, t1: float) -> None:
        """Drop today's closed cases from the open set, mark lateness, measure the day's backlog (``openset``)."""
        openset.refresh(self, t0, t1)

    # --- the day -----------------------------------------------------------
    @property
    def day(self) -> int:
        """Counted working days so far (after the warm-up)."""
        return self.clock_day - self.day0

    def _warm_up(self) -> None:
        """Simulate the warm-up under the pre-reform levers, then switch the scenario's levers on.

        The slow stocks (satisfaction, channel memories, life-cycle stages) are drawn from their
        stationary state under the pre-reform levers (``settle``) in rounds at the end of the warm-up
        (``settle.round_starts``): the judgements of each round settle the stocks at its end, so each
        round's judgements are made with the stocks settled by the previous one (their feedback on
        channels and demand is in them) — a fixed-point iteration after the run-in."""
        w = self.warmup_days
        starts = settle.round_starts(w) if self.params.settle_stocks else set()
        for i in range(w):
            if i in starts:
                if self.settle_pool is not None:
                    settle.settle(self)
                self.settle_pool = settle.Pool(self.clock_day)
            self._day(collect=False)
            if self._stopped(0):
                break
        if self.params.settle_stocks and self.running:
            settle.settle(self)
        self.settle_pool = None
        self._start_reform()
        self._reset_totals()

    def count_under(self, params: Params) -> None:
        """Count from now under ``params``, warmed up from its warm-up parameters (``warmstart``)."""
        self.params = params if self.params == params else self.params  # the same levers: nothing switches
        self.reform_params = params
        self._start_reform()
        self._reset_totals()

    def step(self) -> None:
        """One counted working day (none once the stop rule has stopped the run)."""
        if not self.running:
            return
        self._day(collect=True)
        self._stopped(self.day)

    def _stopped(self, day: int) -> bool:
        """Stop the run at the end of day ``day`` (0: in the warm-up) if the stop rule fires (``stoprule``)."""
        if stoprule.exceeded(self):
            self.running, self.stopped_day = False, day  # Mesa's flag: runners and the app stop stepping
        return not self.running

    def _reset_totals(self) -> None:
        """Start the counted window: zero the run totals and the agents' hour accounts."""
        self.kpi_totals = {k: 0.0 for k in metrics.TOTALS}
        self.carried_in = len(self.open_ids)
        for t in self.townships:
            t.hours = dict.fromkeys(t.hours, 0.0)
        for d in self.departments:
            d.overtime_hours = 0.0
        self.worked_mark = sum(h.worked_total + h.duty_total for h in self.handlers)
        self.handler_marks = metrics.handler_marks(self)
        self.attendance_mark = self.attendance_hours

    def _day(self, collect: bool) -> None:
        day = self.clock_day
        t0, t1 = day * HOURS_PER_DAY, (day + 1) * HOURS_PER_DAY
        self._reset_day_flows()  # and today's closed cases
        n_before = self.cases.n
        # 1-2 demand and intake
        req = demand.draw_day(self, day)
        self.admit(req.kind, req.requester, req.township, req.matter, req.time, enquiry=req.enquiry)
        resolution.return_repeats(self, day)
        self.repeat_mark = len(self.repeat_queue)  # only pushes from here on (``metrics.queued_today``)
        grid.new_disputes(self, day)
        grid.surface(self, day)
        # 3 duties: departments decide what to dump, inspections are owed, townships split their day
        dumped, bounced = dumping.decide_all(self)  # every department's ``decide_dumping``; today's totals
        inspection.townships_day(self, reform.effective_inspection_hours(self))  # and each one's ``split_day``
        workload.decide_all(self)  # every department's, then every township's ``decide_work_fraction``
        # 4 work (deadlines and escalations are events inside the day)
        escalation.hold_conference(self, day, t0)
        self.engine.start_day(day, self.handlers)
        self.engine.run_until(t1)
        gaming.decide(self, t1)
        inspection.account_all(self)  # each township's ``account_day`` (its own accounts only)
        self._refresh_open(t0, t1)
        # 5 feedback
        closed = np.asarray(self.closed_today, dtype=np.int64) if self.closed_today else _NO_CLOSURES
        feedback.judge(self, closed)
        petitions = grid.petitions(self, t1)
        entries, exits = feedback.enterprise_life_cycle(self)
        # 6 assessment (the agents' assess methods)
        assessment.apply(self, day)
        # 7 collect
        self.clock_day += 1
        if not collect:
            return
        row = metrics.collect_day(self, closed, dumped, bounced, petitions, entries, exits, self.cases.n - n_before)
        self.kpi_today = row
        for k in self.kpi_totals:
            self.kpi_totals[k] += row[k]
        self.datacollector.collect(self)

    def run(self, days: int) -> TownshipModel:
        """Advance ``days`` counted working days (garbage collection tuned for the run, ``gcpolicy``)."""
        with gcpolicy.during_run():
            for _ in range(int(days)):
                if not self.running:  # the stop rule fired (``stoprule``)
                    break
                self.step()
        return self

    def staff_report(self) -> dict[str, dict[str, Any]]:
        """Posts, budgeted hours, overtime, floored departments and saturated handlers (``reporting``)."""
        return reporting.staff_report(self)

    def summary(self) -> dict[str, float]:
        """Per-run KPIs (see ``metrics.SUMMARY_KEYS``)."""
        return metrics.summary(self)

    def cases_frame(self):
        """One row per case (see ``cases.frame``): requester, township, matter, source, channel, tier,
        times, trips, travel hours, resolved / gamed / repeat_of."""
        return frame(self)

    def timeseries(self):
        """The daily KPI table as a pandas DataFrame with a ``day`` column (1-based)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "day", np.arange(1, len(df) + 1))
        return df
