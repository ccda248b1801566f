"""The one validated, immutable parameter model of townsim (every lever of DESIGN §4).

Each field carries a unit, a default, an allowed range and a one-line
description; ``docs/ODD.md``'s parameter table is generated from here
(``python -m townsim.model.params --markdown``), never typed twice.
Invalid values raise :class:`ParamsError`, whose one-line message names the
field and the allowed range.

One job per module: ``kinds`` (the field helper :func:`P`, the kinds, the groups, the day's hours),
the groups of fields (``county``, ``demand``, ``centre``, ``rule135``, ``assessment``, ``grid``,
``incentives``, ``constants``), ``model`` (:class:`Params` made of them, its checks across fields),
``errors`` (one-line errors and allowed values), ``keys`` (metadata, keyed dumps, assumptions),
``memory`` (the memory a county needs) and ``table`` (the ODD table). Every name is importable from here.
"""

from __future__ import annotations

from .errors import ParamsError
from .keys import (
    describe_range,
    fields_of_kind,
    keyed_dump,
    kind_problems,
    meta,
    off_fields,
    unkeyed_fields,
    with_assumptions,
)
from .kinds import CITE_RE, DISTS, GROUPS, HOURS_PER_DAY, KINDS, SATISFACTION_BASIS, KindError, P, kind_problem
from .memory import BASE_MEMORY_BYTES, BYTES_PER_AGENT, estimated_memory_bytes, memory_limit_bytes
from .model import Params, allowed_range, params_error
from .table import field_table_markdown, kind_cell

__all__ = [
    "BASE_MEMORY_BYTES",
    "BYTES_PER_AGENT",
    "CITE_RE",
    "DISTS",
    "GROUPS",
    "HOURS_PER_DAY",
    "KINDS",
    "SATISFACTION_BASIS",
    "KindError",
    "P",
    "Params",
    "ParamsError",
    "allowed_range",
    "describe_range",
    "estimated_memory_bytes",
    "field_table_markdown",
    "fields_of_kind",
    "keyed_dump",
    "kind_cell",
    "kind_problem",
    "kind_problems",
    "memory_limit_bytes",
    "meta",
    "off_fields",
    "params_error",
    "unkeyed_fields",
    "with_assumptions",
]
