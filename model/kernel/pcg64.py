"""Uniform draws of a PCG64 Generator computed in the kernel, two runs of draws at once.

Numpy's ``Generator.random`` (and numba's, through the bit generator's function pointer) makes each double
from the PCG64 state in turn: ``state ← state × M + inc`` (mod 2¹²⁸), the output ``rotr64(hi ⊕ lo, hi >> 58)``,
the double ``(output >> 11) × 2⁻⁵³``. A draw waits for the previous one's 128-bit product (~5.5 ns a draw on
the development machine, called through the pointer). :func:`fill_pair` makes two consecutive runs of
draws (``u`` then ``v``, as ``rng.random(n)`` twice) as two independent chains interleaved, the second
started from the state ``n`` steps ahead (PCG's jump ahead, ``_advance``), and leaves the state where the
second run's draws leave it: the same doubles and the same final state as numpy's, ~3 ns a draw (3,054
draws of the firms' life cycle a day: ~17 against ~9 µs). :func:`pair_start` and :func:`draw` are the chains' steps:
``kernel.feedback`` takes the life cycle's two runs with them row by row as it moves the firms' rows. The 128-bit
products are LLVM's ``i128`` (one intrinsic, ``_muladd``).

:func:`state_view` gives a PCG64 Generator's state (low and high halves of the state, then of the increment)
as a ``uint64[4]`` array viewing the bit generator's own memory (read once per Generator, kept with it: a
copied Generator has its own memory and gets its own view); None for another bit generator.
``tests/test_day9_empty_day.py`` compares the draws and the state with numpy's.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic

_MULT_LO, _MULT_HI = 4865540595714422341, 2549297995355413924  # PCG's default 128-bit multiplier, halves
_U64X2 = types.UniTuple(types.uint64, 2)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2⁻⁵³


@intrinsic
def _muladd_intrinsic(typingctx, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi):
    """``(a × b + c) mod 2¹²⁸`` of three 128-bit numbers given as (low, high) uint64 halves; (low, high)."""
    sig = _U64X2(*([types.uint64] * 6))

    def codegen(context, builder, sig, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        shift = ir.Constant(i128, 64)
        a, b, c = (
            builder.or_(builder.shl(builder.zext(args[i + 1], i128), shift), builder.zext(args[i], i128))
            for i in (0, 2, 4)
        )
        s = builder.add(builder.mul(a, b), c)
        hi = builder.trunc(builder.lshr(s, shift), i64)
        return context.make_tuple(builder, sig.return_type, (builder.trunc(s, i64), hi))

    return sig, codegen


_muladd: Any = _muladd_intrinsic
"""The intrinsic, called in a kernel as ``_muladd(a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)`` (numba supplies its typing
context)."""


@njit(cache=True, inline="always")
def _double(lo, hi):
    """The double numpy's PCG64 ``next_double`` makes from the (already stepped) state ``(lo, hi)``."""
    x = hi ^ lo
    r = hi >> np.uint64(58)
    out = (x >> r) | (x << ((np.uint64(64) - r) & np.uint64(63)))
    return np.float64(out >> np.uint64(11)) * _TO_DOUBLE


@njit(cache=True)
def _advance(lo, hi, inc_lo, inc_hi, n):
    """The state ``(lo, hi)`` advanced ``n`` steps (PCG's jump ahead: ``M^n`` and the increments' sum by
    squaring)."""
    z, one = np.uint64(0), np.uint64(1)
    m_lo, m_hi = np.uint64(_MULT_LO), np.uint64(_MULT_HI)
    c_lo, c_hi = inc_lo, inc_hi
    am_lo, am_hi, ac_lo, ac_hi = one, z, z, z
    d = np.uint64(n)
    while d > 0:
        if d & one:
            am_lo, am_hi = _muladd(am_lo, am_hi, m_lo, m_hi, z, z)
            ac_lo, ac_hi = _muladd(ac_lo, ac_hi, m_lo, m_hi, c_lo, c_hi)
        m1_lo, m1_hi = _muladd(m_lo, m_hi, one, z, one, z)  # c ← (M + 1) c, M ← M²
        c_lo, c_hi = _muladd(m1_lo, m1_hi, c_lo, c_hi, z, z)
        m_lo, m_hi = _muladd(m_lo, m_hi, m_lo, m_hi, z, z)
        d >>= one
    return _muladd(am_lo, am_hi, lo, hi, ac_lo, ac_hi)


@njit(cache=True)
def pair_start(state, n):
    """The two chains of :func:`fill_pair` for runs of ``n`` draws: (first's low, high, second's low, high; the
    increment's low, high), each stepped with :func:`draw`; the second's final state is the Generator's after the
    ``2n`` draws."""
    a_lo, a_hi, inc_lo, inc_hi = state[0], state[1], state[2], state[3]
    b_lo, b_hi = _advance(a_lo, a_hi, inc_lo, inc_hi, n)
    return a_lo, a_hi, b_lo, b_hi, inc_lo, inc_hi


@njit(cache=True, inline="always")
def draw(lo, hi, inc_lo, inc_hi):
    """One draw of the chain at ``(lo, hi)``: its next state's halves and the double (numpy's ``next_double``)."""
    lo, hi = _muladd(lo, hi, np.uint64(_MULT_LO), np.uint64(_MULT_HI), inc_lo, inc_hi)
    return lo, hi, _double(lo, hi)


@njit(cache=True)
def fill_pair(state, u, v):
    """``u[:] = rng.random(n); v[:] = rng.random(n)`` for the PCG64 Generator whose :func:`state_view` is
    ``state`` (``u`` and ``v`` of one length ``n``): the same doubles, the state left after the ``2n`` draws."""
    n = u.shape[0]
    a_lo, a_hi, b_lo, b_hi, inc_lo, inc_hi = pair_start(state, n)
    for i in range(n):
        a_lo, a_hi, u[i] = draw(a_lo, a_hi, inc_lo, inc_hi)
        b_lo, b_hi, v[i] = draw(b_lo, b_hi, inc_lo, inc_hi)
    state[0] = b_lo
    state[1] = b_hi


_VIEWS: dict[int, tuple] = {}  # id(Generator) -> (the Generator, kept alive so that its id is not reused; view)
_MOST = 256
_NONE = np.zeros(0, dtype=np.uint64)  # no view: the kernel draws through the Generator


def state_view(rng) -> np.ndarray:
    """A PCG64 Generator's state as a ``uint64[4]`` view of its memory (read once per Generator); for another
    bit generator an empty array (its draws are made through the Generator)."""
    kept = _VIEWS.get(id(rng))
    if kept is not None and kept[0] is rng:
        return kept[1]
    bg = rng.bit_generator
    view = _NONE
    if type(bg) is np.random.PCG64:
        u64p = ctypes.POINTER(ctypes.c_uint64)
        pcg = ctypes.cast(bg.ctypes.state_address, u64p)[0]  # pcg64_state's first field: the state's address
        view = np.ctypeslib.as_array(ctypes.cast(pcg, u64p), shape=(4,))
        st = bg.state["state"]
        if (int(view[1]) << 64 | int(view[0]), int(view[3]) << 64 | int(view[2])) != (st["state"], st["inc"]):
            view = _NONE  # not the layout expected (low, high halves): the Generator's own draws
    if len(_VIEWS) >= _MOST:  # many models made in one process: forget the older Generators
        _VIEWS.clear()
    _VIEWS[id(rng)] = (rng, view)
    return view
