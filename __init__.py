"""townsim: township governance reform in a Chinese county, simulated with Mesa.

The repository root is the ``townsim`` package: ``townsim.model`` (the Mesa model),
``townsim.experiments`` (the command line and experiment pipeline), ``townsim.viz``
(the teaching app). The documented API::

    from townsim import TownshipModel, Params
    m = TownshipModel(Params(), rng=1); m.run(250); m.summary()

``import townsim`` is light (no Mesa, pandas or matplotlib): the model is imported on first
use of one of these names, so the command line starts quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["TownshipModel", "Params", "ParamsError", "simulate"]

if TYPE_CHECKING:
    from .model import Params, ParamsError, TownshipModel, simulate


# Every experiment from Python (``townsim.compare(...)`` …) and the teaching app's page in a notebook
# cell, imported on first use (PEP 562) so that ``import townsim`` stays quick.
_EXPERIMENTS = ("compare", "sweep", "sensitivity", "discover", "validate", "calibrate", "robust", "Results")


def __getattr__(name: str):
    # pytest also imports this file as the package of the checkout's folder (``main``, ``ci-1a2b``, …),
    # where there is nothing to export: only the installed package ``townsim`` imports the model.
    if name in __all__ and __name__ == "townsim":
        from . import model  # deferred: the quick start: `import townsim` stays light, the model loads on first use

        value = getattr(model, name)
        globals()[name] = value
        return value
    if name in _EXPERIMENTS and __name__ == "townsim":
        from townsim.experiments import api  # deferred: the quick start (as above)

        return getattr(api, name)
    if name == "app" and __name__ == "townsim":
        from townsim.viz.notebook import app  # deferred: the quick start; solara is an optional extra [viz]

        return app
    if name in ("model", "experiments", "viz") and __name__ == "townsim":
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__, *_EXPERIMENTS, "app"])
