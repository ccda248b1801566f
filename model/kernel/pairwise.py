"""NumPy's pairwise summation in the kernel, for means that must equal ``np.mean`` bit for bit.

``np.add.reduce`` of a contiguous float64 array (``metrics.numeric.mean``'s sum) adds its values in a fixed
tree: under 8 values one by one; up to 128 in eight running sums added in pairs, then the rest one by one;
above that, the two halves (the first a multiple of 8 long) summed so and added. :func:`pairwise_sum` adds in
the same tree, so a kernel's mean of a row selection is the double ``numeric.mean`` gives for the same
values in the same order (``tests/test_kernel_pairwise.py`` compares them on every length up to 1,100 and on
long arrays).
"""

from __future__ import annotations

from .leaf import leaf

_BLOCK = 128  # numpy's PW_BLOCKSIZE


@leaf
def pairwise_sum(a, lo, n):
    """The sum of ``a[lo : lo + n]`` (float64) in numpy's pairwise order (``np.add.reduce``'s double)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= _BLOCK:
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
    n2 = n // 2
    n2 -= n2 % 8
    return pairwise_sum(a, lo, n2) + pairwise_sum(a, lo + n2, n - n2)


@leaf
def pairwise_mean(a, n):
    """``np.mean(a[:n])``'s double for float64 ``a`` (NaN when ``n`` is 0, as ``numeric.mean``)."""
    if n == 0:
        return float("nan")
    return pairwise_sum(a, 0, n) / n
