"""townsim's model: a county's departments, townships, enterprises and citizens as Mesa agents.

from townsim.model import TownshipModel, Params
m = TownshipModel(Params(), rng=1); m.run(250); m.summary()

The names below are imported on first use (``import townsim.model.params`` does not import Mesa).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

_EXPORTS = {
    "TownshipModel": "model",
    "Params": "params",
    "ParamsError": "params",
    "simulate": "warmstart",
    "Department": "agents",
    "Township": "agents",
    "Enterprise": "agents",
    "Citizen": "agents",
    "HOURS_PER_DAY": "params",
    "SCENARIO_DIR": "paths",
}
__all__ = [
    "TownshipModel",
    "Params",
    "ParamsError",
    "simulate",
    "Department",
    "Township",
    "Enterprise",
    "Citizen",
    "HOURS_PER_DAY",
    "SCENARIO_DIR",
]
assert set(__all__) == set(_EXPORTS)

if TYPE_CHECKING:
    from .agents import Citizen, Department, Enterprise, Township
    from .model import TownshipModel
    from .params import HOURS_PER_DAY, Params, ParamsError
    from .paths import SCENARIO_DIR
    from .warmstart import simulate


def __getattr__(name: str):
    where = _EXPORTS.get(name)
    if where is None:  # a submodule not imported yet (``townsim.model.metrics``), as before
        if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return importlib.import_module(f".{name}", __name__)
    value = getattr(importlib.import_module(f".{where}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
