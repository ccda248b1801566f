"""Calls into the kernel without numba's type dispatch, for the calls made thousands of times a run.

Numba resolves a compiled function's overload from its arguments' types on every call: with the ~50
arrays a day's call hands over that costs about as much as unboxing them (~20 µs a call on the
development machine). :class:`Direct` makes its first call through the dispatcher, then calls the one
compiled overload's entry point, which unboxes the arguments as that overload's types say. The
compiled engine's arguments keep their types for a model's life (arrays it allocated, C-contiguous,
of fixed dtypes; the same scalars), so the overload found first stays the right one; a dispatcher
with more than one overload is always called through the dispatcher. ``TOWNSIM_KERNEL_CHECK=1`` (the
tests set it) checks every call's argument types against that overload's and raises ``TypeError``
when they differ. Numba's own typing of ~50 arguments costs ~0.7 ms a call, so the check first reads a
cheap key of each argument (an array's dtype, dimensions and flags, a scalar's or object's class, a tuple's
keys): a key seen before is one whose numba types were already found equal to the overload's (the same
key gives the same numba type), so only a new key is typed by numba (~15 µs a call otherwise).
"""

from __future__ import annotations

import os

import numpy as np

CHECK = os.environ.get("TOWNSIM_KERNEL_CHECK", "") not in ("", "0")


class Direct:
    """A compiled function, called through its one overload's entry point after the first call."""

    __slots__ = ("disp", "entry", "sig", "seen")

    def __init__(self, disp):
        self.disp = disp
        self.entry = None
        self.sig = None
        self.seen: set = set()  # argument keys (``key``) whose numba types were found to be the overload's

    def __deepcopy__(self, memo) -> Direct:
        """The same object: a compiled function holds no model's state, and copying it would pickle numba's
        dispatcher (about a third of the CPU of copying a warmed default county, ``model.warmstart``)."""
        return self

    def __copy__(self) -> Direct:
        return self

    def __call__(self, *args):
        entry = self.entry
        if entry is not None:
            if CHECK:
                self.check(args)
            return entry(*args)
        out = self.disp(*args)
        if len(getattr(self.disp, "overloads", ())) == 1:  # (a plain function, e.g. a timing wrapper: always)
            sig = self.disp.signatures[0]
            # a numba without the overload's entry point keeps calling through the dispatcher
            self.entry = getattr(self.disp.overloads[sig], "entry_point", None)
            self.sig = sig if self.entry is not None else None
        return out

    def check(self, args) -> None:
        """Raise ``TypeError`` when the arguments' numba types are not the overload's (numba types only
        arguments whose ``key`` was not seen before)."""
        try:
            k: tuple | None = tuple(map(key, args))
        except Uncached:
            k = None
        if k in self.seen:
            return
        got = tuple(self.disp.typeof_pyval(a) for a in args)
        want = tuple(self.sig or ())
        if got != want:
            bad = [i for i, (a, b) in enumerate(zip(got, want)) if a != b]
            raise TypeError(f"{self.disp.__name__}: argument types changed at positions {bad}: {got} != {want}")
        if k is not None:
            self.seen.add(k)


class Uncached(Exception):
    """An argument whose numba type its key cannot tell (numba types such a call's arguments every time)."""


_ARRAY, _TUPLE = np.ndarray, tuple
_BY_CLASS = (float, bool, str, type(None), np.generic, np.random.Generator)


def key(a):
    """What decides an argument's numba type, read cheaply: an array's dtype, dimensions and flags (layout,
    writeable, aligned: numba's array type is made of these); a tuple's items' keys; a float, bool, str,
    None, NumPy scalar or random Generator its class (numba types them by class alone); an int its class
    and whether it fits 64 signed bits. Anything else raises :class:`Uncached` (typed at every call)."""
    t = type(a)
    if t is _ARRAY:
        return (a.dtype, a.ndim, a.flags.num)
    if t is _TUPLE:
        return tuple(map(key, a))
    if t is int:
        return (t, -(2**63) <= a < 2**63)
    if isinstance(a, _BY_CLASS):
        return t
    raise Uncached(t)
