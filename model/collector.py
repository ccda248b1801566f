"""The daily KPI collection: Mesa's ``DataCollector``, with a cheap ``collect``.

Mesa's ``collect`` calls one reporter per KPI and deep-copies each value, then one reporter
per agent and variable; at ~40 KPIs and ~30 agents that is ~0.16 ms a day, a quarter of a
day with no demand. :class:`DailyCollector` keeps Mesa's tables and readers
(``get_model_vars_dataframe``, ``get_agenttype_vars_dataframe``) and fills them from the day's
KPI row (numbers, so a copy is the value itself) and the agents' attributes, read each day and
made into Mesa's columns and records when a table is read: the same records, in the same order.
If Mesa's internal tables are not the expected ones, it falls back to Mesa's own ``collect``.
"""

from __future__ import annotations

import operator
from copy import deepcopy
from operator import attrgetter

import mesa

_NUMBERS = frozenset((int, float, bool))


class DailyCollector(mesa.DataCollector):
    """``model.kpi_today[k]`` for each KPI name, and agent-type variables read as attributes."""

    def __init__(self, kpis, agenttype_reporters: dict[type, dict[str, str]], fixed: dict[type, str] | None = None):
        """``fixed``: agent classes whose agents the model holds, in their AgentSet's order, in a list attribute
        (class → the attribute's name) and never adds or removes after construction; their records are read
        from that list, with the agents' unique ids read once, by the class's reader when
        ``agenttype_reporters`` has one for its attributes (a ``readers`` mapping: class → (the attributes, a
        function ``(model, agents)`` → their values per agent), ``reporting.AgentColumns``)."""
        super().__init__(
            model_reporters={k: (lambda m, k=k: m.kpi_today[k]) for k in kpis},
            agenttype_reporters=agenttype_reporters,
        )
        self._kpis = tuple(kpis)
        self._attrs = {cls: tuple(rep.values()) for cls, rep in agenttype_reporters.items()}
        self._getters = {cls: attrgetter(*attrs) for cls, attrs in self._attrs.items() if attrs}  # C-level reads
        self._fixed = dict(fixed or {})
        self._uids: dict[type, tuple[list, list]] = {}  # class → (its agents' list, their unique ids)
        readers = getattr(agenttype_reporters, "readers", {})
        self._readers = {cls: rd[1] for cls, rd in readers.items() if rd[0] == self._attrs.get(cls)}

    def _fast_ok(self) -> bool:
        if getattr(self, "_checked", False):  # Mesa's tables keep their types once checked
            return True
        self._checked = (
            isinstance(getattr(self, "model_vars", None), dict)
            and isinstance(getattr(self, "_agenttype_records", None), dict)
            and not self.agent_reporters
            and all(isinstance(self.model_vars.get(k), list) for k in self._kpis)
        )
        return self._checked

    def _clock(self, model) -> tuple[str, bool]:
        """(The model's attribute Mesa keys records by: ``time`` in Mesa ≥ 3.4, ``steps`` in 3.3; whether this
        collector keeps the clock of each collection, as Mesa ≥ 3.4's does), found on the first collection (both
        fixed by Mesa's version)."""
        clock = self.__dict__.get("_clock_kept")
        if clock is None:
            clock = self._clock_kept = (
                "time" if hasattr(model, "time") else "steps",
                hasattr(self, "_collection_steps"),
            )
        return clock

    def collect(self, model) -> None:
        by_type = model.agents_by_type
        if not self._fast_ok() or not by_type.keys() >= self._attrs.keys():
            super().collect(model)
            return
        self._append_kpis(model.kpi_today)
        clock, kept_steps = self._clock(model)
        step = getattr(model, clock)
        if kept_steps:
            self._collection_steps.append(step)
        day: list[tuple[type, list | None, list]] = []  # per class: (ids, each agent's values) or (None, records)
        readers = self.__dict__.get("_readers") or {}  # (a collector pickled before the readers: none)
        for cls, attrs in self._attrs.items():
            agents = by_type.get(cls, ())
            getter = self._getters.get(cls)
            held = self._held(model, cls, agents)
            if held is not None and cls in readers:
                day.append((cls, held[1], readers[cls](model, held[0])))
                continue
            if held is not None and getter is not None and len(attrs) > 1:
                try:
                    day.append((cls, held[1], list(map(getter, held[0]))))
                    continue
                except AttributeError:  # a variable missing on some agent: Mesa's reading below
                    pass
            day.append((cls, None, _records(step, agents, attrs, getter)))
        self._agents_pending().append((step, day))

    def _agents_pending(self) -> list:
        """The days' agent values not yet made into Mesa's records (:attr:`_agenttype_records` makes them)."""
        pending = self.__dict__.get("_agent_pending")
        if pending is None:
            pending = self.__dict__["_agent_pending"] = []
        return pending

    @property
    def _agenttype_records(self) -> dict:
        """Mesa's table of agent records (step → class → [(step, unique id, *values)]), the days collected since
        it was last read made into records first: ``collect`` keeps each day's values as they were read, the
        records' tuples made only when the table is read (most runs never read it)."""
        d = self.__dict__
        if "_agent_table" not in d:  # (a collector pickled before the records were deferred keeps Mesa's name)
            d["_agent_table"] = d.pop("_agenttype_records", {})
        table = d["_agent_table"]
        pending = d.get("_agent_pending")
        if pending:
            for step, day in pending:
                table[step] = {
                    cls: values if uids is None else [(step, uid, *vals) for uid, vals in zip(uids, values)]
                    for cls, uids, values in day
                }
            pending.clear()
        return table

    @_agenttype_records.setter
    def _agenttype_records(self, table: dict) -> None:
        self.__dict__["_agent_table"] = table
        self.__dict__["_agent_pending"] = []

    def _table(self) -> tuple[dict, list]:
        """(The KPI columns, the days' values not yet appended to them)."""
        d = self.__dict__
        mv = d.get("_model_vars")
        if mv is None:  # (a collector pickled before the columns were deferred keeps them under Mesa's name)
            mv = d["_model_vars"] = d.pop("model_vars", {})
        return mv, d.setdefault("_pending", [])

    @property
    def model_vars(self) -> dict:
        """Mesa's table of KPI columns (name → list of daily values), the days collected since it was last read
        appended first (:meth:`_append_kpis` keeps each day's values as one tuple until then)."""
        mv, pending = self._table()
        if pending:
            for column, values in zip([mv[k] for k in self._kpis], zip(*pending)):
                column.extend(values)
            pending.clear()
        return mv

    @model_vars.setter
    def model_vars(self, table: dict) -> None:
        self.__dict__["_model_vars"] = table
        self.__dict__["_pending"] = []

    def _append_kpis(self, row: dict) -> None:
        """Keep today's value of each KPI (a value that is not a plain number deep-copied, as Mesa does) as one
        tuple, appended to the columns when :attr:`model_vars` is next read: one append a day, not one a KPI."""
        get = self.__dict__.get("_kpi_getter")
        if get is None:
            kpis = self._kpis
            get = self._kpi_getter = operator.itemgetter(*kpis) if len(kpis) > 1 else (lambda r: (r[kpis[0]],))
        values = get(row)
        if not set(map(type, values)) <= _NUMBERS:
            values = tuple(v if type(v) in _NUMBERS else deepcopy(v) for v in values)
        pending = self.__dict__.get("_pending")
        if pending is None:
            pending = self._table()[1]
        pending.append(values)

    def _held(self, model, cls, agents) -> tuple[list, list] | None:
        """(The model's list of ``cls``'s agents, their unique ids) for a ``fixed`` class whose list holds as many
        agents as its AgentSet; else None (read through the AgentSet)."""
        name = getattr(self, "_fixed", {}).get(cls)  # (a collector pickled before ``fixed`` was kept: none)
        if name is None:
            return None
        held = getattr(model, name)
        memo = self.__dict__.setdefault("_uids", {})
        got = memo.get(cls)
        if got is None or got[0] is not held:
            got = memo[cls] = (held, [a.unique_id for a in held])
        return got if len(held) == len(agents) == len(got[1]) else None


def _records(step, agents, attrs: tuple, getter) -> list[tuple]:
    """(step, unique id, each variable) per agent; a missing variable is None (Mesa's reading)."""
    if getter is not None:
        try:
            if len(attrs) == 1:  # attrgetter of one name returns the value itself
                return [(step, a.unique_id, getter(a)) for a in agents]
            return [(step, a.unique_id, *getter(a)) for a in agents]
        except AttributeError:  # a variable missing on some agent: read one by one
            pass
    return [(step, a.unique_id, *[getattr(a, n, None) for n in attrs]) for a in agents]
