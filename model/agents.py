"""The Mesa agents: departments, townships, enterprises and citizens (DESIGN §2).

Departments and townships decide through their methods, called by the model through its AgentSets:
``Department.decide_dumping``, ``Department.assess`` (score, learning, effort), ``Department.work_hours`` (effort
and its overtime cost); ``Township.split_day``, ``Township.account_day``, ``Township.refer_up_chances``,
``Township.assess``; both decide each day's ``decide_work_fraction`` (how much of each case's needed work to do,
``workload``) and, per at-risk case, ``decide_gaming`` (``gaming``). The formulas stay in the mechanism modules.

Departments and townships own a work handler (servers and queue, see ``engine``). Enterprises and citizens keep
their state in the model's numpy arrays (so a day's demand is one vectorised draw and a million residents cost
memory, not time); each agent is a view on its row. Their behaviour (asking, judging, entering and leaving) is run
by the mechanism modules for all of them at once, never by a per-agent loop in a day.
"""

from __future__ import annotations

import gc
import itertools
import weakref

import mesa
import numpy as np

from . import assessment, channel, delegation, dumping, gcpolicy, grid, inspection, satisfaction, workload
from .assessment import ScoreEstimator
from .engine import Handler
from .gaming import GamingState, games


class Department(mesa.Agent):
    """A county (district) department (县级职能部门): owns matters, has staff, may dump duty tasks."""

    def __init__(self, model, index: int, handler: Handler):
        super().__init__(model)
        self.index = index
        self.handler = handler
        self.effort = 1.0  # work-speed multiplier, adapted at assessment
        self.expected_score_drop = 0.0  # Δ̂: learned drop of the township score per unit dump share
        self.estimator = ScoreEstimator(model.params)  # its recursive least squares (assessment)
        self.exploration = 0.0  # ξ: this period's experiment with its dumping log-odds
        self.rank = 0.0  # rank of its score, 0 = best … 1 = last
        self.received_score, self.received_weight = 1.0, 0.0  # the period's score and ω_eff (assessment)
        self.period_bounced = 0
        GamingState.init(self, model.params)
        self.score = 1.0  # townships' score of this department (two-way assessment)
        self.dumping_propensity = 0.0  # last day's probability of pushing a duty task down
        self.period_tasks = 0  # duty tasks arising in the current assessment period
        self.period_dumped = 0
        self.period_cases = self.period_late = 0
        self.overtime_hours = 0.0  # paid hours above the budget (effort > 1)
        self.today_dumped = self.today_bounced = 0
        self.work_fraction = 1.0  # share of each case's needed work done today (``workload``)

    @classmethod
    def create(cls, model, index: int, hid: int, staff: float) -> Department:
        """Department ``index`` of ``model`` (label D1, D2, …) with its handler ``hid`` of ``staff`` persons."""
        return cls(model, index, Handler(hid, "department", index, f"D{index + 1}", staff))

    @property
    def backlog(self) -> int:
        """Open tasks (waiting or in service)."""
        return self.handler.open_tasks

    # --- decisions (formulas in the mechanism modules) ---------------------
    def decide_dumping(self) -> None:
        """Draw duty tasks, dump some on townships, take back bounced ones (``dumping``; twin ``departments_day``)."""
        dumping.department_day(self)

    def assess(self) -> None:
        """Be scored by the townships, learn, and set tomorrow's effort (``assessment``); effort is
        capped by ``1 + overtime_cap``: overtime hours are paid (see :meth:`work_hours`)."""
        assessment.update_department(self, self.model.params, self.received_score, self.received_weight)
        self.effort = min(self.effort, 1.0 + self.model.params.overtime_cap)

    def work_hours(self, hours: float) -> float:
        """Clock hours a step of ``hours`` work takes at today's effort; the hours above the
        clock hours are overtime, paid on top of the budget (``staff_hours``)."""
        e = self.effort
        if e == 1.0:
            return hours
        clock = hours / e
        self.overtime_hours += max(hours - clock, 0.0)
        return clock

    def decide_work_fraction(self) -> None:
        """Set today's work fraction from its queue and its cases' deadlines (``workload``)."""
        self.work_fraction = workload.decide(self)

    def decide_gaming(self) -> bool:
        """Close one of its at-risk cases without solving it? (``gaming``: the cost of being late against
        the expected penalty of being caught and its scruples)."""
        return games(self)

    @property
    def utilisation(self) -> float:
        return self.handler.utilisation_today

    @property
    def staff(self) -> float:
        return self.handler.staff


class Township(mesa.Agent):
    """A township or subdistrict (乡镇/街道): handles delegated matters, disputes, duties and inspections."""

    def __init__(self, model, index: int, handler: Handler, residents: int, citizen_range: tuple[int, int]):
        super().__init__(model)
        self.index = index
        self.handler = handler
        self.residents = residents
        self.citizen_range = citizen_range  # [first, last) Citizen index
        self.delegated: frozenset[int] = frozenset()
        # delegated matter -> cases handled (learning curve); on the compiled engine ``kernel.writeback.HandledCounts``
        self.handled: dict[int, int] = {}
        self.score = 1.0  # top-down score from the county
        self.rank = 0.0  # rank of that score, 0 = best … 1 = last
        self.period_caught = 0  # gamed closures caught by call-backs this period
        GamingState.init(self, model.params)
        w = model.params.township_service_weight
        self.score_weights = {"service": w, "upward": 1.0 - w}  # what the county scores it on
        self.overloaded = False
        self.work_fraction = 1.0  # share of each case's needed work done today (``workload``)
        self.period_cases = self.period_late = 0
        self.duty_mark = 0.0  # duty hours done at the last assessment
        # hours spent since the counted window began: on cases, owed upward duties (dumped tasks,
        # inspections), elective paperwork and elective service to residents (outreach)
        self.hours = {"cases": 0.0, "duties": 0.0, "paperwork": 0.0, "outreach": 0.0}
        self._refer_chances: tuple[object, dict] | None = None  # (params, {matter: (handled, chance)})

    @classmethod
    def create(
        cls,
        model,
        index: int,
        hid: int,
        name: str,
        staff: float,
        residents: int,
        citizen_range: tuple[int, int],
        delegated: frozenset[int],
    ) -> Township:
        """Township ``index`` of ``model`` with its handler ``hid`` of ``staff`` persons, its residents, its
        Citizens' rows ``citizen_range`` and the delegated matter types it holds."""
        town = cls(model, index, Handler(hid, "township", index, name, staff), residents, citizen_range)
        town.delegated = delegated
        return town

    # --- decisions (formulas in the mechanism modules) ---------------------
    def split_day(self) -> None:
        """Decide how to spend today's hours (see ``inspection.day_split``): what the township is
        scored on more comes first; the hours its queues leave are split by its scoring weights."""
        self.handler.duty_cap = inspection.duty_cap(self)

    def account_day(self) -> None:
        """Book today's hours by use (after the day's work)."""
        h = self.handler
        slack = max(h.capacity_hours - h.worked_today - h.duty_today, 0.0)
        paper, outreach = inspection.split_slack(self, slack)
        self.hours["cases"] += h.worked_today
        self.hours["duties"] += h.duty_today
        self.hours["paperwork"] += paper
        self.hours["outreach"] += outreach

    def decide_work_fraction(self) -> None:
        """Set today's work fraction from its queue and its cases' deadlines (``workload``)."""
        self.work_fraction = workload.decide(self)

    def decide_gaming(self) -> bool:
        """Close one of its at-risk cases without solving it? (``gaming``: the cost of being late against
        the expected penalty of being caught and its scruples)."""
        return games(self)

    def refer_up_chances(self, matters: list[int]) -> list[float]:
        """Chance of referring up a new delegated case of each matter type to its department (while competence
        is low, ``delegation``); ``intake.refer_up`` draws for a batch, in filing order. Each matter type's
        chance is kept until its handled count or the parameters change (compiled twin: ``kernel.referup``)."""
        params, handled = self.model.params, self.handled
        if self._refer_chances is None or self._refer_chances[0] is not params:
            self._refer_chances = (params, {})
        memo = self._refer_chances[1]
        out = []
        for m in matters:
            h = handled.get(m, 0)
            got = memo.get(m)
            if got is None or got[0] != h:
                got = memo[m] = (h, delegation.refer_up_probability(params, delegation.competence(params, h)))
            out.append(got[1])
        return out

    def accept_disputes(self, grid_hours: np.ndarray) -> np.ndarray:
        """Which of a batch of early-detected disputes its mediators take on (True) rather than send to the
        township's general handling: those whose expected success at the hours they can give reaches
        ``mediation_accept_threshold`` (``grid.expected_mediation_hours``; ``grid_hours``: a grid worker's
        mediation hours on each, 0 for one reported by app)."""
        return grid.accepts_mediation(self.model.params, grid.expected_mediation_hours(self, grid_hours))

    def assess(self) -> None:
        """Be scored by the county on the period's late cases and duty work left undone (``assessment``)."""
        done = self.handler.duty_total - self.duty_mark
        self.duty_mark = self.handler.duty_total
        assessment.update_township(self, done, self.model.params)

    @property
    def backlog(self) -> int:
        return self.handler.open_tasks

    @property
    def utilisation(self) -> float:
        return self.handler.utilisation_today

    @property
    def staff(self) -> float:
        return self.handler.staff

    @property
    def inspection_load(self) -> float:
        """Hours per day taken by inspections (督查检查考核)."""
        return inspection.daily_inspection_hours(self.model.params)

    def competence(self, matter: int) -> float:
        return delegation.competence(self.model.params, self.handled.get(matter, 0))


class _RowAgent(mesa.Agent):
    """An agent whose state is row ``idx`` of the model's arrays."""

    _arrays = ""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    def _get(self, name):
        return getattr(self.model, self._arrays)[name][self.idx]

    @property
    def township(self) -> int:
        return int(self._get("township"))

    @property
    def satisfaction(self) -> float:
        return float(self._get("satisfaction"))

    @property
    def trips(self) -> int:
        """Trips made for all closed requests so far."""
        return int(self._get("trips"))

    @property
    def online_propensity(self) -> float:
        """Its current probability of filing online (``channel``)."""
        st = getattr(self.model, self._arrays)
        return float(
            channel.online_probability(
                self.model.params, st["exp_online"][self.idx : self.idx + 1], st["exp_offline"][self.idx : self.idx + 1]
            )[0]
        )

    # --- decisions of all agents of the class at once (vectorised over rows) ---
    @classmethod
    def state(cls, model) -> dict:
        return getattr(model, cls._arrays)

    @classmethod
    def choose_channel(cls, model, rows: np.ndarray, township_held: np.ndarray, farther_hours) -> np.ndarray:
        """Channel of each new request of rows ``rows`` (``channel``): online, hall or seat (twin: ``kernel.route``)."""
        st = cls.state(model)
        u1 = model.rng.random(len(rows))
        u2 = model.rng.random(len(rows))
        return channel.choose(
            model.params, u1, u2, st["exp_online"][rows], st["exp_offline"][rows], farther_hours, township_held
        )

    @classmethod
    def judge(cls, model, rows: np.ndarray, s_case: np.ndarray, trips: np.ndarray, online: np.ndarray) -> None:
        """Update satisfaction, trips and channel memories from closed cases, in order (twin: ``kernel.feedback``)."""
        st = cls.state(model)
        alpha = model.params.satisfaction_learning
        if model.compiled:  # the same updates, case by case in the kernel (``kernel.judge``)
            model.engine.judge(st, rows, s_case, trips, online, float(alpha))
            return
        satisfaction.ewma_update(st["satisfaction"], rows, s_case, alpha)
        np.add.at(st["trips"], rows, trips.astype(st["trips"].dtype))
        satisfaction.ewma_update(st["exp_online"], rows[online], s_case[online], alpha)
        satisfaction.ewma_update(st["exp_offline"], rows[~online], s_case[~online], alpha)


class Enterprise(_RowAgent):
    """An enterprise (企业) in its life-cycle stage (``demand.Stage``: start-up, growth, mature, exited)."""

    _arrays = "enterprise_state"

    @property
    def stage(self) -> int:
        return int(self._get("stage"))


class Citizen(_RowAgent):
    """Residents (群众), ``residents_per_agent`` of them per agent: requests, disputes, patience."""

    _arrays = "citizen_state"

    @property
    def patience(self) -> float:
        """Days a dispute may stay open before it becomes a petition (上访)."""
        return float(self._get("patience"))

    @property
    def residents(self) -> int:
        return int(self.model.params.residents_per_agent)

    @property
    def reporting(self) -> float:
        """Its propensity to report a dispute through the grid app (``grid``)."""
        return float(self._get("report"))

    @classmethod
    def report(cls, model, rows: np.ndarray) -> np.ndarray:
        """Whether each resident reports its new dispute through the app."""
        return model.rng.random(len(rows)) < cls.state(model)["report"][rows]

    @classmethod
    def learn_reporting(cls, model, rows: np.ndarray, acted_on: np.ndarray) -> None:
        """Bush–Mosteller update of app reporting after reports acted on or ignored (``grid``, ``kernel.feedback``)."""
        st = cls.state(model)["report"]
        stim = grid.report_stimulus(model.params, acted_on)
        for r, x in zip(rows.tolist(), stim.tolist()):  # few reports a day; in order
            st[r] = grid.bush_mosteller(st[r], x, model.params.report_learning)

    @classmethod
    def decide_petition(cls, model, rows: np.ndarray) -> np.ndarray:
        """Whether each resident whose dispute drags past its patience petitions (``grid``)."""
        prob = grid.petition_probability(model.params, cls.state(model)["satisfaction"][rows])
        return model.rng.random(len(rows)) < prob


def create_row_agents(model, cls: type[_RowAgent], start: int, n: int) -> list[_RowAgent]:
    """Create ``n`` row agents of ``cls`` for rows ``start … start+n−1``, registered with ``model``.

    As ``[cls(model, i) for i in range(start, start + n)]`` (the same ``unique_id``s in the same order, in
    ``model.agents`` and ``agents_by_type[cls]``) but registered in bulk: Mesa 3.3's weak-key dictionaries
    filled in one C-level pass each, the cyclic garbage collector paused meanwhile (a million one-resident
    Citizens in seconds, not tens of seconds), the hard references in the model's list by row when it keeps
    one (``holders``). Mesa's other registration structures, or a ``cls.__init__`` of its own: one by one."""
    if n <= 0:
        return []
    held = model.held_rows(cls, start) if hasattr(model, "held_rows") else None  # a list by row (``holders``)
    if cls.__init__ is not _RowAgent.__init__ or not gcpolicy.bulk_ok(model):  # e.g. Mesa ≥ 3.4 (no Agent._ids)
        gcpolicy.before_bulk(n)  # a dead earlier large model is freed first on this path too
        made = [cls(model, i) for i in range(start, start + n)]
        return made if held is None else _held(held, made)
    # The first agent the ordinary way: it registers the class with the model and lets
    # CPython set up the class's shared attribute layout, so the bulk-made agents below
    # are as compact as ordinary ones (objects made before it take ~2.5× the memory).
    first = cls(model, start)
    if n == 1:
        return [first] if held is None else _held(held, [first])
    gcpolicy.before_bulk(n)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        new = cls.__new__
        rest = [new(cls) for _ in range(n - 1)]
        counter = mesa.Agent._ids[model]
        step1 = type(counter) is itertools.count and "," not in repr(counter)  # ids consecutive ints
        uids = list(itertools.islice(counter, n - 1))
        idxs = gcpolicy.shared_ints(uids, start + 1) if step1 else range(start + 1, start + n)
        for a, uid, i in zip(rest, uids, idxs):
            a.model = model  # the attributes Agent.__init__ and _RowAgent.__init__ set, in order
            a.unique_id = uid
            a.pos = None
            a.idx = i
        del uids, idxs
        if held is None:
            model._agents.update(zip(rest, itertools.repeat(None)))
        # one weak reference per agent for both weak sets, its callback removing the agent from each (each
        # set's own ``_remove``, which ignores a key already gone): 80 B an agent less than one reference
        # per set; the sets hold, add, remove and drop the agents as with their own references
        sets = (model._agents_by_type[cls]._agents, model._all_agents._agents)
        refs = list(map(weakref.ref, rest, itertools.repeat(gcpolicy.remove_from(*sets))))
        for wkd in sets:
            wkd.data.update(zip(refs, itertools.repeat(None)))
        del refs
    finally:
        if was_enabled:
            gcpolicy.promote()  # long-lived: to the oldest generation without walking them
            gc.enable()
    rest.insert(0, first)
    return rest if held is None else _held(held, rest)  # (the first one is in Mesa's dict too)


def _held(held: list, agents: list) -> list:
    """``agents``, appended to the model's list that holds them by row (``holders``)."""
    held.extend(agents)
    return agents
