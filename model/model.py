"""``TownshipModel``: the county as a Mesa model, one step = one working day (DESIGN §3).

Daily order: 1 demand → 2 intake (and grid disputes) → 3 duty tasks: each
Department decides what to dump, inspections are owed, each Township decides
how to split its day → 4 work (departments, townships, desks; joint conference
on meeting days; escalations are engine events inside the day; lateness is marked
at the day's end)
→ 5 feedback (satisfaction, petitions, enterprise life cycle) → 6 assessment
(every ``assessment_period`` days: Townships and Departments are scored and
adapt) → 7 collect KPIs. Agents' decisions are their methods, called through
the model's AgentSets.

Warm-up: construction ends by simulating ``warmup_days`` under the pre-reform levers (``params.pre_reform``, the root of
the scenario's ``extends`` chain), counted in no KPI; then the scenario's levers
switch on (staff posts move, matters are delegated, queue disciplines change)
and the counted days begin with the open cases carried in. A run is a pure
function of (parameters, seed).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from . import (
    assessment,
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
    referral,
    reform,
    resolution,
    settle,
    staffing,
)
from .agents import Citizen, Department, Enterprise, Township, create_row_agents
from .catalogue import CITIZEN, ENTERPRISE
from .collector import DailyCollector
from .demand import Stage
from .engine import FORWARD, Engine, Handler, RandomStream
from .params import HOURS_PER_DAY, Params
from .paths import SCENARIO_DIR


class TownshipModel(mesa.Model):
    """A county's departments, townships, enterprises and citizens under the reform levers."""

    # The agent classes, reached through the model by the mechanism modules that act on them
    # (assessment, dumping, grid): those modules do not import agents, which imports them.
    Department = Department
    Township = Township
    Citizen = Citizen

    def __init__(self, params: Params | None = None, *, rng=None, scenario=None, **kwargs):
        """``params`` (default ``Params()``), changed by any ``kwargs`` (validated Params fields);
        ``rng`` seeds the run. ``scenario`` is accepted and ignored: Mesa ≥ 3.5's app passes its
        own scenario object on Reset, while townsim's scenarios are TOML files resolved to Params."""
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
        self.count_start = 0.0  # hours: start of the counted window
        # the engine: the Python reference, or the compiled kernel where it covers the scenario
        self.compiled, reason = kernel.choose(p, self.params)
        kernel.say_once(reason)
        self.engine_reason = reason
        self.stream = RandomStream(self.rng) if not self.compiled else kernel.make_stream(self.rng)
        cv = p.service_time_cv
        self.lognormal_sigma = float(np.sqrt(np.log1p(cv * cv)))
        county = geography.county_rng(p)
        self.catalogue = catalogue.build(p, county, base_dir=SCENARIO_DIR)
        self.geography = geography.build(p, base_dir=SCENARIO_DIR)
        self.travel_hours = self.geography.travel_hours
        self.delegated = delegation.choose_delegated(
            self.params, self.catalogue, np.random.default_rng([p.catalogue_seed, 2])
        )
        self._build_population()
        self.cases_init()
        self._build_handlers()
        assessment.reset_period(self)
        self.datacollector = DailyCollector(
            metrics.DAILY_KPIS,
            {
                Township: {  # labels differ from the KPIs': Mesa ≥ 3.4's batch_run merges them into one row
                    "handler_backlog": "backlog",
                    "utilisation": "utilisation",
                    "overloaded": "overloaded",
                    "score": "score",
                    "rank": "rank",
                    "gamed": "gamed",
                },
                Department: {
                    "handler_backlog": "backlog",
                    "utilisation": "utilisation",
                    "effort": "effort",
                    "dumping_propensity": "dumping_propensity",
                    "score": "score",
                    "learned_dumping_cost": "expected_score_drop",
                    "gamed": "gamed",
                },
            },
        )
        if self.warmup_days:
            self._warm_up()

    # --- construction ----------------------------------------------------
    def _build_population(self) -> None:
        p = self.params
        self.settle_pool: settle.Pool | None = None  # judgements pooled in the warm-up's second half
        T = p.townships
        self.township_share = self.geography.share
        res = np.floor(p.residents * self.township_share).astype(np.int64)
        res[np.argmax(self.township_share)] += p.residents - res.sum()
        self.township_residents = res
        self.citizen_count = -(-res // p.residents_per_agent)  # agents per township
        self.citizen_start = np.concatenate([[0], np.cumsum(self.citizen_count)[:-1]]).astype(np.int64)
        n_cit = int(self.citizen_count.sum())
        self.n_citizens = n_cit
        town_of = np.repeat(np.arange(T, dtype=np.int32), self.citizen_count)
        self.citizen_state: dict[str, np.ndarray] = {
            "township": town_of,
            "satisfaction": np.full(n_cit, feedback.SATISFACTION_START),
            "patience": self.rng.exponential(p.citizen_patience_days, n_cit),
            "trips": np.zeros(n_cit, np.int32),
            "exp_online": np.full(n_cit, feedback.SATISFACTION_START),  # channel memories (channel)
            "exp_offline": np.full(n_cit, feedback.SATISFACTION_START),
            "report": np.full(n_cit, grid.initial_reporting(p)),  # app reporting propensity (grid)
        }
        create_row_agents(self, Citizen, 0, n_cit)  # bulk: a million agents in seconds
        self.enterprise_state: dict[str, np.ndarray] = {
            "township": np.zeros(0, np.int32),
            "stage": np.zeros(0, np.int8),
            "satisfaction": np.zeros(0),
            "trips": np.zeros(0, np.int32),
            "exp_online": np.zeros(0),
            "exp_offline": np.zeros(0),
        }
        self.enterprise_agents: list = []
        self.n_enterprises = 0
        E = p.enterprises
        if E:
            town = self.rng.choice(T, size=E, p=self.township_share)
            live = int(Stage.EXITED)  # the live stages are the codes below EXITED
            shares = settle.stage_shares(p, feedback.SATISFACTION_START) if p.settle_stocks else [0.2, 0.4, 0.4]
            stage = self.rng.choice(live, size=E, p=shares)
            self.add_enterprises(town, stage=stage)

    def add_enterprises(self, township: np.ndarray, stage) -> None:
        """Append enterprises (agents and array rows) in the given townships."""
        k = len(township)
        n = self.n_enterprises
        st = self.enterprise_state
        if n + k > len(st["stage"]):
            cap = max(n + k, 2 * len(st["stage"]), 64)
            for key, arr in st.items():
                new = np.zeros(cap, dtype=arr.dtype)
                new[:n] = arr[:n]
                if key == "stage":
                    new[n:] = Stage.EXITED
                st[key] = new
        st["township"][n : n + k] = township
        st["stage"][n : n + k] = stage
        for key in ("satisfaction", "exp_online", "exp_offline"):
            st[key][n : n + k] = feedback.SATISFACTION_START
        st["trips"][n : n + k] = 0
        self.n_enterprises = n + k
        self.enterprise_agents.extend(create_row_agents(self, Enterprise, n, k))

    def _staffing(self, p: Params) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Persons per department, per township and of the two desks under ``p``."""
        D = p.departments
        hours, deleg, mean_h = self._expected_step_hours(p)
        self.mean_step_hours = mean_h
        # posts follow expected work, every department keeping at least one person (its own duties);
        # the posts above that floor follow the work, and their delegated share moves down with it
        posts, floored = staffing.workload_posts(p.department_staff, hours, p.department_staff_floor)
        floor = min(p.department_staff_floor, p.department_staff / D)
        moved = np.minimum(delegation.transferred_staff(p, posts, hours, deleg), posts - floor)
        dept_staff = posts - moved
        self.floored_departments = floored
        base = self.geography.staff if p.township_table else p.township_staff * self.township_share
        town_staff = base + moved.sum() * self.township_share
        s1, s2 = escalation.desk_staff(p)
        return dept_staff, town_staff, s1, s2

    def _expected_step_hours(self, p: Params) -> tuple[np.ndarray, np.ndarray, float]:
        """Expected daily work-hours per department (all, and on delegated owner steps), mean step hours."""
        cat = self.catalogue
        D = p.departments
        rate = np.zeros(len(cat))
        for kind, volume in (
            (CITIZEN, p.residents * p.citizen_request_rate),
            (ENTERPRISE, p.enterprises * p.enterprise_request_rate * 1.0),
        ):
            ids = self.sampler.ids[kind]
            w = cat.weight[ids]
            rate[ids] += volume * w / w.sum()
        hours = np.zeros(D)
        deleg = np.zeros(D)
        steps = 0.0
        for m in np.flatnonzero(rate > 0):
            n = cat.n_departments[m]
            steps += rate[m] * n
            for i, d in enumerate(cat.departments[m, :n]):
                if d < 0:
                    continue
                hours[d] += rate[m] * cat.hours[m]
                if i == 0 and self.delegated[m]:
                    deleg[d] += rate[m] * cat.hours[m]
        esc = cat.dispute_id(catalogue.DISPUTE_ESCALATED)
        # disputes nobody detected early surface late and need the dispute department too
        surfaced = p.residents * p.dispute_rate * (1.0 - grid.detection_probability(p))
        hours[catalogue.DISPUTE_OWNER] += surfaced * cat.hours[esc]
        mean_h = float((rate * cat.hours * cat.n_departments).sum() / steps) if steps > 0 else 1.0
        return hours, deleg, mean_h

    def _build_handlers(self) -> None:
        p = self.params
        D, T = p.departments, p.townships
        self.sampler = demand.MatterSampler(self.catalogue)
        dept_staff, town_staff, s1, s2 = self._staffing(p)
        self.handlers: list[Handler] = []
        self.departments: list[Department] = []
        self.townships: list[Township] = []
        for d in range(D):
            h = Handler(len(self.handlers), "department", d, f"D{d + 1}", dept_staff[d])
            self.handlers.append(h)
            self.departments.append(Department(self, d, h))
        self.township_hid0 = len(self.handlers)
        for t in range(T):
            h = Handler(len(self.handlers), "township", t, self.geography.names[t], town_staff[t])
            self.handlers.append(h)
            start = int(self.citizen_start[t])
            town = Township(self, t, h, int(self.township_residents[t]), (start, start + int(self.citizen_count[t])))
            town.delegated = frozenset(np.flatnonzero(self.delegated).tolist())
            self.townships.append(town)
        self.desks = []
        for level, staff in ((1, s1), (2, s2)):
            h = Handler(len(self.handlers), "desk", level, escalation.LEVEL_NAMES[level], staff)
            self.handlers.append(h)
            self.desks.append(h)
        # the county platform's dispatchers (online dispatch) and the commissioners (errands)
        self.dispatchers = Handler(len(self.handlers), "dispatch", 0, "dispatchers", staffing.dispatchers(p))
        self.handlers.append(self.dispatchers)
        self.commissioner_desk = Handler(len(self.handlers), "commissioner", 0, "commissioners", p.commissioners)
        self.handlers.append(self.commissioner_desk)
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
        b = staffing.budget(p)
        # the handlers' persons (delegation moves posts between departments and townships)
        b["departments"] = float(sum(d.handler.staff for d in self.departments))
        b["townships"] = float(sum(t.handler.staff for t in self.townships))
        b["total"] = staffing.total(b)
        self.posts = b
        self.staff_persons = b["total"]

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
        dept_staff, town_staff, s1, s2 = self._staffing(p)
        for d, x in zip(self.departments, dept_staff):
            d.handler.resize(x)
        ids = frozenset(np.flatnonzero(self.delegated).tolist())
        for t, x in zip(self.townships, town_staff):
            t.handler.resize(x)
            t.delegated = ids
            t.score_weights = assessment.township_weights(p, t.rank)  # the county's new scoring, from day 1
        self.desks[0].resize(s1)
        self.desks[1].resize(s2)
        self.dispatchers.resize(staffing.dispatchers(p))
        self.commissioner_desk.resize(p.commissioners)
        self._set_budget(p)
        self.coordination_hours = (0.0, *p.coordination_hours)
        if self.compiled:  # the kernel's servers and levers follow (``kernel``)
            self.engine.restart(p)
        self.engine.key = escalation.priority_key(self)
        self.engine.rekey_all(self.handlers)

    def cases_init(self) -> None:
        from .cases import CaseTable

        self.cases = CaseTable()
        self.open_ids = np.zeros(0, dtype=np.int64)
        self._new_ids: list[np.ndarray] = []
        self.flows: dict[int, list] = {}
        self.coord_tasks: dict = {}
        self.conference_queue: list = []
        self.latent_disputes: list = []  # (surface time, latent id) — grid
        self.latent: dict = {}  # latent id -> (citizen, township, onset, matter, in a covered grid) — grid
        self.patrol_pool: dict = {}  # township -> latent ids in its covered grids — grid
        self.grid_hours = {"patrol": 0.0, "reports": 0.0}  # grid workers' hours since the start — grid
        self.grid_mediation: dict = {}  # open dispute -> a grid worker's mediation hours on it — grid
        self.gaming_queue: list = []  # (moment of decision, case) — gaming
        self.gaming_log: list = []  # (case, moment, projected finish, deadline, gamed) per decision — gaming
        self.repeat_queue: list = []  # (return time, seq, unresolved case) — resolution
        self.case_work: dict = {}  # open case -> [needed, done hours, latest step start, clock hours] — workload
        self.closed_today: list[int] = []
        self.carried_in = 0
        self.worked_mark = 0.0
        self.kpi_today: dict = {}
        self.kpi_totals = {k: 0.0 for k in metrics.TOTALS}
        self._reset_day_flows()

    def _reset_day_flows(self) -> None:
        self.day_referrals: dict = {}
        self.day_dumped: dict = {}
        self.day_bounced: dict = {}
        self.day_escalations = {1: 0, 2: 0, 3: 0}

    # --- state helpers -----------------------------------------------------
    @property
    def live_enterprises(self) -> int:
        return int((self.enterprise_state["stage"][: self.n_enterprises] < Stage.EXITED).sum())

    def mean_enterprise_satisfaction(self) -> float:
        st = self.enterprise_state
        alive = st["stage"][: self.n_enterprises] < Stage.EXITED
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
        """Create and submit cases (see ``intake.admit``; ``extra``: source, repeat_of)."""
        ids = intake.admit(self, kind, requester, township, matter, created, onset, **extra)
        if len(ids):
            self._new_ids.append(ids)
        return ids

    def _refresh_open(self, t0: float, t1: float) -> None:
        """Drop today's closed cases from the open set, mark lateness, measure the day's time-averaged backlog."""
        ids = np.concatenate([self.open_ids, *self._new_ids]) if self._new_ids else self.open_ids
        self._new_ids = []
        closed = self.cases.closed[ids]
        escalation.mark_overdue(self.cases, ids, closed, t1)
        still_open = np.isnan(closed)
        end = np.where(still_open, t1, np.minimum(closed, t1))
        overlap = np.clip(end - np.maximum(self.cases.created[ids], t0), 0.0, None)
        self.backlog_mean = float(overlap.sum()) / (t1 - t0)
        self.open_ids = ids[still_open]

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
        if self.params.settle_stocks:
            settle.settle(self)
        self.settle_pool = None
        self._start_reform()
        self._reset_totals()

    def step(self) -> None:
        """One counted working day."""
        self._day(collect=True)

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
        p = self.params
        day = self.clock_day
        t0, t1 = day * HOURS_PER_DAY, (day + 1) * HOURS_PER_DAY
        self._reset_day_flows()
        self.closed_today = []
        n_before = self.cases.n
        # 1-2 demand and intake
        req = demand.draw(
            p,
            self.rng,
            day,
            self.township_residents,
            self.citizen_start,
            self.citizen_count,
            self.enterprise_state["township"][: self.n_enterprises],
            self.enterprise_state["stage"][: self.n_enterprises],
            self.sampler,
        )
        self.admit(req.kind, req.requester, req.township, req.matter, req.time)
        resolution.return_repeats(self, day)
        grid.new_disputes(self, day)
        grid.surface(self, day)
        # 3 duties: departments decide what to dump, inspections are owed, townships split their day
        departments, townships = self.agents_by_type[Department], self.agents_by_type[Township]
        departments.do("decide_dumping")
        dumped, bounced = dumping.today(self)
        inspection.apply(self.townships, reform.effective_params(self))
        townships.do("split_day")
        departments.do("decide_work_fraction")
        townships.do("decide_work_fraction")
        # 4 work (deadlines and escalations are events inside the day)
        escalation.hold_conference(self, day, t0)
        self.engine.start_day(day, self.handlers)
        self.engine.run_until(t1)
        gaming.decide(self, t1)
        townships.do("account_day")
        self._refresh_open(t0, t1)
        # 5 feedback
        closed = np.asarray(self.closed_today, dtype=np.int64)
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
                self.step()
        return self

    def staff_report(self) -> dict[str, dict[str, Any]]:
        """Posts (persons) and budgeted hours per working day per handler kind (``staffing.KINDS``),
        the overtime paid so far in the counted window (hours), reported apart, the departments
        held at the one-person floor, and the saturated handlers (offered load ≥ 1 over the
        counted days, by label)."""
        from .staffing import KINDS

        out: dict[str, dict[str, Any]] = {
            k: {"posts": self.posts[k], "budgeted_hours_per_day": self.posts[k] * HOURS_PER_DAY}
            for k in (*KINDS, "total")
        }
        out["overtime"] = {"hours": float(sum(d.overtime_hours for d in self.departments))}
        out["floored_departments"] = {
            "count": float(self.floored_departments.sum()),
            "departments": [self.departments[d].handler.label for d in np.flatnonzero(self.floored_departments)],
        }
        out["saturated_handlers"] = metrics.saturated_handlers(self)
        return out

    def summary(self) -> dict[str, float]:
        """Per-run KPIs (see ``metrics.SUMMARY_KEYS``)."""
        return metrics.summary(self)

    def cases_frame(self):
        """One row per case (see ``cases.frame``): requester, township, matter, source, channel, tier,
        times, trips, travel hours, resolved / gamed / repeat_of."""
        from .cases import frame

        return frame(self)

    def timeseries(self):
        """The daily KPI table as a pandas DataFrame with a ``day`` column (1-based)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "day", np.arange(1, len(df) + 1))
        return df


def simulate(params: Params, seed: int, days: int):
    """The pure function of a run: (parameters, seed, days) → (summary dict, daily KPI DataFrame)."""
    m = TownshipModel(params, rng=seed)
    m.run(days)
    return m.summary(), m.timeseries()
