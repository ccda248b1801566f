"""PRIM of scenario discovery: shared with ``robust``, it lives in :mod:`townsim.experiments.core.prim`
(this module keeps the old import path working)."""

from townsim.experiments.core.prim import *  # noqa: F403
from townsim.experiments.core.prim import __all__  # noqa: F401
