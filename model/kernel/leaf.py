"""``leaf``: how the kernel compiles a helper that neither allocates nor hands an array back.

Numba counts references to every array a compiled function holds: an argument, a view (``hq[h]``), an item
of a tuple of arrays. Each count is an atomic increment and decrement (``NRT_incref``, ``NRT_decref``), and
where a helper called at every event is not inlined, or its counts sit in different branches, the pairs
stay. Sampled on the drawn-world runs of a robustness experiment they were 13 % of all CPU time (half of
the kernel's). A helper that allocates nothing, returns no array and gets none back from what it calls
holds only borrowed arrays: its caller keeps them alive for the whole call, so it needs no counting, and
``leaf`` compiles it without (numba's ``_nrt`` option). Results are bit for bit the same (the counts never
touch a value); numba refuses to compile a ``leaf`` that calls a function needing its runtime.
"""

from __future__ import annotations

from numba import njit

leaf = njit(cache=True, _nrt=False)  # type: ignore[call-overload]  # (an option numba's stubs do not list)
"""``njit(cache=True)`` without reference counting, for the helpers the module's notes describe."""
