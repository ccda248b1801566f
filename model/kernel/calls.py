"""Calls into the kernel without numba's type dispatch, for the calls made thousands of times a run.

Numba resolves a compiled function's overload from its arguments' types on every call: with the ~50
arrays a day's call hands over that costs about as much as unboxing them (~20 µs a call on the
development machine). :class:`Direct` makes its first call through the dispatcher, then calls the one
compiled overload's entry point, which unboxes the arguments as that overload's types say. The
compiled engine's arguments keep their types for a model's life (arrays it allocated, C-contiguous,
of fixed dtypes; the same scalars), so the overload found first stays the right one; a dispatcher
with more than one overload is always called through the dispatcher. ``TOWNSIM_KERNEL_CHECK=1`` (the
tests set it) checks every call's argument types against that overload's and raises ``TypeError``
when they differ.
"""

from __future__ import annotations

import os

CHECK = os.environ.get("TOWNSIM_KERNEL_CHECK", "") not in ("", "0")


class Direct:
    """A compiled function, called through its one overload's entry point after the first call."""

    __slots__ = ("disp", "entry", "sig")

    def __init__(self, disp):
        self.disp = disp
        self.entry = None
        self.sig = None

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
        """Raise ``TypeError`` when the arguments' numba types are not the overload's."""
        got = tuple(self.disp.typeof_pyval(a) for a in args)
        want = tuple(self.sig or ())
        if got != want:
            bad = [i for i, (a, b) in enumerate(zip(got, want)) if a != b]
            raise TypeError(f"{self.disp.__name__}: argument types changed at positions {bad}: {got} != {want}")
