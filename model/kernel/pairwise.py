"""NumPy's pairwise summation in the kernel, for means that must equal ``np.mean`` bit for bit.

``np.add.reduce`` of a contiguous array (``metrics.numeric.mean``'s sum) adds its values in a fixed tree: under 8
values one by one; up to 128 in eight running sums added in pairs, then the rest one by one; above that, the two
halves (the first a multiple of 8 long) summed so and added. :func:`tree_sum` adds in the same tree, in the
array's dtype, so a kernel's mean of a row selection is the value ``numeric.mean`` gives for the same values in
the same order (``tests/test_kernel_pairwise.py`` compares them on every length up to 1,100 and on long arrays,
float64 and float32). The tree is walked with an explicit stack: numba cannot load a cached function that calls a
recursive one from another module (``LLVM ERROR: Symbol not found``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .leaf import leaf

_BLOCK = 128  # numpy's PW_BLOCKSIZE
_DEPTH = 128  # nodes on the stack: at most two per halving (a length below 2**63 halves at most 63 times)


@leaf
def block_sum(a, lo, n, zero):
    """numpy's sum of at most 128 values ``a[lo : lo + n]``, in ``a``'s dtype (``zero``: 0 of it): under 8 one by
    one; else eight running sums added in pairs, then the rest one by one."""
    if n < 8:
        res = zero
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    end = lo + n - n % 8
    i = lo + 8
    while i < end:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        res += a[i]
        i += 1
    return res


@njit(cache=True)
def tree_sum(a, lo, n, zero):
    """``a[lo : lo + n]``'s sum in numpy's pairwise tree, in ``a``'s dtype (``zero``: 0 of it): blocks of at most
    128 (:func:`block_sum`); above, the two halves (the first a multiple of 8 long) summed so and added."""
    if n <= _BLOCK:
        return block_sum(a, lo, n, zero)
    # a stack of the nodes being summed (start, length, state 0: go left, 1: go right, 2: add) and of the sums
    s_lo = np.empty(_DEPTH, dtype=np.int64)
    s_n = np.empty(_DEPTH, dtype=np.int64)
    s_state = np.zeros(_DEPTH, dtype=np.int64)
    vals = np.empty(_DEPTH, dtype=a.dtype)
    top, nv = 0, 0
    s_lo[0], s_n[0] = lo, n
    while top >= 0:
        m = s_n[top]
        if m <= _BLOCK:
            vals[nv] = block_sum(a, s_lo[top], m, zero)
            nv += 1
            top -= 1
            continue
        n2 = m // 2
        n2 -= n2 % 8
        state = s_state[top]
        s_state[top] = state + 1
        if state == 0:
            top += 1
            s_lo[top], s_n[top], s_state[top] = s_lo[top - 1], n2, 0
        elif state == 1:
            top += 1
            s_lo[top], s_n[top], s_state[top] = s_lo[top - 1] + n2, m - n2, 0
        else:
            vals[nv - 2] = vals[nv - 2] + vals[nv - 1]
            nv -= 1
            top -= 1
    return vals[0]


@njit(cache=True)
def pairwise_sum(a, lo, n):
    """The sum of ``a[lo : lo + n]`` (float64) in numpy's pairwise order (``np.add.reduce``'s double)."""
    return tree_sum(a, lo, n, 0.0)


@njit(cache=True)
def pairwise_mean(a, n):
    """``np.mean(a[:n])``'s double for float64 ``a`` (NaN when ``n`` is 0, as ``numeric.mean``)."""
    if n == 0:
        return np.nan
    return tree_sum(a, 0, n, 0.0) / n
