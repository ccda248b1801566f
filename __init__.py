"""townsim: township governance reform in a Chinese county, simulated with Mesa.

The repository root is the ``townsim`` package: ``townsim.model`` (the Mesa model),
``townsim.experiments`` (the command line and experiment pipeline), ``townsim.viz``
(the teaching app). The documented API::

    from townsim import TownshipModel, Params
    m = TownshipModel(Params(), rng=1); m.run(250); m.summary()
"""

# pytest imports this file on its own, as the module ``__init__``, when the checkout's folder name is not a
# Python identifier (``wt-render``, a CI folder ``ci-1a2b``): there is no package then to import from.
if __package__:
    from .model import Params, ParamsError, TownshipModel, simulate

__all__ = ["TownshipModel", "Params", "ParamsError", "simulate"]
