"""``TownshipModel``: the county as a Mesa model, one step = one working day (DESIGN §3).

Daily order: 1 demand → 2 intake (and grid disputes) → 3 duty tasks, dumping
and inspections → 4 work (departments, townships, desks; joint conference on
meeting days) → 5 escalation → 6 feedback (satisfaction, petitions,
enterprise life cycle) → 7 assessment (every ``assessment_period`` days) →
8 collect KPIs. A run is a pure function of (parameters, seed).
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np

from . import assessment, catalogue, delegation, demand, dumping, escalation, feedback, gaming, grid, handling
from . import reform, resolution
from . import inspection, intake, metrics
from .agents import Citizen, Department, Enterprise, Township, create_row_agents
from .catalogue import CITIZEN, DISPUTE, ENTERPRISE
from .engine import Engine, Handler, RandomStream
from .params import HOURS_PER_DAY, Params

from .scenario import SCENARIO_DIR
DEPARTMENT_STAFF_FLOOR = 0.02
"""Share of department staff spread equally over departments (for their own duties), never delegated."""


class TownshipModel(mesa.Model):
    """A county's departments, townships, enterprises and citizens under the reform levers."""

    def __init__(self, params: Params | None = None, *, rng=None, scenario=None, **kwargs):
        """``params`` (default ``Params()``), changed by any ``kwargs`` (validated Params fields);
        ``rng`` seeds the run. ``scenario`` is accepted and ignored: Mesa ≥ 3.5's app passes its
        own scenario object on Reset, while townsim's scenarios are TOML files resolved to Params."""
        super().__init__(rng=rng)
        p = params if params is not None else Params()
        if kwargs:
            p = p.replace(**kwargs)
        self.params = p
        self.day = 0
        self.stream = RandomStream(self.rng)
        cv = p.service_time_cv
        self.lognormal_sigma = float(np.sqrt(np.log1p(cv * cv)))
        self.catalogue = catalogue.build(p, self.rng, base_dir=SCENARIO_DIR)
        self.delegated = delegation.choose_delegated(p, self.catalogue, self.rng)
        self._build_population()
        self.cases_init()
        self._build_handlers()
        assessment.reset_period(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.kpi_today[k]) for k in metrics.DAILY_KPIS},
            agenttype_reporters={
                Township: {"backlog": "backlog", "utilisation": "utilisation", "overloaded": "overloaded"},
                Department: {"backlog": "backlog", "utilisation": "utilisation", "effort": "effort",
                             "dumping_propensity": "dumping_propensity"},
            },
        )

    # --- construction ----------------------------------------------------
    def _build_population(self) -> None:
        p = self.params
        T = p.townships
        raw = np.exp(p.township_size_spread * self.rng.standard_normal(T))
        self.township_share = raw / raw.sum()
        res = np.floor(p.residents * self.township_share).astype(np.int64)
        res[np.argmax(self.township_share)] += p.residents - res.sum()
        self.township_residents = res
        self.citizen_count = -(-res // p.residents_per_agent)  # agents per township
        self.citizen_start = np.concatenate([[0], np.cumsum(self.citizen_count)[:-1]]).astype(np.int64)
        n_cit = int(self.citizen_count.sum())
        self.n_citizens = n_cit
        town_of = np.repeat(np.arange(T, dtype=np.int32), self.citizen_count)
        self.citizen_state = {
            "township": town_of,
            "satisfaction": np.full(n_cit, feedback.SATISFACTION_START),
            "patience": self.rng.exponential(p.citizen_patience_days, n_cit),
            "trips": np.zeros(n_cit, np.int32),
            "exp_online": np.full(n_cit, feedback.SATISFACTION_START),   # channel memories (channel)
            "exp_offline": np.full(n_cit, feedback.SATISFACTION_START),
            "report": np.full(n_cit, grid.initial_reporting(p)),        # app reporting propensity (grid)
        }
        create_row_agents(self, Citizen, 0, n_cit)  # bulk: a million agents in seconds
        self.enterprise_state = {"township": np.zeros(0, np.int32), "stage": np.zeros(0, np.int8),
                                 "satisfaction": np.zeros(0), "trips": np.zeros(0, np.int32),
                                 "exp_online": np.zeros(0), "exp_offline": np.zeros(0)}
        self.enterprise_agents: list = []
        self.n_enterprises = 0
        E = p.enterprises
        if E:
            town = self.rng.choice(T, size=E, p=self.township_share)
            stage = self.rng.choice(3, size=E, p=[0.2, 0.4, 0.4])
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
                    new[n:] = 3
                st[key] = new
        st["township"][n:n + k] = township
        st["stage"][n:n + k] = stage
        for key in ("satisfaction", "exp_online", "exp_offline"):
            st[key][n:n + k] = feedback.SATISFACTION_START
        st["trips"][n:n + k] = 0
        self.n_enterprises = n + k
        self.enterprise_agents.extend(create_row_agents(self, Enterprise, n, k))

    def _expected_step_hours(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Expected daily work-hours per department (all, and on delegated owner steps), mean step hours."""
        p, cat = self.params, self.catalogue
        D = p.departments
        rate = np.zeros(len(cat))
        for kind, volume in ((CITIZEN, p.residents * p.citizen_request_rate),
                             (ENTERPRISE, p.enterprises * p.enterprise_request_rate * 1.0)):
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
        hours, deleg, self.mean_step_hours = self._expected_step_hours()
        share = hours / hours.sum() if hours.sum() > 0 else np.full(D, 1.0 / D)
        # staff follow expected work; a small floor (2% of staff, split equally) keeps every
        # department able to do its own duties, and is never moved down
        floor = np.full(D, DEPARTMENT_STAFF_FLOOR * p.department_staff / D)
        flexible = (1.0 - DEPARTMENT_STAFF_FLOOR) * p.department_staff * share
        moved = delegation.transferred_staff(p, flexible, hours, deleg)
        dept_staff = floor + flexible - moved
        town_staff = (p.township_staff + moved.sum()) * self.township_share
        self.handlers: list[Handler] = []
        self.departments: list[Department] = []
        self.townships: list[Township] = []
        for d in range(D):
            h = Handler(len(self.handlers), "department", d, f"D{d + 1}", dept_staff[d])
            self.handlers.append(h)
            self.departments.append(Department(self, d, h))
        self.township_hid0 = len(self.handlers)
        for t in range(T):
            h = Handler(len(self.handlers), "township", t, f"T{t + 1}", town_staff[t])
            self.handlers.append(h)
            start = int(self.citizen_start[t])
            town = Township(self, t, h, int(self.township_residents[t]), (start, start + int(self.citizen_count[t])))
            town.delegated = frozenset(np.flatnonzero(self.delegated).tolist())
            self.townships.append(town)
        s1, s2 = escalation.desk_staff(p)
        self.desks = []
        for level, staff in ((1, s1), (2, s2)):
            h = Handler(len(self.handlers), "desk", level, escalation.LEVEL_NAMES[level], staff if p.escalation_135 else 0.0)
            self.handlers.append(h)
            self.desks.append(h)
        self.staff_persons = float(sum(h.staff for h in self.handlers) + p.commissioners)
        self.coordination_hours = (0.0, *p.coordination_hours)
        self.engine = Engine(escalation.priority_key(self), lambda task: handling.service_hours(self, task),
                             lambda task, t: handling.on_finish(self, task, t))

    def cases_init(self) -> None:
        from .cases import CaseTable

        self.cases = CaseTable()
        self.open_ids = np.zeros(0, dtype=np.int64)
        self._new_ids: list[np.ndarray] = []
        self.flows: dict[int, list] = {}
        self.coord_tasks: dict = {}
        self.conference_queue: list = []
        self.latent_disputes: list = []
        self.gaming_queue: list = []   # (moment of decision, case) — gaming
        self.repeat_queue: list = []   # (return time, seq, unresolved case) — resolution
        self.closed_today: list[int] = []
        self._duty_mark: dict[int, float] = {}
        self.kpi_today: dict = {}
        self.kpi_totals = {k: 0.0 for k in ("escalations_level1", "escalations_level2", "escalations_level3",
                                            "dumped_tasks", "bounced_tasks", "township_utilisation",
                                            "department_utilisation", "overloaded_townships", "petitions",
                                            "enterprise_entries", "enterprise_exits", "staff_hours",
                                            "inspection_hours")}
        self._reset_day_flows()

    def _reset_day_flows(self) -> None:
        self.day_referrals: dict = {}
        self.day_dumped: dict = {}
        self.day_bounced: dict = {}
        self.day_escalations = {1: 0, 2: 0, 3: 0}

    # --- state helpers -----------------------------------------------------
    @property
    def live_enterprises(self) -> int:
        return int((self.enterprise_state["stage"][: self.n_enterprises] < 3).sum())

    def mean_enterprise_satisfaction(self) -> float:
        st = self.enterprise_state
        alive = st["stage"][: self.n_enterprises] < 3
        return float(st["satisfaction"][: self.n_enterprises][alive].mean()) if alive.any() else float("nan")

    @property
    def day_flows(self) -> dict:
        """Today's flows for display: referrals between handlers, dumped and bounced tasks, escalations."""
        return {"referrals": dict(self.day_referrals), "dumped": dict(self.day_dumped),
                "bounced": dict(self.day_bounced), "escalations": dict(self.day_escalations)}

    def admit(self, kind, requester, township, matter, created, onset=None, **extra) -> np.ndarray:
        """Create and submit cases (see ``intake.admit``; ``extra``: source, repeat_of)."""
        ids = intake.admit(self, kind, requester, township, matter, created, onset, **extra)
        if len(ids):
            self._new_ids.append(ids)
        return ids

    def _refresh_open(self, t0: float, t1: float) -> None:
        """Drop today's closed cases from the open set; measure the day's time-averaged backlog."""
        ids = np.concatenate([self.open_ids, *self._new_ids]) if self._new_ids else self.open_ids
        self._new_ids = []
        closed = self.cases.closed[ids]
        still_open = np.isnan(closed)
        end = np.where(still_open, t1, np.minimum(closed, t1))
        overlap = np.clip(end - np.maximum(self.cases.created[ids], t0), 0.0, None)
        self.backlog_mean = float(overlap.sum()) / (t1 - t0)
        self.open_ids = ids[still_open]

    # --- the day -----------------------------------------------------------
    def step(self) -> None:
        p = self.params
        day = self.day
        t0, t1 = day * HOURS_PER_DAY, (day + 1) * HOURS_PER_DAY
        self._reset_day_flows()
        self.closed_today = []
        n_before = self.cases.n
        # 1-2 demand and intake
        req = demand.draw(p, self.rng, day, self.township_residents, self.citizen_start, self.citizen_count,
                          self.enterprise_state["township"][: self.n_enterprises],
                          self.enterprise_state["stage"][: self.n_enterprises], self.sampler)
        self.admit(req.kind, req.requester, req.township, req.matter, req.time)
        resolution.return_repeats(self, day)
        grid.new_disputes(self, day)
        grid.surface(self, day)
        # 3 duties, dumping, inspections
        dumped, bounced = dumping.apply(self)
        inspection.apply(self.townships, reform.effective_params(self))
        # 4 work
        escalation.hold_conference(self, day, t0)
        self.engine.start_day(day, self.handlers)
        self.engine.run_until(t1)
        gaming.decide(self, t1)
        # 5 escalation
        self._refresh_open(t0, t1)
        escalation.check(self, t1)
        # 6 feedback
        closed = np.asarray(self.closed_today, dtype=np.int64)
        feedback.judge(self, closed)
        petitions = grid.petitions(self, t1)
        entries, exits = feedback.enterprise_life_cycle(self)
        # 7 assessment
        assessment.apply(self, day)
        # 8 collect
        self.day += 1
        row = metrics.collect_day(self, closed, dumped, bounced, petitions, entries, exits, self.cases.n - n_before)
        self.kpi_today = row
        for k in self.kpi_totals:
            self.kpi_totals[k] += row[k]
        self.datacollector.collect(self)

    def run(self, days: int) -> "TownshipModel":
        """Advance ``days`` working days."""
        for _ in range(int(days)):
            self.step()
        return self

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
