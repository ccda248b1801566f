"""Plug-in test functions for ``townsim discover`` (``evaluate = "module:function"``).

:func:`known_box` is 1 exactly inside a box of two of five inputs and 0
elsewhere, so PRIM must find that box and restrict nothing else.
"""

from __future__ import annotations

import time

KNOWN_BOX = {"x2": (0.2, 0.7), "x4": (0.5, 0.9)}
"""The box of :func:`known_box` (inputs x1..x5 on [0, 1]; x1, x3 and x5 play no part)."""


def known_box(params: dict, seed: int) -> dict:
    """``{"y": 1.0}`` when every input of :data:`KNOWN_BOX` lies inside its interval, else ``{"y": 0.0}``."""
    inside = all(lo <= float(params[name]) <= hi for name, (lo, hi) in KNOWN_BOX.items())
    return {"y": 1.0 if inside else 0.0}


def known_box_slow(params: dict, seed: int) -> dict:
    """:func:`known_box` taking 10 ms a call (for tests that stop a run half-way)."""
    time.sleep(0.01)
    return known_box(params, seed)
