"""The compiled kernel: the per-case event flow in numba, the Python engine as its reference.

Design (the boundary of DESIGN §8; second stage):

* **What the kernel owns.** The event heap (time, sequence number), the handlers' servers (state,
  wake tokens, free times, part-time offsets, idle lists), their queues and the task table, the
  cases' flows (steps, next step to release, live steps, work log), all as struct-of-arrays grown
  by doubling. It writes straight into the model's case table.
* **Modules, one job each.** The ``numba.njit(cache=True)`` functions on plain arrays: ``layout``
  (columns, kinds, states, counters, status codes), ``draws`` (the buffered stream), ``events`` (the
  event heap), ``queues`` (keyed entries, the queue summary and gaming's reading, re-keying),
  ``servers`` (finish times, the day's start), ``tasks`` (new tasks), ``coordination`` (desks, the 135
  rule's due times and boost), ``flows`` (intake's batch, a case's first handler), ``forwarding``
  (courier runs), ``delegated`` (the learning curve), ``loop`` (the event loop, one function on purpose:
  see its docstring), ``day`` (the day's call), ``projection`` (deadline gaming's projection), ``gamed``
  (a gamed closure), ``settle`` (the warm-up's settling replay of requesters' judgements, called from
  ``settle`` outside the event loop), ``demand`` (a day's requests made from demand's draws, called from
  ``demand``); ``core`` gathers their names. The Python side: ``engine`` (``CompiledEngine``: intake's
  batch, the day's call) on ``tables`` (the arrays and their growth), ``writeback`` (decisions in, results back) and
  ``control`` (between calls), ``routing`` (intake's routing call's kept arguments), ``handlers`` (the handlers'
  run totals); ``stream`` (``KernelStream``) and ``gaming`` (what gaming's projection reads from the agents).
* **One call a working day.** The model calls ``start_day`` and ``run_until`` as with the Python
  engine; the compiled engine makes one kernel call (``core.work_day``): intake's batch of new cases
  (their first steps released and drawn), the day's start (duty hours off the servers, idle servers
  woken), every event before the day's end (with no new case, a short call first, ``servers.quiet_day``:
  the day's start and the wake-ups with nothing to serve; a day without demand needs no other). Between
  calls the agents decide, as Python methods, and
  their decisions reach the kernel as arrays: each handler's duty hours owed and its cap (dumping,
  inspections, the township's day split), today's work fraction, a department's effort. After the
  call the kernel's hour accounts of the day and counters are written back to the ``Handler`` objects
  (their run totals they read from the kernel's tables when asked: ``handlers``), the
  day's closed cases to ``model.closed_today``, the referrals between handlers to
  ``model.day_referrals`` and the repeat contacts to ``model.repeat_queue``, in event order.
* **Randomness.** Kernel and Python draw from one stream: the model's ``RandomStream`` with numpy
  buffers (``engine.KernelStream``), refilled in place from the model's generator (numba calls the
  same bit generator and the same algorithms as numpy) exactly when a draw finds its buffer empty,
  so draws come in the same order as in the reference.
* **Compiled:** the queueing core (servers, duty hours, part-time servers, the handlers' queues kept as
  binary heaps of entries in exactly the list order of the Python engine's ``heapq``, each entry with
  its key and version, so that corner cutting's work fraction adds a queue up in the same order and a
  re-keyed task leaves a stale entry behind as in the reference), a case's serial and joint steps
  (``handling``: service hours at the handler's work fraction and effort, overtime, the requester
  running between departments with its trips and travel, releasing the next step), coordination
  (``escalation``: ad hoc, the case's steps held until a desk has coordinated it; the 135 rule's keys by
  coordination level and deadline, its escalation events, requests at the desks withdrawn when one
  coordinates, the case re-keyed first in every queue it needs; the attending departments' hours;
  decisions on the spot at the centre's desk), the joint conference (its queue kept by the kernel,
  ``model.conference_queue`` reading it; ``hold_conference`` calls the meeting, which the day's call holds
  after intake's batch: ``coordination.hold_meeting``), referral (``referral``: the
  township clerks' forwarding and courier runs, the platform's dispatchers, misrouting, commissioners'
  errands; intake's forwarding handed over by ``CompiledEngine.forward``), closing (``resolution``: work
  share, the resolution draw, disputes settled by the mediators' hours, call-backs, repeat contacts),
  delegated steps (``delegation``: the township's learning curve per matter type, ``Township.handled``
  kept in the kernel and read from its table when asked, rework with the requester's trip, the owner's
  oversight hours, competence in the step's hours, the work fraction's sums and the resolution draw),
  the whistle (urgent department steps, their on-site hours, the township's duty owed from filing: a
  whistled case is handed to the kernel at once), deadline gaming (``gaming``: the agents decide
  after the day's call, their comparison and draw compiled with the projection, ``projection.decide_run``
  fed by ``kernel.gaming``, in one call a day that also closes the gamed cases, ``gamed.close_gamed``;
  and reads the kernel's task, flow, entry and queue tables in the reference's order, and a gamed
  closure withdraws the case's work from them, ``gamed.withdraw``) and the reform start after a
  warm-up under other levers (``CompiledEngine.restart``: the levers re-read, the servers re-laid out as
  ``Handler.resize`` does; ``rekey_all``: every queue rebuilt with the key now in force and new sequence
  numbers). The agents' work-fraction decision (``workload.decide``) stays Python and reads the kernel's
  queue summary (``CompiledEngine.queue_summary``). A day whose events need more task or entry rows than
  the tables have stops between two events (``core.E_ROOM``); Python grows the tables and the day goes
  on. ``model.flows`` on the compiled engine answers ``cid in model.flows`` from the kernel's open
  flows.
* **Still Python:** every agent decision, intake (channel, routing, a township referring a delegated
  case up), demand, duties, assessment, feedback and the KPIs. Intake hands its new cases over in one
  batch, early only when the batch's draws might reach a buffer's end (so that the buffer is refilled
  at the reference's moment), before an exponential or normal draw from Python (not before a uniform
  one: the batch draws none, and never refills a buffer, so the generator is called in the same
  order), or at once for a whistled case. ``supports`` refuses
  nothing now (every mechanism is compiled); it stays as the place where a new mechanism not yet
  compiled is named.

``engine = "compiled"`` (a ``Params`` setting) asks for the kernel; ``choose`` grants it only when
``supports`` does (for both regimes of a warm-up) and numba is installed, else the model runs the
Python engine and says why once. The compiled engine is bit-identical on every pinned county and every
shipped scenario (``tests/test_kernel_differential.py``); the reference stays the default until the
maintainers switch it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import warnings
from collections.abc import Iterator

from ..params import Params
from .cache import configure as configure_cache

configure_cache()  # before any kernel module defines its compiled functions (``cache``)

_SAID: set[str] = set()
_EVERY_MODEL: list[str | None] = [None]


@contextlib.contextmanager
def engine_for_every_model(engine: str | None) -> Iterator[None]:
    """Every model built inside this block runs ``engine`` (``python``/``compiled``) whatever its
    parameters say; None: each model its own ``engine``. For experiments whose jobs build their counties
    inside them (``townsim validate``'s checks): the engines are bit-identical, so only the time changes."""
    previous = _EVERY_MODEL[0]
    _EVERY_MODEL[0] = engine
    try:
        yield
    finally:
        _EVERY_MODEL[0] = previous


PLAIN: dict = {}
"""Lever values that switch off every mechanism the kernel does not compile: none left (every mechanism
is compiled); kept so that a future mechanism compiled later has its place, and for the differential
tests and the benchmarks that apply it to other counties."""


def supports(params: Params) -> tuple[bool, str]:
    """Whether the kernel covers every mechanism ``params`` switches on, and if not, the first one
    it does not (one line)."""
    checks: tuple[tuple[bool, str], ...] = ()  # every mechanism is compiled (the list stays for the next one)
    for on, what in checks:
        if on:
            return False, f"not compiled yet: {what}"
    return True, ""


def choose(params: Params, pre_reform: Params) -> tuple[bool, str]:
    """Run the compiled engine? ``params`` the scenario's, ``pre_reform`` the warm-up's levers. Returns
    (True, "") or (False, why); ``engine = "python"`` gives (False, ""); inside
    :func:`engine_for_every_model` its engine replaces the parameters'."""
    if (_EVERY_MODEL[0] or params.engine) != "compiled":
        return False, ""
    for p in (params, pre_reform):
        ok, why = supports(p)
        if not ok:
            return False, why
    if importlib.util.find_spec("numba") is None:
        return False, "numba is not installed (pip install 'townsim[kernel]')"
    return True, ""


def say_once(reason: str) -> None:
    """Warn, once per process and reason, that the Python engine runs instead of the compiled one."""
    if reason and reason not in _SAID:
        _SAID.add(reason)
        warnings.warn(f"engine='compiled' asked, the Python engine runs: {reason}", RuntimeWarning, stacklevel=3)


def make_stream(rng):
    """The model's random stream with buffers the kernel shares (imports numba)."""
    from .engine import KernelStream  # deferred: it imports numba (the kernel extra), only when compiled

    return KernelStream(rng)


def settle_replay():
    """The compiled replay of settling requesters (``kernel.settle.replay``, the twin of ``settle._replay``),
    called without numba's type dispatch like the engine's calls (``calls.Direct``: 12 → 7 µs a call with
    tiny arrays; a default county's construction makes ~80)."""
    from .settle import replay_call  # deferred: it imports numba (the kernel extra), only when compiled

    return replay_call


def make_engine(model, handlers: list):
    """The compiled engine of ``model`` (imports numba; compiles on first use, then cached)."""
    from .engine import CompiledEngine  # deferred: it imports numba (the kernel extra), only when compiled

    return CompiledEngine(model, handlers)
