"""Executors: run one function over many items, serially, in local processes or on Dask.

One interface for every kind (the experiments API of the contract)::

    with make_executor(workers=2) as ex:          # or scheduler="tcp://host:8786", or dask_local=True
        for index, outcome in ex.map(fn, items):  # in completion order
            if isinstance(outcome, Failure): ...  # the item raised (or its worker kept dying)

``fn`` must be a module-level (picklable) function of one item; it is called
exactly as ``fn(item)`` whatever the executor, so results do not depend on the
executor or the number of workers — only completion order does, which is why
every outcome comes with the index of its item.

An exception raised by ``fn`` is caught where it happens and comes back as a
:class:`Failure` (a deterministic error is not retried). A worker that *dies*
(killed, out of memory) is different: the process pool starts new processes
and resubmits the unfinished items, and Dask reschedules them on another
worker (``retries=`` on submit, on top of the scheduler's own rescheduling);
only after ``retries`` such losses does an item become a Failure.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import traceback as _tb
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from townsim.experiments.core import memory
from townsim.experiments.core.memory import released_models

WORKER_START_TIMEOUT = 120.0
"""Seconds a local Dask cluster may take to start its workers."""

DEFAULT_RETRIES = 2
"""Times an item is resubmitted after its worker died before it is a Failure."""


@dataclass(frozen=True)
class Failure:
    """An item whose function raised: ``error`` is one line ("Type: message"), ``traceback`` the full text."""

    error: str
    traceback: str = ""


def call_safely(fn: Callable[[Any], Any], item: Any) -> Any:
    """``fn(item)``, or a :class:`Failure` if it raises (runs inside the worker); the Mesa models the
    call built are released when it returns (:func:`released_models`)."""
    with released_models():
        try:
            return fn(item)
        except Exception as exc:  # noqa: BLE001 - every error of a run is recorded, not raised
            return Failure(error=one_line(exc), traceback=_tb.format_exc())


def one_line(exc: BaseException) -> str:
    """``"Type: message"`` on a single line."""
    msg = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def default_workers() -> int:
    """Cores this process may use (the default size of the process pool)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def die_with_parent(parent_pid: int) -> None:
    """Pool-worker initializer: end this worker when the process that started it dies (even by SIGKILL);
    ignore Ctrl-C (the parent stops the pool).

    On Linux the kernel sends SIGKILL on the parent's death (``prctl(PR_SET_PDEATHSIG)``); everywhere
    a daemon thread also checks every second that the parent is still this worker's parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the pool, with one line
    memory.PIN_WORKER[0] = True  # a worker of many runs: it pins its long-lived objects after its first item
    if sys.platform.startswith("linux"):
        try:
            import ctypes  # deferred: Linux only, and its failure is caught below

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="townsim-parent-watch", daemon=True).start()


class Executor:
    """Base class: a context manager with ``name``, ``workers``, ``map`` and ``close``."""

    name: str = "executor"
    workers: int = 1

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, outcome)`` for every item as it finishes (outcome: result or Failure)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (idempotent)."""

    def describe(self) -> dict[str, Any]:
        """What the manifest records about this executor."""
        return {"kind": self.name, "workers": self.workers}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs every item in this process, in order (debugging, tiny experiments, ``--workers 1``)."""

    name = "serial"
    workers = 1

    def map(self, fn, items):
        for i, item in enumerate(items):
            yield i, call_safely(fn, item)


class ProcessExecutor(Executor):
    """A local pool of worker processes (:class:`concurrent.futures.ProcessPoolExecutor`).

    Workers are started with the ``spawn`` method (no inherited threads or locks);
    if a worker process dies the pool is rebuilt and unfinished items are resubmitted.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, retries: int = DEFAULT_RETRIES):
        self.workers = int(workers) if workers else default_workers()
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        self.retries = retries
        self._ctx = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._ctx, initializer=die_with_parent, initargs=(os.getpid(),)
        )
        return self._pool

    def map(self, fn, items):
        items = list(items)
        if not items:
            return
        pool = self._pool or self._new_pool()
        losses = [0] * len(items)
        pending = {pool.submit(call_safely, fn, item): i for i, item in enumerate(items)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken: list[int] = []
            for fut in done:
                i = pending.pop(fut)
                try:
                    yield i, fut.result()
                except BrokenProcessPool:
                    broken.append(i)
            if broken:
                # The pool is unusable: every unfinished item must go to a new one.
                broken += list(pending.values())
                for fut in pending:
                    fut.cancel()
                pending.clear()
                pool = self._new_pool()
                for i in sorted(broken):
                    losses[i] += 1
                    if losses[i] > self.retries:
                        yield (
                            i,
                            Failure(
                                error=f"WorkerDied: the worker process died {losses[i]} times running this item",
                            ),
                        )
                    else:
                        pending[pool.submit(call_safely, fn, items[i])] = i

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is KeyboardInterrupt and self._pool is not None:  # stop now: do not finish running items
            for proc in list(getattr(self._pool, "_processes", {}).values()):
                proc.terminate()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self.close()


class DaskExecutor(Executor):
    """Dask distributed: a running scheduler (``scheduler="tcp://HOST:PORT"``) or a LocalCluster.

    ``dask_local=True`` starts a :class:`distributed.LocalCluster` of ``workers``
    single-threaded worker processes listening on 127.0.0.1 only (no dashboard).
    Items are submitted with ``retries=`` so that a task whose worker died is run again.
    If the cluster has no worker at all for ``no_worker_timeout`` seconds, the
    unfinished items come back as Failures instead of waiting for ever.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        retries: int = DEFAULT_RETRIES,
        no_worker_timeout: float = 300.0,
    ):
        try:
            from distributed import Client, LocalCluster  # deferred: it pulls in dask (an optional extra [distributed])
        except ImportError as exc:  # pragma: no cover - extra not installed
            raise RuntimeError("Dask is not installed: pip install 'townsim[distributed]'") from exc
        self.retries = retries
        self.no_worker_timeout = no_worker_timeout
        self._cluster: Any = None
        self._client: Any = None
        if scheduler:
            self.address = scheduler
            refuse_unreachable(scheduler)
            self._client = Client(scheduler, timeout="20s")
        else:
            n = int(workers) if workers else default_workers()
            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=40,
            )
            self._client = Client(self._cluster)
            self.address = self._cluster.scheduler_address
            try:
                self._client.wait_for_workers(n, timeout=WORKER_START_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - dask raises its own TimeoutError
                self.close()
                raise TimeoutError(
                    f"the local Dask cluster did not start {n} workers in "
                    f"{WORKER_START_TIMEOUT:.0f} s ({one_line(exc)})"
                ) from None
        self.workers = max(1, self._threads())

    def _threads(self) -> int:
        """Worker threads the scheduler knows right now (0 when it has no workers)."""
        try:
            return int(sum(self._client.nthreads().values()))
        except Exception:  # noqa: BLE001 - scheduler unreachable: treat as no workers
            return 0

    def describe(self):
        return {
            "kind": self.name,
            "workers": self.workers,
            "scheduler": self.address,
            "local_cluster": self._cluster is not None,
        }

    def map(self, fn, items):
        from distributed import as_completed  # deferred: it pulls in dask (an optional extra [distributed])

        items = list(items)
        if not items:
            return
        futures = {
            self._client.submit(call_safely, fn, item, pure=False, retries=self.retries): i
            for i, item in enumerate(items)
        }
        ac = as_completed(list(futures))
        last_worker_seen = time.monotonic()
        last_check = 0.0
        try:
            while not ac.is_empty():
                batch = ac.next_batch(block=False)
                if not batch:
                    time.sleep(0.05)
                    now = time.monotonic()
                    if now - last_check >= 2.0:  # watchdog: a cluster without workers never finishes
                        last_check = now
                        if self._threads() > 0:
                            last_worker_seen = now
                        elif now - last_worker_seen > self.no_worker_timeout:
                            left = [futures[f] for f in futures if not f.done()]
                            for i in left:
                                yield (
                                    i,
                                    Failure(
                                        error=f"NoWorkers: the Dask cluster had no workers for "
                                        f"{self.no_worker_timeout:.0f} s"
                                    ),
                                )
                            return
                    continue
                for fut in batch:
                    i = futures[fut]
                    try:
                        outcome = fut.result()
                    except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker after every retry
                        outcome = Failure(error=one_line(exc), traceback=_tb.format_exc())
                    fut.release()
                    yield i, outcome
        finally:
            for fut in futures:
                if not fut.done():
                    fut.cancel()

    def close(self):
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(
    workers: int | None = None, scheduler: str | None = None, dask_local: bool = False, retries: int = DEFAULT_RETRIES
) -> Executor:
    """The executor the command line asked for.

    ``scheduler`` → Dask client of that cluster; ``dask_local`` → Dask LocalCluster
    on 127.0.0.1 with ``workers`` processes (default: cores); otherwise a process
    pool of ``workers`` processes (default: cores), or serial when ``workers == 1``.
    """
    if scheduler and dask_local:
        raise ValueError("choose either a Dask scheduler address or a local Dask cluster, not both")
    if workers is not None and int(workers) < 1:
        raise ValueError(f"workers: got {workers}; allowed: an integer >= 1")
    if scheduler:
        return DaskExecutor(scheduler=scheduler, retries=retries)
    if dask_local:
        return DaskExecutor(workers=workers, retries=retries)
    n = int(workers) if workers else default_workers()
    if n == 1:
        return SerialExecutor()
    return ProcessExecutor(workers=n, retries=retries)


def collect(executor: Executor, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """All outcomes of ``executor.map`` back in item order (convenience for small jobs)."""
    out: list[Any] = [None] * len(items)
    for i, outcome in executor.map(fn, items):
        out[i] = outcome
    return out


def refuse_unreachable(address: str, timeout: float = 5.0) -> None:
    """OSError at once when nothing listens at a ``tcp://host:port`` scheduler address.

    Dask's client retries a refused connection until its 20 s timeout; a refused TCP connection is a
    definite answer, so the user hears it at once. Other schemes (tls, inproc, ucx) go to Dask as given.
    """
    if not address.startswith("tcp://"):
        return
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise OSError(f"not a scheduler address: {exc}") from None
    if not host or port is None:
        return  # Dask fills in its default port
    with socket.create_connection((host, port), timeout=timeout):
        pass
