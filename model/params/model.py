"""``Params``: the one validated, immutable parameter model, made of the parameter groups, with its checks
across fields and its one-line errors."""

from __future__ import annotations

import sys
from typing import Any

from pydantic import ConfigDict, ValidationError, field_validator, model_validator

from .assessment import Assessment, Dumping
from .centre import Centre
from .constants import BehaviourConstants
from .county import County, Engine
from .demand import Delegation, Demand
from .errors import ParamsError, allowed_values, one_line_error
from .grid import Feedback, Grid
from .incentives import Incentives
from .memory import estimated_memory_bytes
from .rule135 import Rule135


class Params(  # the groups in reverse: pydantic takes the fields of the last base first (table order)
    BehaviourConstants,
    Incentives,
    Feedback,
    Grid,
    Dumping,
    Assessment,
    Rule135,
    Centre,
    Delegation,
    Demand,
    Engine,
    County,
):
    """All levers and sizes of one simulated county (immutable)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, ser_json_inf_nan="constants")

    @field_validator("reform_half_life_days", "reform_renewal_days", mode="before")
    @classmethod
    def _none_is_never(cls, v):
        """``None`` (how JSON writes ∞) means never: infinite."""
        return float("inf") if v is None else v

    @model_validator(mode="after")
    def _consistent(self) -> Params:
        if any(not (0 < d <= 250) for d in self.tier_deadlines):
            raise ValueError("tier_deadlines: each deadline must be in (0, 250] working days")
        if list(self.tier_deadlines) != sorted(self.tier_deadlines):
            raise ValueError("tier_deadlines: must be non-decreasing (tier 1 ≤ tier 3 ≤ tier 5)")
        if any(not (0 < h <= 1000) for h in self.difficulty_hours):
            raise ValueError("difficulty_hours: each must be in (0, 1000] hours")
        if any(not (0 <= h <= 1000) for h in self.coordination_hours):
            raise ValueError("coordination_hours: each must be in [0, 1000] hours")
        return self

    # --- helpers -----------------------------------------------------------
    @classmethod
    def build(cls, **values: Any) -> Params:
        """Validate ``values``; raise :class:`ParamsError` with a one-line message on failure."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise one_line_error(exc, cls.model_fields) from None

    def replace(self, **changes: Any) -> Params:
        """A validated copy with ``changes`` applied."""
        return Params.build(**{**self.model_dump(), **changes})

    @property
    def citizen_agents(self) -> int:
        """Number of Citizen agents (residents / residents_per_agent, rounded up)."""
        return -(-self.residents // self.residents_per_agent)

    @model_validator(mode="after")
    def _fits_in_memory(self) -> Params:
        """Refuse a county whose agents cannot fit in this machine's memory (estimate in the message)."""
        need, have = estimated_memory_bytes(self), _machine_memory()
        if have is not None and need > have:
            agents = self.citizen_agents + self.enterprises
            raise ValueError(
                f"residents: {self.residents:,} residents at {self.residents_per_agent:,} per agent and "
                f"{self.enterprises:,} enterprises give {agents:,} agents, ≈ {need / 1024**3:,.1f} GiB of memory; "
                f"this machine has {have / 1024**3:,.1f} GiB; raise residents_per_agent or lower residents"
            )
        return self


def _machine_memory() -> int | None:
    """This machine's memory (``memory.memory_limit_bytes``), looked up on the package at each call so that
    a caller can substitute it there (``townsim.model.params.memory_limit_bytes``)."""
    return sys.modules[__name__.rpartition(".")[0]].memory_limit_bytes()


def allowed_range(name: str) -> str:
    """Human-readable allowed values of field ``name`` (e.g. '[0, 1]', 'one of a, b')."""
    return allowed_values(Params.model_fields[name])


def params_error(exc: ValidationError) -> ParamsError:
    """Turn pydantic's error on ``Params`` into one line: field, what was given, what is allowed."""
    return one_line_error(exc, Params.model_fields)
