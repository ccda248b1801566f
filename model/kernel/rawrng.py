"""The model's random Generator handed to a kernel as five addresses instead of the Generator object.

Numba unboxes a ``np.random.Generator`` argument at every call by reading its bit generator's ctypes
interface (its state's address and three function pointers, each through ``ctypes.cast``): ~3.5 µs a call
on an idle machine, ~6 µs within a day's run, more than the arithmetic of the day's small kernel calls.
The addresses do not change for the Generator's life (its bit generator and state are fixed; setting a
state writes into the same memory), so :func:`addresses` reads them once per Generator and a kernel
rebuilds the same Generator value from them with :func:`generator` (numba's own structure, without a
Python parent: it is never handed back). Its draws are the Generator's own (the same bit generator's
functions on the same state, numba's ``Generator`` methods); ``tests/test_day6_judge.py`` compares them.
"""

from __future__ import annotations

import ctypes
from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.extending import intrinsic

_KEPT: dict[int, tuple] = {}  # id(Generator) -> (the Generator, kept alive so that its id is not reused; addresses)
_MOST = 256


def addresses(rng) -> tuple[int, int, int, int, int]:
    """The state's and bit generator functions' addresses of Generator ``rng`` (read once per Generator):
    state address, state, ``next_uint64``, ``next_uint32``, ``next_double``."""
    kept = _KEPT.get(id(rng))
    if kept is not None and kept[0] is rng:
        return kept[1]
    ct = rng.bit_generator.ctypes
    cast, void = ctypes.cast, ctypes.c_void_p
    out = (
        _address(ct.state_address),
        _address(ct.state.value),
        _address(cast(ct.next_uint64, void).value),
        _address(cast(ct.next_uint32, void).value),
        _address(cast(ct.next_double, void).value),
    )
    if len(_KEPT) >= _MOST:  # many models made in one process: forget the older Generators
        _KEPT.clear()
    _KEPT[id(rng)] = (rng, out)
    return out


def _address(value: int | None) -> int:
    """A pointer's address (ctypes gives None for a null pointer: never one of a live Generator's)."""
    if not value:
        raise ValueError("a null pointer in the Generator's interface")
    return int(value)


_GENERATOR = types.NumPyRandomGeneratorType("NumPyRandomGeneratorType")
_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")


@intrinsic
def _generator(typingctx, addrs):
    """The Generator whose :func:`addresses` are ``addrs`` (a tuple of five int64), as numba's value of it."""
    if not (isinstance(addrs, types.UniTuple) and addrs.count == 5 and isinstance(addrs.dtype, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        state_address, state, next_u64, next_u32, next_double = cgutils.unpack_tuple(builder, args[0], 5)
        uintp = context.get_value_type(types.uintp)
        bits = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        bits.parent = cgutils.get_null_value(context.get_value_type(types.pyobject))
        bits.state_address = builder.bitcast(state_address, uintp)
        bits.state = builder.bitcast(state, uintp)
        bits.fnptr_next_uint64 = builder.bitcast(next_u64, uintp)
        bits.fnptr_next_uint32 = builder.bitcast(next_u32, uintp)
        bits.fnptr_next_double = builder.bitcast(next_double, uintp)
        bits.bit_generator = ir.Constant(uintp, 0)
        gen = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        gen.bit_generator = bits._getvalue()
        gen.meminfo = cgutils.get_null_value(context.get_value_type(types.MemInfoPointer(types.voidptr)))
        gen.parent = cgutils.get_null_value(context.get_value_type(types.pyobject))
        return gen._getvalue()

    return _GENERATOR(addrs), codegen


generator: Any = _generator
"""The intrinsic ``_generator``, called in a kernel as ``generator(addrs)`` (numba supplies its typing context)."""
