"""townsim: township governance reform in a Chinese county, simulated with Mesa.

The repository root is the ``townsim`` package: ``townsim.model`` (the Mesa model),
``townsim.experiments`` (the command line and experiment pipeline), ``townsim.viz``
(the teaching app). The documented API::

    from townsim import TownshipModel, Params
    m = TownshipModel(Params(), rng=1); m.run(250); m.summary()
"""

# pytest also imports this file as the package of the checkout's folder (``main``, ``ci-1a2b``, …), where
# there is nothing to export: only the installed package ``townsim`` imports the model.
if __name__ == "townsim":
    from .model import Params, ParamsError, TownshipModel, simulate

__all__ = ["TownshipModel", "Params", "ParamsError", "simulate"]

# Every experiment from Python (``townsim.compare(...)`` …), imported on first use (PEP 562) so that
# ``import townsim`` stays quick.
_EXPERIMENTS = ("compare", "sweep", "sensitivity", "discover", "validate", "calibrate", "robust", "Results")


def __getattr__(name: str):
    if name in _EXPERIMENTS:
        from townsim.experiments import api

        return getattr(api, name)
    if name == "app":  # the teaching app's page in a notebook cell
        from townsim.viz.notebook import app

        return app
    raise AttributeError(f"module 'townsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPERIMENTS, "app"])
