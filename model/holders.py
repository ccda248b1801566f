"""The hard references to a model's bulk-made residents: a list by row instead of Mesa's dict of all agents.

Mesa keeps every agent alive through ``Model._agents``, a dict (agent → None) whose table costs ~36 B an
agent at a million entries; its AgentSets hold the agents weakly. A model with :class:`RowHolding` names
the row-agent classes whose agents ``agents.create_row_agents`` keeps in a list indexed by row instead
(``row_held``: 8 B an agent; 30 MiB less at Linping's 1.18 M one-resident citizens), and deregisters them
as Mesa does: they are in ``model.agents`` and ``agents_by_type`` as before, ``agent.remove()`` and
``remove_all_agents()`` remove them. Agents made the ordinary way (Mesa ≥ 3.4, where the bulk path is not
taken, and each batch's first agent) are in both Mesa's dict and the list.
"""

from __future__ import annotations

import mesa


class RowHolding:
    """A ``mesa.Model`` mixin: ``row_held`` maps a row-agent class to the list holding its agents by row index
    (None where one was removed); set it before making them."""

    row_held: dict[type, list]

    def held_rows(self, cls: type, start: int) -> list | None:
        """The list that is to hold ``cls``'s agents from row ``start`` on (None: Mesa's dict holds them)."""
        held = self.__dict__.get("row_held", {}).get(cls)
        return held if held is not None and len(held) == start else None

    def deregister_agent(self, agent: mesa.Agent) -> None:
        """Mesa's ``deregister_agent``, for an agent held by row as well (its row's reference dropped)."""
        held = self.__dict__.get("row_held", {}).get(type(agent))
        idx = getattr(agent, "idx", -1)
        ours = held is not None and 0 <= idx < len(held) and held[idx] is agent
        if ours:
            held[idx] = None
        mesa_dict = self.__dict__.get("_agents")  # Mesa 3.3's hard references (none in Mesa ≥ 3.4)
        if ours and mesa_dict is not None and agent not in mesa_dict:  # held by the list alone: Mesa's steps but that
            self._agents_by_type[type(agent)].remove(agent)  # type: ignore[attr-defined]
            self._all_agents.remove(agent)  # type: ignore[attr-defined]
            return
        super().deregister_agent(agent)  # type: ignore[misc]

    def remove_all_agents(self) -> None:
        """Mesa's ``remove_all_agents``, the agents held by row included."""
        super().remove_all_agents()  # type: ignore[misc]
        for held in self.__dict__.get("row_held", {}).values():
            for agent in [a for a in held if a is not None]:
                agent.remove()
