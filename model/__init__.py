"""townsim's model: a county's departments, townships, enterprises and citizens as Mesa agents.

from townsim.model import TownshipModel, Params
m = TownshipModel(Params(), rng=1); m.run(250); m.summary()
"""

from .agents import Citizen, Department, Enterprise, Township
from .model import SCENARIO_DIR, TownshipModel, simulate
from .params import HOURS_PER_DAY, Params, ParamsError

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
